"""``/metrics``: Prometheus text for the operator only, with what an operator alerts on."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from simpul.harvesters import jobs, sources
from simpul.registry.db import utcnow
from simpul.registry.indexing import sync
from simpul.registry.models import HarvestSource
from simpul.web.metrics import start_metrics_server
from tests.conftest import running_app
from tests.services.ports import free_port


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """``{(sample name, sorted labels): value}`` of an exposition."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


@pytest.fixture
def scrape(publisher, client):
    publisher.org("kemendagri", "pusat")
    token = publisher.token("kemendagri", "admin")

    def read() -> dict:
        response = client.get("/metrics", headers=publisher.auth(token))
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/plain"
        return samples(response.get_data(as_text=True))

    return read


def test_metrics_need_an_admin_token(publisher, client):
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    publisher.org("dinkes-kota-gorontalo")
    editor = client.get(
        "/metrics", headers=publisher.auth(publisher.token("dinkes-kota-gorontalo"))
    )
    assert editor.status_code == 403 and editor.mimetype == "application/problem+json"
    assert "administrator" in editor.get_json()["detail"]


def test_requests_are_counted_by_url_rule_and_status(client, scrape):
    # the instruments live as long as the process: compare with what they held before
    rule = {"method": "GET", "route": "/api/v1/services/<service_id>", "status": "404"}
    codelists = {"method": "GET", "route": "/api/v1/codelists", "status": "200"}
    before = scrape()
    for name in ("tidak-ada-1", "tidak-ada-2", "tidak-ada-3"):
        assert client.get(f"/api/v1/services/{name}").status_code == 404
    assert client.get("/api/v1/codelists").status_code == 200
    found = scrape()

    def grew(name: str, **labels) -> float:
        return value(found, name, **labels) - (value(before, name, **labels) or 0)

    assert grew("simpul_http_request_duration_seconds_count", **rule) == 3
    assert grew("simpul_http_request_duration_seconds_count", **codelists) == 1
    assert grew("simpul_http_request_duration_seconds_bucket", **codelists, le="+Inf") == 1
    assert not any("tidak-ada" in str(labels) for _, labels in found)  # never the raw path


def test_searches_are_timed_by_backend(client, scrape):
    before = scrape()
    assert client.get("/api/v1/search?q=akta").status_code == 200
    assert client.get("/api/v1/suggest?q=ak").status_code == 200
    found = scrape()
    for operation in ("search", "suggest"):
        labels = {"backend": "embedded", "operation": operation, "outcome": "ok"}
        count = "simpul_search_duration_seconds_count"
        assert value(found, count, **labels) - (value(before, count, **labels) or 0) == 1


def test_outbox_lag_counts_the_changes_the_index_has_not_applied(publisher, registry, scrape):
    assert value(scrape(), "simpul_outbox_pending_changes") == 0
    publisher.publish_one()
    publisher.publish_one("dinkes-kota-gorontalo", identifier="imunisasi")
    found = scrape()
    assert value(found, "simpul_outbox_pending_changes") == 2
    assert value(found, "simpul_outbox_oldest_pending_seconds") >= 0
    assert value(found, "simpul_search_up") == 1 and value(found, "simpul_services") == 2
    sync(registry, registry.search)
    found = scrape()
    assert value(found, "simpul_outbox_pending_changes") == 0
    assert value(found, "simpul_outbox_oldest_pending_seconds") == 0


def test_jobs_by_state_and_federation_lag_per_child_node(publisher, registry, scrape):
    publisher.org("pemkab-bone-bolango", "kabkota", "75.03")
    with registry.db.transaction() as session:
        for source_id in ("desa-langge", "desa-tapa"):
            raw = {
                "id": source_id,
                "type": "simpul",
                "url": f"https://{source_id}.example.go.id",
                "organization": "pemkab-bone-bolango",
            }
            sources.create_source(session, raw)
        jobs.queue(session, "desa-tapa")
        langge = session.get(HarvestSource, "desa-langge")
        an_hour_ago = (utcnow() - timedelta(hours=1)).isoformat()
        langge.state = {"last_success": an_hour_ago, "lag": 7}
    found = scrape()
    assert value(found, "simpul_harvest_jobs", state="queued") == 1
    assert value(found, "simpul_harvest_jobs", state="failed") == 0  # every state, for alerts
    age = value(found, "simpul_federation_last_success_age_seconds", source="desa-langge")
    assert 3600 <= age < 3700
    assert value(found, "simpul_federation_lag_changes", source="desa-langge") == 7
    never = value(found, "simpul_federation_last_success_age_seconds", source="desa-tapa")
    assert never is None  # never succeeded: absent, so `absent()` or the job gauges alert


def test_database_pool_use_is_reported(scrape):
    found = scrape()
    assert value(found, "simpul_db_connections_max") >= 1
    assert value(found, "simpul_db_connections_in_use") >= 0


def test_a_metrics_port_serves_on_loopback_and_takes_metrics_off_the_app(database_url, tmp_path):
    port = free_port()
    with running_app(database_url, tmp_path, metrics_port=port) as app:
        assert app.test_client().get("/metrics").status_code == 404
        server = start_metrics_server(app.extensions["simpul"].settings, port)
        try:
            answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
            assert answer.status_code == 200
            found = samples(answer.text)
            assert value(found, "simpul_database_up") == 1
            assert value(found, "simpul_services") == 0
        finally:
            server.shutdown()
            server.server_close()


def test_harvested_records_are_counted_by_outcome():
    from simpul import metrics

    counter = metrics.instruments().harvest_records
    before = counter.labels("created")._value.get()
    metrics.count_harvest({"created": 3, "seen": 9, "errors": 0})
    assert counter.labels("created")._value.get() == before + 3


def test_records_outcome_reaches_metrics_after_a_harvest(database_url, tmp_path):
    import orjson

    from simpul.harvesters.runner import run_job
    from tests.conftest import Publisher
    from tests.services.http import RemoteServer, Response

    remote = RemoteServer()
    items = [{"identifier": f"layanan-{n}", "name": {"id": f"Layanan {n}"}} for n in range(3)]
    url = remote.route("/layanan", Response(orjson.dumps(items)))
    with running_app(database_url, tmp_path, harvest_allow_private=True) as app:
        registry, client = app.extensions["simpul"], app.test_client()
        publisher = Publisher(registry, client)
        publisher.org("kota-gorontalo")
        publisher.org("kemendagri", "pusat")
        admin = publisher.auth(publisher.token("kemendagri", "admin"))

        def created() -> float:
            found = samples(client.get("/metrics", headers=admin).get_data(as_text=True))
            return value(found, "simpul_harvest_records_total", outcome="created") or 0

        before = created()
        with registry.db.transaction() as session:
            raw = {"id": "portal", "type": "json", "url": url, "organization": "kota-gorontalo"}
            sources.create_source(session, {**raw, "options": {"key": "identifier"}})
            job, _ = jobs.queue(session, "portal")
        assert run_job(registry, job.id).status == "finished"
        assert created() == before + 3
    remote.close()
