"""The tests' JVM services: fetched by Maven from Maven Central (into ``~/.m2`` and
``~/.cache/simpul``), then waited for until they answer."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import requests

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "simpul"


def available() -> bool:
    """Java and Maven are on the PATH (``make system-deps`` installs them from Debian)."""
    return bool(shutil.which("java") and shutil.which("mvn"))


def fetch(what: str, *arguments: str) -> None:
    """Run ``mvn -q -B arguments`` in the cache folder; a failure names ``what``."""
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mvn", "-q", "-B", *arguments],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=CACHE,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Maven could not fetch {what}:\n{done.stdout}{done.stderr}")


def wait_until_ready(
    proc: subprocess.Popen, ready: Callable[[], bool], seconds: float, what: str, log: Path
) -> None:
    """Poll ``ready()`` until it holds; raise, with the end of ``log``, when the process exits
    first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited:\n{_tail(log)}")
        try:
            if ready():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not start in {seconds:.0f} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])
