"""A throwaway PostgreSQL cluster from Debian's ``postgresql`` package.

Started with ``initdb`` + ``pg_ctl`` in a temporary folder, listening on a free loopback port with
trust authentication, fsync off (test data only). As root, the server runs as the ``postgres`` user
the package creates, since PostgreSQL refuses to run as root. When another process takes the port
between its choice and the start, the server is started again on another one.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.services.ports import PortTaken, free_port, is_clash, start_with_retries

__all__ = ["PostgresServer", "free_port", "start_postgres"]
USER = "simpul"


def find_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresServer:
    def __init__(self, bindir: Path, port: int):
        self.bindir = bindir
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="simpul-pg-"))
        self.datadir = self.root / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-A",
            "trust",
            "-U",
            USER,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = self.root / "server.log"
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-o", self.options, "-l", str(log), "-w",
                      "-t", "60", "start")  # fmt: skip
        except RuntimeError:
            said = log.read_text(errors="replace") if log.exists() else ""
            shutil.rmtree(self.root, ignore_errors=True)
            if is_clash(said):
                raise PortTaken(f"port {self.port}: {said.strip()[-300:]}") from None
            raise
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def restart(self, down: float = 2.0) -> None:
        """Stop the server (fast: clients are cut off, committed work is kept), stay down for
        ``down`` seconds, and start it again on the same port and data."""
        import time

        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")
        time.sleep(down)
        self._run("pg_ctl", "-D", str(self.datadir), "-o", self.options,
                  "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer | None:
    bindir = find_bindir()
    if bindir is None:
        return None
    return start_with_retries(lambda port: PostgresServer(bindir, port).start())
