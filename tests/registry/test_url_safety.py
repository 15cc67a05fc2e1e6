"""URLs are http(s) only wherever they are stored, and zero-width or bidirectional control
characters never pass unseen: refused in ids, codes and URLs (naming the field), stripped from
names and texts. The schemas do it, so API, load, harvest and federation all get it."""

from __future__ import annotations

import copy

import pytest
from marshmallow import ValidationError

from simpul.errors import flatten_messages
from simpul.harvesters.mapping import identifier, slug
from simpul.registry.schemas import ORGANIZATION_SCHEMA, SERVICE_SCHEMA
from tests.conftest import service_record

BAD_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://files.example.go.id/a",
    "//evil.example/x",
    "https://lapor.go.id/\u202egnp.exe",
    "https://lapor\u200b.go.id/",
    12345,
    ["https://lapor.go.id"],
    {"url": "https://lapor.go.id"},
]
URL_PATHS = [
    ("homepage",),
    ("channels", 0, "url"),
    ("complaints", "url"),
    ("legal_basis", 0, "url"),
    ("contact", "url"),
    ("original_authority", "uri"),
]
INVISIBLE = ["\u200b", "\u200d", "\u200e", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff"]


def record_with(path: tuple, value) -> dict:
    record = copy.deepcopy(service_record())
    record["contact"] = {"url": "https://dukcapil.example.go.id"}
    record["original_authority"] = {"name": {"id": "Dinas"}, "uri": "https://dinas.example.go.id"}
    target = record
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return record


def dotted(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def error_paths(exc: ValidationError) -> dict[str, str]:
    return {e["path"]: e["message"] for e in flatten_messages(exc.messages)}


@pytest.mark.parametrize("path", URL_PATHS, ids=dotted)
@pytest.mark.parametrize("bad", BAD_URLS)
def test_every_service_url_refuses_what_is_not_http(path, bad):
    with pytest.raises(ValidationError) as caught:
        SERVICE_SCHEMA.load(record_with(path, bad))
    assert dotted(path) in error_paths(caught.value), error_paths(caught.value)


@pytest.mark.parametrize("field", ["homepage", "uri"])
@pytest.mark.parametrize("bad", BAD_URLS)
def test_organization_urls_refuse_what_is_not_http(field, bad):
    org = {"id": "dinkes", "name": {"id": "Dinkes"}, "level": "kabkota", "area": "75.71"}
    with pytest.raises(ValidationError) as caught:
        ORGANIZATION_SCHEMA.load({**org, field: bad})
    assert field in error_paths(caught.value)


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(
    "path",
    [
        ("identifier",),
        ("authority",),
        ("sectors", 0),
        ("areas", 0),
        ("processing_time",),
        ("channels", 1, "url"),
        ("legal_basis", 0, "identifier"),
        ("languages", 0),
        ("integration", "splp_api"),
        ("channels", 0, "type"),
    ],
    ids=dotted,
)
def test_invisible_characters_in_ids_codes_and_urls_are_refused(path, char):
    record = record_with(("legal_basis", 0, "identifier"), "UU-24-2013")
    record["integration"] = {"status": "inventoried", "splp_api": "akta-v1"}
    record["authority"] = "dukcapil-kota"
    target = record
    for step in path[:-1]:
        target = target[step]
    value = target[path[-1]]
    target[path[-1]] = value[:2] + char + value[2:]
    with pytest.raises(ValidationError) as caught:
        SERVICE_SCHEMA.load(record)
    errors = error_paths(caught.value)
    assert dotted(path) in errors, errors
    assert f"U+{ord(char):04X}" in errors[dotted(path)]


def test_invisible_characters_in_names_and_texts_are_stripped():
    record = record_with(("homepage",), "https://dukcapil.example.go.id")
    record["name"] = {"id": "Akta\u200b Kelahiran\u202e", "en": "\ufeffBirth Certificate"}
    record["keywords"] = ["akta\u200dlahir"]
    record["requirements"] = [{"id": "Fotokopi\u2066 KK\u2069"}]
    record["channels"][2]["address"] = "Jl.\u200b Nani Wartabone"
    record["legal_basis"][0]["title"] = "UU\u202a No. 24\u202c"
    data = SERVICE_SCHEMA.load(record)
    assert data["name"] == {"id": "Akta Kelahiran", "en": "Birth Certificate"}
    assert data["keywords"] == ["aktalahir"]
    assert data["requirements"] == [{"id": "Fotokopi KK"}]
    assert data["channels"][2]["address"] == "Jl. Nani Wartabone"
    assert data["legal_basis"][0]["title"] == "UU No. 24"


def test_a_text_of_invisible_characters_only_is_empty():
    record = service_record()
    record["name"] = {"id": "\u200b\u200b"}
    with pytest.raises(ValidationError) as caught:
        SERVICE_SCHEMA.load(record)
    assert "name" in error_paths(caught.value)


def test_invisible_characters_stay_out_of_slugs_and_identifiers():
    assert slug("Akta\u200b Kela\u202ehiran") == "akta-kelahiran"
    assert identifier("ak\u200bta-\ufefflahir", "key") == "akta-lahir"


# -- over HTTP: the API answers 422 problem+json naming the field --------------------------------
@pytest.fixture
def admin(publisher):
    publisher.org("kemendagri", "pusat")
    return publisher.auth(publisher.token("kemendagri", "admin"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("homepage", "javascript:alert(1)"),
        ("uri", "data:text/html,x"),
        ("homepage", 42),
        ("id", "dinkes\u202e"),
        ("parent", "kemendagri\u200b"),
        ("homepage", "https://dinkes.example.go.id/" + "a" * 480),
    ],
)
def test_organization_api_refuses_unsafe_values(client, admin, field, value):
    org = {"id": "dinkes", "name": {"id": "Dinkes"}, "level": "kabkota", "area": "75.71"}
    response = client.post("/api/v1/organizations", json={**org, field: value}, headers=admin)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in {e["path"] for e in response.get_json()["errors"]}
    assert client.get("/api/v1/organizations/dinkes").status_code == 404


def test_organization_names_lose_invisible_characters(client, admin):
    org = {
        "id": "dinkes",
        "name": {"id": "Din\u200bkes\u202e"},
        "level": "kabkota",
        "area": "75.71",
    }
    assert client.post("/api/v1/organizations", json=org, headers=admin).status_code == 201
    assert client.get("/api/v1/organizations/dinkes").get_json()["name"] == {"id": "Dinkes"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("channels", 0, "url"), "javascript:alert(1)"),
        (("complaints", "url"), "file:///etc/x"),
        (("legal_basis", 0, "url"), "data:,x"),
        (("identifier",), "akta\u202ekelahiran"),
    ],
    ids=lambda v: dotted(v) if isinstance(v, tuple) else "",
)
def test_service_api_refuses_unsafe_values(publisher, path, value):
    publisher.org("dukcapil", "kabkota", "75.71")
    response = publisher.publish(publisher.token("dukcapil"), record_with(path, value))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert dotted(path) in {e["path"] for e in response.get_json()["errors"]}


