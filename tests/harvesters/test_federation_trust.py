"""A harvest source acts for its organization only: a hostile Simpul node (a crafted change feed
on a real loopback HTTP server) cannot reach outside the source organization's subtree, store
a wrong-typed value or an unsafe URL, or break any page afterwards."""

from __future__ import annotations

import orjson
import pytest

from simpul.registry.changes import encode_cursor
from simpul.registry.db import utcnow
from simpul.registry.models import Organization
from tests.services.http import RemoteServer, Response

# The node harvesting: a province, its city (the source's organization) with an agency below,
# a sibling regency and a ministry.
ORGS = [
    ("kemendagri", "pusat", None, None),
    ("prov-gorontalo", "provinsi", "75", None),
    ("kota-gorontalo", "kabkota", "75.71", "prov-gorontalo"),
    ("dinkes-kota-gorontalo", "kabkota", "75.71", "kota-gorontalo"),
    ("kab-gorontalo", "kabkota", "75.01", "prov-gorontalo"),
]

HOSTILE_ORGS = [
    # under a ministry, outside the city
    {
        "id": "dinas-bayangan",
        "name": {"id": "Dinas Bayangan"},
        "level": "kabkota",
        "area": "75.71",
        "parent": "kemendagri",
    },
    # national, above the city
    {
        "id": "kementerian-palsu",
        "name": {"id": "Kementerian Palsu"},
        "level": "pusat",
        "area": "00",
    },
    {
        "id": "anak-palsu",
        "name": {"id": "Anak Palsu"},
        "level": "pusat",
        "parent": "kementerian-palsu",
    },
    # a sibling agency and the city's own parent, renamed
    {
        "id": "kab-gorontalo",
        "name": {"id": "Diambil Alih"},
        "level": "kabkota",
        "area": "75.01",
        "homepage": "javascript:alert(1)",
        "uri": "javascript:alert(2)",
    },
    {"id": "prov-gorontalo", "name": {"id": "Provinsi Palsu"}, "level": "provinsi", "area": "75"},
    # wrong types and unsafe URLs inside the city
    {"id": "dinas-daftar", "name": ["Dinas", "Daftar"], "level": "kabkota", "area": "75.71"},
    {
        "id": "dinkes-kota-gorontalo",
        "name": {"id": "Dinkes Baru"},
        "level": "kabkota",
        "area": "75.71",
        "homepage": "javascript:alert(3)",
    },
    {"id": ["bukan", "teks"], "name": {"id": "X"}, "level": "kabkota", "area": "75.71"},
    {
        "id": "dinas-angka",
        "name": {"id": "Dinas Angka"},
        "level": "kabkota",
        "area": "75.71",
        "homepage": 12345,
    },
    "not an object",
    # legitimate: a district of the city
    {
        "id": "kec-kota-barat",
        "name": {"id": "Kecamatan Kota Barat"},
        "level": "kecamatan",
        "area": "75.71.01",
        "homepage": "https://kotabarat.example.go.id",
    },
]


def _record(n: int, authority, **fields) -> dict:
    record = {
        "id": f"hostile{n:04d}",
        "uri": f"https://hostile.example/services/hostile{n:04d}",
        "identifier": f"layanan-{n}",
        "name": {"id": f"Layanan {n}"},
        "authority": authority,
        "version": 1,
        "provenance": {"node": "hostile"},
        **fields,
    }
    return {"action": "created", "record": record}


CHANGES = [
    _record(1, "kementerian-palsu"),
    _record(2, "kemendagri"),
    _record(3, "kab-gorontalo"),
    _record(4, "dinas-daftar"),
    _record(5, "anak-palsu"),
    _record(
        6,
        "kec-kota-barat",
        areas=["00", "75.71.01"],
        channels=[{"type": "online", "url": "javascript:alert(1)"}],
        complaints={"id": "Lapor", "url": "data:text/html,<script>alert(1)</script>"},
        legal_basis=[{"title": "Perda 1/2020", "url": "file:///etc/passwd"}],
        homepage=["https://a.example"],
    ),
    _record(7, "kota-gorontalo", level="pusat", areas=["00"]),
    _record(8, "kota-gorontalo", name=["Layanan", "Daftar"]),
    _record(9, "kota-gorontalo", uri="javascript:alert(1)"),
    _record(10, "kota-gorontalo", id=["x"]),
    _record(11, ["kota-gorontalo"]),
    _record(12, "kota-gorontalo", provenance="x"),
    "garbage",
    {"action": "created", "record": ["a list"]},
]


def serve(server: RemoteServer, node_id: str, orgs: list, changes: list) -> None:
    latest = encode_cursor(len(changes))
    node = {"id": node_id, "level": "kabkota", "area": "75.71", "changes": {"latest": latest}}
    page = {"items": changes, "next": latest, "more": False}
    server.route("/api/v1/node", Response(orjson.dumps(node)))
    server.route(
        "/api/v1/organizations", Response(orjson.dumps({"total": len(orgs), "items": orgs}))
    )
    server.route("/api/v1/changes", Response(orjson.dumps(page)))


