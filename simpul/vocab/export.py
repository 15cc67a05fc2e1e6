"""Whole-catalog and per-record RDF, streamed record by record from the database."""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from simpul.reference.areas import ancestors
from simpul.reference.namespaces import DCAT, DCT, FOAF, HYDRA, RDF_TYPE
from simpul.registry.models import Organization, Rendering, Service
from simpul.registry.organizations import organization_to_dict
from simpul.registry.services import service_to_dict
from simpul.vocab import skos
from simpul.vocab.cpsv_ap_id import organization_triples, serialize
from simpul.vocab.terms import Lit, Triple, typed
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


class SharedNodes:
    """Codes, areas, languages and organizations, each described once per document."""

    def __init__(self, orgs: dict[str, dict[str, Any]]):
        self.orgs = orgs
        self.org_by_uri = {org["uri"]: org for org in orgs.values()}
        self.seen: set[str] = set()

    def triples(self, iris: Iterable[str]) -> list[Triple]:
        out: list[Triple] = []
        pending = [iri for iri in iris if iri not in self.seen]
        while pending:
            iri = pending.pop()
            if iri in self.seen:
                continue
            self.seen.add(iri)
            org = self.org_by_uri.get(iri)
            if org is not None:
                new = list(organization_triples(org))
                pending += [
                    o
                    for _, p, o in new
                    if isinstance(o, str)
                    and p != RDF_TYPE
                    and (o.startswith(skos.CODE_BASE) or o in self.org_by_uri)
                ]
            else:
                new = list(skos.concept_triples(iri))
            out += new
        return out


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


def record_blocks(record: dict[str, Any], shared: SharedNodes) -> list[Triple]:
    triples, refs = serialize(record, shared.orgs[record["authority"]])
    return triples + shared.triples(refs)


def record_graph(record: dict[str, Any], orgs: dict[str, dict]):
    """One record as an rdflib Graph (for SHACL; exports never build graphs)."""
    from rdflib import Graph

    from simpul.vocab.terms import to_rdflib

    graph = Graph()
    for s, p, o in record_blocks(record, SharedNodes(orgs)):
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def record_document(fmt: str, record: dict[str, Any], orgs: dict[str, dict]) -> str:
    return "".join(write_document(fmt, [record_blocks(record, SharedNodes(orgs))]))


def _catalog_header(session: Session, base_uri: str, node_id: str, where: CatalogFilter):
    """(header triples, query of the records) of a catalog document."""
    catalog = f"{base_uri}/catalog"
    query = where.apply(select(Service.__table__)).order_by(Service.id)  # rows, no ORM objects
    header: list[Triple] = [
        (catalog, RDF_TYPE, DCAT + "Catalog"),
        (catalog, DCT + "title", Lit(f"Katalog layanan publik {node_id}", "id")),
        (catalog, DCT + "title", Lit(f"Public service catalog of {node_id}", "en")),
        (catalog, DCT + "description", Lit("Layanan publik yang terdaftar di Simpul.", "id")),
        (catalog, FOAF + "homepage", base_uri + "/"),
    ]
    if where.page is not None:
        count = select(func.count()).select_from(where.apply(select(Service.id)).subquery())
        header += _hydra(catalog, where, session.scalar(count))
        query = query.offset((where.page - 1) * where.size).limit(where.size)
    return header, query


def _records(session: Session, query, where: CatalogFilter) -> Iterator[dict[str, Any]]:
    for row in session.execute(query.execution_options(yield_per=500)):
        record = service_to_dict(row, with_quality=False)
        if where.covers(record):
            yield record


def catalog_blocks(
    session: Session, base_uri: str, node_id: str, where: CatalogFilter
) -> Iterator[list[Triple]]:
    catalog = f"{base_uri}/catalog"
    shared = SharedNodes(organizations(session, base_uri))
    header, query = _catalog_header(session, base_uri, node_id, where)
    yield header
    for record in _records(session, query, where):
        yield [(catalog, DCAT + "resource", record["uri"]), *record_blocks(record, shared)]


