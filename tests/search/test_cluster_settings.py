"""Search cluster settings against real nodes: several URLs with failover, shard and replica
counts of new indexes, the connection pool."""

from __future__ import annotations

import pytest

from simpul.registry.indexing import rebuild, sync
from tests.conftest import Publisher, app_on_search_server
from tests.services.ports import closed_port


@pytest.fixture(params=["elasticsearch", "opensearch"])
def search_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def _index_settings(backend) -> dict:
    found = backend.client.indices.get_settings(index=backend.alias)
    (only,) = found.values()
    return only["settings"]["index"]


def test_shards_and_replicas_reach_every_new_index(search_url, tmp_path, sqlite_template):
    with app_on_search_server(
        tmp_path, sqlite_template, search_url, search_shards=3, search_replicas=1
    ) as app:
        registry = app.extensions["simpul"]
        backend = registry.search
        backend.ensure()
        first = _index_settings(backend)
        assert (first["number_of_shards"], first["number_of_replicas"]) == ("3", "1")
        Publisher(registry, app.test_client()).publish_one()
        rebuild(registry, backend, workers=1)  # a reindex makes a new index: the same settings
        again = _index_settings(backend)
        assert again["uuid"] != first["uuid"]
        assert (again["number_of_shards"], again["number_of_replicas"]) == ("3", "1")
        assert backend.count() == 1


def test_a_dead_first_url_fails_over_to_the_live_one(search_url, tmp_path, sqlite_template):
    with closed_port() as dead:
        urls = f"http://127.0.0.1:{dead},{search_url}"
        with app_on_search_server(tmp_path, sqlite_template, urls, search_pool_size=3) as app:
            registry, client = app.extensions["simpul"], app.test_client()
            Publisher(registry, client).publish_one(identifier="akta-kelahiran")
            assert sync(registry, registry.search) == 1  # writes go to the live node
            for _ in range(3):  # and so does every search, whichever node is tried first
                answer = client.get("/api/v1/search?q=akta")
                assert answer.status_code == 200, answer.get_json()
                assert answer.get_json()["total"] == 1
            health = client.get("/health/ready").get_json()
            assert health["search"]["status"] == "ok"


def test_all_urls_dead_is_a_503_naming_every_node_without_passwords(tmp_path, sqlite_template):
    with closed_port() as one, closed_port() as two:
        urls = f"http://simpul:hunter2@127.0.0.1:{one},http://127.0.0.1:{two}"
        with app_on_search_server(tmp_path, sqlite_template, urls) as app:
            answer = app.test_client().get("/api/v1/search?q=akta")
    assert answer.status_code == 503 and "Retry-After" in answer.headers
    text = answer.get_data(as_text=True)
    assert "hunter2" not in text