@pytest.fixture
def city(harvests):
    for org_id, level, area, parent in ORGS:
        harvests.org(org_id, level, area, parent)
    return harvests


@pytest.fixture
def hostile(city, remote):
    serve(remote, "hostile", HOSTILE_ORGS, CHANGES)
    city.source("hostile", "simpul", remote.base, org="kota-gorontalo", schedule="manual")
    return city.run("hostile")


def organizations(registry) -> dict[str, Organization]:
    with registry.db.session() as session:
        rows = session.query(Organization).all()
        session.expunge_all()
        return {row.id: row for row in rows}


def test_organizations_outside_the_source_are_refused_one_by_one(city, hostile):
    assert hostile.status == "finished", hostile.message
    orgs = organizations(city.registry)
    for refused in ("dinas-bayangan", "kementerian-palsu", "anak-palsu", "dinas-daftar"):
        assert refused not in orgs
    assert orgs["kab-gorontalo"].name == {"id": "Kab Gorontalo"}
    assert orgs["kab-gorontalo"].homepage is None and orgs["kab-gorontalo"].uri is None
    assert orgs["prov-gorontalo"].name == {"id": "Prov Gorontalo"}
    assert orgs["dinkes-kota-gorontalo"].homepage is None
    assert orgs["dinkes-kota-gorontalo"].name == {"id": "Dinkes Kota Gorontalo"}
    assert "dinas-angka" not in orgs
    # the rest of the harvest proceeds
    assert orgs["kec-kota-barat"].parent_id == "kota-gorontalo"
    assert orgs["kec-kota-barat"].homepage == "https://kotabarat.example.go.id"
    assert hostile.counts["organizations_added"] == 1

    errors = {
        key: message for key, stage, message in city.errors(hostile.id) if stage == "organization"
    }
    assert "kemendagri" in errors["dinas-bayangan"] and "outside" in errors["dinas-bayangan"]
    assert "above" in errors["kementerian-palsu"]
    assert "kementerian-palsu" in errors["anak-palsu"]
    assert "outside" in errors["kab-gorontalo"] and "outside" in errors["prov-gorontalo"]
    assert "name" in errors["dinas-daftar"]
    assert "homepage" in errors["dinkes-kota-gorontalo"]
    assert "homepage" in errors["dinas-angka"]
    assert "organizations[7]" in errors and "organizations[9]" in errors
    assert hostile.counts["organizations_refused"] == len(errors) == 10


def test_records_depending_on_refused_organizations_are_refused(city, hostile):
    live = city.live()
    assert set(live) == {"layanan-6", "layanan-7", "layanan-12"}
    assert {r["authority"] for r in live.values()} <= {"kota-gorontalo", "kec-kota-barat"}
    errors = {key: message for key, _, message in city.errors(hostile.id)}
    uri = "https://hostile.example/services/hostile{:04d}".format
    assert "kementerian-palsu" in errors[uri(1)] and "refused" in errors[uri(1)]
    assert "kemendagri" in errors[uri(2)] and "kab-gorontalo" in errors[uri(3)]
    assert "refused" in errors[uri(4)] and "refused" in errors[uri(5)]
    assert "name" in errors[uri(8)]
    assert "javascript:alert(1)" in errors and "uri" in errors["javascript:alert(1)"]
    assert "id" in errors[uri(10)] and "authority" in errors[uri(11)]


def test_no_national_service_and_no_area_outside_the_source(city, hostile):
    live = city.live()
    for record in live.values():
        assert record["level"] != "pusat"
        assert all(a == "75.71" or a.startswith("75.71.") for a in record["areas"]), record
    assert live["layanan-7"]["level"] == "kabkota" and live["layanan-7"]["areas"] == ["75.71"]
    assert live["layanan-6"]["areas"] == ["75.71.01"]


def test_unsafe_urls_in_harvested_records_are_dropped_with_their_path(city, hostile):
    record = city.live()["layanan-6"]
    assert "channels" not in record and "homepage" not in record
    assert "complaints" not in record  # a nested object goes whole, as for any bad field
    assert "legal_basis" not in record  # the item with the bad URL goes
    notes = [m for key, stage, m in city.errors(hostile.id) if key.endswith("hostile0006")]
    assert any(n.startswith("dropped channels[0]") for n in notes), notes
    assert any(n.startswith("dropped complaints.url") for n in notes), notes
    assert any(n.startswith("dropped legal_basis[0].url") for n in notes), notes


