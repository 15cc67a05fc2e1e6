"""``simpul serve`` in a subprocess on a free loopback port, started again on another port when
the one it was given was taken before it could bind it."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.services.ports import PortTaken, is_clash, start_with_retries

_names = itertools.count()


class Served:
    """A running ``simpul serve``: ``base`` is its URL, ``proc`` the process."""

    def __init__(self, args: list[str], env: dict[str, str], port: int, seconds: float):
        self.base = f"http://127.0.0.1:{port}"
        # a node id of its own: the answer of another server on the same port is not taken
        # for this one's
        self.node_id = env.get("SIMPUL_NODE_ID") or f"test-serve-{os.getpid()}-{next(_names)}"
        self.log = Path(tempfile.mkstemp(prefix="simpul-serve-", suffix=".log")[1])
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "simpul.cli", "serve", "--port", str(port), *args],
                env={"SIMPUL_BASE_URI": self.base, **env, "SIMPUL_NODE_ID": self.node_id},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait(seconds)
        except BaseException:
            self.stop()
            raise

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            said = self.log.read_text(errors="replace")
            if self.proc.poll() is not None or is_clash(said):
                if is_clash(said):
                    raise PortTaken(f"{self.base}: {said.strip()[-300:]}")
                raise RuntimeError(f"simpul serve exited ({self.proc.returncode}):\n{said}")
            try:
                health = requests.get(f"{self.base}/health", timeout=2)
                if health.json().get("node") == self.node_id:
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.2)
        said = self.log.read_text(errors="replace").strip()[-3000:]
        raise RuntimeError(f"simpul serve did not answer in {seconds:.0f} s:\n{said}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.unlink(missing_ok=True)


def serve(env: dict[str, str], *args: str, seconds: float = 60) -> Served:
    """``simpul serve [args]`` with ``env``, answering at ``.base`` once this returns."""
    return start_with_retries(lambda port: Served(list(args), env, port, seconds))
