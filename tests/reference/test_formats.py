"""The RDF format table: each format's name, media type and extension lead to one another, and the
names it gives rdflib and pyoxigraph are names those libraries know."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from simpul.reference.formats import BY_EXTENSION, BY_MEDIA_TYPE, RDF_FORMATS, RDFLIB_NAMES

EXPECTED = [  # name, media type, extension: what URLs, Accept headers and --format rely on
    ("nt", "application/n-triples", "nt"),
    ("ttl", "text/turtle", "ttl"),
    ("jsonld", "application/ld+json", "jsonld"),
    ("rdfxml", "application/rdf+xml", "rdf"),
]


@pytest.mark.parametrize(("name", "media_type", "extension"), EXPECTED)
def test_name_media_type_and_extension_lead_to_one_another(name, media_type, extension):
    fmt = RDF_FORMATS[name]
    assert (fmt.media_type, fmt.extension) == (media_type, extension)
    assert BY_MEDIA_TYPE[media_type] == name
    assert BY_EXTENSION[extension] == name


def test_the_table_has_exactly_the_four_formats():
    assert set(RDF_FORMATS) == {name for name, _, _ in EXPECTED}
    assert len(BY_MEDIA_TYPE) == len(BY_EXTENSION) == len(RDF_FORMATS)


@pytest.mark.parametrize(
    ("key", "rdflib_name"),
    [
        ("ttl", "turtle"),
        ("turtle", "turtle"),
        ("text/turtle", "turtle"),
        ("nt", "nt"),
        ("ntriples", "nt"),
        ("application/n-triples", "nt"),
        ("jsonld", "json-ld"),
        ("json", "json-ld"),
        ("application/ld+json", "json-ld"),
        ("rdfxml", "xml"),
        ("rdf", "xml"),
        ("xml", "xml"),
        ("owl", "xml"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_every_name_a_reader_accepts_maps_to_rdflib(key, rdflib_name):
    assert RDFLIB_NAMES[key] == rdflib_name


@pytest.mark.parametrize(
    "unknown", ["text/html", "application/json", "html", "csv", "n3", "trig", "TTL", ""]
)
def test_unknown_formats_are_in_no_table(unknown):
    assert BY_MEDIA_TYPE.get(unknown) is None
    assert BY_EXTENSION.get(unknown) is None
    assert RDFLIB_NAMES.get(unknown) is None
    assert unknown not in RDF_FORMATS


@pytest.mark.parametrize("name", sorted(RDF_FORMATS))
def test_rdflib_writes_and_reads_back_each_format(name):
    fmt = RDF_FORMATS[name]
    graph = Graph()
    triple = (URIRef("http://x/s"), URIRef("http://x/p"), Literal("Akta kelahiran", lang="id"))
    graph.add(triple)
    text = graph.serialize(format=fmt.rdflib)
    again = Graph().parse(data=text, format=fmt.rdflib)
    assert set(again) == {triple}


@pytest.mark.parametrize("name", sorted(RDF_FORMATS))
def test_oxigraph_names_are_members_of_its_format_enum(name):
    fmt = RDF_FORMATS[name]
    if fmt.oxigraph is None:  # JSON-LD is parsed by rdflib only
        assert name == "jsonld"
        return
    member = getattr(pyoxigraph.RdfFormat, fmt.oxigraph)
    assert member.media_type == fmt.media_type
