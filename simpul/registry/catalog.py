"""The catalog read from the database for the RDF writers: which records, their organizations,
each record's cached rendering. Rows become plain dicts here; ``simpul.vocab`` writes them."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from simpul.reference.areas import ancestors
from simpul.registry.models import Organization, Rendering, Service
from simpul.registry.organizations import organization_to_dict
from simpul.registry.services import service_to_dict
from simpul.registry.types import TypeIndex, load_index
from simpul.vocab import servicetypes
from simpul.vocab.cpsv_ap_id import serialize
from simpul.vocab.export import (
    RENDER_VERSION,
    SharedNodes,
    catalog_entry,
    catalog_header,
    record_blocks,
)
from simpul.vocab.terms import Triple
from simpul.vocab.writers import assemble, write_document, writer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogFilter:
    authority: str | None = None
    level: str | None = None
    area: str | None = None  # services covering this area (national ones included)
    modified_since: datetime | None = None
    page: int | None = None  # Hydra paging when set
    size: int = 1000

    def apply(self, query):
        query = query.where(Service.deleted_at.is_(None))
        if self.authority:
            query = query.where(Service.authority == self.authority)
        if self.level:
            query = query.where(Service.level == self.level)
        if self.modified_since:
            query = query.where(Service.modified > self.modified_since)
        return query

    @cached_property
    def _reach(self) -> frozenset[str]:
        return frozenset(ancestors(self.area)) if self.area else frozenset()

    def covers(self, record: dict[str, Any]) -> bool:
        if not self.area:
            return True
        below = self.area + "."
        return any(code in self._reach or code.startswith(below) for code in record["areas"])


def organizations(
    session: Session, base_uri: str, ids: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Organizations as the RDF writers describe them, each with its parent's URI: all of them,
    or those named by ``ids`` and every organization above them (what one record's document
    describes; a node may hold tens of thousands of villages)."""
    if ids is None:
        rows = list(session.scalars(select(Organization)))
    else:
        rows, wanted, seen = [], set(ids), set()
        while wanted:
            found = list(session.scalars(select(Organization).where(Organization.id.in_(wanted))))
            rows += found
            seen |= wanted
            wanted = {row.parent_id for row in found if row.parent_id} - seen
    orgs = {row.id: organization_to_dict(row, base_uri) for row in rows}
    for org in orgs.values():
        parent = orgs.get(org["parent"]) if org["parent"] else None
        org["parent_uri"] = parent["uri"] if parent else None
    return orgs


def _catalog_header(session: Session, base_uri: str, node_id: str, where: CatalogFilter):
    """(header triples, query of the records) of a catalog document."""
    query = where.apply(select(Service.__table__)).order_by(Service.id)  # rows, no ORM objects
    if where.page is None:
        return catalog_header(base_uri, node_id), query
    count = select(func.count()).select_from(where.apply(select(Service.id)).subquery())
    header = catalog_header(base_uri, node_id, where.page, where.size, session.scalar(count))
    query = query.offset((where.page - 1) * where.size).limit(where.size)
    return header, query


def _records(
    session: Session, query, where: CatalogFilter, index: TypeIndex
) -> Iterator[dict[str, Any]]:
    for row in session.execute(query.execution_options(yield_per=500)):
        record = service_to_dict(row, with_quality=False, types=index)
        if where.covers(record):
            yield record


def type_concepts(index: TypeIndex) -> dict[str, Callable[[], Any]]:
    """Each type's SKOS concept by URI, rendered only when an exported record links to it."""
    out = {}
    for info in index.types.values():
        successor = index.get(info.data.get("superseded_by"))
        described = {
            "id": info.id,
            "uri": info.uri,
            "status": info.status,
            **info.data,
            "superseded_by_uri": successor.uri if successor else None,
        }
        out[info.uri] = partial(servicetypes.concept_triples, described)
    return out


def catalog_blocks(
    session: Session, base_uri: str, node_id: str, where: CatalogFilter
) -> Iterator[list[Triple]]:
    index = load_index(session)
    shared = SharedNodes(organizations(session, base_uri), type_concepts(index))
    header, query = _catalog_header(session, base_uri, node_id, where)
    yield header
    for record in _records(session, query, where, index):
        yield [catalog_entry(base_uri, record["uri"]), *record_blocks(record, shared)]
    yield from _applications(session, base_uri, where, shared)


