"""Organizations over HTTP, and the area and code-list reference endpoints."""

from __future__ import annotations

import pytest

from tests.conftest import service_record


@pytest.fixture
def admin(publisher):
    publisher.org("kemendagri", "pusat")
    return publisher.auth(publisher.token("kemendagri", "admin"))


def test_create_and_read_organization(client, admin):
    org = {
        "id": "pemprov-gorontalo",
        "name": {"id": "Pemerintah Provinsi Gorontalo"},
        "level": "provinsi",
        "area": "75",
    }
    created = client.post("/api/v1/organizations", json=org, headers=admin)
    assert created.status_code == 201
    body = client.get("/api/v1/organizations/pemprov-gorontalo").get_json()
    assert body["level"] == "provinsi"
    assert body["uri"] == "http://simpul.test/organizations/pemprov-gorontalo"
    child = {
        "id": "pemkot-gorontalo",
        "name": {"id": "Pemerintah Kota Gorontalo"},
        "level": "kabkota",
        "area": "75.71",
        "parent": "pemprov-gorontalo",
    }
    assert client.post("/api/v1/organizations", json=child, headers=admin).status_code == 201
    listed = client.get("/api/v1/organizations?area=75").get_json()
    assert {o["id"] for o in listed["items"]} == {"pemprov-gorontalo", "pemkot-gorontalo"}
    assert client.get("/api/v1/organizations?parent=pemprov-gorontalo").get_json()["total"] == 1


@pytest.mark.parametrize(
    ("org", "path", "fragment"),
    [
        ({"id": "Bad Id", "name": {"id": "x"}, "level": "pusat"}, "id", "lowercase"),
        ({"id": "x", "name": {"id": "x"}, "level": "kabupaten"}, "level", "unknown level"),
        ({"id": "x", "name": {"id": "x"}, "level": "kabkota"}, "area", "needs its Kemendagri area"),
        (
            {"id": "x", "name": {"id": "x"}, "level": "kabkota", "area": "75"},
            "area",
            "not a kabkota area",
        ),
        (
            {"id": "x", "name": {"id": "x"}, "level": "desa", "area": "75.71.01.9999"},
            "area",
            "did you mean",
        ),
        (
            {"id": "x", "name": {"id": "x"}, "level": "kabkota", "area": "75.71", "parent": "nope"},
            "parent",
            "unknown organization",
        ),
    ],
)
def test_bad_organizations(client, admin, org, path, fragment):
    response = client.post("/api/v1/organizations", json=org, headers=admin)
    assert response.status_code == 422
    match = [e for e in response.get_json()["errors"] if e["path"] == path]
    assert match and fragment in match[0]["message"]


def test_duplicate_organization_conflicts(client, admin):
    org = {"id": "kemenkes", "name": {"id": "Kementerian Kesehatan"}, "level": "pusat"}
    assert client.post("/api/v1/organizations", json=org, headers=admin).status_code == 201
    again = client.post(
        "/api/v1/organizations", json={**org, "name": {"id": "Lain"}}, headers=admin
    )
    assert again.status_code == 409
    assert "organization 'kemenkes' already exists" in again.get_json()["detail"]
    stored = client.get("/api/v1/organizations/kemenkes").get_json()
    assert stored["name"] == {"id": "Kementerian Kesehatan"}  # the first one, untouched


def test_parent_area_must_contain_child(client, admin):
    client.post(
        "/api/v1/organizations",
        json={"id": "pemprov-gorontalo", "name": {"id": "P"}, "level": "provinsi", "area": "75"},
        headers=admin,
    )
    child = {
        "id": "pemkab-x",
        "name": {"id": "X"},
        "level": "kabkota",
        "area": "76.01",
        "parent": "pemprov-gorontalo",
    }
    response = client.post("/api/v1/organizations", json=child, headers=admin)
    assert response.status_code == 422
    assert "outside the parent" in response.get_json()["detail"]


