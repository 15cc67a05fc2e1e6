"""``rdf``: DCAT-AP and CPSV-AP catalogs over HTTP (Turtle, RDF/XML, JSON-LD, N-Triples).

Pages are followed through Hydra (``hydra:next`` of a ``hydra:PartialCollectionView``, or the
older ``hydra:nextPage``); a server that ignores paging (a page repeating one already seen) ends
the pass as incomplete instead of looping. Each ``cpsv:PublicService`` becomes a record through
the CPSV-AP-ID profile (3.x and 2.x); ``dcat:DataService`` entries become records with an
``api`` channel. The original kept for each record is its own description (the triples about it
and about the nodes it owns) in N-Triples. A single-document catalog is fetched conditionally.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from marshmallow import fields as mf
from marshmallow import validate
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from simpul.errors import SimpulError
from simpul.harvesters.base import (
    CommonOptions,
    Harvester,
    Item,
    NotModified,
    RecordProblem,
    SourceBroken,
    Transformed,
    named,
)
from simpul.reference.areas import load_areas
from simpul.reference.namespaces import DCAT, DCT, FOAF, HYDRA, SKOS, cpsv
from simpul.vocab import parsing, triples
from simpul.vocab.cpsv_ap_id import parse as parse_services
from simpul.vocab.triples import TripleIndex

ACCEPT = (
    "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, "
    "application/n-triples;q=0.8, */*;q=0.1"
)
TYPE = RDF.type
NAME_PREDICATES = (
    SKOS + "prefLabel",
    DCT + "title",
    FOAF + "name",
    "http://www.w3.org/2000/01/rdf-schema#label",
)


LABELS = tuple(URIRef(p) for p in (*NAME_PREDICATES, DCT + "identifier"))


class RdfOptions(CommonOptions):
    format = mf.String(validate=validate.OneOf(sorted(set(parsing.FORMATS))))
    language = mf.String(load_default="id", validate=validate.Regexp(r"^[a-z]{2,3}$"))
    data_services = mf.Boolean(load_default=True)
    max_pages = mf.Integer(load_default=10_000, validate=validate.Range(1, 1_000_000))


class RdfHarvester(Harvester):
    name = "rdf"
    title = "DCAT-AP / CPSV-AP catalog (RDF)"
    Options = RdfOptions
    mapping_version = "1"
    transform_in_worker = False  # the page is parsed already; N-Triples again costs 5x

    def gather(self, since: str | None) -> Iterator[Item]:
        url: str | None = self.source.url
        seen_pages: set[str] = set()
        seen_urls: set[str] = set()
        validators = self.source.state.get("validators", {}).get(url)
        for number in range(self.options["max_pages"]):
            fetched = self.fetcher.get(
                url, accept=ACCEPT, validators=validators if number == 0 else None
            )
            if fetched.not_modified:
                raise NotModified(url)
            digest = hashlib.sha256(fetched.content).hexdigest()
            if digest in seen_pages or fetched.url in seen_urls:
                raise SourceBroken(
                    f"{fetched.url}: the server ignores paging (page {number + 1} repeats a page "
                    "already read)"
                )
            seen_pages.add(digest)
            seen_urls.add(url)
            graph = self._parse(fetched)
            yield from self._items(graph)
            url = _next_page(graph)
            if number == 0 and url is None:
                self.validators[self.source.url] = fetched.validators
            if url is None:
                return
            if url in seen_urls:
                raise SourceBroken(f"{url}: the server ignores paging (it links back to {url})")
        raise SourceBroken(f"{self.source.url}: more than {self.options['max_pages']} pages")

    def _parse(self, fetched) -> TripleIndex:
        fmt = self.options.get("format")
        if fmt:
            fmt = parsing.rdflib_format(fmt)
        elif fetched.media_type in parsing.FORMATS:
            fmt = parsing.FORMATS[fetched.media_type]
        else:
            fmt = parsing.guess_format(fetched.url.split("?")[0], fetched.content)
        try:
            return triples.parse(fetched.content, fmt, base=fetched.url)
        except SimpulError as exc:
            raise SourceBroken(f"{fetched.url}: {exc}") from None

    def _items(self, graph: TripleIndex) -> Iterator[Item]:
        kinds = [URIRef(cpsv.PublicService)]
        if self.options["data_services"]:
            kinds.append(URIRef(DCAT + "DataService"))
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
                yield Item(
                    key,
                    original,
                    "application/n-triples",
                    uri=None if isinstance(subject, BNode) else str(subject),
                    modified=str(modified) if modified is not None else None,
                    parsed=(graph, subject, found),
                )

    def transform(self, item: Item) -> Transformed:
        own = False  # whether the graph holds this record's description only
        found = None
        if item.parsed is not None:
            graph, subject, found = item.parsed
        else:
            own = True
            try:
                graph = triples.parse(item.original, "nt")
            except SimpulError as exc:
                raise RecordProblem(f"the stored original is not N-Triples: {exc}") from None
            subject = URIRef(item.uri) if item.uri else _first_subject(graph)
        if (subject, RDF.type, URIRef(cpsv.PublicService)) in graph:
            return named(self._service(graph, subject, own, found))
        return named(self._data_service(graph, subject))

    def _service(self, graph: TripleIndex, subject, own=False, found=None) -> Transformed:
        own_graph = graph if own else TripleIndex(found or description(graph, subject))
        [imported] = parse_services(own_graph, self.options["language"])
        notes = [f"not mapped: {u}" for u in imported.unmapped]
        record = imported.record
        authority = None
        if imported.authority_uri is not None and "original_authority" not in record:
            node = (
                URIRef(imported.authority_uri)
                if not imported.authority_uri.startswith("_:")
                else None
            )
            name = _names(graph, node or subject, self.options["language"]) if node else {}
            authority = {"name": name or {"id": record.get("authority", "?")}}
            if node is not None:
                authority["uri"] = str(node)
        return Transformed(record, notes, authority)

    def _data_service(self, graph: TripleIndex, subject) -> Transformed:
        language = self.options["language"]
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
        return Transformed(record, [], authority)


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


def _first_subject(graph: TripleIndex):
    for kind in (URIRef(cpsv.PublicService), URIRef(DCAT + "DataService")):
        for subject in graph.subjects(RDF.type, kind):
            return subject
    raise RecordProblem("the stored original describes no service")


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


def _next_page(graph: TripleIndex) -> str | None:
    for predicate in (HYDRA + "next", HYDRA + "nextPage"):
        for o in graph.objects(None, URIRef(predicate)):
            return str(o)
    return None
