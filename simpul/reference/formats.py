"""The RDF formats Simpul reads and writes, declared once: Simpul's name for each, its media type,
its file and URL extension, and what rdflib and pyoxigraph call it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RdfFormat:
    name: str  # Simpul's name: ``simpul export --format``, the writers
    media_type: str
    extension: str  # ``/catalog.ttl``, ``?format=rdf``
    rdflib: str  # rdflib's parser and serializer name
    oxigraph: str | None  # pyoxigraph's ``RdfFormat`` member, for the fast parser
    aliases: tuple[str, ...] = ()  # other names accepted when reading


RDF_FORMATS = {
    f.name: f
    for f in (
        RdfFormat("nt", "application/n-triples", "nt", "nt", "N_TRIPLES", ("ntriples",)),
        RdfFormat("ttl", "text/turtle", "ttl", "turtle", "TURTLE", ("turtle",)),
        RdfFormat("jsonld", "application/ld+json", "jsonld", "json-ld", None, ("json",)),
        RdfFormat("rdfxml", "application/rdf+xml", "rdf", "xml", "RDF_XML", ("xml", "owl")),
    )
}
BY_MEDIA_TYPE = {f.media_type: f.name for f in RDF_FORMATS.values()}
BY_EXTENSION = {f.extension: f.name for f in RDF_FORMATS.values()}
# every name a reader accepts (Simpul name, extension, media type, alias) to rdflib's name
RDFLIB_NAMES = {
    key: f.rdflib
    for f in RDF_FORMATS.values()
    for key in (f.name, f.extension, f.media_type, *f.aliases)
}