@pytest.fixture
def city_office(publisher):
    """A city office, under its city government, with an editor token of its own."""
    publisher.org("pemkot-gorontalo", "kabkota", "75.71")
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71", parent="pemkot-gorontalo")
    token = publisher.token("disdukcapil-kota-gorontalo")
    assert publisher.publish(token, service_record()).status_code == 201
    return publisher.auth(token)


OFFICE = "/api/v1/organizations/disdukcapil-kota-gorontalo"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (  # the issue: a city office rewrites itself into the ministry covering Jakarta
            {
                "name": {"id": "Kementerian Dalam Negeri"},
                "level": "provinsi",
                "area": "31",
                "uri": "https://www.kemendagri.go.id/",
            },
            ["level", "area", "uri"],
        ),
        ({"level": "pusat", "area": None}, ["level", "area"]),
        ({"parent": None}, ["parent"]),
        ({"uri": "https://disdukcapil.gorontalokota.go.id/id"}, ["uri"]),
    ],
)
def test_an_editor_cannot_change_where_its_organization_sits(client, city_office, change, named):
    before = client.get(OFFICE).get_json()
    feed = client.get("/api/v1/changes").get_json()
    response = client.put(OFFICE, json={**before, **change}, headers=city_office)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert [e["path"] for e in problem["errors"]] == named
    assert "administrator" in problem["detail"]
    assert client.get(OFFICE).get_json() == before  # nothing stored, not even the name
    assert client.get("/api/v1/changes").get_json()["items"] == feed["items"]


def test_an_editor_changes_its_description_and_sends_the_rest_back_unchanged(client, city_office):
    before = client.get(OFFICE).get_json()
    renamed = {
        **before,
        "name": {"id": "Dinas Dukcapil Kota Gorontalo", "en": "Civil Registry, Gorontalo City"},
        "homepage": "https://disdukcapil.gorontalokota.go.id",
    }
    response = client.put(OFFICE, json=renamed, headers=city_office)
    assert response.status_code == 200, response.get_json()
    after = client.get(OFFICE).get_json()
    assert after["name"]["en"] == "Civil Registry, Gorontalo City"
    assert after["homepage"] == "https://disdukcapil.gorontalokota.go.id"
    for field in ("level", "area", "parent", "uri"):
        assert after[field] == before[field]
    # the operator's fields may also be left out: they keep their stored values
    short = {"name": {"id": "Disdukcapil Kota Gorontalo"}}
    assert client.put(OFFICE, json=short, headers=city_office).status_code == 200
    kept = client.get(OFFICE).get_json()
    assert (kept["level"], kept["area"], kept["parent"]) == ("kabkota", "75.71", "pemkot-gorontalo")


def test_an_administrator_moves_an_organization(client, admin, city_office):
    before = client.get(OFFICE).get_json()
    moved = {**before, "parent": None, "uri": "https://data.gorontalokota.go.id/org/disdukcapil"}
    response = client.put(OFFICE, json=moved, headers=admin)
    assert response.status_code == 200, response.get_json()
    after = client.get(OFFICE).get_json()
    assert (after["parent"], after["uri"]) == (None, moved["uri"])


def test_codelists_have_both_languages(client):
    body = client.get("/api/v1/codelists").get_json()
    sectors = {c["code"]: c["label"] for c in body["sectors"]}
    assert sectors["kependudukan"] == {
        "id": "Administrasi Kependudukan",
        "en": "Civil registration",
    }
    assert len(body["life-events"]) == 15
    assert client.get("/api/v1/codelists/nope").status_code == 404


def test_area_tree(client):
    village = client.get("/api/v1/areas/75.71.01.1001").get_json()
    assert village["name"] == "Dembe I"
    assert village["level"] == "desa"
    assert [a["code"] for a in village["ancestors"]] == ["75.71.01", "75.71", "75", "00"]
    city = client.get("/api/v1/areas/75.71").get_json()
    assert {c["name"] for c in city["children"]} >= {"Kota Barat", "Kota Selatan"}
    assert len(client.get("/api/v1/areas").get_json()["children"]) == 38
    missing = client.get("/api/v1/areas/75.72")
    assert missing.status_code == 404
    assert "did you mean" in missing.get_json()["detail"]
