"""Review flags over HTTP: the flag and diff of a record, resolving it, the counts, and the
record's JSON and change feed showing the flag."""

from __future__ import annotations

from tests.conftest import service_record
from tests.registry.test_reviews import _cheaper, _retire
from tests.registry.test_types import ORG, _replace, _save, _type

PROBLEM = "application/problem+json"


def _flagged(publisher, **fields) -> tuple[str, str]:
    """A record of ORG linked to a type whose cost default then changed; its id and a token."""
    publisher.org(ORG)
    _save(publisher.registry, _type())
    token = publisher.token(ORG)
    record = service_record(authority=ORG, type="akta-kelahiran", **fields)
    response = publisher.publish(token, record)
    assert response.status_code == 201, response.get_json()
    _replace(publisher.registry, _cheaper())
    return response.get_json()["id"], token


def test_the_record_and_its_review_show_the_flag_and_the_diff(publisher, client):
    service_id, _ = _flagged(publisher, cost={"amount": 1000, "currency": "IDR"})
    record = client.get(f"/api/v1/services/{service_id}").get_json()
    assert record["review"]["status"] == "type-changed"
    assert record["review"]["type_version"] == 2
    body = client.get(f"/api/v1/services/{service_id}/review").get_json()
    assert body["pending"] is True and body["type_version"] == 2
    [section] = body["sections"]
    assert section["section"] == "defaults.cost" and section["record"] == "own"
    assert section["new"] == {"amount": 5000, "currency": "IDR"}


def test_adopt_over_http_makes_a_new_version_that_inherits(publisher, client):
    service_id, token = _flagged(publisher, cost={"amount": 1000, "currency": "IDR"})
    answer = client.post(
        f"/api/v1/services/{service_id}/review",
        json={"action": "adopt"},
        headers=publisher.auth(token),
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["pending"] is False
    record = client.get(f"/api/v1/services/{service_id}").get_json()
    assert record["version"] == 2 and record["cost"]["amount"] == 5000
    assert "cost" in record["inherited"] and record["review"]["status"] == "adopted"


def test_bad_resolutions_are_problems_naming_the_field(publisher, client):
    service_id, token = _flagged(publisher)
    url, auth = f"/api/v1/services/{service_id}/review", publisher.auth(token)
    unknown = client.post(url, json={"action": "ignore"}, headers=auth)
    assert (unknown.status_code, unknown.mimetype) == (422, PROBLEM)
    assert unknown.get_json()["errors"][0]["path"] == "action"
    assert client.post(url, json={"action": "confirm"}, headers=auth).status_code == 200
    again = client.post(url, json={"action": "confirm"}, headers=auth)
    assert again.status_code == 422 and "nothing to resolve" in again.get_json()["detail"]
    assert client.post(url, json={"action": "confirm"}).status_code == 401


def test_adopt_on_a_retired_type_without_successor_is_refused(publisher, client):
    service_id, token = _flagged(publisher)
    _retire(publisher.registry, "akta-kelahiran")
    answer = client.post(
        f"/api/v1/services/{service_id}/review",
        json={"action": "adopt"},
        headers=publisher.auth(token),
    )
    assert answer.status_code == 422 and answer.get_json()["errors"][0]["path"] == "action"
    review = client.get(f"/api/v1/services/{service_id}/review").get_json()
    assert review["review"]["status"] == "type-retired" and review["type_status"] == "retired"


def test_counts_and_the_change_feed(publisher, client):
    service_id, _ = _flagged(publisher)
    counts = client.get("/api/v1/reviews?area=75").get_json()
    assert counts["total"] == 1 and counts["by_area"] == [{"area": "75.71", "count": 1}]
    assert counts["by_organization"][0]["organization"] == ORG
    assert counts["items"][0]["id"] == service_id
    assert client.get("/api/v1/reviews?area=76").get_json()["total"] == 0
    bad = client.get("/api/v1/reviews?area=x")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "area"
    feed = client.get("/api/v1/changes").get_json()["items"]
    assert [i["action"] for i in feed] == ["created", "flagged"]
    assert feed[-1]["record"]["review"]["status"] == "type-changed"