def test_pages_answer_after_a_hostile_harvest(city, hostile, client):
    live = city.live()
    html = {"Accept": "text/html"}
    paths = [
        "/",
        "/search",
        "/search?q=layanan",
        "/audit",
        "/organizations",
        "/audit/sources",
        f"/audit/jobs/{hostile.id}",
        "/api/v1/organizations",
        "/api/v1/services",
        "/api/v1/search?q=layanan",
        "/catalog.ttl",
    ]
    paths += [f"/organizations/{o}" for o in ("kota-gorontalo", "kec-kota-barat", "kab-gorontalo")]
    paths += [f"/audit/organizations/{o}" for o in ("kota-gorontalo", "dinkes-kota-gorontalo")]
    paths += [f"/services/{r['id']}" for r in live.values()]
    for path in paths:
        response = client.get(path, headers={} if path.startswith("/api/") else html)
        assert response.status_code == 200, (path, response.status_code)


def test_a_remote_cannot_take_over_another_agencys_service_by_its_uri(city, hostile, remote):
    """The sibling's source brought a record; the hostile node serves the same URI as a newer
    version under the city: it must not overwrite (or re-home) the sibling's record."""
    sibling = RemoteServer()
    try:
        change = _record(50, "kab-gorontalo")
        serve(sibling, "sibling", [], [change])
        city.source("sibling", "simpul", sibling.base, org="kab-gorontalo", schedule="manual")
        assert city.run("sibling").counts["created"] == 1
        hijack = _record(60, "kota-gorontalo", version=9, name={"id": "Diambil Alih"})
        hijack["record"]["uri"] = change["record"]["uri"]
        serve(remote, "hostile", [], [hijack])
        job = city.run("hostile", mode="full")
    finally:
        sibling.close()
    held = city.live(authority="kab-gorontalo")["layanan-50"]
    assert held["name"] == {"id": "Layanan 50"}
    assert held["provenance"]["source"] == "sibling"
    assert not any(r["name"] == {"id": "Diambil Alih"} for r in city.live().values())
    messages = [m for key, _, m in city.errors(job.id) if key == change["record"]["uri"]]
    assert any("kab-gorontalo" in m and "outside" in m for m in messages), messages


def test_other_source_types_cannot_publish_above_their_organization(city, remote):
    """A misplaced organization (an admin put a central agency under the city) gives the city's
    sources no right to publish national services: the rule is the runner's, for every type."""
    with city.registry.db.transaction() as session:
        session.add(
            Organization(
                id="badan-pusat",
                name={"id": "Badan Pusat"},
                level="pusat",
                area=None,
                parent_id="kota-gorontalo",
                created=utcnow(),
                modified=utcnow(),
            )
        )
    items = [
        {"kode": "nasional", "judul": "Layanan Nasional", "instansi": "badan-pusat"},
        {"kode": "kota", "judul": "Layanan Kota", "instansi": "kota-gorontalo"},
    ]
    url = remote.route("/layanan", Response(orjson.dumps(items)))
    fields = {"identifier": "kode", "name": "judul", "authority": "instansi"}
    city.source(
        "json", "json", url, org="kota-gorontalo", options={"key": "kode", "fields": fields}
    )
    job = city.run("json")
    live = city.live()
    assert set(live) == {"kota"} and live["kota"]["level"] == "kabkota"
    errors = [m for key, _, m in city.errors(job.id) if key == "nasional"]
    assert errors and "badan-pusat" in errors[0]


def test_a_legitimate_child_node_still_federates(city, remote):
    orgs = [
        {
            "id": "kec-kota-barat",
            "name": {"id": "Kecamatan Kota Barat"},
            "level": "kecamatan",
            "area": "75.71.01",
            "parent": "kota-gorontalo",
        }
    ]
    serve(remote, "kecamatan", orgs, [_record(1, "kec-kota-barat", areas=["75.71.01"])])
    city.source("kec", "simpul", remote.base, org="kota-gorontalo", schedule="manual")
    job = city.run("kec")
    assert job.status == "finished" and job.counts["created"] == 1, city.errors(job.id)
    assert not job.counts.get("errors")
    assert city.live()["layanan-1"]["authority"] == "kec-kota-barat"


def test_a_gateway_url_that_is_not_http_never_becomes_a_channel(harvests, remote, publisher):
    from tests.harvesters.types.test_apigateway import PREFIX, Devportal, api

    harvests.org()
    record = {"identifier": "akta-kelahiran", "name": {"id": "Akta Kelahiran"}}
    assert publisher.publish(publisher.token("kota-gorontalo"), record).status_code == 201
    entry = api(1, "akta-kelahiran")
    Devportal(remote, [entry])
    urls = {"https": "javascript:alert(1)", "http": "data:text/html,x"}
    details = {**entry, "endpointURLs": [{"environmentName": "Default", "URLs": urls}]}
    remote.route(f"{PREFIX}/apis/{entry['id']}", Response(orjson.dumps(details)))
    harvests.source("splp", "api-gateway", remote.base)
    job = harvests.run("splp")
    assert job.status == "finished", job.message
    assert job.counts["unlinked"] == 1
    assert "channels" not in harvests.live()["akta-kelahiran"]
