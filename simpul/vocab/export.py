"""Records and organizations (plain dicts, read by the core) as RDF documents: shared nodes
described once, the catalog's header and Hydra paging, the change feed, gzip."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from simpul.reference.namespaces import DCAT, DCT, FOAF, HYDRA, RDF_TYPE
from simpul.vocab import servicetypes, skos
from simpul.vocab.cpsv_ap_id import organization_triples, serialize
from simpul.vocab.terms import Lit, Triple, typed
from simpul.vocab.writers import write_document

RENDER_VERSION = "2"  # bump when serialize() or a writer changes what it writes


class SharedNodes:
    """Codes, areas, languages and organizations, each described once per document."""

    def __init__(self, orgs: dict[str, dict[str, Any]], concepts: dict[str, Any] | None = None):
        self.orgs = orgs
        self.org_by_uri = {org["uri"]: org for org in orgs.values()}
        # other concepts by URI (service types): their triples, or a function giving them
        self.concepts: dict[str, Any] = dict(concepts or {})
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
            elif iri in self.concepts:
                found = self.concepts[iri]
                new = list(found() if callable(found) else found)
            else:
                new = list(skos.concept_triples(iri))
            out += new
        return out


def record_blocks(record: dict[str, Any], shared: SharedNodes) -> list[Triple]:
    link = record.get("type_link")
    if link and link.get("uri") and link["uri"] not in shared.concepts:
        shared.concepts[link["uri"]] = servicetypes.link_concept(link, record["type"])
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


def record_document(
    fmt: str,
    record: dict[str, Any],
    orgs: dict[str, dict],
    more: tuple[list[Triple], set[str]] | None = None,
) -> str:
    """One record's document; ``more``: further triples (the applications it is delivered
    through) and the shared nodes they name."""
    shared = SharedNodes(orgs)
    blocks = [record_blocks(record, shared)]
    if more:
        blocks.append(more[0] + shared.triples(more[1]))
    return "".join(write_document(fmt, blocks))


def catalog_header(
    base_uri: str, node_id: str, page: int | None = None, size: int = 0, total: int = 0
) -> list[Triple]:
    """The catalog's own triples; with ``page``, the Hydra view of that page of ``total``."""
    catalog = f"{base_uri}/catalog"
    header: list[Triple] = [
        (catalog, RDF_TYPE, DCAT + "Catalog"),
        (catalog, DCT + "title", Lit(f"Katalog layanan publik {node_id}", "id")),
        (catalog, DCT + "title", Lit(f"Public service catalog of {node_id}", "en")),
        (catalog, DCT + "description", Lit("Layanan publik yang terdaftar di Simpul.", "id")),
        (catalog, FOAF + "homepage", base_uri + "/"),
    ]
    if page is not None:
        header += _hydra(catalog, page, size, total)
    return header


def catalog_entry(base_uri: str, record_uri: str) -> Triple:
    return (f"{base_uri}/catalog", DCAT + "resource", record_uri)


def _hydra(catalog: str, page_number: int, size: int, total: int) -> list[Triple]:
    last = max(1, -(-total // size))
    view = f"{catalog}?page={page_number}&size={size}"

    def page(n: int) -> str:
        return f"{catalog}?page={n}&size={size}"

    out: list[Triple] = [
        (catalog, HYDRA + "totalItems", typed(total, "integer")),
        (catalog, HYDRA + "view", view),
        (view, RDF_TYPE, HYDRA + "PartialCollectionView"),
        (view, HYDRA + "first", page(1)),
        (view, HYDRA + "last", page(last)),
    ]
    if page_number < last:
        out.append((view, HYDRA + "next", page(page_number + 1)))
    if page_number > 1:
        out.append((view, HYDRA + "previous", page(page_number - 1)))
    return out


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
        if item.get("kind", "service") not in ("service", "application"):
            continue  # assessments and roadmap moves have no RDF form: the JSON feed carries them
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
