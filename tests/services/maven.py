"""Maven as the tests' fetcher of JVM services from Maven Central (into ``~/.m2`` and
``~/.cache/simpul``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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
