"""Applications in RDF (docs/cpsv-ap-id.md): a cv:Channel owned by its agency, cv:hasChannel from
each service it delivers, a dcat:DataService when it offers an interface; in the catalog (every
format the same graph), at its URI by content negotiation, and in its services' documents; the
official CPSV-AP 3.2.0 shapes and Simpul's stay at 0 violations."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from simpul.vocab.shacl import validate
from tests.conftest import application_record
from tests.vocab.test_export import OFFICIAL_SHAPES, RDFLIB

CV = "http://data.europa.eu/m8g/"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
CPSVID = "https://simpul.go.id/ns/cpsv-ap-id#"
ORG = "disdukcapil-kota-gorontalo"


@pytest.fixture(scope="module")
def official_shapes() -> Graph:
    return Graph().parse(OFFICIAL_SHAPES)


@pytest.fixture
def published(publisher):
    """A service, an application with an interface delivering it, and one with no kind nor
    interface, run by a registered unit."""
    service = publisher.publish_one(ORG)
    publisher.org("diskominfo-kota-gorontalo", "kabkota", "75.71")
    token = publisher.token(ORG)
    made = []
    for record in (
        application_record(services=[service["identifier"]]),
        application_record(
            "antrian",
            kind=None,
            interfaces=None,
            splp=None,
            documents=None,
            operator={"organization": "diskominfo-kota-gorontalo"},
        ),
    ):
        answer = publisher.client.post(
            "/api/v1/applications", json=record, headers=publisher.auth(token)
        )
        assert answer.status_code == 201, answer.get_json()
        made.append(answer.get_json())
    return service, made[0], made[1]


def _graph(client, url: str, fmt: str = "ttl", **headers) -> Graph:
    answer = client.get(url, headers=headers)
    assert answer.status_code == 200, answer.data[:300]
    return Graph().parse(data=answer.data, format=RDFLIB[fmt])


def _conforms(graph: Graph, official_shapes: Graph) -> None:
    official = validate(graph, [official_shapes])
    assert official["violations"] == 0, official["results"][:3]
    own = validate(graph)
    assert own["violations"] == 0, own["results"][:3]


def test_the_catalog_carries_applications_and_conforms(client, published, official_shapes):
    service, app, plain = published
    graphs = {ext: _graph(client, f"/catalog.{ext}", ext) for ext in RDFLIB}
    assert len({len(g) for g in graphs.values()}) == 1
    graph = graphs["ttl"]
    uri, owner = URIRef(app["uri"]), URIRef(f"http://simpul.test/organizations/{ORG}")
    assert (uri, RDF.type, URIRef(CV + "Channel")) in graph
    assert (uri, URIRef(CV + "ownedBy"), owner) in graph
    assert (uri, URIRef(DCT + "identifier"), Literal("sidukcapil")) in graph
    assert (URIRef(service["uri"]), URIRef(CV + "hasChannel"), uri) in graph
    assert (uri, RDF.type, URIRef(DCAT + "DataService")) in graph
    endpoint = URIRef("https://api.gorontalokota.go.id/dukcapil")
    assert (uri, URIRef(DCAT + "endpointURL"), endpoint) in graph
    assert (URIRef("http://simpul.test/catalog"), URIRef(DCAT + "service"), uri) in graph
    other = URIRef(plain["uri"])
    assert (other, RDF.type, URIRef(CV + "Channel")) in graph
    assert (other, RDF.type, URIRef(DCAT + "DataService")) not in graph
    unit = URIRef("http://simpul.test/organizations/diskominfo-kota-gorontalo")
    assert (other, URIRef(CPSVID + "operatedBy"), unit) in graph
    _conforms(graph, official_shapes)
    # the owner filter keeps them, another owner's catalog does not carry them
    assert (uri, None, None) in _graph(client, f"/catalog.ttl?authority={ORG}")
    assert (uri, None, None) not in _graph(client, "/catalog.ttl?authority=dinkes-kota-gorontalo")


def test_the_application_uri_negotiates(client, published, official_shapes):
    service, app, _ = published
    path = app["uri"].removeprefix("http://simpul.test")
    graph = _graph(client, path, Accept="text/turtle")
    assert (URIRef(service["uri"]), URIRef(CV + "hasChannel"), URIRef(app["uri"])) in graph
    _conforms(graph, official_shapes)
    as_json = client.get(path, headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.get_json()["identifier"] == "sidukcapil"
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"Sistem Informasi Kependudukan" in page.data
    assert client.get(f"{path}?format=nt").status_code == 200
    assert client.get("/applications/nope", headers={"Accept": "text/turtle"}).status_code == 404


def test_a_service_document_names_its_applications(client, published, official_shapes):
    service, app, _ = published
    path = service["uri"].removeprefix("http://simpul.test")
    graph = _graph(client, path, Accept="text/turtle")
    assert (URIRef(service["uri"]), URIRef(CV + "hasChannel"), URIRef(app["uri"])) in graph
    assert (URIRef(app["uri"]), RDF.type, URIRef(CV + "Channel")) in graph
    _conforms(graph, official_shapes)
