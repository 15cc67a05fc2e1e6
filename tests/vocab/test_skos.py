"""Code lists and Kemendagri areas as SKOS: stable national URIs, concept schemes with Indonesian
and English titles and labels, and areas that point to the area above them."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from simpul.reference import codelists
from simpul.reference.areas import load_areas
from simpul.vocab import skos
from simpul.vocab.terms import Lit

BASE = "https://simpul.go.id/kode"


def _graph(triples) -> Graph:
    graph = Graph()
    for s, p, o in triples:
        if isinstance(o, Lit):
            obj = Literal(o.value, lang=o.lang) if o.lang else Literal(o.value)
        else:
            obj = URIRef(o)
        graph.add((URIRef(s), URIRef(p), obj))
    return graph


def _labels(graph: Graph, node: str, predicate=SKOS.prefLabel) -> dict[str, str]:
    return {o.language: str(o) for o in graph.objects(URIRef(node), predicate)}


def test_uris_are_national_and_split_back():
    assert skos.scheme_uri("sectors") == f"{BASE}/sectors"
    assert skos.concept_uri("sectors", "kesehatan") == f"{BASE}/sectors/kesehatan"
    assert skos.area_uri("75.71") == f"{BASE}/areas/75.71"
    assert skos.split_concept(f"{BASE}/areas/75.71") == ("areas", "75.71")
    assert skos.split_concept(f"{BASE}/sectors") is None  # a scheme, not a concept
    assert skos.split_concept("http://example.org/kode/sectors/x") is None


@pytest.mark.parametrize("scheme", sorted(codelists.CODE_LISTS))
def test_each_code_list_is_a_concept_scheme_with_every_code_labelled_in_id_and_en(scheme):
    graph = _graph(skos.scheme_triples(scheme))
    uri = URIRef(skos.scheme_uri(scheme))
    assert (uri, RDF.type, SKOS.ConceptScheme) in graph
    assert set(_labels(graph, uri, DCTERMS.title)) == {"id", "en"}
    codes = codelists.CODE_LISTS[scheme]
    top = set(graph.objects(uri, SKOS.hasTopConcept))
    assert top == {URIRef(skos.concept_uri(scheme, code)) for code in codes}
    for code, labels in codes.items():
        concept = URIRef(skos.concept_uri(scheme, code))
        assert (concept, RDF.type, SKOS.Concept) in graph
        assert (concept, SKOS.inScheme, uri) in graph
        assert (concept, SKOS.notation, Literal(code)) in graph
        assert _labels(graph, concept) == dict(labels)
        assert set(labels) == {"id", "en"}


def test_a_known_label_in_both_languages():
    graph = _graph(skos.concept_triples(skos.concept_uri("service-statuses", "active")))
    assert _labels(graph, skos.concept_uri("service-statuses", "active")) == {
        "id": "Aktif",
        "en": "Active",
    }


def test_life_events_are_also_cpsv_life_events_with_identifier_and_title():
    code = next(iter(codelists.CODE_LISTS["life-events"]))
    uri = skos.concept_uri("life-events", code)
    graph = _graph(skos.concept_triples(uri))
    types = set(graph.objects(URIRef(uri), RDF.type))
    assert URIRef("http://data.europa.eu/m8g/LifeEvent") in types
    assert (URIRef(uri), DCTERMS.identifier, Literal(code)) in graph
    assert set(_labels(graph, uri, DCTERMS.title)) == {"id", "en"}


def test_areas_scheme_lists_the_provinces_as_top_concepts():
    graph = _graph(skos.scheme_triples("areas"))
    uri = URIRef(skos.scheme_uri("areas"))
    assert _labels(graph, uri, DCTERMS.title)["en"] == "Kemendagri administrative areas"
    top = set(graph.objects(uri, SKOS.hasTopConcept))
    provinces = {URIRef(skos.area_uri(a.code)) for a in load_areas().children("00")}
    assert top == provinces
    assert URIRef(skos.area_uri("75")) in top  # Gorontalo
    assert URIRef(skos.area_uri("75.71")) not in top  # a city is below its province
    gorontalo = URIRef(skos.area_uri("75"))
    assert (gorontalo, RDF.type, DCTERMS.Location) in graph
    assert _labels(graph, gorontalo)["id"].upper() == "GORONTALO"


def test_scheme_without_concepts_is_just_the_scheme():
    graph = _graph(skos.scheme_triples("areas", with_concepts=False))
    assert set(graph.subjects()) == {URIRef(skos.scheme_uri("areas"))}
    assert len(graph) == 3


def test_an_area_points_to_the_area_above_it():
    city = skos.area_uri("75.71")
    graph = _graph(skos.concept_triples(city))
    assert (URIRef(city), SKOS.broader, URIRef(skos.area_uri("75"))) in graph
    assert (URIRef(city), SKOS.inScheme, URIRef(skos.scheme_uri("areas"))) in graph
    assert _labels(graph, city)["id"] == load_areas().get("75.71").name
    province = _graph(skos.concept_triples(skos.area_uri("75")))
    assert (URIRef(skos.area_uri("75")), SKOS.broader, URIRef(skos.area_uri("00"))) in province
    nation = _graph(skos.concept_triples(skos.area_uri("00")))
    assert not list(nation.objects(None, SKOS.broader))  # Indonesia is the top


def test_an_unknown_area_code_is_labelled_with_its_code():
    uri = skos.area_uri("99.99")
    graph = _graph(skos.concept_triples(uri))
    assert _labels(graph, uri) == {"id": "99.99"}
    assert not list(graph.objects(None, SKOS.broader))


def test_languages_and_currencies():
    assert skos.language_uri("id").endswith("/IND")
    assert skos.language_code(skos.language_uri("id")) == "id"
    assert skos.language_code(skos.language_uri("en")) == "en"
    assert skos.language_uri("xx") == "http://id.loc.gov/vocabulary/iso639-1/xx"
    assert skos.language_code("http://id.loc.gov/vocabulary/iso639-1/xx") == "xx"
    assert skos.language_code("http://example.org/lang/id") is None
    currency = skos.currency_uri("IDR")
    graph = _graph(skos.concept_triples(currency))
    assert (URIRef(currency), SKOS.notation, Literal("IDR")) in graph
    language = _graph(skos.concept_triples(skos.language_uri("id")))
    assert (URIRef(skos.language_uri("id")), RDF.type, DCTERMS.LinguisticSystem) in language


def test_known_schemes():
    assert skos.is_known_scheme("areas")
    assert all(skos.is_known_scheme(s) for s in codelists.CODE_LISTS)
    assert not skos.is_known_scheme("roles")
    assert not skos.is_known_scheme("nope")