RENDER_VERSION = "1"  # bump when serialize() or a writer changes what it writes


def render_key(row, org_uri: str) -> str:
    """What a record's rendering depends on: its content and version, its organization's URI
    and the nodes it travelled through (PROV-O)."""
    chain = (row.provenance or {}).get("chain") or []
    material = f"{RENDER_VERSION}|{row.content_hash}|{row.version}|{row.modified}|{org_uri}|{chain}"
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
    catalog = f"{base_uri}/catalog"
    orgs = organizations(session, base_uri)
    shared = SharedNodes(orgs)
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
            key = render_key(row, org["uri"])
            if row.r_key == key:
                text, refs = row.r_text, row.r_refs
            else:
                triples, found = serialize(service_to_dict(row, with_quality=False), org)
                text, refs = w.block(triples), sorted(found)
                pending.append(
                    {"service_id": row.id, "fmt": fmt, "key": key, "text": text, "refs": refs}
                )
                if len(pending) >= 500:
                    store(pending)
                    pending = []
            yield text
            yield w.block([(catalog, DCAT + "resource", row.uri), *shared.triples(refs)])
        if pending:
            store(pending)

    return assemble(w, blocks())


def _hydra(catalog: str, where: CatalogFilter, total: int) -> list[Triple]:
    last = max(1, -(-total // where.size))
    view = f"{catalog}?page={where.page}&size={where.size}"

    def page(n: int) -> str:
        return f"{catalog}?page={n}&size={where.size}"

    out: list[Triple] = [
        (catalog, HYDRA + "totalItems", typed(total, "integer")),
        (catalog, HYDRA + "view", view),
        (view, RDF_TYPE, HYDRA + "PartialCollectionView"),
        (view, HYDRA + "first", page(1)),
        (view, HYDRA + "last", page(last)),
    ]
    if where.page < last:
        out.append((view, HYDRA + "next", page(where.page + 1)))
    if where.page > 1:
        out.append((view, HYDRA + "previous", page(where.page - 1)))
    return out


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


def gzipped(chunks: Iterable[str]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: gzip container
    buffer: list[bytes] = []
    size = 0
    for chunk in chunks:
        data = compressor.compress(chunk.encode())
        if data:
            buffer.append(data)
            size += len(data)
        if size >= 64 * 1024:
            yield b"".join(buffer)
            buffer, size = [], 0
    buffer.append(compressor.flush())
    yield b"".join(buffer)


AS = "https://www.w3.org/ns/activitystreams#"
ACTIVITIES = {"created": "Create", "updated": "Update", "restored": "Create", "deleted": "Delete"}


def changes_blocks(
    page: dict[str, Any], orgs: dict[str, dict], feed: str
) -> Iterator[list[Triple]]:
    """A change feed page as linked data: each change an Activity Streams activity (Create,
    Update, Delete) whose object is the record, described in CPSV-AP-ID (tombstones by their
    URI only), and the page a Hydra view whose next page continues from the cursor."""
    shared = SharedNodes(orgs)
    view = f"{feed}?since={page['items'][0]['cursor']}" if page["items"] else feed
    header: list[Triple] = [(view, RDF_TYPE, HYDRA + "PartialCollectionView")]
    if page["more"]:
        header.append((view, HYDRA + "next", f"{feed}?since={page['next']}"))
    yield header
    for item in page["items"]:
        activity = f"{feed}#change-{item['cursor']}"
        state = item.get("record") or item.get("tombstone") or {}
        block: list[Triple] = [
            (activity, RDF_TYPE, AS + ACTIVITIES.get(item["action"], "Update")),
            (activity, AS + "object", state.get("uri", "")),
            (activity, AS + "published", typed(item["at"], "dateTime")),
            (view, HYDRA + "member", activity),
        ]
        if item.get("record") and state.get("authority") in shared.orgs:
            block += record_blocks(state, shared)
        yield block
