"""Profile DCAT-AP (reading): the entries of a DCAT-AP / CPSV-AP catalog graph as records.

A catalog lists ``cpsv:PublicService`` entries (read through the CPSV-AP-ID profile, 3.x and
2.x) and ``dcat:DataService`` entries (APIs: a record with an ``api`` channel). Each entry's own
description (the triples about it and about the nodes it owns) is what a harvest keeps as its
original, in N-Triples, so the same entry always reads the same. Writing the catalog is
``vocab.export``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any, NamedTuple

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from simpul.reference.areas import load_areas
from simpul.reference.namespaces import DCAT, DCT, FOAF, SKOS, cpsv
from simpul.vocab import triples
from simpul.vocab.cpsv_ap_id import parse as parse_services
from simpul.vocab.triples import TripleIndex

TYPE = RDF.type
NAME_PREDICATES = (
    SKOS + "prefLabel",
    DCT + "title",
    FOAF + "name",
    "http://www.w3.org/2000/01/rdf-schema#label",
)
LABELS = tuple(URIRef(p) for p in (*NAME_PREDICATES, DCT + "identifier"))
PUBLIC_SERVICE = URIRef(cpsv.PublicService)
DATA_SERVICE = URIRef(DCAT + "DataService")


class Entry(NamedTuple):
    """One service or API of a catalog, with its own description."""

    key: str  # its IRI; for a blank node its dct:identifier, else a digest of its description
    subject: Any
    found: list[tuple]  # the triples of its own description
    original: bytes  # ``found`` in N-Triples
    uri: str | None
    modified: str | None  # its dct:modified


class Read(NamedTuple):
    """A record read from an entry, what could not be mapped, and its authority as named."""

    record: dict[str, Any]
    notes: list[str]
    authority: dict[str, Any] | None


def entries(graph: TripleIndex, data_services: bool = True) -> Iterator[Entry]:
    """The public services, then (unless ``data_services`` is false) the data services."""
    kinds = [PUBLIC_SERVICE, DATA_SERVICE] if data_services else [PUBLIC_SERVICE]
    for kind in kinds:
        for subject in sorted(set(graph.subjects(RDF.type, kind)), key=str):
            if isinstance(subject, BNode):
                identifier = graph.value(subject, URIRef(DCT + "identifier"))
                key = f"bnode-id:{identifier}" if identifier is not None else None
            else:
                key = str(subject)
            found = description(graph, subject)
            original = "".join(triples.nt(t, graph.nt_of) for t in found).encode()
            if key is None:
                key = "sha256:" + hashlib.sha256(original).hexdigest()
            modified = graph.value(subject, URIRef(DCT + "modified"))
            yield Entry(
                key,
                subject,
                found,
                original,
                None if isinstance(subject, BNode) else str(subject),
                str(modified) if modified is not None else None,
            )


def read(graph: TripleIndex, subject, language: str = "id", found: list | None = None) -> Read:
    """The record of one entry. ``found`` is its own description when ``graph`` is the whole
    catalog; without it ``graph`` is taken to be the entry's own description (a stored
    original)."""
    if (subject, RDF.type, PUBLIC_SERVICE) in graph:
        own = graph if found is None else TripleIndex(found or description(graph, subject))
        return _service(graph, own, subject, language)
    return _data_service(graph, subject, language)


def first_subject(graph: TripleIndex):
    """The entry a stored original describes, or None."""
    for kind in (PUBLIC_SERVICE, DATA_SERVICE):
        for subject in graph.subjects(RDF.type, kind):
            return subject
    return None


def description(graph: TripleIndex, subject) -> list[tuple]:
    """The triples about ``subject`` and about the nodes it owns: blank nodes and IRIs in its
    own fragment space (``<service#channel-1>``), recursively, plus the names and types of the
    things it points to (its authority, its areas)."""
    out: list[tuple] = []
    prefix = f"{subject}#" if isinstance(subject, URIRef) else None
    stack, done, named = [subject], set(), set()
    while stack:
        node = stack.pop()
        if node in done:
            continue
        done.add(node)
        for p, o in graph.predicate_objects(node):
            out.append((node, p, o))
            if type(o) is BNode or (prefix and type(o) is URIRef and o.startswith(prefix)):
                stack.append(o)
            elif node is subject and type(o) is URIRef and p != TYPE and o not in named:
                named.add(o)
                for predicate in LABELS:
                    for label in graph.objects(o, predicate):
                        out.append((o, predicate, label))
                for kind in graph.objects(o, TYPE):
                    out.append((o, TYPE, kind))
    return out


def _service(graph: TripleIndex, own: TripleIndex, subject, language: str) -> Read:
    [imported] = parse_services(own, language)
    notes = [f"not mapped: {u}" for u in imported.unmapped]
    record = imported.record
    authority = None
    if imported.authority_uri is not None and "original_authority" not in record:
        node = (
            URIRef(imported.authority_uri) if not imported.authority_uri.startswith("_:") else None
        )
        name = _names(graph, node or subject, language) if node else {}
        authority = {"name": name or {"id": record.get("authority", "?")}}
        if node is not None:
            authority["uri"] = str(node)
    return Read(record, notes, authority)


def _data_service(graph: TripleIndex, subject, language: str) -> Read:
    record: dict[str, Any] = {
        "identifier": str(graph.value(subject, URIRef(DCT + "identifier")) or subject),
        "name": _texts(graph, subject, DCT + "title", language),
    }
    description = _texts(graph, subject, DCT + "description", language)
    if description:
        record["description"] = description
    keywords = [str(k) for k in graph.objects(subject, URIRef(DCAT + "keyword"))]
    if keywords:
        record["keywords"] = sorted(keywords)[:50]
    endpoints = [str(e) for e in graph.objects(subject, URIRef(DCAT + "endpointURL"))]
    record["channels"] = [{"type": "api", "url": e} for e in sorted(endpoints)]
    landing = graph.value(subject, URIRef(DCAT + "landingPage"))
    if landing is not None:
        record["homepage"] = str(landing)
    areas = load_areas()
    codes = []
    for spatial in graph.objects(subject, URIRef(DCT + "spatial")):
        code = str(spatial).rstrip("/").rsplit("/", 1)[-1]
        if code in areas:
            codes.append(code)
    if codes:
        record["areas"] = codes
    publisher = graph.value(subject, URIRef(DCT + "publisher"))
    authority = None
    if publisher is not None:
        identifier = graph.value(publisher, URIRef(DCT + "identifier"))
        if identifier is not None:
            record["authority"] = str(identifier)
        authority = {"name": _names(graph, publisher, language) or {"id": str(publisher)}}
        if isinstance(publisher, URIRef):
            authority["uri"] = str(publisher)
    return Read(record, [], authority)


def _texts(graph: TripleIndex, subject, predicate: str, language: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for o in graph.objects(subject, URIRef(predicate)):
        if isinstance(o, Literal):
            out.setdefault(o.language or language, str(o).strip())
    return out


def _names(graph: TripleIndex, node, language: str) -> dict[str, str]:
    for predicate in NAME_PREDICATES:
        found = _texts(graph, node, predicate, language)
        if found:
            return found
    return {}
