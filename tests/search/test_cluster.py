"""The search-server backend against real nodes, Elasticsearch and OpenSearch: the search
contract, engine detection, alias swaps, bulk item checks, and its query builder as data."""

from __future__ import annotations

import itertools
import time
from contextlib import suppress

import pytest

from simpul.errors import SearchUnavailable
from simpul.search.base import FACETS, TEXT_FIELDS, build_query
from simpul.search.cluster import (
    READ_TIMEOUT,
    BulkFailed,
    ClusterBackend,
    ElasticsearchBackend,
    OpenSearchBackend,
    build_body,
    detect,
)
from simpul.search.features import Features
from simpul.search.testing import CORPUS, Contract, document
from tests.conftest import Publisher, app_on_search_server
from tests.services.ports import closed_port

_names = itertools.count()
ENGINES = ["elasticsearch", "opensearch"]


@pytest.fixture(params=ENGINES)
def server(request) -> tuple[str, str]:
    """(engine, URL) of a running node of each kind."""
    return request.param, request.getfixturevalue(f"{request.param}_url")


def dropped(backend: ClusterBackend) -> None:
    backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
    backend.close()


@pytest.fixture
def backend(server):
    engine, url = server
    backend = ClusterBackend(url, prefix=f"test-{next(_names)}", engine=engine)
    yield backend
    dropped(backend)


class TestCluster(Contract):
    def test_rebuild_swaps_the_alias(self, backend):
        self.load(backend)
        before = list(backend.client.indices.get_alias(name=backend.alias))

        def fill(fresh):
            assert backend.count() == len(CORPUS)  # searches still answer from the old index
            fresh.index_documents([document(CORPUS[0])])
            fresh.commit(7)

        backend.rebuild(fill)
        after = list(backend.client.indices.get_alias(name=backend.alias))
        assert len(after) == 1 and after != before
        assert backend.count() == 1 and backend.cursor() == 7
        assert not backend.client.indices.exists(index=before[0])

    def test_a_failed_bulk_item_is_an_error(self, backend):
        backend.ensure()
        broken = document(CORPUS[0])
        broken["modified"] = "not a date"
        with pytest.raises(BulkFailed, match="1 of 2 bulk items failed"):
            backend.index_documents([document(CORPUS[1]), broken])

    def test_clear_empties_the_index_and_the_cursor(self, backend):
        self.load(backend)
        backend.clear()
        assert backend.count() == 0 and backend.cursor() == 0
        assert len(backend.client.indices.get_alias(name=backend.alias)) == 1


def test_the_engine_is_detected_by_asking_the_server(server):
    engine, url = server
    assert detect(url) == engine
    backend = ClusterBackend(url, prefix=f"test-{next(_names)}")
    try:
        assert "not reached yet" in backend.name
        assert backend.writable() and backend.name == engine
    finally:
        dropped(backend)


def test_health_names_the_engine_of_a_server_it_meets_for_the_first_time(
    server, tmp_path, sqlite_template
):
    engine, url = server
    with app_on_search_server(tmp_path, sqlite_template, url) as app:
        health = app.test_client().get("/health").get_json()
        assert health["search"] == {"status": "ok", "backend": engine, "documents": 0, "lag": 0}


def test_the_wrong_engine_is_refused_with_a_clear_message(elasticsearch_url, opensearch_url):
    for wrong, url, says in [
        (OpenSearchBackend, elasticsearch_url, "is not an OpenSearch server"),
        (ElasticsearchBackend, opensearch_url, "is not an Elasticsearch server"),
    ]:
        backend = wrong(url, prefix=f"test-{next(_names)}")
        assert not backend.writable()
        with pytest.raises(RuntimeError, match=says):
            backend.ensure()
        backend.close()


@pytest.mark.parametrize("engine", ["auto", *ENGINES])
def test_a_server_that_does_not_answer_is_unavailable(engine):
    with closed_port() as port:
        backend = ClusterBackend(f"http://127.0.0.1:{port}", engine=engine)
        assert not backend.writable() and not backend.ping()
        with pytest.raises(SearchUnavailable, match="does not answer"):
            backend.search(build_query("akta"))
        with pytest.raises(SearchUnavailable):
            backend.count()


@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never answers (a hung or firewalled
    server): the case where only timeouts end the wait."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        with suppress(OSError):
            while True:
                accepted.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    listener.close()
    for connection in accepted:
        connection.close()


@pytest.mark.parametrize("engine", ["auto", *ENGINES])
def test_a_citizen_waits_one_read_timeout_for_a_silent_server(silent_server, engine):
    """One try of READ_TIMEOUT (5 s), also before the first search: not the write client's
    30 s tried three times."""
    url, accepted = silent_server
    backend = ClusterBackend(url, engine=engine)
    started = time.monotonic()
    with pytest.raises(SearchUnavailable, match="does not answer"):
        backend.search(build_query("akta"))
    waited = time.monotonic() - started
    assert len(accepted) == 1  # one try: the reader client does not retry
    # about time by nature (what a citizen waits): the read timeout was hit, once; three
    # tries of the write client's 30 s would be 90 s
    assert READ_TIMEOUT - 0.5 <= waited < READ_TIMEOUT * 3
    backend.close()


def test_something_else_is_not_taken_for_a_search_server():
    from tests.services.http import RemoteServer, Response

    remote = RemoteServer()
    try:
        remote.route("/", Response(b"<p>a web site</p>", "text/html"))
        with pytest.raises(RuntimeError, match="answered 200 but is neither"):
            detect(remote.base + "/")
        remote.route("/", Response(b"[1, 2]"))  # JSON, but not an object
        with pytest.raises(RuntimeError, match="answered 200 but is neither"):
            detect(remote.base + "/")
        remote.route("/", Response(b"busy", "text/plain", status=503))
        with pytest.raises(SearchUnavailable, match="failed \\(503\\)"):
            detect(remote.base + "/")
    finally:
        remote.close()


