"""Keeping an index in step with the database through the change log (the outbox).

The index remembers the last change it applied; ``sync`` applies what came after, in order, and
is idempotent (a record is deleted, then added again). Writes never wait for the index; nothing is
lost while it is down: the log waits for it.

Documents are built from the effective record, with the names of its service type. A change of a
type writes no change row; instead ``sync`` compares the versions of the node's types with
those the index last saw (kept beside its cursor) and indexes the instances of the types that
changed again, in batches."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import orjson
from sqlalchemy import Text, cast, func, select

from simpul.registry.changes import visible_below
from simpul.registry.models import Change, Service, ServiceType
from simpul.registry.services import service_to_dict
from simpul.registry.types import TypeIndex
from simpul.registry.workers import ordered_map
from simpul.registry.workers import pool as worker_pool
from simpul.search.base import document

log = logging.getLogger(__name__)


def sync(registry, backend, batch: int = 1000, upto: int | None = None) -> int:
    """Apply every change after the index's cursor (up to change ``upto`` when given), then
    index again the instances of the service types changed since the index last looked; return
    how many records were touched."""
    with registry.db.session() as session:
        versions = type_versions(session)  # read first: what changes later is seen next time
    touched = 0
    while True:
        after = backend.cursor()
        with registry.db.session() as session:
            query = select(Change.seq, Change.service_id).where(Change.seq > after)
            if upto is not None:
                query = query.where(Change.seq <= upto)
            horizon = visible_below(session)
            if horizon is not None:  # never move the cursor past a change yet to commit
                query = query.where(Change.txid < horizon)
            rows = session.execute(query.order_by(Change.seq).limit(batch)).all()
            if not rows:
                break
            ids = list(dict.fromkeys(service_id for _, service_id in rows))
            found = session.execute(select(Service, last_change()).where(Service.id.in_(ids)))
            types = registry.type_index(session)
            live, gone = [], {}
            for row, change in found.all():
                if row.deleted_at is None:
                    live.append(typed_document(row, types, change))
                else:
                    gone[row.id] = change
        backend.index_documents(live)
        backend.delete(list(gone), versions=gone)
        backend.commit(rows[-1][0])
        touched += len(ids)
    return touched + retype(registry, backend, versions, batch)


def typed_document(row, types: TypeIndex, change: int | None = None) -> dict[str, Any]:
    """The index document of a service row: its effective record, with its type's names, and
    ``change``, the number of the record's latest change, as the version a search server keeps
    (an older copy written later never replaces a newer one)."""
    found = types.get(row.type_id)
    record = service_to_dict(row, with_quality=False, types=types)
    doc = document(record, kind=found.data if found else None)
    doc["change"] = change
    return doc


def last_change():
    """The number of a service's latest change, as a column read in the same statement as the
    service row: it never names a change newer than the content read beside it (PostgreSQL
    numbers a change when it is written, so a number read apart could be one whose content
    this read does not see yet)."""
    latest = select(func.max(Change.seq)).where(Change.service_id == Service.__table__.c.id)
    return latest.correlate(Service.__table__).scalar_subquery().label("last_change")


def type_versions(session) -> dict[str, int]:
    return {
        row.id: row.version for row in session.execute(select(ServiceType.id, ServiceType.version))
    }


def retype(registry, backend, versions: dict[str, int], batch: int = 1000) -> int:
    """Index again the live instances of the types whose version differs from what the index
    saw (``backend.seen_types()``), then record ``versions`` as seen. An index that never
    recorded any was filled with the types of its time: it records them and moves on."""
    seen = backend.seen_types()
    changed = [t for t, v in versions.items() if seen is not None and seen.get(t) != v]
    touched, last = 0, ""
    while changed:
        with registry.db.session() as session:
            services = session.execute(
                select(Service, last_change())
                .where(Service.type_id.in_(changed), Service.deleted_at.is_(None))
                .where(Service.id > last)
                .order_by(Service.id)
                .limit(batch)
            ).all()
            if not services:
                break
            types = registry.type_index(session)
            docs = [typed_document(s, types, change) for s, change in services]
        backend.index_documents(docs)
        backend.commit(backend.cursor())
        touched += len(docs)
        last = services[-1][0].id
    if seen != versions:
        backend.see_types(versions)
    return touched


JSON_COLUMNS = ("data", "provenance")
_types = TypeIndex(())  # in a rebuild's worker processes: the node's types (``_set_types``)


def _analysed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents of raw rows (their JSON columns still text: decoded here, in the worker)."""
    out = []
    for row in rows:
        for name in JSON_COLUMNS:
            row[name] = orjson.loads(row[name]) if row[name] is not None else None
        change = row.pop("last_change", None)
        out.append(typed_document(SimpleNamespace(**row), _types, change))
    return out


def _set_types(types: TypeIndex) -> None:
    global _types
    _types = types


def rebuild(registry, backend, batch: int = 1000, progress=None, workers: int | None = None) -> int:
    """A fresh index of every live record, swapped in when complete. Analysis (the costly part)
    runs in worker processes, one per core, while this process feeds the index."""
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    with registry.db.session() as session:
        last = session.scalar(select(func.max(Change.seq))) or 0
        versions = type_versions(session)
        types = registry.type_index(session)

    def batches(session) -> Iterator[list[dict[str, Any]]]:
        # JSON columns travel as text: the workers decode them, not this process, which feeds
        # the index and is the bottleneck of a rebuild
        columns = [
            cast(column, Text).label(column.name) if column.name in JSON_COLUMNS else column
            for column in Service.__table__.columns
        ]
        if getattr(backend, "external_versions", False):  # read only where it is kept
            columns.append(last_change())
        query = select(*columns).where(Service.deleted_at.is_(None))
        buffer: list[dict[str, Any]] = []
        for row in session.execute(query.execution_options(yield_per=batch)):
            buffer.append(row._asdict())
            if len(buffer) >= batch:
                yield buffer
                buffer = []
        if buffer:
            yield buffer

    def fill(fresh) -> None:
        _set_types(types)
        executor = worker_pool(registry.db, workers, _set_types, (types,)) if workers > 1 else None
        try:
            with registry.db.session() as session:
                if executor is None:
                    documents = map(_analysed, batches(session))
                else:
                    documents = ordered_map(executor, _analysed, batches(session), workers * 2)
                for docs in documents:
                    fresh.index_documents(docs)
                    if progress:
                        progress(len(docs))
        finally:
            if executor is not None:
                executor.shutdown()
        fresh.commit(last)
        fresh.see_types(versions)

    backend.rebuild(fill)
    return sync(registry, backend)  # what changed while rebuilding


def catch_up(registry, backend) -> int:
    """Apply the changes made before now, not those made meanwhile: a server starting while
    records are written would otherwise chase them and never start (the sync thread applies
    them once it serves)."""
    with registry.db.session() as session:
        newest = session.scalar(select(func.max(Change.seq))) or 0
    return sync(registry, backend, upto=newest)


def lag(registry, backend) -> int:
    with registry.db.session() as session:
        newest = session.scalar(select(func.max(Change.seq))) or 0
    return max(0, newest - backend.cursor())


class SyncThread(threading.Thread):
    """Drains the change log into the index every ``interval`` seconds (in ``simpul serve``)."""

    def __init__(self, registry, backend, interval: float = 0.5):
        super().__init__(name="simpul-search-sync", daemon=True)
        self.registry, self.backend, self.interval = registry, backend, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                if self.backend.writable():
                    sync(self.registry, self.backend)
            except Exception:  # the index may be down; the log keeps every change for later
                log.exception("search sync failed; retrying")

    def stop(self) -> None:
        self.stopped.set()
