"""Harvesting benchmarks: end to end (fetch, parse, map, validate, store) from a JSON API and
from a paged Turtle catalog, both served from files by a separate HTTP server process on
loopback, and a scheduling cycle of 1,000 small sources.

Baseline in the same process: the bulk load of the same records (``simpul load``'s path), the
fastest way records enter Simpul; the ratio says what fetching and mapping cost on top.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson

from simpul.config import load_settings
from simpul.registry.context import Registry
from simpul.registry.organizations import create_organization

PAGE = 1000


class StaticServer:
    """``python -m http.server`` over a folder, in its own process (its CPU is not ours)."""

    def __init__(self, folder: Path):
        from bench.__main__ import _free_port, _wait_for

        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--directory",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(self.port)
        self.base = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _registry(workdir: Path, name: str) -> Registry:
    for stale in workdir.glob(f"{name}.db*"):
        stale.unlink()
    registry = Registry(
        load_settings(
            {
                "database_url": f"sqlite:///{workdir / name}.db",
                "harvest_allow_private": True,
                "data_dir": str(workdir),
            },
            environ={},
        )
    )
    registry.db.upgrade()
    with registry.db.transaction() as session:
        create_organization(
            session,
            {
                "id": "kementerian-sintetis",
                "name": {"id": "Kementerian Sintetis"},
                "level": "pusat",
            },
        )
    return registry


def _source(registry, source_id: str, kind: str, url: str, options: dict) -> None:
    from simpul.harvesters.sources import create_source

    with registry.db.transaction() as session:
        create_source(
            session,
            {
                "id": source_id,
                "type": kind,
                "url": url,
                "organization": "kementerian-sintetis",
                "options": options,
                "schedule": "manual",
            },
        )


def _timed_harvest(registry, source_id: str, expected: int, mode: str = "auto") -> float:
    from simpul.harvesters.runner import harvest

    start = time.perf_counter()
    job = harvest(registry, source_id, mode)
    elapsed = time.perf_counter() - start
    done = job.counts.get("created", 0) + job.counts.get("unchanged", 0)
    assert job.status == "finished" and done == expected, (job.status, job.counts, job.message)
    return elapsed


def _records(ctx, count: int) -> list[dict]:
    out = []
    with ctx.records.open("rb") as fh:
        for line in fh:
            out.append(orjson.loads(line))
            if len(out) == count:
                break
    return out


def _bulk_baseline(ctx, workdir: Path, records: list[dict]) -> float:
    from simpul.registry.bulk import load_jsonl

    path = workdir / "baseline.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    registry = _registry(workdir, "bulk")
    start = time.perf_counter()
    with path.open("rb") as fh:
        report = load_jsonl(registry, fh, "kementerian-sintetis")
    elapsed = time.perf_counter() - start
    assert report.counts["created"] == len(records)
    registry.close()
    return len(records) / elapsed


def harvest_json(ctx) -> dict:
    count = min(ctx.count, 20_000)
    records = _records(ctx, count)
    folder = ctx.workdir / "json-source"
    folder.mkdir(exist_ok=True)
    pages = [records[i : i + PAGE] for i in range(0, count, PAGE)]
    for number, chunk in enumerate(pages, start=1):
        body = {"data": chunk, "next": f"page-{number + 1}.json" if number < len(pages) else None}
        (folder / f"page-{number}.json").write_bytes(orjson.dumps(body))
    server = StaticServer(folder)
    try:
        registry = _registry(ctx.workdir, "harvest-json")
        options = {"key": "identifier", "pagination": {"style": "next", "next_path": "next"}}
        _source(registry, "portal", "json", f"{server.base}/page-1.json", options)
        first = _timed_harvest(registry, "portal", count)
        again = _timed_harvest(registry, "portal", count)
        registry.close()
    finally:
        server.close()
    baseline = _bulk_baseline(ctx, ctx.workdir, records)
    rate = count / first
    return {
        "records": count,
        "page_size": PAGE,
        "seconds": round(first, 2),
        "records_per_s": round(rate),
        "second_run_unchanged_records_per_s": round(count / again),
        "baseline_bulk_load_records_per_s": round(baseline),
        "ratio_to_bulk_load": round(rate / baseline, 3),
    }


def harvest_turtle(ctx) -> dict:
    from simpul.harvesters.runner import harvest
    from simpul.registry.catalog import CatalogFilter, catalog_document

    count = min(ctx.count, 10_000)
    records = _records(ctx, count)
    folder = ctx.workdir / "ttl-source"
    folder.mkdir(exist_ok=True)
    server = StaticServer(folder)
    try:
        _registry(ctx.workdir, "ttl-origin").close()  # schema and organization
        origin = Registry(
            load_settings(
                {
                    "database_url": f"sqlite:///{ctx.workdir / 'ttl-origin'}.db",
                    "base_uri": server.base,
                },
                environ={},
            )
        )
        path = ctx.workdir / "ttl.jsonl"
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
        from simpul.registry.bulk import load_jsonl

        with path.open("rb") as fh:
            load_jsonl(origin, fh, "kementerian-sintetis")
        last = -(-count // PAGE)
        with origin.db.session() as session:
            for number in range(1, last + 1):
                where = CatalogFilter(page=number, size=PAGE)
                text = "".join(catalog_document(session, "ttl", server.base, "origin", where))
                text = text.replace(f"<{server.base}/catalog?page=", "<page-")  # relative
                text = text.replace(f"&size={PAGE}", ".ttl")
                (folder / f"page-{number}.ttl").write_text(text)
        origin.close()
        registry = _registry(ctx.workdir, "harvest-ttl")
        _source(registry, "catalog", "rdf", f"{server.base}/page-1.ttl", {})
        start = time.perf_counter()
        job = harvest(registry, "catalog")
        elapsed = time.perf_counter() - start
        assert job.status == "finished" and job.counts["created"] == count, job.counts
        registry.close()
    finally:
        server.close()
    return {
        "records": count,
        "page_size": PAGE,
        "bytes": sum(p.stat().st_size for p in folder.glob("*.ttl")),
        "seconds": round(elapsed, 2),
        "records_per_s": round(count / elapsed),
    }


def harvest_schedule(ctx) -> dict:
    """1,000 registered sources of 10 records each, all due: one worker cycle runs them all."""
    from sqlalchemy import update

    from simpul.harvesters.worker import run_cycle
    from simpul.registry.db import utcnow
    from simpul.registry.models import HarvestSource

    sources, per_source = 1000, 10
    records = _records(ctx, per_source)
    folder = ctx.workdir / "small-sources"
    folder.mkdir(exist_ok=True)
    for n in range(sources):
        chunk = [{**r, "identifier": f"s{n}-{r['identifier']}"[:200]} for r in records]
        (folder / f"s{n}.json").write_bytes(orjson.dumps(chunk))
    server = StaticServer(folder)
    try:
        registry = _registry(ctx.workdir, "schedule")
        from simpul.harvesters.sources import create_source

        with registry.db.transaction() as session:
            for n in range(sources):
                create_source(
                    session,
                    {
                        "id": f"s{n}",
                        "type": "json",
                        "url": f"{server.base}/s{n}.json",
                        "organization": "kementerian-sintetis",
                        "options": {"key": "identifier"},
                        "schedule": "PT1H",
                    },
                )
        timings = {}
        for label in ("first_cycle", "second_cycle_unchanged"):
            if label == "second_cycle_unchanged":
                with registry.db.transaction() as session:  # make them all due again
                    session.execute(update(HarvestSource).values(next_run_at=utcnow()))
            start = time.perf_counter()
            report = run_cycle(registry, concurrency=8)
            timings[label] = time.perf_counter() - start
            assert report.ran == sources and report.finished == sources, report
        registry.close()
    finally:
        server.close()
    return {
        "sources": sources,
        "records_per_source": per_source,
        "concurrency": 8,
        **{f"{k}_seconds": round(v, 1) for k, v in timings.items()},
        "sources_per_s_first": round(sources / timings["first_cycle"], 1),
        "sources_per_s_unchanged": round(sources / timings["second_cycle_unchanged"], 1),
    }
