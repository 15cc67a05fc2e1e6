"""Engine, sessions and migrations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TypeVar

import orjson
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from simpul.errors import ConcurrentWrite, ConfigError
from simpul.metrics import instruments

T = TypeVar("T")

# What a concurrent writer causes, so that running the transaction again is the cure: a unique key
# taken meanwhile (PostgreSQL 23505, SQLite's unique/primary-key constraint), a serialization
# failure (40001) or a deadlock (40P01).
_RETRY_SQLSTATES = {"23505", "40001", "40P01"}
_RETRY_SQLITE = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


def _system_clock() -> datetime:
    return datetime.now(UTC)


# Every time Simpul stores comes through utcnow(); tests that must pass a threshold (a newer
# record, a stale heartbeat) move this clock instead of sleeping.
clock: Callable[[], datetime] = _system_clock


def utcnow() -> datetime:
    return clock()


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything Simpul stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: random-id B-trees outgrow the 2 MiB default
    cur.close()


def _retryable(exc: DBAPIError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    return getattr(orig, "sqlite_errorname", None) in _RETRY_SQLITE


def _json_dumps(value) -> str:
    return orjson.dumps(value).decode()


def _count_pool_use(engine: Engine) -> None:
    """Connections in use and the pool's capacity, for ``/metrics`` (per process)."""
    pool = engine.pool
    capacity = (
        pool.size() + max(getattr(pool, "_max_overflow", 0), 0) if hasattr(pool, "size") else 1
    )

    def connected(*_args) -> None:
        instruments().db_capacity.set(capacity)

    event.listen(engine, "connect", connected)
    event.listen(engine, "checkout", lambda *_args: instruments().db_in_use.inc())
    event.listen(engine, "checkin", lambda *_args: instruments().db_in_use.dec())


def make_engine(url: str) -> Engine:
    engine = _make_engine(url)
    _count_pool_use(engine)
    return engine


def _make_engine(url: str) -> Engine:
    json_options = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10}, **json_options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **json_options)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"database driver missing ({exc.name}); install simpul[postgresql]"
        ) from None


class Database:
    """One per app or CLI run: owns the engine and hands out sessions."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error.

        On SQLite it takes the write lock at once (``BEGIN IMMEDIATE``; the driver would begin
        only at the first write), so nothing it reads can change before it writes: two writers
        never both decide on the same state. PostgreSQL writers lock the rows they decide on."""
        with self._sessions() as session, session.begin():
            if self.dialect == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    def write(self, work: Callable[[Session], T], *, attempts: int = 3) -> T:
        """``work(session)`` in a transaction, run again when a concurrent write got there first
        (a key taken meanwhile, a deadlock, a changed version). ``work`` reads what it decides on
        inside the transaction, so a second run decides afresh (e.g. 409 for a taken key)."""
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as session:
                    return work(session)
            except ConcurrentWrite:
                if attempt == attempts:
                    raise
            except DBAPIError as exc:
                if not _retryable(exc):
                    raise
                if attempt == attempts:
                    raise ConcurrentWrite(
                        "another write stored the same record at the same time; "
                        "read it again and send your change again"
                    ) from exc
        raise AssertionError("unreachable")

    def analyze(self, *tables: str) -> None:
        """Refresh planner statistics (PostgreSQL) after a table grew fast: on a table never
        analyzed, PostgreSQL plans bulk lookups as scans of a whole authority."""
        if self.dialect != "postgresql":
            return
        with self.engine.begin() as conn:
            for table in tables:
                conn.execute(text(f"ANALYZE {table}"))

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True

    # -- migrations -------------------------------------------------------------------------------
    def _alembic_config(self) -> AlembicConfig:
        cfg = AlembicConfig()
        cfg.set_main_option(
            "script_location", str(resources.files("simpul.registry") / "migrations")
        )
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        command.upgrade(self._alembic_config(), revision)

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def schema_state(self) -> str:
        """``current``; ``behind`` or ``empty`` (this code needs ``simpul db upgrade`` first);
        ``ahead`` (a newer Simpul migrated it: this code runs on while its successor rolls out,
        as migrations only add what older code ignores)."""
        current = self.current_revision()
        if current is None:
            return "empty"
        script = ScriptDirectory.from_config(self._alembic_config())
        if current == script.get_current_head():
            return "current"
        try:
            script.get_revision(current)
        except Exception:  # a revision this code does not know: a newer one
            return "ahead"
        return "behind"

    def dispose(self) -> None:
        self.engine.dispose()
