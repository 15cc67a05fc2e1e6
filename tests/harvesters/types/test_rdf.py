"""The rdf type: CPSV-AP and DCAT catalogs over HTTP, Hydra paging, hostile input."""

from __future__ import annotations

import pytest

from simpul.demo import load_demo
from tests.data import TEST_DATA
from tests.services.http import Response
from tests.services.node import Node

TURTLE = "text/turtle"
COMPARED = (
    "name",
    "description",
    "requirements",
    "procedure",
    "cost",
    "areas",
    "channels",
    "legal_basis",
    "processing_time",
    "outputs",
)


@pytest.fixture(scope="module")
def demo_node(tmp_path_factory):
    node = Node(tmp_path_factory.mktemp("node"), node_id="simpul-gorontalo")
    load_demo(node.registry)
    yield node
    node.close()


def test_harvests_a_paged_simpul_catalog(harvests, demo_node):
    harvests.org("kemenpan", level="pusat")
    url = f"{demo_node.base}/catalog.ttl?page=1&size=50"
    harvests.source("gorontalo", "rdf", url, org="kemenpan")
    job = harvests.run("gorontalo")
    assert job.status == "finished", job.message
    assert job.counts["created"] == 170 and not job.counts.get("errors")
    live = harvests.live()
    with demo_node.registry.db.session() as session:
        from simpul.registry.services import list_services, service_to_dict

        _, rows = list_services(session, size=1000)
        # the catalog publishes each record in its effective form (what its type lends included)
        types = demo_node.registry.type_index(session)
        remote = {(r.authority, r.identifier): service_to_dict(r, types=types) for r in rows}
    assert len(remote) == 170
    sample = next(r for r in remote.values() if r.get("requirements") and r.get("cost"))
    lending = next(r for r in remote.values() if r.get("inherited"))
    for record in (sample, lending):  # whatever the catalog's order, both kinds are checked
        mine = live[f"{record['authority']}.{record['identifier']}"]
        for field in COMPARED:
            assert mine.get(field) == record.get(field), (record["identifier"], field)
    mine = live[f"{sample['authority']}.{sample['identifier']}"]
    # the remote authorities are not organizations here: kept as given, held by the source org
    assert mine["authority"] == "kemenpan"
    assert (
        mine["original_authority"]["uri"] == f"{demo_node.base}/organizations/{sample['authority']}"
    )
    assert mine["provenance"]["original_uri"] == sample["uri"]
    second = harvests.run("gorontalo")
    assert second.counts["unchanged"] == 170


def test_finnish_cpsv_ap_2_catalog(harvests, remote):
    harvests.org("kemenpan", level="pusat")
    data = (TEST_DATA / "samples/cpsv/cpsv-ap-2-municipal-services.ttl").read_bytes()
    url = remote.route("/fi.ttl", Response(data, TURTLE))
    harvests.source("fi", "rdf", url, org="kemenpan")
    job = harvests.run("fi")
    assert job.status == "finished"
    assert job.counts["created"] == 6 and not job.counts.get("errors")
    live = harvests.live()
    record = live["Fireinspections"]  # no authority named: held as is
    assert record["name"] == {"id": "Fire inspections"}  # the title's trailing space is gone
    assert (
        record["provenance"]["original_uri"]
        == "http://palvelut.jarvikyla.example/ps/Fireinspections"
    )
    assert live["WasteManagement"]["name"] == {
        "id": "Waste management",  # untagged: the source's default language
        "fi": "Jätehuolto",
        "sv": "Avfallshantering",
    }


def test_dcat_data_services_become_api_channels(harvests, remote):
    harvests.org("kemenpan", level="pusat")
    data = (TEST_DATA / "samples/dcat/satu-data-catalog.rdf").read_bytes()
    url = remote.route("/dcat.rdf", Response(data, "application/rdf+xml"))
    harvests.source("dcat", "rdf", url, org="kemenpan")
    job = harvests.run("dcat")
    assert job.status == "finished", job.message
    # the sample's one dcat:DataService (a blank node inside a distribution) is the service;
    # its endpoint URL is the API channel
    [record] = harvests.live().values()
    assert record["name"] == {"id": "API Data Kependudukan", "en": "Population Data API"}
    assert record["channels"] == [
        {"type": "api", "url": "https://satudata.gorontalokota.example/api/penduduk/v1"}
    ]
    assert "jumlah penduduk per kelurahan" in record["description"]["id"]


