"""``simpul backup`` and ``simpul restore`` (SQLite): a backup taken while records are being
published holds the database as of one commit, and a fresh node restored from it has exactly
those records, versions and changes, with its search index rebuilt."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from simpul.cli import main
from simpul.config import load_settings
from simpul.registry import services, stats
from simpul.registry.auth import SYSTEM
from simpul.registry.context import Registry
from simpul.registry.db import Database
from simpul.registry.organizations import create_organization
from simpul.search import open_backend

ORG = "disdukcapil-kota-gorontalo"


def node_env(folder: Path) -> dict[str, str]:
    return {
        "SIMPUL_DATABASE_URL": f"sqlite:///{folder / 'simpul.db'}",
        "SIMPUL_DATA_DIR": str(folder),
        "SIMPUL_BASE_URI": "http://simpul.test",
    }


def simpul(env: dict[str, str], *args: str, ok: bool = True):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    return result


def rows(where: Path | str, query: str) -> set[tuple]:
    """The rows of ``query`` on a SQLite file or a database URL."""
    if isinstance(where, Path):
        with closing(sqlite3.connect(where)) as conn:
            return set(conn.execute(query).fetchall())
    db = Database(where)
    try:
        with db.engine.connect() as conn:
            return {tuple(row) for row in conn.exec_driver_sql(query)}
    finally:
        db.dispose()


def assert_restored_as_of_the_backup(source, fresh) -> int:
    """``fresh`` holds exactly what ``source`` held at the backup's commit: the same changes,
    version rows and records up to the newest change ``fresh`` has. Returns its record count."""
    ((last,),) = rows(fresh, "SELECT max(seq) FROM changes")
    changes = "SELECT seq, service_id, version, action FROM changes"
    expected_changes = {row for row in rows(source, changes) if row[0] <= last}
    assert rows(fresh, changes) == expected_changes
    committed = {(service_id, version) for _, service_id, version, _ in expected_changes}
    version_rows = "SELECT service_id, version, action, content_hash FROM service_versions"
    expected_versions = {row for row in rows(source, version_rows) if row[:2] in committed}
    assert rows(fresh, version_rows) == expected_versions
    newest: dict[str, tuple] = {}
    for service_id, version, _action, content_hash in expected_versions:
        if version > newest.get(service_id, (0,))[0]:
            newest[service_id] = (version, content_hash)
    restored = rows(fresh, "SELECT id, version, content_hash FROM services")
    assert restored == {(sid, *state) for sid, state in newest.items()}
    return len(restored)


class Publisher(threading.Thread):
    """Publishes continuously through the core: new records and new versions of earlier ones,
    two or three records per transaction."""

    def __init__(self, registry: Registry):
        super().__init__(daemon=True)
        self.registry, self.stop, self.error = registry, threading.Event(), None

    def run(self) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                raws = [record(f"layanan-{n}", "awal"), record(f"layanan-{n // 2}", f"v{n}")]
                if n % 3 == 0:
                    raws.append(record(f"layanan-{n // 3}", f"w{n}"))
                self.registry.db.write(lambda session, raws=raws: self._publish(session, raws))
                n += 1
        except Exception as exc:  # seen by the test
            self.error = exc

    def _publish(self, session, raws) -> None:
        lookup = services.session_lookup(session)
        prepared = [services.prepare(raw, lookup, ORG) for raw in raws]
        services.publish_many(
            session,
            prepared,
            SYSTEM,
            base_uri=self.registry.base_uri,
            provenance={"method": "test"},
        )


def record(identifier: str, note: str) -> dict:
    return {
        "identifier": identifier,
        "authority": ORG,
        "name": {"id": f"Layanan {identifier} {note}"},
        "sectors": ["kependudukan"],
    }


def live_count(registry: Registry) -> int:
    with registry.db.session() as session:
        return stats.live_services(session)


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def registry_with_org(env: dict[str, str]) -> Registry:
    registry = Registry(load_settings(environ=env), search=open_backend)
    with registry.db.transaction() as session:
        raw = {"id": ORG, "name": {"id": "Disdukcapil"}, "level": "kabkota", "area": "75.71"}
        create_organization(session, raw)
    return registry


@pytest.fixture
def source_node(tmp_path, sqlite_template):
    folder = tmp_path / "source"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "simpul.db")
    env = node_env(folder)
    registry = registry_with_org(env)
    yield env, registry, folder / "simpul.db"
    registry.close()


def publishing(registry: Registry, during, before: int = 40, after: int = 40) -> None:
    """``during()`` while records are being published: once ``before`` records exist, and
    until ``after`` more were published after it returned."""
    writer = Publisher(registry)
    writer.start()
    try:
        wait_until(lambda: live_count(registry) >= before)
        during()
        then = live_count(registry)
        wait_until(lambda: live_count(registry) >= then + after)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error


def test_a_backup_under_write_load_restores_every_record_as_of_its_commit(source_node, tmp_path):
    env, registry, source_db = source_node
    backup = tmp_path / "simpul-backup.db"
    publishing(registry, lambda: simpul(env, "backup", str(backup)))

    fresh = tmp_path / "fresh"
    fresh_env = node_env(fresh)
    restored = simpul(fresh_env, "restore", str(backup))
    assert "indexed" in restored.stderr
    fresh_db = fresh / "simpul.db"

    restored_count = assert_restored_as_of_the_backup(source_db, fresh_db)
    total_now = len(rows(source_db, "SELECT id FROM services"))
    assert 40 <= restored_count < total_now  # taken while records were being added
    fresh_registry = Registry(load_settings(environ=fresh_env), search=open_backend)
    try:
        assert fresh_registry.search.count() == restored_count  # index rebuilt
    finally:
        fresh_registry.close()


def test_restore_refuses_a_node_that_holds_records_unless_forced(source_node, tmp_path):
    env, registry, _ = source_node
    backup = tmp_path / "b.db"
    simpul(env, "backup", str(backup))
    refused = simpul(env, "restore", str(backup), ok=False)
    assert refused.exit_code == 1
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    simpul(env, "restore", str(backup), "--force")
    assert live_count(registry) == 0  # the organization came back, nothing else


def test_backup_does_not_overwrite_a_file_unless_forced(source_node, tmp_path):
    env, _, _ = source_node
    backup = tmp_path / "b.db"
    backup.write_text("an older backup")
    refused = simpul(env, "backup", str(backup), ok=False)
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert backup.read_text() == "an older backup"
    simpul(env, "backup", str(backup), "--force")
    assert rows(backup, "SELECT id FROM organizations") == {(ORG,)}


def test_restore_of_a_file_that_is_no_backup_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"bukan basis data " * 100)
    result = simpul(node_env(tmp_path / "fresh"), "restore", str(junk), ok=False)
    assert result.exit_code == 1 and "not a Simpul database backup" in result.stderr


@pytest.mark.postgresql
def test_backup_on_postgresql_points_to_the_scripts(postgres_session, tmp_path):
    env = {"SIMPUL_DATABASE_URL": postgres_session.new_database(), "SIMPUL_DATA_DIR": str(tmp_path)}
    for command in ("backup", "restore"):
        (tmp_path / "b.dump").write_bytes(b"x")
        result = simpul(env, command, str(tmp_path / "b.dump"), "--force", ok=False)
        assert result.exit_code == 1
        assert "deploy/pg-backup.sh" in result.stderr and "Traceback" not in result.output


DEPLOY = Path(__file__).parents[2] / "deploy"


@pytest.mark.postgresql
def test_the_postgresql_scripts_restore_a_dump_taken_under_write_load(postgres_session, tmp_path):
    from tests.conftest import need_service

    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        need_service("pg_dump, pg_restore and psql (Debian package postgresql-client)")
    source_url = postgres_session.new_database()
    registry = registry_with_org(
        {"SIMPUL_DATABASE_URL": source_url, "SIMPUL_DATA_DIR": str(tmp_path)}
    )
    dump = tmp_path / "simpul.dump"

    def script(name: str, *args: str, url: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["sh", str(DEPLOY / name), *args],
            env={**os.environ, "SIMPUL_DATABASE_URL": url, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def take() -> None:
        done = script("pg-backup.sh", str(dump), url=source_url)
        assert done.returncode == 0, done.stderr

    try:
        publishing(registry, take)
    finally:
        registry.close()
    fresh_name = f"restore_{postgres_session.tag}"
    postgres_session.execute(f"CREATE DATABASE {fresh_name}")
    postgres_session.created.append(fresh_name)
    fresh_url = f"{postgres_session.base}/{fresh_name}"
    fresh_env = {
        "SIMPUL": f"{sys.executable} -m simpul.cli",
        "SIMPUL_DATA_DIR": str(tmp_path / "fresh"),
    }
    done = script("pg-restore.sh", str(dump), url=fresh_url, **fresh_env)
    assert done.returncode == 0, done.stderr
    assert "indexed" in done.stderr
    restored = assert_restored_as_of_the_backup(source_url, fresh_url)
    assert 40 <= restored < len(rows(source_url, "SELECT id FROM services"))
    again = script("pg-restore.sh", str(dump), url=fresh_url, **fresh_env)
    assert again.returncode == 1 and "--force" in again.stderr  # a node with records: refused
    forced = script("pg-restore.sh", str(dump), "--force", url=fresh_url, **fresh_env)
    assert forced.returncode == 0, forced.stderr
    assert assert_restored_as_of_the_backup(source_url, fresh_url) == restored
