"""Liveness and readiness for process managers and load balancers; ``/health`` as before."""

from __future__ import annotations

from simpul.web import create_app
from tests.services.ports import closed_port


def test_live_answers_without_touching_the_database(client):
    answer = client.get("/health/live")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}
    assert answer.headers["Cache-Control"] == "no-store"


def test_ready_when_the_database_answers_reports_the_search_index(client):
    answer = client.get("/health/ready")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ready"
    assert body["database"]["status"] == "ok" and body["database"]["schema"] == "current"
    assert body["search"] == {"status": "ok", "backend": "embedded"}
    assert "Retry-After" not in answer.headers


def test_health_keeps_answering_as_before(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and body["database"]["status"] == "ok"
    assert body["search"]["backend"] == "embedded"


def _app(tmp_path, database_url: str, **settings):
    app = create_app(
        {"database_url": database_url, "data_dir": str(tmp_path), "search_sync_ms": 0, **settings}
    )
    app.config["TESTING"] = True
    return app


def test_not_ready_with_retry_after_when_the_database_does_not_answer(tmp_path):
    with closed_port() as port:
        app = _app(tmp_path, f"postgresql://simpul:hunter2@127.0.0.1:{port}/simpul")
        client = app.test_client()
        try:
            live = client.get("/health/live")
            ready = client.get("/health/ready")
        finally:
            app.extensions["simpul"].close()
    assert live.status_code == 200  # the process itself is fine: do not restart it
    assert ready.status_code == 503 and ready.headers["Retry-After"].isdigit()
    body = ready.get_json()
    assert body["status"] == "not-ready" and body["database"]["status"] == "down"
    assert "hunter2" not in ready.get_data(as_text=True)


def test_not_ready_on_a_database_without_the_schema(tmp_path):
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        ready = app.test_client().get("/health/ready")
    finally:
        app.extensions["simpul"].close()
    assert ready.status_code == 503 and "Retry-After" in ready.headers
    assert ready.get_json()["database"]["schema"] == "empty"
    assert "simpul db upgrade" in ready.get_json()["database"]["error"]


def test_a_schema_newer_than_the_code_stays_ready(app, registry):
    """During a rolling upgrade the new code migrates first; the old processes keep serving."""
    with registry.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    assert registry.db.schema_state() == "ahead"
    assert app.test_client().get("/health/ready").status_code == 200
