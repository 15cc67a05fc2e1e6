"""Catalog export, per-record RDF and SHACL conformance, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from simpul.cli import main
from simpul.demo import load_demo
from simpul.vocab.shacl import validate
from tests.conftest import service_record
from tests.data import TEST_DATA

DCT = "http://purl.org/dc/terms/"
RDFLIB = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
PUBLIC_SERVICE = URIRef("http://purl.org/vocab/cpsv#PublicService")
OFFICIAL_SHAPES = TEST_DATA / "vocab" / "cpsv-ap-3.2.0" / "shacl" / "cpsv-ap-SHACL.ttl"


@pytest.fixture
def demo(registry):
    return load_demo(registry)


@pytest.fixture(scope="session")
def official_shapes() -> Graph:
    return Graph().parse(OFFICIAL_SHAPES)


def _catalog(client, ext="ttl", query="", **headers) -> Graph:
    response = client.get(f"/catalog.{ext}{query}", headers=headers)
    assert response.status_code == 200, response.data[:300]
    data = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return Graph().parse(data=data, format=RDFLIB[ext])


def test_catalog_in_every_format_is_the_same_graph(client, demo):
    graphs = {ext: _catalog(client, ext) for ext in RDFLIB}
    sizes = {ext: len(g) for ext, g in graphs.items()}
    assert len(set(sizes.values())) == 1, sizes
    services = set(graphs["ttl"].subjects(RDF.type, PUBLIC_SERVICE))
    assert len(services) == demo["services"]
    for ext, graph in graphs.items():
        assert set(graph.subjects(RDF.type, PUBLIC_SERVICE)) == services, ext


def test_demo_export_conforms_to_official_and_simpul_shapes(client, demo, official_shapes):
    graph = _catalog(client, "ttl")
    official = validate(graph, [official_shapes])
    assert official["violations"] == 0, official["results"][:3]
    own = validate(graph)
    assert own["conforms"] and own["violations"] == 0


def test_a_record_filling_every_field_conforms(client, publisher, official_shapes):
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    token = publisher.token("disdukcapil-kota-gorontalo")
    sid = publisher.publish(token, service_record()).get_json()["id"]
    response = client.get(f"/services/{sid}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    service = URIRef(f"http://simpul.test/services/{sid}")
    assert (service, RDF.type, PUBLIC_SERVICE) in graph  # an empty graph conforms too
    assert _texts(graph, service, DCT + "title") == {
        "Penerbitan Akta Kelahiran",
        "Birth Certificate Issuance",
    }
    channels = set(graph.objects(service, URIRef("http://data.europa.eu/m8g/hasChannel")))
    assert len(channels) == 3
    report = validate(graph, [official_shapes])
    assert report["violations"] == 0, report["results"][:3]
    assert report["warnings"] == 0


def test_catalog_filters_and_gzip(client, demo):
    polri = _catalog(client, "nt", "?authority=polri")
    assert len(set(polri.subjects(RDF.type, PUBLIC_SERVICE))) == 4
    village = _catalog(client, "ttl", "?area=75.03.01.2004", **{"Accept-Encoding": "gzip"})
    titles = {
        str(t)
        for s in village.subjects(RDF.type, PUBLIC_SERVICE)
        for t in village.objects(s, URIRef("http://purl.org/dc/terms/identifier"))
    }
    # national, provincial, regency (Bone Bolango), district (Tapa) and the village itself
    assert {
        "skck",
        "spmb-sma-smk-slb",
        "akta-kelahiran",
        "rekomendasi-izin-keramaian",
        "surat-keterangan-domisili",
    } <= titles
    villages = _catalog(client, "ttl", "?level=desa")
    assert len(set(villages.subjects(RDF.type, PUBLIC_SERVICE))) == 16
    assert "unknown area code '99.99'" in _problem(client, "/catalog.ttl?area=99.99", 404)
    assert "no catalog format 'xyz'" in _problem(client, "/catalog.xyz", 404)
    assert "colour: Unknown field" in _problem(client, "/catalog.ttl?colour=red", 422)


def _problem(client, url: str, status: int) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    assert response.content_type == "application/problem+json"
    return response.get_json()["detail"]


def _texts(graph: Graph, subject: URIRef, predicate: str) -> set[str]:
    return {str(o) for o in graph.objects(subject, URIRef(predicate))}


def test_hydra_paging(client, demo):
    page = _catalog(client, "ttl", "?page=2&size=50")
    hydra = "http://www.w3.org/ns/hydra/core#"
    services = set(page.subjects(RDF.type, PUBLIC_SERVICE))
    assert len(services) == 50
    view = next(page.subjects(RDF.type, URIRef(hydra + "PartialCollectionView")))
    assert str(page.value(view, URIRef(hydra + "next"))).endswith("page=3&size=50")
    assert str(page.value(view, URIRef(hydra + "previous"))).endswith("page=1&size=50")
    total = next(page.objects(None, URIRef(hydra + "totalItems")))
    assert int(total) == demo["services"]


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "text/html"),
    ],
)
def test_content_negotiation_at_the_service_uri(client, demo, accept, kind):
    first = client.get("/api/v1/services?size=1").get_json()["items"][0]
    sid, name = first["id"], first["name"]["id"]
    response = client.get(f"/services/{sid}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.content_type.startswith(kind)
    assert "Accept" in response.headers.get("Vary", "")
    if kind.startswith("text/html"):
        assert f'<h1 id="service-title">{name}</h1>' in response.get_data(as_text=True)
    elif kind == "application/json":
        assert response.get_json()["id"] == sid and response.get_json()["name"]["id"] == name
    else:
        graph = Graph().parse(
            data=response.data,
            format={
                "text/turtle": "turtle",
                "application/ld+json": "json-ld",
                "application/rdf+xml": "xml",
                "application/n-triples": "nt",
            }[kind],
        )
        service = URIRef(f"http://simpul.test/services/{sid}")
        assert set(graph.subjects(RDF.type, PUBLIC_SERVICE)) == {service}
        assert name in _texts(graph, service, DCT + "title")


def test_api_item_negotiates_rdf_too(client, demo):
    first = client.get("/api/v1/services?size=1").get_json()["items"][0]
    sid = first["id"]
    response = client.get(f"/api/v1/services/{sid}", headers={"Accept": "text/turtle"})
    assert response.content_type.startswith("text/turtle")
    graph = Graph().parse(data=response.data, format="turtle")
    service = URIRef(f"http://simpul.test/services/{sid}")
    assert (service, RDF.type, PUBLIC_SERVICE) in graph
    assert first["name"]["id"] in _texts(graph, service, DCT + "title")
    refused = client.get(f"/services/{sid}", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "offered: application/json" in refused.get_json()["detail"]


def test_code_lists_at_their_uris(client):
    sectors = Graph().parse(data=client.get("/kode/sectors").data, format="turtle")
    skos = "http://www.w3.org/2004/02/skos/core#"
    concept = URIRef("https://simpul.go.id/kode/sectors/kesehatan")
    labels = {str(label) for label in sectors.objects(concept, URIRef(skos + "prefLabel"))}
    assert labels == {"Kesehatan", "Health"}
    village = Graph().parse(data=client.get("/kode/areas/75.71.01").data, format="turtle")
    district = URIRef("https://simpul.go.id/kode/areas/75.71.01")
    assert str(village.value(district, URIRef(skos + "broader"))).endswith("/areas/75.71")
    assert len(list(village.objects(district, URIRef(skos + "narrower")))) == 7
    assert "no code list 'nope'" in _problem(client, "/kode/nope", 404)
    assert "no code '99' in areas" in _problem(client, "/kode/areas/99", 404)


def test_cli_export_and_validate(registry, demo, tmp_path, database_url):
    env = {"SIMPUL_DATABASE_URL": database_url, "SIMPUL_BASE_URI": "http://simpul.test"}
    runner = CliRunner()
    out = tmp_path / "catalog.ttl.gz"
    result = runner.invoke(main, ["export", "--format", "ttl", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    plain = tmp_path / "catalog.ttl"
    plain.write_bytes(gzip.decompress(out.read_bytes()))
    checked = runner.invoke(
        main, ["validate", str(plain), "--shapes", str(OFFICIAL_SHAPES), "--lang", "en"]
    )
    assert checked.exit_code == 0, checked.output[-500:]
    assert "conforms: 0 violation(s)" in checked.output


def test_cached_renderings_give_the_same_catalog_and_follow_changes(client, publisher, registry):
    from sqlalchemy import func, select

    from simpul.registry.models import Rendering

    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    token = publisher.token("disdukcapil-kota-gorontalo")
    ids = [
        publisher.publish(token, service_record(f"layanan-{n}")).get_json()["id"] for n in range(3)
    ]
    cold = client.get("/catalog.nt").get_data(as_text=True)
    with registry.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Rendering)) == 3
    warm = client.get("/catalog.nt").get_data(as_text=True)
    assert sorted(cold.splitlines()) == sorted(warm.splitlines())
    changed = service_record("layanan-1", name={"id": "Nama Baru Sekali"})
    client.put(f"/api/v1/services/{ids[1]}", json=changed, headers=publisher.auth(token))
    fresh = client.get("/catalog.nt").get_data(as_text=True)
    assert '"Nama Baru Sekali"@id' in fresh and '"Nama Baru Sekali"@id' not in warm
    for ext in ("ttl", "jsonld", "rdf"):  # every format, cold then warm, parses the same
        first, second = _catalog(client, ext), _catalog(client, ext)
        assert len(first) == len(second) and len(first) > 0


def test_one_records_document_needs_only_its_authority_and_those_above(registry):
    """A record's RDF loads its authority and the organizations above it, not every
    organization of the node; the document is the same either way."""
    from simpul.demo import load_demo
    from simpul.registry import services
    from simpul.registry.catalog import organizations
    from simpul.vocab.export import record_document

    load_demo(registry)
    with registry.db.session() as session:
        every = organizations(session, registry.base_uri)
        _, rows = services.list_services(session, size=500)
        for row in rows:
            record = services.service_to_dict(row)
            some = organizations(session, registry.base_uri, [record["authority"]])
            assert len(some) < len(every)
            assert record_document("ttl", record, some) == record_document("ttl", record, every)


def test_a_record_with_inventory_gaps_stays_conformant(client, publisher, official_shapes):
    """No Indonesian name, a 600-character name, channels without their address: the export
    has no violation of either shape set; the missing Indonesian name is a warning."""
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    token = publisher.token("disdukcapil-kota-gorontalo")
    record = service_record(
        name={"nb": "Søknad om tillatelse til tiltak etter plan- og bygningsloven " * 10},
        description={"nb": "Elektronisk søknad."},
        channels=[
            {"type": "online", "name": {"id": "Aplikasi Mobile JKN"}},
            {"type": "telepon"},
            {"type": "email", "name": {"en": "Front desk"}},
        ],
    )
    response = publisher.publish(token, record)
    assert response.status_code == 201, response.get_json()
    sid = response.get_json()["id"]
    graph = Graph().parse(
        data=client.get(f"/services/{sid}", headers={"Accept": "text/turtle"}).data,
        format="turtle",
    )
    service = URIRef(f"http://simpul.test/services/{sid}")
    assert _texts(graph, service, DCT + "title") == {record["name"]["nb"].strip()}
    channels = set(graph.objects(service, URIRef("http://data.europa.eu/m8g/hasChannel")))
    assert len(channels) == 3
    official = validate(graph, [official_shapes])
    assert official["violations"] == 0, official["results"][:3]
    own = validate(graph)
    assert own["violations"] == 0, own["results"][:3]
    assert any("no-indonesian-name" in r["message"]["en"] for r in own["results"]), own["results"]
    catalog = validate(_catalog(client, "ttl"), [official_shapes])
    assert catalog["violations"] == 0
