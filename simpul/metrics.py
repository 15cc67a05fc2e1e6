"""The Prometheus instruments that Simpul's processes record into (official ``prometheus-client``).

Every process records what it does itself: requests and searches (the web processes), harvested
records (the harvest worker), database connections in use (all). ``simpul serve`` runs several
processes, so it sets up a directory (``PROMETHEUS_MULTIPROC_DIR``) before any of them starts:
each process then writes its values into files there and ``/metrics`` adds them up
(``prometheus_client.multiprocess``). Without that directory (tests, a lone process) the values
live in the process. What is read from the database at scrape time (outbox lag, jobs, federation)
is collected by the web layer through core functions, not here.

Nothing happens at import: ``prometheus_client`` decides between the two modes when it is first
imported, so the instruments are made on first use, after the server has set the directory up.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# seconds: from a cached read (milliseconds) to a catalog export or a slow search server
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
HARVEST_OUTCOMES = ("created", "updated", "unchanged", "deleted", "errors", "held", "duplicates")


@dataclass(frozen=True)
class Instruments:
    registry: Any  # the in-process CollectorRegistry (single-process mode)
    requests: Any  # Histogram: method, route, status
    search: Any  # Histogram: backend, operation, outcome
    harvest_records: Any  # Counter: outcome
    db_in_use: Any  # Gauge: connections checked out of the pool
    db_capacity: Any  # Gauge: pool size + overflow


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


@functools.cache
def instruments() -> Instruments:
    """The instruments of this process, made once."""
    from prometheus_client import (
        CollectorRegistry,
        Counter,
        Gauge,
        Histogram,
        gc_collector,
        platform_collector,
        process_collector,
    )

    registry = CollectorRegistry(auto_describe=True)
    if not multiprocess():  # these read /proc of one process: meaningless summed over workers
        process_collector.ProcessCollector(registry=registry)
        platform_collector.PlatformCollector(registry=registry)
        gc_collector.GCCollector(registry=registry)
    return Instruments(
        registry=registry,
        requests=Histogram(
            "simpul_http_request_duration_seconds",
            "HTTP requests by route (the URL rule), method and status, with their latency",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        search=Histogram(
            "simpul_search_duration_seconds",
            "Searches and suggestions by backend and outcome (ok, unavailable, error)",
            ["backend", "operation", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        harvest_records=Counter(
            "simpul_harvest_records",
            "Harvested records by outcome, counted when their job ends",
            ["outcome"],
            registry=registry,
        ),
        db_in_use=Gauge(
            "simpul_db_connections_in_use",
            "Database connections checked out of the pools of the live processes",
            multiprocess_mode="livesum",
            registry=registry,
        ),
        db_capacity=Gauge(
            "simpul_db_connections_max",
            "Connections the pools of the live processes may open (size plus overflow)",
            multiprocess_mode="livesum",
            registry=registry,
        ),
    )


def count_harvest(counts: dict[str, int]) -> None:
    """A finished job's record counts."""
    counter = instruments().harvest_records
    for outcome in HARVEST_OUTCOMES:
        if counts.get(outcome):
            counter.labels(outcome).inc(counts[outcome])


def setup_multiprocess() -> Path | None:
    """Before the server starts its processes: a fresh directory for their values, exported in
    ``PROMETHEUS_MULTIPROC_DIR`` so that every child inherits it. An operator's own directory
    (the variable already set) is emptied of old values and kept; otherwise a new temporary one
    is made, and returned so that :func:`cleanup_multiprocess` removes it at the end."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.db"):  # values of an earlier run would be added up
            old.unlink()
        return None
    made = Path(tempfile.mkdtemp(prefix="simpul-metrics-"))
    os.environ[MULTIPROC_ENV] = str(made)
    return made


def cleanup_multiprocess(made: Path | None) -> None:
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)


def process_ended(pid: int) -> None:
    """A child process ended: its live gauges no longer count."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        mp.mark_process_dead(pid)


def exposition(extra: list[Any] | None = None) -> tuple[bytes, str]:
    """The text exposition of every process's values plus ``extra`` collectors."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return generate_latest(scrape_registry(extra)), CONTENT_TYPE_LATEST


def scrape_registry(extra: list[Any] | None = None) -> Any:
    """A registry whose collection reads every process's values (or this one's) and then
    ``extra`` collectors."""
    from prometheus_client import CollectorRegistry

    if multiprocess():
        from prometheus_client import multiprocess as mp

        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(instruments().registry))
    for collector in extra or []:
        registry.register(collector)
    return registry


class _Forward:
    """The instruments' registry as one collector of a scrape's registry."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()
