"""A source's secrets stay with the host they were given for, its fetch options stay within
the operator's caps, and credentials written in its URL are shown as ***."""

from __future__ import annotations

import gzip

import orjson
import pytest
from click.testing import CliRunner
from sqlalchemy import update

from simpul.cli import main
from simpul.registry.models import HarvestSource
from tests.conftest import running_app
from tests.services.http import RemoteServer, Response

ITEMS = orjson.dumps([{"kode": "k1", "judul": "Layanan Satu"}])
JSON_OPTIONS = {"key": "kode", "fields": {"identifier": "kode", "name": "judul"}}


@pytest.fixture
def app(database_url, tmp_path):
    with running_app(
        database_url, tmp_path, harvest_allow_private=True, harvest_max_bytes=1_000_000
    ) as app:
        yield app


@pytest.fixture
def other():
    server = RemoteServer()
    yield server
    server.close()


def _put(client, token, source_id, body):
    return client.put(
        f"/api/v1/sources/{source_id}", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def test_moving_the_url_to_another_host_drops_the_secrets(
    harvests, client, publisher, remote, other
):
    harvests.org()
    url = remote.route("/layanan", Response(ITEMS))
    harvests.source("p", "json", url, options=JSON_OPTIONS, secrets={"headers": {"X-Key": "k3y"}})
    token = publisher.token("kota-gorontalo")
    same_host = remote.route("/v2/layanan", Response(ITEMS))
    kept = _put(client, token, "p", {"url": same_host})
    assert kept.status_code == 200 and kept.get_json()["secrets"] == ["headers"]
    assert "notices" not in kept.get_json()
    moved = _put(client, token, "p", {"url": other.route("/layanan", Response(ITEMS))})
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert body["secrets"] == []
    assert "secrets (headers) were dropped" in body["notices"][0]
    assert harvests.run("p").status == "finished"
    assert "x-key" not in other.requests[-1].headers
    again = _put(
        client, token, "p", {"url": remote.url("/layanan"), "secrets": {"headers": {"X-Key": "n"}}}
    )
    assert again.get_json()["secrets"] == ["headers"] and "notices" not in again.get_json()
    assert harvests.run("p").status == "finished"
    assert remote.requests[-1].headers["x-key"] == "n"


@pytest.mark.parametrize(
    "fetch, field, words",
    [
        ({"max_bytes": 4294967296}, "options.fetch.max_bytes", "SIMPUL_HARVEST_MAX_BYTES"),
        ({"max_bytes": "lots"}, "options.fetch.max_bytes", "integer"),
        ({"read_timeout": 3600}, "options.fetch.read_timeout", "SIMPUL_HARVEST_MAX_TIMEOUT"),
        ({"retries": -1}, "options.fetch.retries", "greater than or equal to 0"),
        ({"allow_private": True}, "options.fetch.allow_private", "Unknown field"),
    ],
)
def test_fetch_options_are_checked_and_capped(
    harvests, client, publisher, remote, fetch, field, words
):
    harvests.org()
    token = publisher.token("kota-gorontalo")
    body = {
        "id": "p",
        "type": "json",
        "url": remote.url("/x"),
        "organization": "kota-gorontalo",
        "options": {**JSON_OPTIONS, "fetch": fetch},
    }
    created = client.post("/api/v1/sources", json=body, headers=publisher.auth(token))
    assert created.status_code == 422, created.get_json()
    [error] = created.get_json()["errors"]
    assert error["path"] == field and words in error["message"]
    assert client.get("/api/v1/sources/p").status_code == 404
    harvests.source("p", "json", remote.url("/x"), options=JSON_OPTIONS)
    changed = _put(client, token, "p", {"options": body["options"]})
    assert changed.status_code == 422 and changed.get_json()["errors"][0]["path"] == field
    assert "fetch" not in client.get("/api/v1/sources/p").get_json()["options"]


def _store_options(registry, source_id, options):
    """What an older version let an editor store, unchecked."""
    with registry.db.transaction() as session:
        session.execute(
            update(HarvestSource).where(HarvestSource.id == source_id).values(options=options)
        )


def test_a_bad_stored_fetch_option_fails_the_job_cleanly(harvests, registry, remote):
    harvests.org()
    harvests.source("p", "json", remote.route("/x", Response(ITEMS)), options=JSON_OPTIONS)
    _store_options(registry, "p", {**JSON_OPTIONS, "fetch": {"max_bytes": "lots"}})
    job = harvests.run("p")
    assert job.status == "failed" and "options.fetch.max_bytes" in job.message


def test_a_gzip_bomb_stops_at_the_operator_cap(harvests, registry, remote):
    bomb = gzip.compress(b"[" + b" " * 50_000_000 + b"]")
    assert len(bomb) < 100_000
    url = remote.route("/x", Response(bomb, headers={"Content-Encoding": "gzip"}))
    harvests.org()
    harvests.source("p", "json", url, options=JSON_OPTIONS)
    _store_options(registry, "p", {**JSON_OPTIONS, "fetch": {"max_bytes": 4294967296}})
    job = harvests.run("p")
    assert job.status == "failed"
    assert "over the limit of 1,000,000 bytes" in job.message


def test_credentials_in_a_source_url_are_shown_as_stars(
    harvests, registry, client, remote, database_url, tmp_path
):
    port = remote.base.rsplit(":", 1)[1]
    url = f"http://bob:hunter22@127.0.0.1:{port}/api/v1/node?api_key=S3CRETKEY&page=1"
    shown = f"http://***@127.0.0.1:{port}/api/v1/node?api_key=***&page=1"
    harvests.org()
    harvests.source("child", "simpul", url)  # the remote answers 404: the job fails
    job = harvests.run("child")
    assert job.status == "failed"
    pages = [
        client.get("/api/v1/sources").get_data(as_text=True),
        client.get("/api/v1/sources/child").get_data(as_text=True),
        client.get(f"/api/v1/harvest-jobs/{job.id}").get_data(as_text=True),
        client.get("/audit/sources").get_data(as_text=True),
        client.get(f"/audit/jobs/{job.id}").get_data(as_text=True),
    ]
    env = {"SIMPUL_DATABASE_URL": database_url, "SIMPUL_DATA_DIR": str(tmp_path)}
    for args in (["federation", "status"], ["federation", "status", "--json"]):
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        pages.append(result.output + result.stderr)
    for page in pages:
        assert "hunter22" not in page and "S3CRETKEY" not in page and "bob" not in page
    assert shown in pages[0] and shown in pages[1] and shown in pages[5]
    assert "***" in pages[2]  # the job's message names the URL, masked
    assert remote.requests  # the credentials were used, only never shown
