"""/api/v1/search and /api/v1/suggest over the demo federation, sync from the change log."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from simpul.cli import main
from simpul.demo import load_demo
from simpul.registry.indexing import SyncThread, lag, sync
from simpul.search.base import FACETS
from tests.conftest import service_record


@pytest.fixture
def demo(registry):
    load_demo(registry)
    sync(registry, registry.search)
    return registry


def test_search_shape(client, demo):
    body = client.get("/api/v1/search?q=akta+kelahiran&size=5").get_json()
    assert body["total"] >= 6
    item = body["items"][0]
    for key in ("id", "uri", "identifier", "authority", "name", "level", "highlight"):
        assert key in item
    assert "<mark>Akta</mark>" in item["highlight"]["name"]
    assert set(body["facets"]) == {*FACETS, "area", "national"}


def test_area_facet_over_the_demo(client, demo):
    """Per province with no area, per regency within one; national services apart; each
    bucket plus the national count is what a search of that area finds. The OpenAPI document
    names the facet."""
    nation = client.get("/api/v1/search?size=0").get_json()["facets"]
    (national,) = nation["national"]
    assert national["value"] == "00" and national["count"] > 0
    assert {f["value"] for f in nation["area"]} >= {"75"}
    province = client.get("/api/v1/search?size=0&area=75").get_json()["facets"]["area"]
    assert province and all(f["value"].startswith("75.") for f in province)
    for bucket in [*nation["area"], *province]:
        found = client.get(f"/api/v1/search?size=0&area={bucket['value']}").get_json()
        assert found["total"] == bucket["count"] + national["count"], bucket
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Facets"]
    assert {"area", "national"} <= set(spec["properties"])


def test_size_zero_counts_everything(client, demo):
    body = client.get("/api/v1/search?size=0").get_json()
    assert body["total"] == 170
    assert body["items"] == []


def test_village_sees_every_level_that_reaches_it(client, demo):
    body = client.get("/api/v1/search?area=75.03.01.2004&size=0").get_json()
    levels = {f["value"] for f in body["facets"]["level"]}
    assert levels == {"pusat", "provinsi", "kabkota", "kecamatan", "desa"}
    authorities = {f["value"] for f in body["facets"]["authority"]}
    assert "disdukcapil-kota-gorontalo" not in authorities  # another regency
    assert "desa-langge" not in authorities  # a neighbouring village


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("level=negara", "level[0]"),
        ("sector=kesehatn", "sector[0]"),
        ("area=75.79", "area"),
        ("size=1000", "size"),
        ("sort=rating", "sort"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters(client, query, path):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == path


def test_suggest(client, demo):
    items = client.get("/api/v1/suggest?q=penerbitan+ak").get_json()["items"]
    assert {i["name"]["id"] for i in items} >= {
        "Penerbitan Akta Kelahiran",
        "Penerbitan Akta Kematian",
    }
    assert client.get("/api/v1/suggest").status_code == 422


def test_writes_reach_search_through_the_change_log(client, publisher, registry):
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    token = publisher.token("disdukcapil-kota-gorontalo")
    sid = publisher.publish(token, service_record("akta-kelahiran")).get_json()["id"]
    assert client.get("/api/v1/search?q=akta").get_json()["total"] == 0  # not yet synced
    assert lag(registry, registry.search) == 1
    health = client.get("/health").get_json()
    assert health["search"]["lag"] == 1
    sync(registry, registry.search)
    assert client.get("/api/v1/search?q=akta").get_json()["total"] == 1
    client.delete(f"/api/v1/services/{sid}", headers=publisher.auth(token))
    sync(registry, registry.search)
    assert client.get("/api/v1/search?q=akta").get_json()["total"] == 0
    assert sync(registry, registry.search) == 0  # nothing left: idempotent


def test_sync_thread_drains_every_write_into_the_index(client, publisher, registry):
    """The thread, not the write, indexes: nothing is searchable before it runs, and each
    write is found once it has had its turns (waited for up to a generous 30 s)."""
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    token = publisher.token("disdukcapil-kota-gorontalo")
    publisher.publish(token, service_record("kartu-keluarga", name={"id": "Kartu Keluarga"}))
    assert client.get("/api/v1/search?q=kk").get_json()["total"] == 0
    assert lag(registry, registry.search) == 1
    thread = SyncThread(registry, registry.search, interval=0.1)
    thread.start()
    try:
        _until_found(client, "kk")
        publisher.publish(token, service_record("skck", name={"id": "Surat Kelakuan Baik"}))
        _until_found(client, "skck")  # a thread that keeps running, not a single pass
        assert lag(registry, registry.search) == 0
    finally:
        thread.stop()
        thread.join(5)
    assert not thread.is_alive()


def _until_found(client, q: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while client.get(f"/api/v1/search?q={q}").get_json()["total"] == 0:
        assert time.monotonic() < deadline, f"{q!r} not searchable after {seconds:.0f} s"
        time.sleep(0.05)


def test_index_down_loses_nothing(client, publisher, registry, monkeypatch):
    """A failing index does not fail writes; the log keeps them until the index is back."""
    publisher.org("disdukcapil-kota-gorontalo", "kabkota", "75.71")
    token = publisher.token("disdukcapil-kota-gorontalo")
    backend = registry.search

    def broken(*args, **kwargs):
        raise OSError("disk unavailable")

    monkeypatch.setattr(backend, "index_documents", broken)
    assert publisher.publish(token, service_record()).status_code == 201
    with pytest.raises(OSError):
        sync(registry, backend)
    monkeypatch.undo()
    sync(registry, backend)
    assert client.get("/api/v1/search?q=akta").get_json()["total"] == 1


def test_reindex_command(registry, client, database_url, tmp_path):
    load_demo(registry)
    env = {"SIMPUL_DATABASE_URL": database_url, "SIMPUL_SEARCH_PATH": registry.settings.search_path}
    registry.close_search()
    result = CliRunner().invoke(main, ["reindex"], env=env)
    assert result.exit_code == 0, result.output
    assert "indexed 170 services" in result.stderr
    # what the rebuild indexed is the records themselves (decoded in its worker processes)
    found = client.get("/api/v1/search?q=akta+kelahiran&size=1").get_json()
    top = found["items"][0]
    stored = client.get(f"/api/v1/services/{top['id']}").get_json()
    assert top["name"] == stored["name"] and "kelahiran" in top["name"]["id"].lower()
    assert top["channels"] == stored["channels"] and top["areas"] == stored["areas"]


def test_group_by_type_over_the_demo(client, demo):
    plain = client.get("/api/v1/search?q=akta+kelahiran&size=20").get_json()
    copies = [i for i in plain["items"] if i.get("type") == "akta-kelahiran"]
    assert len(copies) > 1  # the regencies' copies fill the plain list
    body = client.get("/api/v1/search?q=akta+kelahiran&group=type&size=20").get_json()
    typed = [i for i in body["items"] if i.get("group")]
    assert len({i["group"]["type"] for i in typed}) == len(typed)  # one hit per type
    birth = next(i for i in typed if i["group"]["type"] == "akta-kelahiran")
    assert birth["group"]["others"] == len(copies) - 1
    assert birth["group"]["links"]["type"] == "/types/akta-kelahiran"
    narrowed = client.get(birth["group"]["links"]["search"]).get_json()
    assert narrowed["total"] == len(copies)
    assert {i["type"] for i in narrowed["items"]} == {"akta-kelahiran"}
    assert body["matches"] == plain["total"] and body["total"] < plain["total"]
    assert "akta-kelahiran" in {f["value"] for f in body["facets"]["type"]}


def test_group_by_type_shows_the_instance_of_the_asked_area(client, demo):
    body = client.get("/api/v1/search?q=akta+kelahiran&group=type&area=75.03.01.2004").get_json()
    birth = next(i for i in body["items"] if i.get("type") == "akta-kelahiran")
    assert birth["authority"] == "disdukcapil-kab-bone-bolango"
    assert "area=75.03.01.2004" in birth["group"]["links"]["search"]


def test_group_must_be_known(client):
    response = client.get("/api/v1/search?group=authority")
    assert response.status_code == 422
    assert "group" in response.get_data(as_text=True)