def test_migration_0008_puts_right_what_an_unchecked_harvest_stored(tmp_path):
    """Nodes attacked before the fix hold a list as a name or a javascript: homepage."""
    from sqlalchemy import text

    from simpul.registry.db import Database

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        db.upgrade("0006")
        insert = text(
            "INSERT INTO organizations (id, name, level, area, homepage, uri, created, modified) "
            "VALUES (:id, :name, 'kabkota', '75.71', :homepage, :uri, '2026-01-01', '2026-01-01')"
        )
        with db.engine.begin() as conn:
            conn.execute(
                insert,
                {
                    "id": "rusak",
                    "name": '["a", "b"]',
                    "homepage": "javascript:alert(1)",
                    "uri": "data:,x",
                },
            )
            conn.execute(
                insert,
                {
                    "id": "baik",
                    "name": '{"id": "Dinas Baik"}',
                    "homepage": "https://baik.go.id",
                    "uri": None,
                },
            )
        db.upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name, homepage, uri FROM organizations")).all()
    finally:
        db.dispose()
    found = {r.id: (r.name, r.homepage, r.uri) for r in rows}
    assert found["rusak"][1:] == (None, None) and "rusak" in found["rusak"][0]
    assert found["baik"] == ('{"id": "Dinas Baik"}', "https://baik.go.id", None)
