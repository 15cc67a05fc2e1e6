"""``GET /api/v1/organizations/{id}/checklist`` and ``GET /api/v1/checklists?area=``."""

from __future__ import annotations

from tests.conftest import service_record

OFFICE = "disdukcapil-kota-gorontalo"


def test_an_organizations_checklist(publisher, client):
    publisher.publish_one(OFFICE)
    token = publisher.token(OFFICE)
    record = service_record("tanpa-kanal", name={"id": "Izin Reklame"}, channels=[])
    assert publisher.publish(token, record).status_code == 201
    body = client.get(f"/api/v1/organizations/{OFFICE}/checklist").get_json()
    assert body["counts"]["services"] == 2
    assert body["counts"]["no-channels"] == 1 and body["counts"]["no-english"] == 1
    assert [i["identifier"] for i in body["items"]["no-channels"]] == ["tanpa-kanal"]
    one = client.get(f"/api/v1/organizations/{OFFICE}/checklist?task=no-english").get_json()
    assert list(one["items"]) == ["no-english"]


def test_counts_per_organization_and_child_area(publisher, client):
    publisher.publish_one(OFFICE, channels=[])
    body = client.get("/api/v1/checklists?area=75").get_json()
    assert body["area"] == "75" and body["totals"]["no-channels"] == 1
    assert body["by_organization"][0]["organization"] == OFFICE
    assert body["by_area"] == [{"area": "75.71", "counts": body["totals"]}]


def test_bad_arguments_are_problems_naming_the_field(publisher, client):
    publisher.org(OFFICE)
    response = client.get(f"/api/v1/organizations/{OFFICE}/checklist?task=tidy")
    assert response.status_code == 422 and "task" in response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    response = client.get("/api/v1/checklists?area=99.99")
    assert response.status_code == 422 and "area" in response.get_data(as_text=True)
    assert client.get("/api/v1/organizations/nobody/checklist").status_code == 404
