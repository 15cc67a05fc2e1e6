"""Reading RDF from outside: clear errors, no entity expansion, no remote contexts."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner
from rdflib import Graph

from simpul.cli import main
from simpul.errors import InvalidInput, PayloadTooLarge
from simpul.vocab import parsing
from simpul.vocab.cpsv_ap_id import parse as parse_services
from simpul.vocab.shacl import field_path, validate
from tests.data import TEST_DATA

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
<rdf:Description rdf:about="http://x/s"><dct:title>&lol3;</dct:title></rdf:Description></rdf:RDF>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL])
def test_xml_with_dtd_is_refused(data):
    with pytest.raises(InvalidInput, match="DTD"):
        parsing.parse(data, "xml")


def test_broken_turtle_names_the_line():
    with pytest.raises(InvalidInput, match="line 3"):
        parsing.parse(
            b"@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title 'x' .\n<b> dct:title .\n",
            "turtle",
        )


@pytest.mark.parametrize(
    "document",
    [
        b'{"@context": "https://example.org/context.jsonld", "@id": "http://x/s"}',
        b'{"@context": ["https://w3id.org/a", {"dct": "http://purl.org/dc/terms/"}], "@id": "http://x/s"}',
        b'{"@graph": [{"@context": {"x": {"@id": "http://x/", "@context": "https://evil/ctx"}}}]}',
        b'{"@context": {"@import": "https://example.org/ctx"}}',
    ],
)
def test_remote_jsonld_contexts_are_refused_without_fetching(document, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(InvalidInput, match="remote @context"):
        parsing.parse(document, "json-ld")


def test_inline_jsonld_context_is_fine():
    doc = (
        b'{"@context": {"dct": "http://purl.org/dc/terms/"}, "@id": "http://x/s", "dct:title": "a"}'
    )
    assert len(parsing.parse(doc, "json-ld")) == 1


def test_size_limit():
    with pytest.raises(PayloadTooLarge):
        parsing.parse(b"<a> <b> <c> .\n" * 100, "nt", limit=100)


def test_unexpected_datatype_is_a_clear_error():
    data = (
        b"<http://x/s> <http://data.europa.eu/m8g/processingTime> "
        b'"tiga hari"^^<http://www.w3.org/2001/XMLSchema#duration> .\n'
        b"<http://x/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<http://purl.org/vocab/cpsv#PublicService> .\n"
    )
    report = validate(parsing.parse(data, "nt"))
    problems = {r["field"]: r for r in report["results"] if r["severity"] == "violation"}
    assert "processing_time" in problems
    assert "ISO 8601" in problems["processing_time"]["message"]["en"]
    assert "durasi" in problems["processing_time"]["message"]["id"]


def test_report_names_record_fields():
    assert field_path("http://x/s#channel-2", "http://purl.org/dc/terms/type") == "channels[1].type"
    assert field_path("http://x/s#cost", "http://data.europa.eu/m8g/hasValue") == "cost.amount"
    assert field_path("http://x/s", "http://purl.org/dc/terms/title") == "name"


def test_cpsv_ap_2_catalog_is_read():
    graph = Graph().parse(TEST_DATA / "samples" / "cpsv" / "cpsv-ap-2-municipal-services.ttl")
    services = parse_services(graph, default_language="en")
    assert len(services) == 6
    daycare = next(s for s in services if s.uri.endswith("Careatamunicipalday-carecentre"))
    assert daycare.record["name"] == {"en": "Care at a municipal day-care centre"}
    assert any("Education" in u for u in daycare.unmapped)  # free-text sectors are reported


def test_cli_validate_reports_violations(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix cpsv: <http://purl.org/vocab/cpsv#> .\n<http://x/s> a cpsv:PublicService .\n"
    )
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "Nama layanan wajib diisi" in result.output
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .")
    result = CliRunner().invoke(main, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "malformed turtle" in result.output
