"""Bulk loading of applications (issue 15): ``--records`` applications of one agency, each
delivering three of its services, through ``simpul applications load``'s core (JSON Lines).
Target: 100,000 applications with 300,000 service links at >= 3,000 records/s.

Baselines in the same run: plain ``sqlite3`` inserting each line's JSON and its three link rows,
no checks, no versions; and ``simpul load`` of as many service records (the same pipeline and
versioned-record core), as a ratio."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

import orjson

from simpul.config import load_settings
from simpul.reference import codelists
from simpul.registry import services
from simpul.registry.appload import jsonl_records, load_applications
from simpul.registry.auth import SYSTEM
from simpul.registry.bulk import _worker_count, load_jsonl
from simpul.registry.context import Registry
from simpul.registry.organizations import create_organization

ORG = "kementerian-aplikasi"
LINKS = 3


def _service(number: int) -> dict:
    return {"identifier": f"layanan-{number}", "name": {"id": f"Layanan Sintetis {number}"}}


def _application(rng: random.Random, number: int, service_count: int) -> dict:
    linked = rng.sample(range(service_count), LINKS)
    return {
        "identifier": f"aplikasi-{number}",
        "name": {"id": f"Sistem Informasi Sintetis {number}", "en": f"Synthetic system {number}"},
        "short_name": f"SIS{number}",
        "url": f"https://app{number}.sintetis.go.id",
        "kind": rng.choice(list(codelists.APPLICATION_KINDS)),
        "category": rng.choice(list(codelists.APPLICATION_CATEGORIES)),
        "lifecycle": rng.choice(list(codelists.APPLICATION_LIFECYCLES)),
        "operator": {"name": "Pusat Data dan Informasi"},
        "hosting": rng.choice(list(codelists.HOSTING)),
        "services": [f"layanan-{i}" for i in linked],
        "interfaces": [{"type": "rest", "authentication": "oauth2"}],
        "splp": {"status": "terdaftar", "apis": [f"api-{number}"]},
        "security": {"level": "sedang", "last_audit": "2025-01-31"},
    }


def _prepare(workdir: Path, count: int) -> tuple[Registry, Path, int]:
    db = workdir / "applications.db"
    for stale in workdir.glob("applications.db*"):
        stale.unlink()
    registry = Registry(load_settings({"database_url": f"sqlite:///{db}"}, environ={}))
    registry.db.upgrade()
    service_count = max(100, count // 10)
    with registry.db.transaction() as session:
        create_organization(session, {"id": ORG, "name": {"id": "Kementerian"}, "level": "pusat"})
        lookup = services.session_lookup(session)
        batch = [services.prepare(_service(i), lookup, ORG) for i in range(service_count)]
        services.publish_many(session, batch, SYSTEM, base_uri="http://b", provenance={})
    path = workdir / f"applications-{count}.jsonl"
    rng = random.Random(15)
    with path.open("wb") as fh:
        for number in range(count):
            fh.write(orjson.dumps(_application(rng, number, service_count)) + b"\n")
    return registry, path, service_count


def _baseline(path: Path, db_path: Path) -> float:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, data TEXT)")
    conn.execute("CREATE TABLE l (a INTEGER, s TEXT, PRIMARY KEY (a, s))")
    start = time.perf_counter()
    with path.open("rb") as fh:
        for number, line in enumerate(fh):
            record = orjson.loads(line)
            conn.execute("INSERT INTO a (id, data) VALUES (?, ?)", (number, orjson.dumps(record)))
            conn.executemany(
                "INSERT INTO l VALUES (?, ?)", [(number, s) for s in record["services"]]
            )
            if number % 1000 == 999:
                conn.commit()
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _services_per_s(ctx) -> float:
    """``simpul load`` of ``--records`` generated service records into a fresh database."""
    db = ctx.workdir / "services-beside-apps.db"
    for stale in ctx.workdir.glob("services-beside-apps.db*"):
        stale.unlink()
    registry = Registry(load_settings({"database_url": f"sqlite:///{db}"}, environ={}))
    registry.db.upgrade()
    with registry.db.transaction() as session:
        create_organization(session, {"id": ORG, "name": {"id": "Kementerian"}, "level": "pusat"})
    start = time.perf_counter()
    with ctx.records.open("rb") as fh:
        report = load_jsonl(registry, fh, ORG)
    elapsed = time.perf_counter() - start
    registry.close()
    assert report.counts["created"] == ctx.count, report.counts
    return ctx.count / elapsed


def load_applications_bench(ctx) -> dict:
    registry, path, service_count = _prepare(ctx.workdir, ctx.count)
    start = time.perf_counter()
    with path.open("rb") as fh:  # as ``simpul applications load`` decides its workers
        workers = _worker_count(fh, None)
        report = load_applications(registry, jsonl_records(fh), ORG, workers=workers)
    elapsed = time.perf_counter() - start
    registry.close()
    assert report.counts["created"] == ctx.count, report.counts
    for stale in ctx.workdir.glob("baseline-apps.db*"):
        stale.unlink()
    baseline = _baseline(path, ctx.workdir / "baseline-apps.db")
    services_per_s = _services_per_s(ctx)
    per_s = ctx.count / elapsed
    return {
        "applications": ctx.count,
        "service_links": ctx.count * LINKS,
        "services_of_the_agency": service_count,
        "seconds": round(elapsed, 2),
        "records_per_s": round(per_s),
        "checking_processes": workers,
        "baseline_plain_sqlite_per_s": round(ctx.count / baseline),
        "ratio_to_baseline": round(per_s / (ctx.count / baseline), 3),
        "services_per_s_same_process": round(services_per_s),
        "ratio_to_services": round(per_s / services_per_s, 3),
        "target_records_per_s": 3000,
    }
