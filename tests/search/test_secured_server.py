"""A search server as production runs it (Elasticsearch with HTTPS from its own CA and a user):
credentials travel in ``SIMPUL_SEARCH_URL``, the CA in ``SIMPUL_SEARCH_CA_CERTS``; a wrong
password or an unverifiable certificate makes searches 503 with the reason for the operator, and
the password never appears in a message."""

from __future__ import annotations

import itertools

import pytest

from simpul.config import redact_url
from simpul.errors import SearchUnavailable
from simpul.search.base import build_query
from simpul.search.cluster import ClusterBackend
from simpul.search.testing import CORPUS, document
from tests.conftest import Publisher, app_on_search_server

_names = itertools.count()


def with_credentials(node, password: str | None = None) -> str:
    scheme, _, rest = node.url.partition("://")
    return f"{scheme}://{node.user}:{password or node.password}@{rest}"


def test_redact_url():
    assert redact_url("https://simpul:s3cret@es.go.id:9200") == "https://simpul:***@es.go.id:9200"
    assert redact_url("postgresql://simpul:pw@db/simpul") == "postgresql://simpul:***@db/simpul"
    assert redact_url("http://es:9200") == "http://es:9200"


@pytest.mark.parametrize("engine", ["auto", "elasticsearch"])
def test_credentials_in_the_url_and_the_ca(secured_elasticsearch, engine):
    node = secured_elasticsearch
    backend = ClusterBackend(
        with_credentials(node), prefix=f"sec-{next(_names)}", engine=engine, ca_certs=str(node.ca)
    )
    try:
        backend.index_documents([document(r) for r in CORPUS])
        backend.commit(len(CORPUS))
        assert backend.name == "elasticsearch"
        found = backend.search(build_query("akte lahir"))
        assert found.items[0]["identifier"] == "akta-kelahiran"
    finally:
        backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
        backend.close()


@pytest.mark.parametrize("engine", ["auto", "elasticsearch"])
def test_a_wrong_password_is_named_without_showing_it(secured_elasticsearch, engine):
    node = secured_elasticsearch
    backend = ClusterBackend(
        with_credentials(node, "not-the-password"), engine=engine, ca_certs=str(node.ca)
    )
    assert not backend.writable()
    with pytest.raises(SearchUnavailable) as caught:
        backend.search(build_query("akta"))
    message = str(caught.value)
    assert "refused Simpul's credentials (401)" in message
    assert "not-the-password" not in message and f"{node.user}:***@" in message


def test_the_documented_privileges_suffice_and_reach_no_further(secured_elasticsearch):
    """The node's user holds only the privileges docs/search.md lists, on ``sec-*``: a rebuild
    (new index, alias swap, drop) works there; another prefix is refused with a 403, named."""
    node = secured_elasticsearch
    backend = ClusterBackend(
        with_credentials(node), prefix=f"sec-{next(_names)}", ca_certs=str(node.ca)
    )
    try:
        backend.index_documents([document(CORPUS[0])])
        backend.commit(1)
        backend.rebuild(
            lambda fresh: (fresh.index_documents([document(CORPUS[1])]), fresh.commit(2))
        )
        assert backend.count() == 1 and backend.cursor() == 2
        backend.clear()
        assert backend.count() == 0
    finally:
        backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
    elsewhere = ClusterBackend(with_credentials(node), prefix="other", ca_certs=str(node.ca))
    with pytest.raises(SearchUnavailable, match=r"refused Simpul's credentials \(403\)"):
        elsewhere.count()


@pytest.mark.parametrize("engine", ["auto", "elasticsearch"])
def test_an_unverifiable_certificate_names_the_setting(secured_elasticsearch, engine):
    backend = ClusterBackend(with_credentials(secured_elasticsearch), engine=engine)
    with pytest.raises(SearchUnavailable, match="SIMPUL_SEARCH_CA_CERTS"):
        backend.count()


def test_the_api_over_a_secured_server(secured_elasticsearch, tmp_path, sqlite_template):
    from simpul.registry.indexing import sync

    node = secured_elasticsearch
    ca = {"search_ca_certs": str(node.ca)}
    with app_on_search_server(tmp_path, sqlite_template, with_credentials(node), **ca) as app:
        registry, client = app.extensions["simpul"], app.test_client()
        record = Publisher(registry, client).publish_one()
        sync(registry, registry.search)
        found = client.get("/api/v1/search?q=akta").get_json()
        assert [item["id"] for item in found["items"]] == [record["id"]]
        health = client.get("/health").get_json()["search"]
        assert health["status"] == "ok" and health["backend"] == "elasticsearch"

    wrong = with_credentials(node, "not-the-password")
    with app_on_search_server(tmp_path / "wrong", sqlite_template, wrong, **ca) as app:
        client = app.test_client()
        search = client.get("/api/v1/search?q=akta")
        assert search.status_code == 503 and search.headers["Retry-After"] == "30"
        health = client.get("/health")
        assert health.status_code == 503
        error = health.get_json()["search"]["error"]
        assert "refused Simpul's credentials" in error and "not-the-password" not in error
        assert "not-the-password" not in search.get_data(as_text=True)
