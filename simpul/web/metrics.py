"""``/metrics`` for the operator, in Prometheus text format.

Every request is timed under its URL rule (``/api/v1/services/<id>``, never the raw path, so
that the number of series stays bounded) and its status; searches are timed per backend. At
scrape time the database is asked, through core functions, how far the index lags behind the
change log, how many harvest jobs are in each state and when each child node was last read.

By default ``/metrics`` is on the app and needs an administrator token. With
``SIMPUL_METRICS_PORT`` it is served instead on that port of the loopback interface only, by
the server's main process, and the app has no ``/metrics``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, Response, g, request

from simpul import metrics
from simpul.config import Settings
from simpul.errors import SearchUnavailable
from simpul.harvesters.jobs import TRANSITIONS
from simpul.harvesters.sources import federation_status
from simpul.registry import stats
from simpul.registry.auth import authenticate
from simpul.registry.context import Registry
from simpul.web.http import registry

log = logging.getLogger(__name__)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def init_metrics(app: Flask, settings: Settings) -> None:
    """Call right after the app is made: the timer starts before any other hook runs."""
    app.before_request(_start)
    app.after_request(_observe)
    if not settings.metrics_port:
        app.add_url_rule("/metrics", "metrics", metrics_page)


def _start() -> None:
    g.simpul_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("simpul_started", None)
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        method = request.method if request.method in METHODS else "OTHER"
        metrics.instruments().requests.labels(method, route, str(response.status_code)).observe(
            time.perf_counter() - started
        )
    return response


def timed_search(operation: str, run: Callable[[Any], Any]) -> Any:
    """``run(backend)`` for a search or a suggestion, timed under the backend's name."""
    backend = registry().search
    outcome = "error"
    started = time.perf_counter()
    try:
        result = run(backend)
        outcome = "ok"
        return result
    except SearchUnavailable:
        outcome = "unavailable"
        raise
    finally:
        metrics.instruments().search.labels(backend.name, operation, outcome).observe(
            time.perf_counter() - started
        )


def metrics_page() -> Response:
    reg = registry()
    with reg.db.transaction() as session:
        actor = authenticate(session, request.headers.get("Authorization"))
    actor.require_admin()
    body, content_type = metrics.exposition([DatabaseCollector(reg)])
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


class DatabaseCollector:
    """What the database and the index say at scrape time (read through core functions)."""

    def __init__(self, reg: Registry):
        self.reg = reg

    def collect(self) -> Iterator[Any]:
        try:
            yield from self._collect()
        except Exception:  # a scrape reports what it can; the database may be down
            log.exception("metrics: could not read the database")
            yield _gauge("simpul_database_up", "1 when the database answered the scrape", 0)

    def _collect(self) -> Iterator[Any]:
        cursor = self._index_cursor()
        with self.reg.db.session() as session:
            services = stats.live_services(session)
            jobs = stats.jobs_by_state(session)
            pending = stats.outbox(session, cursor) if cursor is not None else None
            children = federation_status(session)
        yield _gauge("simpul_database_up", "1 when the database answered the scrape", 1)
        yield _gauge("simpul_services", "Live services in the database", services)
        yield _gauge(
            "simpul_search_up", "1 when the search index answered the scrape", cursor is not None
        )
        if pending is not None:
            yield _gauge(
                "simpul_outbox_pending_changes",
                "Changes of the change log not yet applied to the search index",
                pending["pending"],
            )
            yield _gauge(
                "simpul_outbox_oldest_pending_seconds",
                "Age of the oldest change not yet in the search index (0: none waits)",
                pending["oldest_seconds"],
            )
        yield _labelled(
            "simpul_harvest_jobs",
            "Harvest jobs in each state",
            ["state"],
            [((state,), jobs.get(state, 0)) for state in TRANSITIONS],
        )
        yield from _federation(children)

    def _index_cursor(self) -> int | None:
        try:
            backend = self.reg.search
            return backend.cursor() if backend.ping() else None
        except Exception:
            return None


def _federation(children: list[dict[str, Any]]) -> Iterator[Any]:
    ages, lags, failed = [], [], []
    for child in children:
        labels = (child["source"],)
        if child["last_success"]:
            ages.append((labels, stats.age_seconds(child["last_success"])))
        if isinstance(child.get("lag"), int | float):
            lags.append((labels, child["lag"]))
        job = child.get("last_job") or {}
        failed.append((labels, job.get("status") not in (None, "finished", "queued", "running")))
    yield _labelled(
        "simpul_federation_last_success_age_seconds",
        "Per child node (simpul source): seconds since its last successful harvest",
        ["source"],
        ages,
    )
    yield _labelled(
        "simpul_federation_lag_changes",
        "Per child node: changes of its feed still unread at its last harvest",
        ["source"],
        lags,
    )
    yield _labelled(
        "simpul_federation_last_job_failed",
        "Per child node: 1 when its last harvest job did not finish cleanly",
        ["source"],
        failed,
    )


def _gauge(name: str, documentation: str, value: float) -> Any:
    from prometheus_client.core import GaugeMetricFamily

    return GaugeMetricFamily(name, documentation, value=float(value))


def _labelled(name: str, documentation: str, labels: list[str], values: list) -> Any:
    from prometheus_client.core import GaugeMetricFamily

    family = GaugeMetricFamily(name, documentation, labels=labels)
    for label_values, value in values:
        family.add_metric(list(label_values), float(value))
    return family


def start_metrics_server(settings: Settings, port: int) -> Any:
    """``/metrics`` on ``127.0.0.1:port`` in a thread of this process, with a registry (database
    and index) of its own: the server's processes keep theirs."""
    from prometheus_client import start_http_server

    from simpul.search import open_backend

    reg = Registry(settings, search=open_backend)
    server, _thread = start_http_server(
        port, addr="127.0.0.1", registry=metrics.scrape_registry([DatabaseCollector(reg)])
    )
    return server
