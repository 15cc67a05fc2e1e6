"""``SIMPUL_TEST_PG_URL``: the suite runs its PostgreSQL tests on an operator's own server, makes
its template there under a name of its own, and leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import need_service
from tests.services.postgres import start_postgres

ROOT = Path(__file__).resolve().parents[1]


def _databases(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


@pytest.mark.postgresql
def test_postgresql_tests_run_on_an_external_server_and_leave_nothing_behind():
    server = start_postgres()
    if server is None:
        need_service("PostgreSQL (Debian package postgresql)")
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE operator_db")  # the operator's database, not postgres
        before = _databases(server.url())
        external = server.url("operator_db")
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/registry/test_auth.py", "-k",
             "postgresql and (tokens_are_stored_hashed or revoked_token_is_refused)"],
            cwd=ROOT, env={**os.environ, "SIMPUL_TEST_PG_URL": external},
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "2 passed" in done.stdout, done.stdout[-3000:]
        assert _databases(server.url()) == before  # template and test databases dropped
    finally:
        server.stop()
