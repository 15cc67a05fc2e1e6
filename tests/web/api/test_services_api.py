"""Publishing and reading service records over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from simpul.registry.models import Change, Service, ServiceVersion
from tests.conftest import service_record


@pytest.fixture
def dukcapil(publisher):
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    return publisher.token("disdukcapil-kota-gorontalo")


def _count(registry, model) -> int:
    with registry.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_publish_returns_record_with_server_fields(publisher, dukcapil, client):
    response = publisher.publish(dukcapil, service_record())
    assert response.status_code == 201
    body = response.get_json()
    for key in (
        "id",
        "uri",
        "identifier",
        "authority",
        "level",
        "version",
        "modified",
        "provenance",
    ):
        assert key in body
    assert body["authority"] == "disdukcapil-kota-gorontalo"  # from the token
    assert body["level"] == "kabkota"  # from the authority
    assert body["version"] == 1
    assert body["uri"] == f"http://simpul.test/services/{body['id']}"
    assert body["provenance"]["method"] == "api"
    assert body["management"]["staff_count"] == 4
    assert response.headers["Location"] == f"/api/v1/services/{body['id']}"
    fetched = client.get(f"/api/v1/services/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json() == body
    assert fetched.headers["ETag"] == response.headers["ETag"]


def test_every_published_field_round_trips(publisher, dukcapil, client):
    record = service_record()
    body = publisher.publish(dukcapil, record).get_json()
    for key, value in record.items():
        assert body[key] == value, key


def test_areas_default_to_the_authority_jurisdiction(publisher, dukcapil):
    record = service_record()
    del record["areas"]
    assert publisher.publish(dukcapil, record).get_json()["areas"] == ["75.71"]


def test_list_reads_the_database_at_once(publisher, dukcapil, client):
    for n in range(3):
        publisher.publish(dukcapil, service_record(f"layanan-{n}"))
    body = client.get("/api/v1/services?size=2").get_json()
    assert body["total"] == 3
    assert len(body["items"]) == 2
    page2 = client.get("/api/v1/services?size=2&page=2")
    assert len(page2.get_json()["items"]) == 1
    assert 'rel="prev"' in page2.headers["Link"]
    filtered = client.get("/api/v1/services?authority=nobody").get_json()
    assert filtered["total"] == 0
    one = client.get("/api/v1/services?identifier=layanan-1").get_json()
    assert [i["identifier"] for i in one["items"]] == ["layanan-1"]


def test_unknown_list_parameters_are_rejected(client):
    response = client.get("/api/v1/services?sektor=kesehatan")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "sektor"


def test_duplicate_identifier_conflicts_and_stores_nothing(publisher, dukcapil, registry):
    first = publisher.publish(dukcapil, service_record())
    again = publisher.publish(dukcapil, service_record(name={"id": "Lain"}))
    assert again.status_code == 409
    assert again.get_json()["existing"] == first.get_json()["id"]
    assert _count(registry, Service) == 1
    assert _count(registry, ServiceVersion) == 1


def test_update_with_etag_and_stale_etag_refused(publisher, dukcapil, client):
    created = publisher.publish(dukcapil, service_record())
    sid, tag = created.get_json()["id"], created.headers["ETag"]
    changed = service_record(processing_time="P2D")
    ok = client.put(
        f"/api/v1/services/{sid}",
        json=changed,
        headers=publisher.auth(dukcapil, **{"If-Match": tag}),
    )
    assert ok.status_code == 200
    assert ok.get_json()["version"] == 2
    assert ok.get_json()["processing_time"] == "P2D"
    stale = client.put(
        f"/api/v1/services/{sid}",
        json=service_record(processing_time="P3D"),
        headers=publisher.auth(dukcapil, **{"If-Match": tag}),
    )
    assert stale.status_code == 412
    assert stale.get_json()["current_etag"] == ok.headers["ETag"]
    assert client.get(f"/api/v1/services/{sid}").get_json()["processing_time"] == "P2D"


def test_unchanged_put_makes_no_new_version(publisher, dukcapil, client, registry):
    sid = publisher.publish(dukcapil, service_record()).get_json()["id"]
    same = client.put(
        f"/api/v1/services/{sid}", json=service_record(), headers=publisher.auth(dukcapil)
    )
    assert same.status_code == 200
    assert same.get_json()["version"] == 1
    assert _count(registry, Change) == 1


def test_put_may_echo_server_fields(publisher, dukcapil, client):
    body = publisher.publish(dukcapil, service_record()).get_json()
    body["processing_time"] = "PT4H"
    response = client.put(
        f"/api/v1/services/{body['id']}", json=body, headers=publisher.auth(dukcapil)
    )
    assert response.status_code == 200
    assert response.get_json()["processing_time"] == "PT4H"
    stored = client.get(f"/api/v1/services/{body['id']}").get_json()
    assert stored["processing_time"] == "PT4H" and stored["version"] == 2
    assert stored["uri"] == body["uri"]  # the echoed server fields changed nothing


def test_conditional_get(publisher, dukcapil, client):
    created = publisher.publish(dukcapil, service_record())
    sid, tag = created.get_json()["id"], created.headers["ETag"]
    same = client.get(f"/api/v1/services/{sid}", headers={"If-None-Match": tag})
    assert same.status_code == 304 and same.data == b""
    assert same.headers["ETag"] == tag
    client.put(
        f"/api/v1/services/{sid}",
        json=service_record(processing_time="P2D"),
        headers=publisher.auth(dukcapil),
    )
    changed = client.get(f"/api/v1/services/{sid}", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.get_json()["processing_time"] == "P2D"


def test_delete_leaves_tombstone_and_history(publisher, dukcapil, client):
    sid = publisher.publish(dukcapil, service_record()).get_json()["id"]
    deleted = client.delete(f"/api/v1/services/{sid}", headers=publisher.auth(dukcapil))
    assert deleted.status_code == 200
    assert deleted.get_json()["deleted"] is True
    gone = client.get(f"/api/v1/services/{sid}")
    assert gone.status_code == 410
    assert gone.content_type == "application/problem+json"
    assert gone.get_json()["tombstone"]["version"] == 2
    assert client.get("/api/v1/services").get_json()["total"] == 0
    history = client.get(f"/api/v1/services/{sid}/versions").get_json()
    assert [v["action"] for v in history["items"]] == ["created", "deleted"]
    assert (
        client.put(
            f"/api/v1/services/{sid}", json=service_record(), headers=publisher.auth(dukcapil)
        ).status_code
        == 410
    )


def test_republished_record_keeps_its_id(publisher, dukcapil, client):
    sid = publisher.publish(dukcapil, service_record()).get_json()["id"]
    client.delete(f"/api/v1/services/{sid}", headers=publisher.auth(dukcapil))
    back = publisher.publish(dukcapil, service_record())
    assert back.status_code == 201
    assert back.get_json()["id"] == sid
    assert back.get_json()["version"] == 3
    actions = [
        v["action"] for v in client.get(f"/api/v1/services/{sid}/versions").get_json()["items"]
    ]
    assert actions == ["created", "deleted", "restored"]


def test_version_content_is_kept(publisher, dukcapil, client):
    sid = publisher.publish(dukcapil, service_record()).get_json()["id"]
    client.put(
        f"/api/v1/services/{sid}",
        json=service_record(processing_time="P5D"),
        headers=publisher.auth(dukcapil),
    )
    v1 = client.get(f"/api/v1/services/{sid}/versions/1").get_json()
    assert v1["data"]["processing_time"] == "P1D"
    assert v1["actor"].startswith("token:")
    missing = client.get(f"/api/v1/services/{sid}/versions/9")
    assert missing.status_code == 404
    assert "has no version 9" in missing.get_json()["detail"]


# -- records as they exist ------------------------------------------------------------------------
def test_channels_without_their_address_are_kept_and_named_in_quality(publisher, dukcapil, client):
    channels = [
        {"type": "online", "name": {"id": "Aplikasi Mobile JKN"}},
        {"type": "telepon", "name": {"id": "Layanan pengaduan"}},
        {"type": "loket", "address": "Jl. Nani Wartabone"},
    ]
    response = publisher.publish(dukcapil, service_record(channels=channels))
    assert response.status_code == 201, response.get_json()
    body = client.get(f"/api/v1/services/{response.get_json()['id']}").get_json()
    assert body["channels"] == channels
    assert body["quality"]["gaps"] == [
        {
            "code": "channel-without-address",
            "field": "channels[0].url",
            "message": "channel 1 (Aplikasi Mobile JKN, online) has no url",
        },
        {
            "code": "channel-without-address",
            "field": "channels[1].phone",
            "message": "channel 2 (Layanan pengaduan, telepon) has no phone",
        },
    ]


def test_a_long_name_in_another_language_only_is_kept_whole(publisher, dukcapil, client):
    name = {"nb": "Søknad om tillatelse til tiltak etter plan- og bygningsloven " * 10}
    response = publisher.publish(dukcapil, service_record(name=name))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == {"nb": name["nb"].strip()}
    assert [g["code"] for g in body["quality"]["gaps"]] == ["no-indonesian-name", "name-long"]
    listed = client.get("/api/v1/services?identifier=akta-kelahiran").get_json()["items"]
    assert listed[0]["quality"]["gaps"] == body["quality"]["gaps"]


# -- bad input ------------------------------------------------------------------------------------
BAD_RECORDS = [
    ({"name": {"id": "Tanpa identifier"}}, "identifier", "Missing data"),
    (service_record(processing_time="3 hari"), "processing_time", "ISO 8601"),
    (service_record(processing_time="PT"), "processing_time", "ISO 8601"),
    (service_record(areas=["75.79"]), "areas[0]", "did you mean '75.71'"),
    (service_record(areas=["7571"]), "areas[0]", "did you mean '75.71'"),
    (service_record(areas=["76"]), "areas[0]", "outside the area"),
    (service_record(sectors=["kesehatn"]), "sectors[0]", "did you mean 'kesehatan'"),
    (
        service_record(channels=[{"type": "website", "url": "https://a.id"}]),
        "channels[0].type",
        "unknown channel type",
    ),
    (service_record(channels=[{"type": "loket", "splp": True}]), "channels[0].splp", "SPLP"),
    (service_record(name="Akta"), "name", "language map"),
    (service_record(name={}), "name", "at least one language"),
    (service_record(name={"id": " ", "nb": ""}), "name", "text is empty"),
    (service_record(name={"nb": "x" * 2001}), "name", "longer than 2000"),
    (service_record(identifier=None), "identifier", "Field may not be null"),
    (service_record(cost={"amount": -5}), "cost.amount", "greater than or equal"),
    (service_record(cost={"amount": "gratis"}), "cost.amount", "Not a valid number"),
    (service_record(management={"staff_count": "empat"}), "management.staff_count", "integer"),
    (service_record(unknown_field=1), "unknown_field", "Unknown field"),
    (service_record(identifier="akta kelahiran!"), "identifier", "letters, digits"),
    (service_record(authority="dinas-tidak-ada"), "authority", "unknown organization"),
    (service_record(status="aktif"), "status", "did you mean 'active'"),
    (
        service_record(channels=[{"type": "online", "url": "javascript:alert(1)"}]),
        "channels[0].url",
        "URL",
    ),
]


@pytest.mark.parametrize(("record", "path", "fragment"), BAD_RECORDS)
def test_bad_records_name_the_field_and_store_nothing(
    publisher, dukcapil, registry, record, path, fragment
):
    response = publisher.publish(dukcapil, record)
    assert response.status_code == 422, response.get_json()
    assert response.content_type == "application/problem+json"
    errors = response.get_json()["errors"]
    match = [e for e in errors if e["path"] == path]
    assert match, errors
    assert fragment.lower() in match[0]["message"].lower()
    assert _count(registry, Service) == 0
    assert _count(registry, Change) == 0


def test_malformed_json_names_the_position(publisher, dukcapil, client):
    response = client.post(
        "/api/v1/services",
        data='{"identifier": "x",\n "name": }',
        headers=publisher.auth(dukcapil, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["line"] == 2
    assert "malformed JSON at line 2" in body["detail"]


@pytest.mark.parametrize("payload", ["[]", '"text"', "42", "null"])
def test_non_object_bodies_are_refused(publisher, dukcapil, client, registry, payload):
    response = client.post(
        "/api/v1/services",
        data=payload,
        headers=publisher.auth(dukcapil, **{"Content-Type": "application/json"}),
    )
    assert response.status_code in (400, 422)
    assert "expected a JSON object" in response.get_json()["detail"]
    assert _count(registry, Service) == 0


def test_wrong_media_type(publisher, dukcapil, client, registry):
    response = client.post(
        "/api/v1/services",
        data="identifier=x",
        headers=publisher.auth(dukcapil, **{"Content-Type": "application/x-www-form-urlencoded"}),
    )
    assert response.status_code == 415
    assert response.content_type == "application/problem+json"
    assert "send the body as application/json" in response.get_json()["detail"]
    assert _count(registry, Service) == 0


def test_invalid_utf8_body(publisher, dukcapil, client, registry):
    response = client.post(
        "/api/v1/services",
        data=b'{"identifier": "\xff\xfe"}',
        headers=publisher.auth(dukcapil, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert "UTF-8" in response.get_json()["detail"]
    assert _count(registry, Service) == 0


def test_oversized_body_has_a_clear_limit(publisher, dukcapil, client, app, registry):
    limit = app.config["MAX_CONTENT_LENGTH"]
    record = service_record(description={"id": "x" * (limit + 10)})
    response = publisher.publish(dukcapil, record)
    assert response.status_code == 413
    assert str(limit) in response.get_json()["detail"]
    assert _count(registry, Service) == 0


def test_unknown_service_is_404_problem(client):
    response = client.get("/api/v1/services/nope")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_cors_open_for_reads_only(client):
    response = client.get("/api/v1/services", headers={"Origin": "https://portal.example.id"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/services",
        headers={"Origin": "https://portal.example.id", "Access-Control-Request-Method": "POST"},
    )
    assert "POST" not in preflight.headers.get("Access-Control-Allow-Methods", "")


def test_openapi_document_and_docs(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    post = spec["paths"]["/api/v1/services"]["post"]
    assert post["security"] == [{"bearerAuth": []}]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/Service")
    assert "processing_time" in spec["components"]["schemas"]["Service"]["properties"]
    public = {
        "/api/v1/search",
        "/api/v1/suggest",
        "/api/v1/changes",
        "/api/v1/node",
        "/api/v1/organizations",
        "/api/v1/validate",
        "/catalog.{ext}",
        "/services/{service_id}",
        "/kode/{scheme}/{code}",
    }
    assert public <= set(spec["paths"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"/api/v1/docs/assets/swagger-ui-bundle.js" in docs.data
    bundle = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert bundle.content_type.startswith("text/javascript")
    assert b"SwaggerUIBundle" in bundle.data  # the script itself, not an error page


def test_health_reports_database(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"


def test_nul_characters_are_a_422_not_a_database_error(publisher, registry):
    publisher.org("kota-gorontalo")
    token = publisher.token("kota-gorontalo")
    response = publisher.publish(token, service_record(name={"id": "Akta\u0000"}))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "name"
    response = publisher.publish(token, service_record(keywords=["a\u0000b"]))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"path": "keywords[0]", "message": "contains a NUL character"}
    ]
    assert _count(registry, Service) == 0
