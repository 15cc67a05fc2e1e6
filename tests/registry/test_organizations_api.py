"""Organizations over HTTP, and the area and code-list reference endpoints."""

from __future__ import annotations

import pytest


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
