"""Service types in RDF: a record links to its type (cv:isClassifiedBy and cpsvid:serviceType)
in its effective form, the types are a SKOS concept scheme at /types, each type's URI
negotiates SKOS or JSON; exports stay at 0 violations of the official and Simpul shapes."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from simpul.registry import types
from simpul.registry.auth import SYSTEM
from simpul.vocab.shacl import validate
from tests.conftest import service_record
from tests.vocab.test_export import OFFICIAL_SHAPES

CV = "http://data.europa.eu/m8g/"
CPSVID = "https://simpul.go.id/ns/cpsv-ap-id#"
BIRTH = URIRef("http://simpul.test/types/akta-kelahiran")


@pytest.fixture(scope="module")
def official_shapes() -> Graph:
    return Graph().parse(OFFICIAL_SHAPES)


@pytest.fixture
def typed_record(publisher, registry):
    with registry.db.transaction() as session:
        types.load_types(
            session, types.national_list(), SYSTEM, base_uri=registry.base_uri, provenance={}
        )
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    token = publisher.token("disdukcapil-kota-gorontalo")
    record = service_record(type="akta-kelahiran")
    for inherited in ("cost", "legal_basis", "outputs"):
        record.pop(inherited)
    made = publisher.publish(token, record)
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def _turtle(client, url, **headers) -> Graph:
    response = client.get(url, headers={"Accept": "text/turtle", **headers})
    assert response.status_code == 200, response.data[:300]
    return Graph().parse(data=response.data, format="turtle")


def test_a_record_links_to_its_type_in_its_effective_form_and_conforms(
    client, typed_record, official_shapes
):
    graph = _turtle(client, f"/services/{typed_record}")
    service = URIRef(f"http://simpul.test/services/{typed_record}")
    assert (service, URIRef(CV + "isClassifiedBy"), BIRTH) in graph
    assert (service, URIRef(CPSVID + "serviceType"), BIRTH) in graph
    assert (BIRTH, RDF.type, SKOS.Concept) in graph
    assert (BIRTH, SKOS.prefLabel, Literal("Penerbitan Akta Kelahiran", lang="id")) in graph
    assert (service, URIRef(CV + "hasCost"), None) in graph  # inherited from the type
    assert (service, URIRef(CV + "hasLegalResource"), None) in graph
    official = validate(graph, [official_shapes])
    assert official["violations"] == 0, official["results"][:3]
    own = validate(graph)
    assert own["violations"] == 0, own["results"][:3]
    catalog = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    assert (service, URIRef(CPSVID + "serviceType"), BIRTH) in catalog
    assert (BIRTH, SKOS.altLabel, None) in catalog  # the catalog describes the whole concept
    assert validate(catalog, [official_shapes])["violations"] == 0


def test_the_catalog_follows_a_change_of_the_type_it_inherits_from(client, typed_record, registry):
    service = URIRef(f"http://simpul.test/services/{typed_record}")
    cost = URIRef(CV + "hasValue")

    def amount() -> float:
        graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
        node = graph.value(service, URIRef(CV + "hasCost"))
        return float(graph.value(node, cost))

    assert amount() == 0  # rendered once, then kept in the renderings cache
    with registry.db.transaction() as session:
        data = dict(types.get_type(session, "akta-kelahiran").data)
        data["defaults"] = {**data["defaults"], "cost": {"amount": 5000, "currency": "IDR"}}
        types.replace_type(session, "akta-kelahiran", data, SYSTEM, base_uri="", provenance={})
    assert amount() == 5000


def test_the_types_are_a_skos_scheme_and_each_uri_negotiates(client, typed_record, registry):
    scheme = _turtle(client, "/types")
    top = set(scheme.objects(URIRef("http://simpul.test/types"), SKOS.hasTopConcept))
    with registry.db.session() as session:
        assert len(top) == len(types.list_types(session, status=None)) >= 80
    assert (URIRef("http://simpul.test/types"), RDF.type, SKOS.ConceptScheme) in scheme
    concept = _turtle(client, "/types/akta-kelahiran")
    assert (BIRTH, SKOS.inScheme, URIRef("http://simpul.test/types")) in concept
    assert (BIRTH, SKOS.notation, Literal("akta-kelahiran")) in concept
    jsonld = client.get("/types/akta-kelahiran", headers={"Accept": "application/ld+json"})
    assert jsonld.status_code == 200 and jsonld.mimetype == "application/ld+json"
    as_json = client.get("/types/akta-kelahiran", headers={"Accept": "application/json"})
    assert as_json.get_json()["instances"] == 1
    browser = client.get("/types/akta-kelahiran", headers={"Accept": "text/html"})
    assert browser.status_code == 200 and browser.mimetype == "text/html"  # the portal's page
    assert client.get("/types/tidak-ada", headers={"Accept": "text/turtle"}).status_code == 404


def test_a_retired_type_stays_a_deprecated_concept(client, registry):
    with registry.db.transaction() as session:
        types.load_types(
            session, types.national_list(), SYSTEM, base_uri=registry.base_uri, provenance={}
        )
        types.retire_type(
            session, "kartu-keluarga", SYSTEM, base_uri="", provenance={}, superseded_by="ktp-el"
        )
    concept = _turtle(client, "/types/kartu-keluarga")
    uri = URIRef("http://simpul.test/types/kartu-keluarga")
    assert (uri, OWL.deprecated, Literal(True)) in concept
    assert (uri, URIRef("http://purl.org/dc/terms/isReplacedBy"), None) in concept
    assert (
        client.get("/types/kartu-keluarga", headers={"Accept": "application/json"}).status_code
        == 410
    )
