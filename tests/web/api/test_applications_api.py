"""/api/v1/applications as a client uses it: publish, read with ETags, replace with If-Match,
delete to a tombstone, history, filters, and the applications of a service."""

from __future__ import annotations

from tests.conftest import application_record

ORG = "disdukcapil-kota-gorontalo"
OTHER = "dinkes-kota-gorontalo"


def _setup(publisher):
    service = publisher.publish_one(ORG)
    token = publisher.token(ORG)
    return service, token


def _post(publisher, token, record):
    return publisher.client.post("/api/v1/applications", json=record, headers=publisher.auth(token))


def test_publish_read_replace_delete(publisher, client):
    service, token = _setup(publisher)
    created = _post(publisher, token, application_record(services=[service["identifier"]]))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["organization"] == ORG and body["services"] == [service["id"]]
    location, tag = created.headers["Location"], created.headers["ETag"]

    read = client.get(location)
    assert read.status_code == 200 and read.headers["ETag"] == tag
    assert client.get(location, headers={"If-None-Match": tag}).status_code == 304

    stale = client.put(
        location, json=application_record(), headers=publisher.auth(token, **{"If-Match": '"0-x"'})
    )
    assert stale.status_code == 412
    changed = client.put(
        location,
        json={**body, "lifecycle": "dihentikan"},  # sent back as read, server fields and all
        headers=publisher.auth(token, **{"If-Match": tag}),
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["version"] == 2

    history = client.get(f"{location}/versions").get_json()
    assert [v["action"] for v in history["items"]] == ["created", "updated"]
    first = client.get(f"{location}/versions/1").get_json()
    assert first["data"]["lifecycle"] == "digunakan"

    gone = client.delete(location, headers=publisher.auth(token))
    assert gone.status_code == 200 and gone.get_json()["deleted"] is True
    after = client.get(location)
    assert after.status_code == 410
    assert after.get_json()["tombstone"]["organization"] == ORG


def test_another_organizations_service_is_a_problem_and_nothing_is_stored(publisher, client):
    service, _ = _setup(publisher)
    publisher.org(OTHER)
    response = _post(
        publisher, publisher.token(OTHER), application_record(services=[service["id"]])
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    paths = [e["path"] for e in response.get_json()["errors"]]
    assert paths == ["services[0]"]
    assert client.get("/api/v1/applications").get_json()["total"] == 0


def test_writing_for_another_organization_is_forbidden(publisher):
    _, token = _setup(publisher)
    publisher.org(OTHER)
    response = _post(publisher, token, application_record(organization=OTHER))
    assert response.status_code == 403


def test_filters_and_the_applications_of_a_service(publisher, client):
    service, token = _setup(publisher)
    _post(publisher, token, application_record("web", services=[service["id"]]))
    _post(publisher, token, application_record("seluler", kind="mobile", splp={"status": "belum"}))
    listing = client.get("/api/v1/applications?kind=mobile").get_json()
    assert [a["identifier"] for a in listing["items"]] == ["seluler"]
    assert client.get(f"/api/v1/applications?service={service['id']}").get_json()["total"] == 1
    assert client.get("/api/v1/applications?splp_status=terhubung").get_json()["total"] == 0
    assert client.get(f"/api/v1/applications?organization={ORG}").get_json()["total"] == 2
    assert client.get("/api/v1/applications?kind=website").status_code == 422

    of_service = client.get(f"/api/v1/services/{service['id']}/applications").get_json()
    assert [a["identifier"] for a in of_service["items"]] == ["web"]
    assert client.get("/api/v1/services/nope/applications").status_code == 404


def test_a_duplicate_identifier_conflicts(publisher):
    _, token = _setup(publisher)
    assert _post(publisher, token, application_record()).status_code == 201
    again = _post(publisher, token, application_record())
    assert again.status_code == 409
