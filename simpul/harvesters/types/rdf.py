"""``rdf``: DCAT-AP and CPSV-AP catalogs over HTTP (Turtle, RDF/XML, JSON-LD, N-Triples).

This module fetches and pages; reading a page is ``vocab.dcat_ap``. Pages are followed through
Hydra (``hydra:next`` of a ``hydra:PartialCollectionView``, or the older ``hydra:nextPage``); a
server that ignores paging (a page repeating one already seen) ends the pass as incomplete
instead of looping. Each ``cpsv:PublicService`` becomes a record through the CPSV-AP-ID profile
(3.x and 2.x); ``dcat:DataService`` entries become records with an ``api`` channel. The original
kept for each record is its own description (the triples about it and about the nodes it owns)
in N-Triples. A single-document catalog is fetched conditionally.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from marshmallow import fields as mf
from marshmallow import validate
from rdflib import URIRef

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
from simpul.reference.namespaces import HYDRA
from simpul.vocab import dcat_ap, parsing, triples
from simpul.vocab.triples import TripleIndex

ACCEPT = (
    "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, "
    "application/n-triples;q=0.8, */*;q=0.1"
)


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
        for entry in dcat_ap.entries(graph, self.options["data_services"]):
            yield Item(
                entry.key,
                entry.original,
                "application/n-triples",
                uri=entry.uri,
                modified=entry.modified,
                parsed=(graph, entry.subject, entry.found),
            )

    def transform(self, item: Item) -> Transformed:
        found = None
        if item.parsed is not None:
            graph, subject, found = item.parsed
        else:
            try:
                graph = triples.parse(item.original, "nt")
            except SimpulError as exc:
                raise RecordProblem(f"the stored original is not N-Triples: {exc}") from None
            subject = URIRef(item.uri) if item.uri else dcat_ap.first_subject(graph)
            if subject is None:
                raise RecordProblem("the stored original describes no service")
        read = dcat_ap.read(graph, subject, self.options["language"], found)
        return named(Transformed(read.record, read.notes, read.authority))


def _next_page(graph: TripleIndex) -> str | None:
    for predicate in (HYDRA + "next", HYDRA + "nextPage"):
        for o in graph.objects(None, URIRef(predicate)):
            return str(o)
    return None
