"""Reading DCAT-AP catalogs: entries with their own description, records, authorities."""

from __future__ import annotations

import subprocess
import sys

from rdflib import BNode, URIRef

from simpul.vocab import dcat_ap, triples

CATALOG = b"""
@prefix cpsv: <http://purl.org/vocab/cpsv#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix cv: <http://data.europa.eu/m8g/> .

<https://ex.go.id/org/dukcapil> a cv:PublicOrganisation ;
    skos:prefLabel "Disdukcapil Kota"@id ; dct:identifier "dukcapil" .

<https://ex.go.id/s/akta> a cpsv:PublicService ;
    dct:identifier "akta" ; dct:title "Akta Kelahiran"@id ;
    dct:modified "2024-05-01" ;
    cv:hasCompetentAuthority <https://ex.go.id/org/dukcapil> ;
    cv:hasChannel <https://ex.go.id/s/akta#channel-1> .
<https://ex.go.id/s/akta#channel-1> a cv:Channel .
<https://ex.go.id/s/other> a cpsv:PublicService ; dct:title "Lain"@id .

[] a dcat:DataService ; dct:identifier "api-ktp" ; dct:title "API KTP"@id, "ID card API"@en ;
    dcat:keyword "ktp", "data" ; dcat:endpointURL <https://api.ex.go.id/ktp> ;
    dct:spatial <https://simpul.go.id/kode/wilayah/75.71> ;
    dct:publisher [ foaf:name "Dinas Kominfo"@id ; dct:identifier "kominfo" ] .
"""


def _graph():
    return triples.parse(CATALOG, "turtle", base="https://ex.go.id/catalog.ttl")


def test_entries_are_services_then_data_services_each_with_its_own_description():
    graph = _graph()
    found = list(dcat_ap.entries(graph))
    assert [e.key for e in found] == [
        "https://ex.go.id/s/akta",
        "https://ex.go.id/s/other",
        "bnode-id:api-ktp",
    ]
    akta = found[0]
    assert akta.uri == akta.key and akta.modified == "2024-05-01"
    # its channel (own fragment) and its authority's name travel with it; the other service not
    text = akta.original.decode()
    assert "akta#channel-1" in text and "Disdukcapil Kota" in text
    assert "s/other" not in text
    assert found[2].uri is None and isinstance(found[2].subject, BNode)
    assert [e.key for e in dcat_ap.entries(graph, data_services=False)][-1].endswith("other")


def test_a_public_service_is_read_through_cpsv_ap_id_with_its_authority_named():
    graph = _graph()
    entry = next(dcat_ap.entries(graph))
    read = dcat_ap.read(graph, entry.subject, "id", entry.found)
    assert read.record["identifier"] == "akta"
    assert read.record["name"] == {"id": "Akta Kelahiran"}
    assert read.authority == {
        "name": {"id": "Disdukcapil Kota"},
        "uri": "https://ex.go.id/org/dukcapil",
    }
    # the stored original alone reads the same
    own = triples.parse(entry.original, "nt")
    assert dcat_ap.first_subject(own) == URIRef(entry.uri)
    assert dcat_ap.read(own, URIRef(entry.uri), "id") == read


def test_a_data_service_becomes_an_api_channel_with_its_publisher():
    graph = _graph()
    entry = list(dcat_ap.entries(graph))[-1]
    read = dcat_ap.read(graph, entry.subject, "id", entry.found)
    assert read.record == {
        "identifier": "api-ktp",
        "name": {"id": "API KTP", "en": "ID card API"},
        "keywords": ["data", "ktp"],
        "channels": [{"type": "api", "url": "https://api.ex.go.id/ktp"}],
        "areas": ["75.71"],
        "authority": "kominfo",
    }
    assert read.authority == {"name": {"id": "Dinas Kominfo"}}
    assert read.notes == []


def test_an_original_describing_no_entry_has_no_first_subject():
    graph = triples.parse(b"<https://a> <https://b> <https://c> .\n", "nt")
    assert dcat_ap.first_subject(graph) is None


def test_vocab_never_imports_the_harvesters():
    code = (
        "import sys, simpul.vocab.dcat_ap, simpul.vocab.cpsv_ap_id, simpul.vocab.export; "
        "print(sorted(m for m in sys.modules if m.startswith('simpul.harvesters')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