def test_query_body_as_data():
    body = build_body(build_query("akta lahir", filters={"level": ["kabkota"]}, area="75.71"))
    text = body["query"]["bool"]["must"][0]["bool"]
    assert {"term": {"t_name": {"value": "akta", "boost": 4.0}}} in text["should"]
    assert text["minimum_should_match"] == 1
    filters = body["query"]["bool"]["filter"]
    assert {"terms": {"level": ["kabkota"]}} in filters
    reach = filters[1]["bool"]["should"]
    assert {"terms": {"areas": ["75.71", "75", "00"]}} in reach
    assert {"prefix": {"areas": "75.71."}} in reach
    assert set(body["aggs"]) == {*FACETS, "area_national", "area_wide", "area_inner"}
    wide = body["aggs"]["area_wide"]["filter"]["bool"]["filter"]
    assert wide == [{"terms": {"areas": ["75.71", "75"]}}]  # the whole city, not national
    assert body["aggs"]["area_inner"]["aggs"]["c"]["terms"]["field"] == "reach_3"
    assert body["sort"] == [{"_score": "desc"}, {"id": "asc"}]  # relevance, ties by id


def test_query_body_with_features_off_as_data():
    """What each query-side switch takes out (the ablation tests show that it matters)."""
    plain = Features(typos=False, area_reach=False, field_boosts=False)
    body = build_body(build_query("akta kelahiran", area="75.71", features=plain))
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert {"term": {"t_name": {"value": "akta", "boost": 1.0}}} in should
    assert not [clause for clause in should if "fuzzy" in clause]
    reach = body["query"]["bool"]["filter"][0]["bool"]["should"]
    assert reach == [{"terms": {"areas": ["75.71"]}}]


def test_no_text_selects_everything_sorted_by_name():
    body = build_body(build_query(None, page=3, size=10))
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"] == [{"name_sort": "asc"}] and body["from"] == 20


def test_search_api_over_a_server_follows_writes_and_reindex(server, tmp_path, sqlite_template):
    from simpul.registry.indexing import lag, rebuild, sync

    with app_on_search_server(tmp_path, sqlite_template, server[1]) as app:
        registry, client = app.extensions["simpul"], app.test_client()
        record = Publisher(registry, client).publish_one()
        assert lag(registry, registry.search) == 1  # written, not yet indexed
        sync(registry, registry.search)
        found = client.get("/api/v1/search?q=akte+lahir").get_json()
        assert [i["id"] for i in found["items"]] == [record["id"]]
        assert found["facets"]["level"] == [{"value": "kabkota", "count": 1}]
        rebuild(registry, registry.search, workers=1)
        assert client.get("/api/v1/search?size=1").get_json()["total"] == 1
        health = client.get("/health").get_json()
        assert health["search"]["lag"] == 0
        assert health["search"]["backend"] == server[0]


def test_an_index_from_an_older_simpul_gets_the_new_fields(server):
    """An index whose strict mapping predates a field (here ``life_event``) gets the field
    added when the backend starts, so syncing goes on instead of failing every bulk."""
    from simpul.search.cluster import mappings

    backend = ClusterBackend(server[1], prefix=f"test-{next(_names)}", engine=server[0])
    try:
        old = mappings()
        del old["mappings"]["properties"]["life_event"]
        index = f"{backend.alias}-1"
        backend.client.indices.create(index=index, body=old)
        backend.client.indices.put_alias(index=index, name=backend.alias)
        backend.index_documents([document(r) for r in CORPUS])
        backend.commit(len(CORPUS))
        found = backend.search(build_query(filters={"life_event": ["kelahiran"]}))
        assert [item["identifier"] for item in found.items] == ["akta-kelahiran"]
    finally:
        backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
        backend.close()


def test_lexicon_groups_and_area_ranking_as_data():
    """A lexicon reading scores by its best alternative (dis_max); the regency asked for and
    the areas above it add constant scores, nearest most, outside the match."""
    from simpul.search.base import AREA_BELOW_BOOST, AREA_BOOSTS

    body = build_body(build_query("certificate", area="75.03"))
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    (group,) = [clause["dis_max"] for clause in should if "dis_max" in clause]
    readings = [q["bool"]["should"] for q in group["queries"]]
    assert {"term": {"t_name": {"value": "akta", "boost": 4.0}}} in readings[0]
    ranking = body["query"]["bool"]["should"]
    assert ranking[0] == {
        "constant_score": {"filter": {"term": {"areas": "75.03"}}, "boost": AREA_BOOSTS[0]}
    }
    assert ranking[1]["constant_score"]["filter"] == {"term": {"areas": "75"}}
    assert ranking[-1]["constant_score"] == {
        "filter": {"prefix": {"areas": "75.03."}},
        "boost": AREA_BELOW_BOOST,
    }


def test_every_text_field_is_present_so_both_engines_average_the_same_lengths():
    """A server averages a field's length over the documents that have it, tantivy over all
    of them: a record without an English name used to leave ``t_english`` out, and the two
    engines' scores parted (on the judged set's holdout half, one query's first result)."""
    from simpul.search.base import FIELD_PAD
    from simpul.search.cluster import source

    indexed = source(document(CORPUS[0]))
    assert all(indexed[f"t_{name}"] for name in TEXT_FIELDS)
    assert FIELD_PAD in indexed.values()  # the record has no English name: its field says so
    assert FIELD_PAD not in build_query("_ akta").terms  # no query asks for it
