"""What ``simpul serve`` configures gunicorn with, read from gunicorn's own configuration
object without starting a server (``tests/test_serve.py`` starts one and talks to it)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from simpul.web import server
from tests.conftest import running_app


@pytest.fixture
def configured(monkeypatch):
    """The gunicorn application ``run_gunicorn`` builds, stopped just before it would run."""
    built = []
    monkeypatch.setattr(server._Gunicorn, "run", lambda self: built.append(self))

    def configure(app, host="127.0.0.1", port=8080, workers=2):
        server.run_gunicorn(app, host, port, workers)
        [gunicorn] = built
        return gunicorn

    return configure


def test_gunicorn_binds_where_it_is_told_with_the_workers_asked(app, configured):
    cfg = configured(app, "127.0.0.2", 8123, 5).cfg
    assert cfg.bind == ["127.0.0.2:8123"]
    assert cfg.workers == 5


def test_gunicorn_serves_with_threads_timeouts_and_an_access_log(app, configured):
    cfg = configured(app).cfg
    assert cfg.worker_class_str == "gthread"
    assert cfg.threads == 4
    assert cfg.timeout == 60
    assert cfg.graceful_timeout == 10
    assert cfg.accesslog == "-"


def test_gunicorn_loads_the_app_it_was_given_not_an_import_path(app, configured):
    gunicorn = configured(app)
    assert gunicorn.load() is app
    assert gunicorn.wsgi() is app


def test_after_the_fork_a_worker_gets_fresh_connections_and_starts_index_sync(
    database_url, tmp_path, configured
):
    with running_app(database_url, tmp_path, search_sync_ms=60_000) as app:
        registry = app.extensions["simpul"]
        assert registry._sync is None
        with registry.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        pool_before = registry.db.engine.pool

        configured(app).cfg.post_fork(None, None)

        assert registry.db.engine.pool is not pool_before
        with registry.db.engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
        assert registry._sync is not None and registry._sync.is_alive()
