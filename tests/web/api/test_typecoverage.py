"""The coverage API of national service types: the grid of a type, the summary, an
organization's types, and declarations over HTTP (problem+json naming the field, nothing stored
on a refusal, coordinators of the area allowed and others not)."""

from __future__ import annotations

import pytest

from simpul.registry import types
from simpul.registry.auth import SYSTEM
from simpul.web.http import PROBLEM
from tests.conftest import service_record

CITY, OFFICE, PROVINCE = "pemkot-gorontalo", "disdukcapil-kota-gorontalo", "pemprov-gorontalo"
BIRTH = "akta-kelahiran"
NOT_OURS = {"status": "not-offered", "reason": {"id": "dilayani kecamatan", "en": "by districts"}}


@pytest.fixture
def setup(publisher):
    with publisher.registry.db.transaction() as session:
        raw = {
            "id": BIRTH,
            "name": {"id": "Penerbitan Akta Kelahiran"},
            "kind": "pencatatan",
            "applies_to": ["kabkota"],
            "mandatory_at": ["kabkota"],
        }
        types.create_type(session, raw, SYSTEM, base_uri="https://x", provenance={})
    publisher.org(PROVINCE, "provinsi", "75")
    publisher.org(CITY, "kabkota", "75.71", parent=PROVINCE)
    publisher.org(OFFICE, "kabkota", "75.71", parent=CITY)
    publisher.org("pemkab-boalemo", "kabkota", "75.02", parent=PROVINCE)
    publisher.org("pemprov-sulut", "provinsi", "71")
    return publisher


def _put(p, token, raw, org=CITY, type_id=BIRTH):
    return p.client.put(
        f"/api/v1/organizations/{org}/types/{type_id}", json=raw, headers=p.auth(token)
    )


def test_the_grid_of_a_type_over_http(setup):
    p = setup
    answer = p.publish(p.token(OFFICE), service_record(type=BIRTH))
    assert answer.status_code == 201, answer.get_json()
    grid = p.client.get(f"/api/v1/types/{BIRTH}/coverage?area=75&size=2").get_json()
    assert grid["counts"]["units"] == 6 and grid["counts"]["offered"] == 1
    assert grid["counts"]["gaps"] == 5 and grid["total"] == 6 and len(grid["items"]) == 2
    city = p.client.get(f"/api/v1/types/{BIRTH}/coverage?status=offered").get_json()["items"]
    assert [(i["area"], i["organization"]["id"]) for i in city] == [("75.71", CITY)]
    assert city[0]["instances"] == [answer.get_json()["id"]]


@pytest.mark.parametrize(
    ("url", "status", "path"),
    [
        (f"/api/v1/types/{BIRTH}/coverage?area=75.79", 422, "area"),
        (f"/api/v1/types/{BIRTH}/coverage?status=maybe", 422, "status"),
        ("/api/v1/types/akta-anjing/coverage", 404, None),
        ("/api/v1/coverage/types?level=kota", 422, "level[0]"),
        ("/api/v1/organizations/pemkot-nowhere/types", 404, None),
    ],
)
def test_bad_reads_are_problems(setup, url, status, path):
    response = setup.client.get(url)
    assert (response.status_code, response.content_type) == (status, PROBLEM)
    if path:
        assert response.get_json()["errors"][0]["path"] == path


def test_an_editor_declares_then_withdraws(setup):
    p = setup
    token = p.token(CITY)
    stored = _put(p, token, NOT_OURS)
    assert stored.status_code == 200, stored.get_json()
    assert stored.get_json()["reason"]["id"] == "dilayani kecamatan"
    mine = p.client.get(f"/api/v1/organizations/{OFFICE}/types").get_json()
    assert mine["items"][0]["status"] == "not-offered" and mine["gaps"] == []
    summary = p.client.get("/api/v1/coverage/types?level=kabkota&area=75").get_json()
    assert summary["totals"]["not-offered"] == 1 and summary["totals"]["gaps"] == 5
    url = f"/api/v1/organizations/{CITY}/types/{BIRTH}"
    assert p.client.delete(url, headers=p.auth(token)).status_code == 204
    assert p.client.delete(url, headers=p.auth(token)).status_code == 404
    assert p.client.get(f"/api/v1/organizations/{CITY}/types").get_json()["gaps"] == [BIRTH]


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"status": "not-offered"}, "reason"),
        ({"status": "covered", "covered_by": CITY}, "covered_by"),
        ({"status": "covered", "covered_by": "pemprov-gorontal"}, "covered_by"),
        ({"reason": {"id": "x"}}, "status"),
    ],
)
def test_bad_declarations_are_problems_naming_the_field(setup, raw, path):
    p = setup
    response = _put(p, p.token(CITY), raw)
    assert (response.status_code, response.content_type) == (422, PROBLEM)
    assert path in [e["path"] for e in response.get_json()["errors"]]
    assert p.client.get(f"/api/v1/organizations/{CITY}/types").get_json()["counts"]["unknown"] == 1


def test_a_type_offered_or_out_of_level_cannot_be_declared(setup):
    p = setup
    p.publish(p.token(OFFICE), service_record(type=BIRTH))
    offered = _put(p, p.token(CITY), NOT_OURS)
    assert offered.status_code == 422 and "offers" in offered.get_json()["detail"]
    wrong_level = _put(p, p.token(PROVINCE), NOT_OURS, org=PROVINCE)
    assert wrong_level.get_json()["errors"][0]["path"] == "type"
    unknown = _put(p, p.token(CITY), NOT_OURS, type_id="akta-anjing")
    assert (unknown.status_code, unknown.get_json()["errors"][0]["path"]) == (422, "type")


@pytest.mark.parametrize(
    ("org", "role", "expected"),
    [
        (PROVINCE, "coordinator", 200),  # coordinates 75, the city lies inside
        ("pemprov-sulut", "coordinator", 403),  # another province
        (PROVINCE, "editor", 403),
        ("pemkab-boalemo", "editor", 403),
    ],
)
def test_coordinators_of_the_area_may_declare(setup, org, role, expected):
    p = setup
    response = _put(p, p.token(org, role), NOT_OURS)
    assert response.status_code == expected, response.get_json()
    status = p.client.get(f"/api/v1/organizations/{CITY}/types").get_json()["items"][0]["status"]
    assert status == ("not-offered" if expected == 200 else "unknown")