def test_broken_turtle_in_a_sample_is_reported_with_its_line(harvests, remote):
    harvests.org("kemenpan", level="pusat")
    data = (TEST_DATA / "samples/dcat/undeclared-prefix.ttl").read_bytes()  # an unbound prefix
    url = remote.route("/dcat.ttl", Response(data, TURTLE))
    harvests.source("dcat", "rdf", url, org="kemenpan")
    job = harvests.run("dcat")
    assert job.status == "failed"
    assert "line 42" in job.message and "dcatap:" in job.message  # where it is


PAGE = """@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix cpsv: <http://purl.org/vocab/cpsv#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{base}/catalog> hydra:view <{base}/catalog?page={n}> .
<{base}/catalog?page={n}> hydra:next <{base}/catalog?page={next}> .
<{base}/s/{n}> a cpsv:PublicService ; dct:identifier "s{n}" ; dct:title "Layanan {n}"@id .
"""


def test_server_that_ignores_paging_is_caught(harvests, remote):
    harvests.org()
    # every page answers with page 1, which links to page 2 forever
    remote.route(
        "/catalog", lambda r: Response(PAGE.format(base=remote.base, n=1, next=2).encode(), TURTLE)
    )
    harvests.source("loop", "rdf", remote.url("/catalog"))
    job = harvests.run("loop")
    assert job.status == "incomplete"
    assert "ignores paging" in job.message
    assert job.counts["created"] == 1
    assert len(remote.requests) == 2


def test_single_document_is_fetched_conditionally(harvests, remote):
    harvests.org()
    body = (
        f"<{remote.base}/s/1> a <http://purl.org/vocab/cpsv#PublicService> ;\n"
        f'  <http://purl.org/dc/terms/title> "Layanan"@id .\n'
    )

    def tagged(request):
        if request.headers.get("if-none-match") == '"v7"':
            return Response(status=304)
        return Response(body.encode(), TURTLE, headers={"ETag": '"v7"'})

    url = remote.route("/one.ttl", tagged)
    harvests.source("one", "rdf", url)
    assert harvests.run("one").counts["created"] == 1
    job = harvests.run("one")
    assert job.status == "finished"
    assert job.counts["not_modified"] == 1 and job.counts["unchanged"] == 1
    assert not job.counts.get("deleted")
    assert len(harvests.live()) == 1


@pytest.mark.parametrize(
    "body, media_type, expected",
    [
        (
            b'@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title "unterminated .\n',
            TURTLE,
            "malformed turtle input: Parser error between line 2",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            b'"&lol;&lol;&lol;&lol;">]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-'
            b'ns#"><rdf:Description rdf:about="http://x/a">&lol2;</rdf:Description></rdf:RDF>',
            "application/rdf+xml",
            "DTD",
        ),
    ],
)
def test_malformed_and_hostile_rdf_fails_cleanly(harvests, remote, body, media_type, expected):
    harvests.org()
    url = remote.route("/bad", Response(body, media_type))
    harvests.source("bad", "rdf", url)
    job = harvests.run("bad")
    assert job.status == "failed"
    assert expected in job.message
    assert harvests.live() == {}


def test_json_ld_remote_context_is_never_fetched(harvests, remote):
    harvests.org()
    context_url = remote.route("/context.jsonld", Response(b'{"@context": {}}'))
    body = f'{{"@context": "{context_url}", "@id": "http://x/s", "@type": "http://purl.org/vocab/cpsv#PublicService"}}'
    url = remote.route("/doc.jsonld", Response(body.encode(), "application/ld+json"))
    harvests.source("ld", "rdf", url)
    job = harvests.run("ld")
    assert job.status == "failed" and "remote" in job.message.lower()
    assert not any(r.path == "/context.jsonld" for r in remote.requests)
