"""Tokens and permissions: every cross-organization write is refused."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from simpul.registry.models import ApiToken, Service
from tests.conftest import service_record


@pytest.fixture
def world(publisher):
    """Two regency offices, a village, and tokens of every kind."""
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    publisher.org("dinkes-kab-boalemo", "kabkota", "75.02")
    publisher.org("kemenkes", "pusat")
    tokens = {
        "owner": publisher.token("disdukcapil-kota-gorontalo"),
        "other": publisher.token("dinkes-kab-boalemo"),
        "other_admin_org": publisher.token("kemenkes"),
        "admin": publisher.token("kemenkes", "admin"),
    }
    created = publisher.publish(tokens["owner"], service_record())
    assert created.status_code == 201
    return {"tokens": tokens, "id": created.get_json()["id"], "etag": created.headers["ETag"]}


def _attempt(publisher, client, method, world, token):
    sid = world["id"]
    headers = publisher.auth(token)
    if method == "post":
        record = service_record("baru", authority="disdukcapil-kota-gorontalo")
        return client.post("/api/v1/services", json=record, headers=headers)
    if method == "put":
        return client.put(
            f"/api/v1/services/{sid}", json=service_record(processing_time="P9D"), headers=headers
        )
    return client.delete(f"/api/v1/services/{sid}", headers=headers)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.parametrize("who", ["other", "other_admin_org"])
def test_cross_organization_writes_are_refused(publisher, client, registry, world, method, who):
    response = _attempt(publisher, client, method, world, world["tokens"][who])
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    record = client.get(f"/api/v1/services/{world['id']}").get_json()
    assert record["version"] == 1
    with registry.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Service)) == 1


@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer spl_nope_nope",
        "Bearer abc",
        "Token spl_x_y",
    ],
)
def test_missing_or_wrong_tokens_are_401(publisher, client, registry, world, method, token):
    sid = world["id"]
    headers = {"Authorization": token} if token is not None else {}
    call = {
        "post": lambda: client.post("/api/v1/services", json=service_record("b"), headers=headers),
        "put": lambda: client.put(
            f"/api/v1/services/{sid}", json=service_record(), headers=headers
        ),
        "delete": lambda: client.delete(f"/api/v1/services/{sid}", headers=headers),
    }[method]
    response = call()
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert _live(registry) == {"akta-kelahiran": ("disdukcapil-kota-gorontalo", 1, False)}


def _live(registry) -> dict[str, tuple[str, int, bool]]:
    """What is stored: identifier -> (authority, version, deleted)."""
    with registry.db.session() as session:
        return {
            row.identifier: (row.authority, row.version, row.deleted_at is not None)
            for row in session.scalars(select(Service))
        }


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_owner_and_admin_create_replace_and_delete(publisher, client, registry, world, who):
    token = world["tokens"][who]
    token_id = token.split("_")[1]
    created = _attempt(publisher, client, "post", world, token)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["authority"] == "disdukcapil-kota-gorontalo"
    new_id = created.get_json()["id"]
    replaced = _attempt(publisher, client, "put", world, token)
    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json()["version"] == 2
    assert client.get(f"/api/v1/services/{world['id']}").get_json()["processing_time"] == "P9D"
    deleted = _attempt(publisher, client, "delete", world, token)
    assert deleted.status_code == 200 and deleted.get_json()["deleted"] is True
    assert client.get(f"/api/v1/services/{world['id']}").status_code == 410
    assert client.get(f"/api/v1/services/{new_id}").status_code == 200
    assert _live(registry) == {
        "akta-kelahiran": ("disdukcapil-kota-gorontalo", 3, True),
        "baru": ("disdukcapil-kota-gorontalo", 1, False),
    }
    versions = client.get(f"/api/v1/services/{world['id']}/versions").get_json()["items"]
    assert [v["action"] for v in versions] == ["created", "updated", "deleted"]
    # the history names who did it: the owner's or the administrator's token
    for number in (2, 3):
        version = client.get(f"/api/v1/services/{world['id']}/versions/{number}").get_json()
        assert version["actor"] == f"token:{token_id}"


def test_admin_publishing_an_existing_identifier_conflicts_and_stores_nothing(
    publisher, client, registry, world
):
    record = service_record(processing_time="P9D", authority="disdukcapil-kota-gorontalo")
    response = publisher.publish(world["tokens"]["admin"], record)
    assert response.status_code == 409
    assert response.get_json()["existing"] == world["id"]
    assert _live(registry) == {"akta-kelahiran": ("disdukcapil-kota-gorontalo", 1, False)}
    assert client.get(f"/api/v1/services/{world['id']}").get_json()["processing_time"] == "P1D"


def test_editor_cannot_publish_for_another_authority(publisher, registry, world):
    record = service_record("lain", authority="dinkes-kab-boalemo", areas=["75.02"])
    response = publisher.publish(world["tokens"]["owner"], record)
    assert response.status_code == 403
    assert "cannot write records of 'dinkes-kab-boalemo'" in response.get_json()["detail"]
    assert _live(registry) == {"akta-kelahiran": ("disdukcapil-kota-gorontalo", 1, False)}


def test_revoked_token_is_refused(publisher, client, world):
    token = world["tokens"]["owner"]
    token_id = token.split("_")[1]
    revoked = client.delete(
        f"/api/v1/tokens/{token_id}", headers=publisher.auth(world["tokens"]["admin"])
    )
    assert revoked.status_code == 200
    assert revoked.get_json()["revoked"]
    response = publisher.publish(token, service_record("setelah-dicabut"))
    assert response.status_code == 401
    assert "revoked" in response.get_json()["detail"]


def test_tokens_are_stored_hashed(registry, world):
    token = world["tokens"]["owner"]
    _, token_id, secret = token.split("_", 2)
    with registry.db.session() as session:
        row = session.get(ApiToken, token_id)
        stored = [str(v) for v in (row.id, row.secret_hash, row.label, row.role)]
    assert all(secret not in value for value in stored)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_only_admins_manage_organizations_and_tokens(publisher, client, world):
    org = {
        "id": "dinsos-kab-boalemo",
        "name": {"id": "Dinas Sosial Kabupaten Boalemo"},
        "level": "kabkota",
        "area": "75.02",
    }
    editor = publisher.auth(world["tokens"]["owner"])
    admin = publisher.auth(world["tokens"]["admin"])
    assert client.post("/api/v1/organizations", json=org, headers=editor).status_code == 403
    assert client.post("/api/v1/organizations", json=org, headers=admin).status_code == 201
    assert (
        client.post(
            "/api/v1/organizations/dinsos-kab-boalemo/tokens", json={}, headers=editor
        ).status_code
        == 403
    )
    created = client.post(
        "/api/v1/organizations/dinsos-kab-boalemo/tokens", json={"label": "portal"}, headers=admin
    )
    assert created.status_code == 201
    token = created.get_json()["token"]
    listed = client.get("/api/v1/organizations/dinsos-kab-boalemo/tokens", headers=admin).get_json()
    assert listed["items"][0]["label"] == "portal"
    assert "token" not in listed["items"][0]
    # The new token writes for its own organization at once.
    record = service_record("bantuan", sectors=["sosial"], areas=["75.02"])
    assert publisher.publish(token, record).status_code == 201


def test_editor_can_revoke_own_but_not_others_tokens(publisher, client, registry, world):
    other_id = world["tokens"]["other"].split("_")[1]
    response = client.delete(
        f"/api/v1/tokens/{other_id}", headers=publisher.auth(world["tokens"]["owner"])
    )
    assert response.status_code == 403
    own_id = world["tokens"]["owner"].split("_")[1]
    response = client.delete(
        f"/api/v1/tokens/{own_id}", headers=publisher.auth(world["tokens"]["owner"])
    )
    assert response.status_code == 200
    with registry.db.session() as session:
        assert session.get(ApiToken, other_id).revoked_at is None
        assert session.get(ApiToken, own_id).revoked_at is not None
    # the other organization's token still writes; the revoked one no longer does
    other = service_record("sehat", sectors=["kesehatan"], areas=["75.02"])
    assert publisher.publish(world["tokens"]["other"], other).status_code == 201
    assert publisher.publish(world["tokens"]["owner"], service_record("x")).status_code == 401