def _applications(session: Session, base_uri: str, where: CatalogFilter, shared: SharedNodes):
    from simpul.registry.appcatalog import application_blocks, application_records

    records = application_records(session, where, shared.orgs)
    yield from application_blocks(records, shared.orgs, f"{base_uri}/catalog", shared)


def render_key(row, org_uri: str, index: TypeIndex | None = None) -> str:
    """What a record's rendering depends on: its content and version, its organization's URI,
    the nodes it travelled through (PROV-O) and the version of its type (its effective form)."""
    chain = (row.provenance or {}).get("chain") or []
    found = index.get(row.type_id) if index is not None else None
    kind = f"{found.uri}@{found.version}" if found else ""
    material = (
        f"{RENDER_VERSION}|{row.content_hash}|{row.version}|{row.modified}|{org_uri}|{chain}|{kind}"
    )
    return hashlib.sha1(material.encode()).hexdigest()  # noqa: S324 (a cache key)


def cached_catalog(
    session: Session,
    fmt: str,
    base_uri: str,
    node_id: str,
    where: CatalogFilter,
    store: Callable[[list[dict[str, Any]]], None],
) -> Iterator[str]:
    """The catalog as text chunks, copying each record's rendering from the cache when it is
    current and rendering (then handing to ``store``) the rest. Same document as
    ``catalog_document``; memory stays flat."""
    w = writer(fmt)
    orgs = organizations(session, base_uri)
    index = load_index(session)
    shared = SharedNodes(orgs, type_concepts(index))
    header, query = _catalog_header(session, base_uri, node_id, where)
    cache = Rendering.__table__
    query = query.add_columns(
        cache.c.key.label("r_key"), cache.c.text.label("r_text"), cache.c.refs.label("r_refs")
    )
    query = query.outerjoin(cache, (cache.c.service_id == Service.id) & (cache.c.fmt == fmt))

    def blocks() -> Iterator[str]:
        yield w.block(header)
        pending: list[dict[str, Any]] = []
        for row in session.execute(query.execution_options(yield_per=500)):
            if where.area and not where.covers({"areas": row.data.get("areas", [])}):
                continue
            org = orgs[row.authority]
            key = render_key(row, org["uri"], index)
            if row.r_key == key:
                text, refs = row.r_text, row.r_refs
            else:
                record = service_to_dict(row, with_quality=False, types=index)
                triples, found = serialize(record, org)
                text, refs = w.block(triples), sorted(found)
                pending.append(
                    {"service_id": row.id, "fmt": fmt, "key": key, "text": text, "refs": refs}
                )
                if len(pending) >= 500:
                    store(pending)
                    pending = []
            yield text
            yield w.block([catalog_entry(base_uri, row.uri), *shared.triples(refs)])
        if pending:
            store(pending)
        for block in _applications(session, base_uri, where, shared):
            yield w.block(block)

    return assemble(w, blocks())


def catalog_document(
    session: Session,
    fmt: str,
    base_uri: str,
    node_id: str,
    where: CatalogFilter | None = None,
    cache=None,
) -> Iterator[str]:
    """The catalog as text chunks, record by record; with ``cache`` (the registry's Database)
    each record's rendering is kept and reused while the record does not change."""
    where = where or CatalogFilter()
    if cache is not None:
        return cached_catalog(session, fmt, base_uri, node_id, where, cache_writer(cache))
    return write_document(fmt, catalog_blocks(session, base_uri, node_id, where))


def cache_writer(db) -> Callable[[list[dict[str, Any]]], None]:
    """Stores renderings on a connection of its own (the export's read goes on meanwhile). A
    cache: a batch the database refuses (a record deleted meanwhile) is dropped."""
    if db.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(Rendering.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["service_id", "fmt"],
        set_={name: statement.excluded[name] for name in ("key", "text", "refs")},
    )

    sqlite = db.dialect == "sqlite"

    def store(rows: list[dict[str, Any]]) -> None:
        try:
            with db.engine.begin() as conn:
                if sqlite:  # a second connection: keep its page cache small (flat memory)
                    conn.exec_driver_sql("PRAGMA cache_size=-4096")
                conn.execute(statement, rows)
        except DBAPIError:
            log.warning("rendering cache: a batch of %s was not stored", len(rows), exc_info=True)

    return store
