"""Backups of a SQLite node and their restore into a fresh node.

A backup is taken with SQLite's online backup API in one step: one read transaction, so the copy
is the database as it was at one commit while the server goes on writing (WAL lets writers
continue meanwhile). It holds every record, version and change up to that commit and nothing of
a later one. The search index is not in the backup: it is derived, and a restore rebuilds it.

PostgreSQL nodes use ``pg_dump``/``pg_restore`` (``deploy/pg-backup.sh``, ``deploy/pg-restore.sh``).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from simpul.errors import Conflict, InvalidInput, UnsupportedDatabase
from simpul.registry import stats

POSTGRESQL_BACKUP = (
    "this node's database is PostgreSQL: back it up with deploy/pg-backup.sh FILE "
    "(pg_dump --format=custom) and restore with deploy/pg-restore.sh FILE; see "
    "docs/operations.md"
)


def _sqlite_file(registry) -> Path:
    path = registry.settings.sqlite_path
    if path is None:
        raise UnsupportedDatabase(POSTGRESQL_BACKUP)
    return path


def backup(registry, target: str | os.PathLike, *, force: bool = False) -> dict[str, Any]:
    """Copy the node's SQLite database into ``target`` (written beside it, then renamed: a
    half-written backup never takes the name). Returns what the backup holds."""
    source, target = _sqlite_file(registry), Path(target)
    if target.exists() and not force:
        raise Conflict(f"{target} exists; choose another name, or --force to replace it")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(partial)) as dst,
    ):
        src.backup(dst)  # all pages in one step: one snapshot, however busy the server is
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    os.replace(partial, target)
    return describe(target)


def describe(path: Path) -> dict[str, Any]:
    """Schema revision, live services and newest change of a SQLite backup; raises for a file
    that is not a Simpul database."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            services = conn.execute(
                "SELECT count(*) FROM services WHERE deleted_at IS NULL"
            ).fetchone()[0]
            last = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{path} is not a Simpul database backup ({exc})") from None
    return {
        "file": str(path),
        "bytes": path.stat().st_size,
        "revision": revision[0] if revision else None,
        "services": services,
        "last_change": last,
    }


def holds_records(registry) -> dict[str, int] | None:
    """What the node's database already holds, or None when it is empty (no schema yet, or a
    schema without organizations or services)."""
    if registry.db.current_revision() is None:
        return None
    with registry.db.session() as session:
        counts = stats.record_counts(session)
    return counts if any(counts.values()) else None


def restore(registry, source: str | os.PathLike, *, force: bool = False) -> dict[str, Any]:
    """Replace the node's empty SQLite database with the backup ``source`` and bring its schema
    up to date. The caller rebuilds the search index afterwards (``indexing.rebuild``). Refuses a
    database that holds records unless ``force``; the server must not be running on it."""
    target, source = _sqlite_file(registry), Path(source)
    if not source.is_file():
        raise InvalidInput(f"no backup file {source}")
    found = describe(source)
    held = holds_records(registry)
    if held and not force:
        what = ", ".join(f"{count} {name}" for name, count in held.items())
        raise Conflict(
            f"the database at {target} is not empty ({what}); restore into a fresh node, or "
            "--force to replace everything it holds"
        )
    registry.db.dispose()  # no pooled connection may write over the restored pages
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        src.backup(dst)
    registry.db.dispose()
    registry.db.upgrade()  # a backup of an older Simpul
    return found
