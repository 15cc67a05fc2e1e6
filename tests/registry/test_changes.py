"""The change feed: ordered, resumable, with tombstones, never skipping a late commit."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import service_record


@pytest.fixture
def owner(publisher):
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    return publisher.token("disdukcapil-kota-gorontalo")


def _all(client, since=None, limit=100):
    items, cursor = [], since
    while True:
        query = f"?limit={limit}" + (f"&since={cursor}" if cursor else "")
        page = client.get(f"/api/v1/changes{query}").get_json()
        items += page["items"]
        cursor = page["next"]
        if not page["more"]:
            return items, cursor


def test_feed_has_every_change_in_order_with_versions(client, publisher, owner):
    sid = publisher.publish(owner, service_record("satu")).get_json()["id"]
    publisher.publish(owner, service_record("dua"))
    client.put(
        f"/api/v1/services/{sid}",
        json=service_record("satu", processing_time="P9D"),
        headers=publisher.auth(owner),
    )
    client.delete(f"/api/v1/services/{sid}", headers=publisher.auth(owner))
    items, _ = _all(client, limit=1)
    assert [(i["action"], i["version"]) for i in items] == [
        ("created", 1),
        ("created", 1),
        ("updated", 2),
        ("deleted", 3),
    ]
    assert items[0]["record"]["processing_time"] == "P1D"  # version 1 as it was
    assert items[2]["record"]["processing_time"] == "P9D"
    assert items[3]["tombstone"]["deleted"] is True
    assert items[3]["tombstone"]["uri"].endswith(sid)


def test_feed_resumes_from_a_cursor(client, publisher, owner):
    publisher.publish(owner, service_record("satu"))
    _, cursor = _all(client)
    assert client.get(f"/api/v1/changes?since={cursor}").get_json()["items"] == []
    publisher.publish(owner, service_record("dua"))
    page = client.get(f"/api/v1/changes?since={cursor}").get_json()
    assert [i["record"]["identifier"] for i in page["items"]] == ["dua"]


@pytest.mark.parametrize("cursor", ["garbage", "YzE6LTE", "%%%", "eDox"])
def test_bad_cursors_are_refused(client, cursor):
    response = client.get(f"/api/v1/changes?since={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.get_json()["detail"]


def test_limit_is_bounded(client):
    for limit in (0, 5000):
        response = client.get(f"/api/v1/changes?limit={limit}")
        assert response.status_code == 422
        [error] = response.get_json()["errors"]
        assert error["path"] == "limit" and "less than or equal to 1000" in error["message"]


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_late_commit_is_never_skipped(client, publisher, owner, registry):
    """PostgreSQL numbers a change when it is written, not when it commits. A reader must not
    move its cursor past a change whose transaction is still open. (SQLite serializes writers.)"""
    assert registry.db.dialect == "postgresql"
    publisher.publish(owner, service_record("awal"))
    _, cursor = _all(client)
    slow = registry.db.engine.connect()
    slow_tx = slow.begin()
    slow.execute(
        text(
            "INSERT INTO changes (service_id, version, action, at) "
            "VALUES ('lambat', 1, 'created', now())"
        )
    )
    publisher.publish(owner, service_record("cepat"))  # later number, commits first
    page = client.get(f"/api/v1/changes?since={cursor}").get_json()
    assert page["items"] == []  # held back while the older transaction may still commit
    slow_tx.rollback()
    slow.close()
    page = client.get(f"/api/v1/changes?since={cursor}").get_json()
    assert [i["record"]["identifier"] for i in page["items"]] == ["cepat"]


def test_node_describes_itself(client, publisher, owner):
    publisher.publish(owner, service_record("satu"))
    body = client.get("/api/v1/node").get_json()
    assert body["id"] == "simpul-local"
    assert body["level"] == "pusat"
    assert body["area"] == {"code": "00", "name": "Indonesia"}
    assert body["records"] == {"services": 1, "tombstones": 0, "organizations": 1}
    latest = client.get(f"/api/v1/changes?since={body['changes']['latest']}").get_json()
    assert latest["items"] == []  # the cursor is the newest change


def test_an_organization_change_is_a_change_of_each_of_its_services(client, publisher, owner):
    org = "disdukcapil-kota-gorontalo"
    for n in range(3):
        publisher.publish(owner, service_record(f"layanan-{n}"))
    admin = publisher.token(org, "admin")
    _, before = _all(client)
    body = client.get(f"/api/v1/organizations/{org}").get_json()
    renamed = {k: body[k] for k in ("level", "area")} | {"name": {"id": "Dinas Baru"}}
    response = client.put(
        f"/api/v1/organizations/{org}", json=renamed, headers=publisher.auth(admin)
    )
    assert response.status_code == 200, response.get_json()
    items, _ = _all(client, since=before)
    assert [i["action"] for i in items] == ["updated"] * 3
    assert {i["record"]["identifier"] for i in items} == {"layanan-0", "layanan-1", "layanan-2"}
    assert all(i["version"] == 1 for i in items)  # the records themselves did not change


def test_the_feed_as_linked_data(client, publisher, owner):
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    first = publisher.publish(owner, service_record("satu")).get_json()
    publisher.publish(owner, service_record("dua"))
    client.delete(f"/api/v1/services/{first['id']}", headers=publisher.auth(owner))
    response = client.get("/api/v1/changes?limit=2", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    activity = "https://www.w3.org/ns/activitystreams#"
    creates = list(graph.subjects(RDF.type, URIRef(activity + "Create")))
    assert len(creates) == 2
    nxt = next(graph.objects(None, URIRef("http://www.w3.org/ns/hydra/core#next")), None)
    assert nxt is not None and "since=" in str(nxt)
    rest = client.get(
        str(nxt).replace("http://simpul.test", ""), headers={"Accept": "text/turtle"}
    ).get_data(as_text=True)
    rest_graph = Graph().parse(data=rest, format="turtle")
    [deleted] = rest_graph.subjects(RDF.type, URIRef(activity + "Delete"))
    assert str(rest_graph.value(deleted, URIRef(activity + "object"))) == first["uri"]
