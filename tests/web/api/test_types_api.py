"""The service types API (/api/v1/types) and a record's type suggestions, confirm and reject,
over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from simpul.registry import types
from simpul.registry.auth import SYSTEM
from tests.conftest import service_record

ORG = "disdukcapil-kota-gorontalo"
PROBLEM = "application/problem+json"


def birth(type_id: str = "akta-lahir-uji", **fields) -> dict:
    return {
        "id": type_id,
        "name": {"id": "Penerbitan Akta Kelahiran", "en": "Birth certificate"},
        "alt_names": {"id": ["Akte Lahir", "Pembuatan Akta Kelahiran"]},
        "kind": "pencatatan",
        "sectors": ["kependudukan"],
        "life_events": ["kelahiran"],
        "applies_to": ["kabkota"],
        "mandatory_at": ["kabkota"],
        "legal_basis": [{"title": "UU 24/2013", "identifier": "UU 24/2013"}],
        "defaults": {"cost": {"amount": 0, "currency": "IDR"}, "processing_time": "P1D"},
        **fields,
    }


@pytest.fixture
def tokens(publisher):
    publisher.org("kemenpan-rb", "pusat")
    publisher.org("pemprov-gorontalo", "provinsi", "75")
    publisher.org(ORG, "kabkota", "75.71", parent="pemprov-gorontalo")
    return {
        "admin": publisher.auth(publisher.token("kemenpan-rb", "admin")),
        "coordinator": publisher.auth(publisher.token("kemenpan-rb", "coordinator")),
        "provincial": publisher.auth(publisher.token("pemprov-gorontalo", "coordinator")),
        "editor": publisher.auth(publisher.token(ORG)),
    }


def _create(client, headers, raw=None):
    return client.post("/api/v1/types", json=raw or birth(), headers=headers)


def _national(registry):
    with registry.db.transaction() as session:
        types.load_types(
            session, types.national_list(), SYSTEM, base_uri=registry.base_uri, provenance={}
        )


def test_create_read_and_list_with_etags_and_instance_counts(client, tokens, publisher):
    created = _create(client, tokens["coordinator"])
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"] == "/api/v1/types/akta-lahir-uji"
    body = created.get_json()
    assert body["uri"] == "http://simpul.test/types/akta-lahir-uji"
    assert (body["version"], body["status"], body["instances"]) == (1, "active", 0)
    record = service_record("akta", type="akta-lahir-uji")
    assert client.post("/api/v1/services", json=record, headers=tokens["editor"]).status_code == 201
    read = client.get("/api/v1/types/akta-lahir-uji")
    assert read.status_code == 200 and read.headers["ETag"] == created.headers["ETag"]
    assert read.get_json()["instances"] == 1
    again = client.get(
        "/api/v1/types/akta-lahir-uji", headers={"If-None-Match": read.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    listed = client.get("/api/v1/types?q=akte+lahir&kind=pencatatan&level=kabkota").get_json()
    assert listed["total"] == 1 and listed["items"][0]["instances"] == 1
    assert client.get("/api/v1/types?q=kartu").get_json()["total"] == 0
    assert client.get("/api/v1/types?level=desa").get_json()["total"] == 0
    assert client.get("/api/v1/types?sector=kesehatan").get_json()["total"] == 0


def test_only_an_administrator_or_a_national_coordinator_writes_types(client, tokens):
    for who in ("editor", "provincial"):
        refused = _create(client, tokens[who])
        assert refused.status_code == 403 and refused.mimetype == PROBLEM
    assert _create(client, {}).status_code == 401
    assert client.get("/api/v1/types").get_json()["total"] == 0
    assert _create(client, tokens["admin"]).status_code == 201


def test_bad_input_is_a_problem_naming_the_field_and_stores_nothing(client, tokens):
    bad = _create(client, tokens["admin"], birth(kind="sewa"))
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    assert [e["path"] for e in bad.get_json()["errors"]] == ["kind"]
    itself = _create(client, tokens["admin"], birth(superseded_by="akta-lahir-uji"))
    assert itself.status_code == 422
    assert itself.get_json()["errors"][0]["path"] == "superseded_by"
    assert client.get("/api/v1/types?status=all").get_json()["total"] == 0
    missing = client.get("/api/v1/types/tidak-ada")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    assert _create(client, tokens["admin"]).status_code == 201
    twice = _create(client, tokens["admin"])
    assert twice.status_code == 409 and twice.mimetype == PROBLEM


def test_replace_needs_the_current_etag_and_versions_show_the_section_diff(client, tokens):
    etag = _create(client, tokens["admin"]).headers["ETag"]
    changed = birth(
        defaults={"cost": {"amount": 10000, "currency": "IDR"}, "processing_time": "P1D"}
    )
    stale = client.put(
        "/api/v1/types/akta-lahir-uji",
        json=changed,
        headers={**tokens["admin"], "If-Match": '"t9-000000000000"'},
    )
    assert stale.status_code == 412 and stale.mimetype == PROBLEM
    assert stale.get_json()["current_etag"] == etag
    done = client.put(
        "/api/v1/types/akta-lahir-uji", json=changed, headers={**tokens["admin"], "If-Match": etag}
    )
    assert done.status_code == 200 and done.get_json()["version"] == 2
    assert done.get_json()["functional_version"] == 2
    renamed = {**changed, "name": {"id": "Akta Kelahiran", "en": "Birth certificate"}}
    third = client.put("/api/v1/types/akta-lahir-uji", json=renamed, headers=tokens["admin"])
    assert third.get_json()["functional_version"] == 2  # a name is not functional
    history = client.get("/api/v1/types/akta-lahir-uji/versions").get_json()
    assert [(v["version"], v["functional"]) for v in history["items"]] == [
        (1, True),
        (2, True),
        (3, False),
    ]
    second = client.get("/api/v1/types/akta-lahir-uji/versions/2").get_json()
    assert second["data"]["defaults"]["cost"]["amount"] == 10000
    assert second["diff"] == [
        {
            "section": "defaults.cost",
            "functional": True,
            "old": {"amount": 0, "currency": "IDR"},
            "new": {"amount": 10000, "currency": "IDR"},
        }
    ]
    name_diff = client.get("/api/v1/types/akta-lahir-uji/versions/3").get_json()["diff"]
    assert [(d["section"], d["functional"]) for d in name_diff] == [("name", False)]
    assert client.get("/api/v1/types/akta-lahir-uji/versions/9").status_code == 404


def test_a_type_with_instances_is_retired_not_deleted(client, tokens, publisher):
    _create(client, tokens["admin"])
    _create(client, tokens["admin"], birth("akta-kelahiran-baru"))
    record = service_record("akta", type="akta-lahir-uji")
    assert client.post("/api/v1/services", json=record, headers=tokens["editor"]).status_code == 201
    refused = client.delete("/api/v1/types/akta-lahir-uji", headers=tokens["admin"])
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert "1 linked record" in refused.get_json()["detail"]
    assert "retire it instead" in refused.get_json()["detail"]
    assert refused.get_json()["instances"] == 1
    itself = client.post(
        "/api/v1/types/akta-lahir-uji/retire",
        json={"superseded_by": "akta-lahir-uji"},
        headers=tokens["admin"],
    )
    assert itself.status_code == 422 and itself.get_json()["errors"][0]["path"] == "superseded_by"
    unknown = client.post(
        "/api/v1/types/akta-lahir-uji/retire",
        json={"superseded_by": "tidak-ada"},
        headers=tokens["admin"],
    )
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["path"] == "superseded_by"
    retired = client.post(
        "/api/v1/types/akta-lahir-uji/retire",
        json={"superseded_by": "akta-kelahiran-baru"},
        headers=tokens["admin"],
    )
    assert retired.status_code == 200 and retired.get_json()["status"] == "retired"
    gone = client.get("/api/v1/types/akta-lahir-uji")
    assert gone.status_code == 410 and gone.mimetype == PROBLEM
    problem = gone.get_json()
    assert problem["superseded_by"] == "akta-kelahiran-baru"
    assert problem["type"].startswith("https://simpul.go.id/problems/")
    assert problem["tombstone"]["status"] == "retired" and problem["tombstone"]["version"] == 2
    assert client.get("/api/v1/types?status=retired").get_json()["total"] == 1
    assert client.get("/api/v1/types/akta-lahir-uji/versions/2").status_code == 200


def test_a_type_without_instances_is_deleted_then_gone(client, tokens):
    _create(client, tokens["admin"])
    deleted = client.delete("/api/v1/types/akta-lahir-uji", headers=tokens["coordinator"])
    assert deleted.status_code == 200 and deleted.get_json()["status"] == "retired"
    assert client.get("/api/v1/types/akta-lahir-uji").status_code == 410
    assert client.delete("/api/v1/types/tidak-ada", headers=tokens["admin"]).status_code == 404


def test_suggestions_then_confirm_and_reject(client, tokens, publisher, registry):
    _national(registry)
    record = service_record("akta-online", name={"id": "Pembuatan Akta Kelahiran Online"})
    record.pop("sectors")
    made = client.post("/api/v1/services", json=record, headers=tokens["editor"]).get_json()
    url = f"/api/v1/services/{made['id']}"
    suggested = client.get(f"{url}/type-suggestions").get_json()
    assert suggested["items"][0]["type"] == "akta-kelahiran"
    assert suggested["items"][0]["score"] > 0.5 and suggested["items"][0]["reasons"]
    assert suggested["current"]["method"] == "automatic"
    other = publisher.auth(publisher.token(publisher.org("dinkes-kota-gorontalo")))
    refused = client.post(f"{url}/type", json={"confirm": "akta-kelahiran"}, headers=other)
    assert refused.status_code == 403
    unknown = client.post(f"{url}/type", json={"confirm": "tidak-ada"}, headers=tokens["editor"])
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["path"] == "confirm"
    both = client.post(
        f"{url}/type", json={"confirm": "ktp-el", "reject": "ktp-el"}, headers=tokens["editor"]
    )
    assert both.status_code == 422
    confirmed = client.post(
        f"{url}/type", json={"confirm": "akta-kelahiran"}, headers=tokens["editor"]
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    body = confirmed.get_json()
    assert (body["type"], body["type_link"]["method"], body["version"]) == (
        "akta-kelahiran",
        "manual",
        2,
    )
    rejected = client.post(
        f"{url}/type", json={"reject": "akta-kelahiran"}, headers=tokens["editor"]
    )
    body = rejected.get_json()
    assert rejected.status_code == 200 and body["version"] == 3
    assert "type" not in body and body["type_rejected"] == ["akta-kelahiran"]
    after = client.get(f"{url}/type-suggestions").get_json()
    assert after["current"] is None
    assert next(i for i in after["items"] if i["type"] == "akta-kelahiran")["rejected"] is True
