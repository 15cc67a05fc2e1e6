"""Index writes carry the record's change number as an external version (issue 18): when two
processes sync at once, an older copy written late never replaces a newer one, on real
Elasticsearch and OpenSearch nodes."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from simpul.registry.indexing import last_change, sync, typed_document
from simpul.registry.models import Service
from simpul.search.base import build_query
from simpul.search.cluster import ClusterBackend
from simpul.search.testing import CORPUS, document
from tests.conftest import Publisher, app_on_search_server, service_record

_names = itertools.count()


@pytest.fixture(params=["elasticsearch", "opensearch"])
def server(request) -> tuple[str, str]:
    return request.param, request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def backend(server):
    engine, url = server
    backend = ClusterBackend(url, prefix=f"test-ext-{next(_names)}", engine=engine)
    backend.ensure()
    yield backend
    backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
    backend.close()


def copy(change: int | None, name: str) -> dict:
    doc = document({**CORPUS[0], "name": {"id": name}})
    doc["change"] = change
    return doc


def indexed(backend: ClusterBackend) -> dict | None:
    backend.client.indices.refresh(index=backend.alias)
    body = {"query": {"match_all": {}}, "version": True}
    found = backend.client.search(index=backend.alias, body=body)
    hits = found["hits"]["hits"]
    return hits[0] if hits else None


def test_an_older_copy_written_later_does_not_replace_a_newer_one(backend):
    backend.index_documents([copy(20, "Akta Baru")])
    backend.index_documents([copy(10, "Akta Lama")])  # no error: the newer one is kept
    hit = indexed(backend)
    assert hit["_version"] == 20 and hit["_source"]["summary"]["name"] == {"id": "Akta Baru"}
    backend.index_documents([copy(20, "Akta Baru Lagi")])  # the same change: a type renamed
    assert indexed(backend)["_source"]["summary"]["name"] == {"id": "Akta Baru Lagi"}


def test_a_delete_older_than_the_copy_is_ignored_and_a_newer_one_stays(backend):
    doc_id = CORPUS[0]["id"]
    backend.index_documents([copy(20, "Akta Baru")])
    backend.delete([doc_id], versions={doc_id: 15})
    assert indexed(backend) is not None
    backend.delete([doc_id], versions={doc_id: 25})
    assert indexed(backend) is None
    backend.index_documents([copy(22, "Akta Lama")])  # a copy read before the deletion
    assert indexed(backend) is None


def test_two_syncing_processes_never_put_an_older_version_over_a_newer_one(
    server, tmp_path, sqlite_template
):
    """Process A reads a record, process B syncs a newer version of it, then A writes what it
    read: the index keeps B's."""
    with app_on_search_server(tmp_path, sqlite_template, server[1]) as app:
        registry, client = app.extensions["simpul"], app.test_client()
        publisher = Publisher(registry, client)
        published = publisher.publish_one()
        with registry.db.session() as session:  # process A reads version 1 ...
            row, change = session.execute(
                select(Service, last_change()).where(Service.id == published["id"])
            ).one()
            stale = typed_document(row, registry.type_index(session), change)
        newer = service_record(name={"id": "Penerbitan Akta Kelahiran Terpadu"})
        token = publisher.token("disdukcapil-kota-gorontalo")
        response = client.put(
            f"/api/v1/services/{published['id']}", json=newer, headers=publisher.auth(token)
        )
        assert response.status_code == 200, response.get_json()
        sync(registry, registry.search)  # ... process B indexes version 2 ...
        registry.search.index_documents([stale])  # ... and A writes version 1 late
        registry.search.commit(registry.search.cursor())
        found = registry.search.search(build_query("terpadu"))
        assert [item["id"] for item in found.items] == [published["id"]]
        assert found.items[0]["name"]["id"] == "Penerbitan Akta Kelahiran Terpadu"
