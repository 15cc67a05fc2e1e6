"""Benchmarks of the registry core. ``make bench`` runs them all and prints one JSON document.

    python -m bench [--records 100000] [--only load_sqlite,get_in_process,...]

Each figure comes with a baseline measured in the same process where one makes sense, and the
ratio between them, since these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from functools import cached_property
from pathlib import Path

import orjson
from sqlalchemy import bindparam

from bench import generate
from simpul.config import load_settings
from simpul.registry.bulk import load_jsonl
from simpul.registry.context import Registry
from simpul.registry.organizations import create_organization
from simpul.search import open_backend

AUTHORITY = "kementerian-sintetis"


def records_file(workdir: Path, count: int) -> Path:
    """``count`` records of one national agency, spread over the regencies by population."""
    path = workdir / f"records-{count}.jsonl"
    if not path.exists():
        with path.open("wb") as fh:
            for _, record in generate.services(count):
                fh.write(orjson.dumps(record) + b"\n")
    return path


def fresh_registry(url: str) -> Registry:
    registry = Registry(load_settings({"database_url": url}, environ={}))
    registry.db.upgrade()
    with registry.db.transaction() as session:
        create_organization(
            session, {"id": AUTHORITY, "name": {"id": "Kementerian Sintetis"}, "level": "pusat"}
        )
    return registry


def baseline_insert(path: Path, db_path: Path) -> float:
    """Floor: parse each line and insert it as JSON text with plain sqlite3, no checks at all."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, data TEXT)")
    start = time.perf_counter()
    batch = []
    count = 0
    with path.open("rb") as fh:
        for line in fh:
            batch.append((orjson.dumps(orjson.loads(line)).decode(),))
            if len(batch) == 500:
                conn.executemany("INSERT INTO r (data) VALUES (?)", batch)
                conn.commit()
                count += len(batch)
                batch = []
    conn.executemany("INSERT INTO r (data) VALUES (?)", batch)
    conn.commit()
    count += len(batch)
    elapsed = time.perf_counter() - start
    conn.close()
    return count / elapsed


def _tree_mb(path: Path) -> float:
    """Disk use of a file, or of every file under a folder, in MB (what ``du`` adds up)."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_blocks * 512 for p in files) / 1e6, 1)


def bench_load(url: str, path: Path, count: int) -> dict:
    registry = fresh_registry(url)
    start = time.perf_counter()
    with path.open("rb") as fh:
        report = load_jsonl(registry, fh, AUTHORITY)
    elapsed = time.perf_counter() - start
    assert report.counts["created"] == count, report.counts
    again_start = time.perf_counter()
    with path.open("rb") as fh:
        again = load_jsonl(registry, fh, AUTHORITY)
    again_elapsed = time.perf_counter() - again_start
    assert again.counts["unchanged"] == count, again.counts
    registry.close()
    return {
        "records": count,
        "seconds": round(elapsed, 2),
        "records_per_s": round(count / elapsed),
        "reload_unchanged_records_per_s": round(count / again_elapsed),
    }


def load_sqlite(ctx) -> dict:
    db = ctx.workdir / "load.db"
    for stale in ctx.workdir.glob("load.db*"):
        stale.unlink()
    result = bench_load(f"sqlite:///{db}", ctx.records, ctx.count)
    result["database_mb"] = sum(_tree_mb(p) for p in ctx.workdir.glob("load.db*"))
    result["database_kb_per_service"] = round(result["database_mb"] * 1000 / ctx.count, 2)
    for stale in ctx.workdir.glob("baseline.db*"):
        stale.unlink()
    baseline = baseline_insert(ctx.records, ctx.workdir / "baseline.db")
    result["baseline_plain_sqlite_insert_per_s"] = round(baseline)
    result["ratio_to_baseline"] = round(result["records_per_s"] / baseline, 3)
    ctx.sqlite_url = f"sqlite:///{db}"
    return result


def load_postgresql(ctx) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.services.postgres import start_postgres

    server = start_postgres()
    if server is None:
        return {"skipped": "PostgreSQL is not installed (make system-deps)"}
    try:
        import psycopg

        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        result = bench_load(server.url("bench"), ctx.records, ctx.count)
        with psycopg.connect(server.url("bench"), autocommit=True) as conn:
            conn.execute("VACUUM")  # the size a settled database has, not its dead versions
            size = conn.execute("SELECT pg_database_size('bench')").fetchone()[0]
        result["database_mb"] = round(size / 1e6, 1)
        result["database_kb_per_service"] = round(size / 1e3 / ctx.count, 2)
        return result
    finally:
        server.stop()


def _service_ids(url: str, sample: int) -> list[str]:
    registry = Registry(load_settings({"database_url": url}, environ={}))
    with registry.db.engine.connect() as conn:
        from sqlalchemy import text

        ids = [row[0] for row in conn.execute(text("SELECT id FROM services"))]
    registry.close()
    return random.Random(1).sample(ids, min(sample, len(ids)))


def _timed(client, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return out


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted ``samples``: the smallest sample with at least ``share``
    of the samples at or below it."""
    return samples[max(0, math.ceil(share * len(samples)) - 1)]


def _summary(samples: list[float]) -> dict:
    """Median and the highest percentile the samples support: p99 needs at least 100 samples
    (below that the "99th" is just the maximum or the 19th of 20), p95 at least 20."""
    samples = sorted(samples)
    out = {"samples": len(samples), "p50_ms": round(statistics.median(samples), 3)}
    if len(samples) >= 100:
        out["p99_ms"] = round(percentile(samples, 0.99), 3)
    elif len(samples) >= 20:
        out["p95_ms"] = round(percentile(samples, 0.95), 3)
    out["max_ms"] = round(samples[-1], 3)
    return out


def get_in_process(ctx) -> dict:
    from flask import Flask

    from simpul.web import create_app

    url = ctx.sqlite_url or _ensure_db(ctx)
    app = create_app({"database_url": url})
    client = app.test_client()
    paths = [f"/api/v1/services/{i}" for i in _service_ids(url, 3000)]
    _timed(client, paths[:200])  # warm up
    simpul = _summary(_timed(client, paths))
    bare = Flask("baseline")
    bare.get("/x/<id>")(lambda id: {"id": id})
    bare_client = bare.test_client()
    base = _summary(_timed(bare_client, [f"/x/{n}" for n in range(3000)]))
    app.extensions["simpul"].close()
    return {
        "requests": len(paths),
        **simpul,
        "baseline_bare_flask_p50_ms": base["p50_ms"],
        "ratio_p50_to_baseline": round(simpul["p50_ms"] / base["p50_ms"], 2),
    }


def http_loopback(ctx) -> dict:
    """gunicorn with 2 workers on loopback, loaded by wrk (Debian package) with random ids."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"skipped": "wrk is not installed (make system-deps installs it for make bench)"}
    url = ctx.sqlite_url or _ensure_db(ctx)
    ids = _service_ids(url, 5000)
    script = ctx.workdir / "ids.lua"
    script.write_text(
        "local ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n"
        "request = function()\n  return wrk.format('GET', '/api/v1/services/' .."
        " ids[math.random(#ids)])\nend\n"
    )
    port = _free_port()
    env = {**os.environ, "SIMPUL_DATABASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "simpul.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        out = subprocess.run(
            [
                wrk,
                "-t2",
                "-c8",
                "-d10s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        server.terminate()
        server.wait(10)
    lines = out.stdout.splitlines()
    rps = next(line.split()[1] for line in lines if line.startswith("Requests/sec"))
    latency = {
        line.split()[0]: line.split()[1]
        for line in lines
        if line.strip().startswith(("50%", "99%"))
    }
    return {
        "tool": "wrk -t2 -c8 -d10s",
        "server": "gunicorn, 2 workers x 4 threads",
        "requests_per_s": float(rps),
        "latency_p50": latency.get("50%"),
        "latency_p99": latency.get("99%"),
    }


def _child(code: str) -> list[str]:
    """Run ``code`` in a child process (its peak memory is its own); its printed words."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


_CHILD_HEAD = (
    "import resource, sys, time\n"
    "from simpul.config import load_settings\n"
    "from simpul.registry.context import Registry\n"
    "from simpul.registry.catalog import CatalogFilter, catalog_document\n"
)


def _export_run(url: str, fmt: str, cache: bool = False, first: int | None = None) -> dict:
    """One export in a child process. With ``cache``, records' renderings are kept (a first
    run) or copied (a later one); with ``first``, only the first ``first`` records (by id)."""
    where = f"CatalogFilter(page=1, size={first})" if first else "CatalogFilter()"
    code = _CHILD_HEAD + (
        f"reg = Registry(load_settings({{'database_url': {url!r}}}, environ={{}}))\n"
        "reg.db.upgrade()\n"
        "size = 0\nstart = time.perf_counter()\n"
        "with reg.db.session() as s:\n"
        f"    cache = reg.db if {cache!r} else None\n"
        f"    for chunk in catalog_document(s, {fmt!r}, reg.base_uri, 'bench', {where},"
        " cache=cache):\n"
        "        size += len(chunk)\n"
        "elapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "print(elapsed, size, peak)\n"
    )
    elapsed, size, peak = _child(code)
    return {"seconds": round(float(elapsed), 3), "bytes": int(size), "peak_rss_mb": int(peak)}


def _clear_renderings(url: str) -> None:
    from sqlalchemy import text

    registry = Registry(load_settings({"database_url": url}, environ={}))
    registry.db.upgrade()
    with registry.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM renderings"))
    registry.close()


def _rdflib_baseline(url: str, count: int) -> dict:
    """Baseline, in a child process like the export it is compared with: the first ``count``
    records (by id, the export's order) put into one rdflib Graph, then ``serialize`` (Turtle)."""
    code = _CHILD_HEAD + (
        "from rdflib import Graph\n"
        "from sqlalchemy import select\n"
        "from simpul.registry.models import Service\n"
        "from simpul.registry.services import service_to_dict\n"
        "from simpul.registry.catalog import organizations\n"
        "from simpul.vocab.export import SharedNodes, record_blocks\n"
        "from simpul.vocab.terms import to_rdflib\n"
        f"reg = Registry(load_settings({{'database_url': {url!r}}}, environ={{}}))\n"
        "with reg.db.session() as s:\n"
        "    shared = SharedNodes(organizations(s, reg.base_uri))\n"
        "    query = select(Service.__table__).where(Service.deleted_at.is_(None))\n"
        f"    rows = s.execute(query.order_by(Service.id).limit({count})).all()\n"
        "    start = time.perf_counter()\n"
        "    graph = Graph()\n"
        "    for row in rows:\n"
        "        for t in record_blocks(service_to_dict(row), shared):\n"
        "            graph.add(tuple(to_rdflib(x) for x in t))\n"
        "    text = graph.serialize(format='turtle')\n"
        "    elapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "print(elapsed, len(graph), len(text.encode()), peak)\n"
    )
    elapsed, triples, size, peak = _child(code)
    seconds = float(elapsed)
    return {
        "services": count,
        "triples": int(triples),
        "seconds": round(seconds, 2),
        "services_per_s": round(count / seconds),
        "bytes": int(size),
        "peak_rss_mb": int(peak),
    }


BASELINE_EXPORT_SIZE = 1000  # rdflib's Graph takes ~30 s for 1,000 services, an hour for 100,000


def export_rdf(ctx) -> dict:
    """The whole catalog in Turtle and N-Triples (cold, filling the rendering cache, copying
    from it), each in a child process. The rdflib baseline cannot run at 100,000 services (about
    an hour), so the ratio compares it with Simpul's export of the same first 1,000 records,
    both in child processes, in the same run."""
    url = ctx.sqlite_url or _ensure_db(ctx)
    out = {}
    for fmt in ("ttl", "nt"):
        run = _export_run(url, fmt)
        run["services_per_s"] = round(ctx.count / run["seconds"])
        out[fmt] = run
        # as the API and `simpul export` run it: renderings kept by a first export, copied
        # by the next while records do not change
        _clear_renderings(url)
        for label in ("first_with_cache", "cached"):
            run = _export_run(url, fmt, cache=True)
            run["services_per_s"] = round(ctx.count / run["seconds"])
            out[f"{fmt}_{label}"] = run
    size = min(ctx.count, BASELINE_EXPORT_SIZE)
    same = _export_run(url, "ttl", first=size)
    same["services"] = size
    same["services_per_s"] = round(size / same["seconds"])
    baseline = _rdflib_baseline(url, size)
    out[f"ttl_first_{size}"] = same
    out[f"baseline_rdflib_graph_turtle_first_{size}"] = baseline
    out[f"ratio_ttl_to_baseline_first_{size}"] = round(
        same["services_per_s"] / baseline["services_per_s"], 1
    )
    return out


def validate_one(ctx) -> dict:
    """SHACL check of one stored record against Simpul's shapes (what an auditor asks for)."""
    from simpul.web import create_app

    url = ctx.sqlite_url or _ensure_db(ctx)
    app = create_app({"database_url": url})
    client = app.test_client()
    ids = _service_ids(url, 201)
    client.get(f"/api/v1/services/{ids[0]}/validation")  # shapes parsed once per process
    timings = _timed(client, [f"/api/v1/services/{i}/validation" for i in ids[1:]])
    app.extensions["simpul"].close()
    return {"records": len(timings), **_summary(timings)}


QUERY_MIX = [
    {"q": "akta kelahiran"},
    {"q": "surat keterangan"},
    {"q": "pendaftaran"},
    {"q": "izin usaha"},
    {"q": "KTP"},
    {"q": "SKTM"},
    {"q": "rekomendasi", "level": ["kabkota"]},
    {"q": "perpanjangn"},
    {"q": "kartu keluarga", "sector": ["kependudukan"]},
    {"q": "bantuan sosial", "area": "AREA"},
    {"area": "AREA"},
    {"sector": ["kesehatan"]},
    {"q": "legalisir", "sort": "-modified"},
    {"q": "pelayanan"},
    {"q": "birth certificate"},
]


def _query_mix() -> list[dict]:
    """600 requests drawn from ``QUERY_MIX`` (as ``build_query`` keywords)."""
    from simpul.reference.areas import load_areas

    rng = random.Random(3)
    villages = [
        a.code
        for p in load_areas().children("75")
        for d in load_areas().children(p.code)
        for a in load_areas().children(d.code)
    ]
    queries = []
    for _ in range(600):
        spec = dict(rng.choice(QUERY_MIX))
        if spec.get("area") == "AREA":
            spec["area"] = rng.choice(villages)
        queries.append(
            {
                "q": spec.pop("q", None),
                "filters": {k: v for k, v in spec.items() if k not in ("area", "sort")},
                "area": spec.get("area"),
                "sort": spec.get("sort", "relevance"),
                "size": 10,
            }
        )
    return queries


def _ask(backend, request: dict):
    """A request as the API serves it: built (spelling corrected towards the index's
    vocabulary), then searched; both are timed."""
    from simpul.search.base import build_query

    return backend.search(build_query(**request, vocabulary=backend.vocabulary()))


def _search_run(ctx, overrides: dict) -> dict:
    from simpul.registry.indexing import rebuild
    from simpul.search.base import FACETS

    url = ctx.sqlite_url or _ensure_db(ctx)
    registry = Registry(
        load_settings({"database_url": url, **overrides}, environ={}), search=open_backend
    )
    start = time.perf_counter()
    rebuild(registry, registry.search)
    rebuild_s = time.perf_counter() - start
    backend = registry.search
    queries = _query_mix()
    for query in queries[:50]:
        _ask(backend, query)  # warm up
    timings = []
    for query in queries:
        begin = time.perf_counter()
        _ask(backend, query)
        timings.append((time.perf_counter() - begin) * 1000)
    registry.close()
    return {
        "documents": ctx.count,
        "rebuild_seconds": round(rebuild_s, 1),
        "rebuild_docs_per_s": round(ctx.count / rebuild_s),
        "queries": len(timings),
        "facets": f"{', '.join(FACETS)} on every query",
        **_summary(timings),
    }


def _link_types(url: str, count: int = 80, share: float = 0.9) -> int:
    """Link the generated services to ``count`` types of the national list, as instances of one
    type share a name: by the noun and qualifier of their names; ``1 - share`` stay unlinked."""
    from sqlalchemy import func, select, update

    from simpul.registry.auth import SYSTEM
    from simpul.registry.models import Service, ServiceType
    from simpul.registry.types import load_types, national_list
    from simpul.search.grouping import stable_key

    registry = Registry(load_settings({"database_url": url}, environ={}))
    with registry.db.transaction() as session:
        if not session.scalar(select(func.count()).select_from(ServiceType)):
            load_types(session, national_list(), SYSTEM, base_uri="http://bench", provenance={})
        type_ids = sorted(session.scalars(select(ServiceType.id)))[:count]
        names = select(Service.id, Service.data["name"]["id"].as_string())
        links = []  # ids and names only: whole records of 2,000,000 services do not fit in RAM
        for service_id, name in session.execute(names.execution_options(yield_per=20000)):
            name = name.lower()
            noun = next(i for i, n in enumerate(generate.NOUNS) if name.startswith(n))
            qualifier = next(i for i, q in enumerate(generate.QUALIFIERS) if q in name)
            if stable_key(service_id) % 1000 < share * 1000:
                links.append({"i": service_id, "t": type_ids[(noun * 15 + qualifier) % count]})
        for start in range(0, len(links), 5000):
            table = Service.__table__
            session.execute(
                update(table).where(table.c.id == bindparam("i")).values(type_id=bindparam("t")),
                links[start : start + 5000],
            )
    registry.close()
    return len(links)


def search_grouped(ctx) -> dict:
    """``group=type`` over services linked to 80 national types (90% of them), against the same
    query mix without grouping, on one embedded index rebuilt from the database."""
    from simpul.registry.indexing import rebuild

    url = ctx.sqlite_url or _ensure_db(ctx)
    linked = _link_types(url)
    registry = Registry(
        load_settings(
            {"database_url": url, "search_path": str(ctx.workdir / "grouped")}, environ={}
        ),
        search=open_backend,
    )
    rebuild(registry, registry.search)
    backend = registry.search
    plain = _query_mix()
    grouped = [{**q, "group": "type"} for q in plain]
    for query in plain[:50] + grouped[:50]:
        _ask(backend, query)  # warm up
    timings: dict[str, list[float]] = {"plain": [], "grouped": []}
    for one, other in zip(plain, grouped, strict=True):  # alternating: the same noise for both
        for name, query in (("plain", one), ("grouped", other)):
            begin = time.perf_counter()
            _ask(backend, query)
            timings[name].append((time.perf_counter() - begin) * 1000)
    registry.close()
    result = {"documents": ctx.count, "linked": linked, "types": 80, "queries": len(plain)}
    for name, samples in timings.items():
        result[name] = _summary(samples)
    result["ratio_grouped_to_plain_p50"] = round(
        result["grouped"]["p50_ms"] / result["plain"]["p50_ms"], 2
    )
    result["ratio_grouped_to_plain_p99"] = round(
        result["grouped"]["p99_ms"] / result["plain"]["p99_ms"], 2
    )
    return result


def search_embedded(ctx) -> dict:
    """Rebuild the embedded index from the database, then time a realistic query mix (common
    words, abbreviations, typos, filters, area reach, facet counts) in process."""
    result = _search_run(ctx, {"search_path": str(ctx.workdir / "search")})
    result["index_mb"] = _tree_mb(ctx.workdir / "search")
    result["index_kb_per_service"] = round(result["index_mb"] * 1000 / ctx.count, 2)
    return result


def _search_server_run(ctx, engine: str, start) -> dict:
    """The rebuild and query mix of ``search_embedded`` on a real search server of ``engine``
    (started by ``start``, 2 GB heap, on the same machine), with the ratio to the embedded index
    for the same queries."""
    node = start(heap="2g")
    if node is None:
        return {"skipped": f"java and mvn are needed to start {engine} (make system-deps)"}
    try:
        settings = {"search_url": node.url, "search_index": "bench", "search_engine": engine}
        result = _search_run(ctx, settings)
        import requests

        sizes = requests.get(
            f"{node.url}/_cat/indices/bench*", params={"format": "json", "bytes": "b"}, timeout=30
        ).json()
        primary = sum(int(row["pri.store.size"]) for row in sizes)
        result["index_primary_mb"] = round(primary / 1e6, 1)
        result["index_kb_per_service"] = round(primary / 1e3 / ctx.count, 2)
    finally:
        node.stop()
    embedded = ctx.results.get("search_embedded") or search_embedded(ctx)
    result[f"p50_ratio_embedded_to_{engine}"] = round(embedded["p50_ms"] / result["p50_ms"], 3)
    result[f"p99_ratio_embedded_to_{engine}"] = round(embedded["p99_ms"] / result["p99_ms"], 3)
    return result


def search_opensearch(ctx) -> dict:
    """The search benchmark on OpenSearch 2.19 (``tests/services/opensearch.py``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.services.opensearch import start_opensearch

    return _search_server_run(ctx, "opensearch", start_opensearch)


def search_elasticsearch(ctx) -> dict:
    """The search benchmark on Elasticsearch 8.19 (``tests/services/elasticsearch.py``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.services.elasticsearch import start_elasticsearch

    return _search_server_run(ctx, "elasticsearch", start_elasticsearch)


def search_freshness(ctx) -> dict:
    """Time from a committed write to the record being searchable, with the sync thread."""
    from simpul.registry import services
    from simpul.registry.auth import SYSTEM
    from simpul.registry.indexing import SyncThread, sync
    from simpul.search.base import build_query

    url = ctx.sqlite_url or _ensure_db(ctx)
    registry = Registry(
        load_settings(
            {"database_url": url, "search_path": str(ctx.workdir / "search")}, environ={}
        ),
        search=open_backend,
    )
    backend = registry.search
    sync(registry, backend)
    thread = SyncThread(registry, backend, interval=0.5)
    thread.start()
    delays = []
    try:
        for _ in range(100):  # enough for a p99
            word = f"segar{time.time_ns()}"
            identifier = f"fresh-{word}"
            record = {"identifier": identifier, "name": {"id": f"Layanan {word}"}}
            with registry.db.transaction() as session:
                prepared = services.prepare(record, services.session_lookup(session), AUTHORITY)
                services.publish_many(
                    session, [prepared], SYSTEM, base_uri=registry.base_uri, provenance={}
                )
            written = time.perf_counter()
            query = build_query(word)
            while identifier not in {i["identifier"] for i in backend.search(query).items}:
                time.sleep(0.01)
            delays.append((time.perf_counter() - written) * 1000)
    finally:
        thread.stop()
        thread.join(5)
        registry.close()
    return {"writes": len(delays), "sync_interval_ms": 500, **_summary(delays)}


def _ensure_db(ctx) -> str:
    """The database of ``load_sqlite``, loaded now unless a kept --workdir already has it."""
    db = ctx.workdir / "load.db"
    if db.exists():
        ctx.sqlite_url = f"sqlite:///{db}"
    else:
        load_sqlite(ctx)
    return ctx.sqlite_url


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not start on port {port}")


from bench.applications import load_applications_bench  # noqa: E402
from bench.areacoverage import area_coverage  # noqa: E402
from bench.checklists import checklist_counts  # noqa: E402
from bench.coverage import type_coverage  # noqa: E402
from bench.dashboard import dashboard_pages  # noqa: E402
from bench.exports import export_tables as _export_tables  # noqa: E402
from bench.federation import federation_sync  # noqa: E402
from bench.harvest import harvest_json, harvest_schedule, harvest_turtle  # noqa: E402
from bench.portal import portal_pages  # noqa: E402
from bench.reviews import review_flags  # noqa: E402
from bench.roadmap import roadmap_board_bench  # noqa: E402
from bench.stemming import stemming_accuracy  # noqa: E402
from bench.typecompare import type_comparison  # noqa: E402
from bench.typematch import type_matching  # noqa: E402


def export_tables(ctx) -> dict:
    """The service list as CSV and XLSX (after ``load_sqlite``), each in a child process."""
    return _export_tables(ctx, _ensure_db(ctx))


BENCHMARKS = {
    "load_sqlite": load_sqlite,
    "load_postgresql": load_postgresql,
    "get_in_process": get_in_process,
    "http_loopback": http_loopback,
    "export_rdf": export_rdf,
    "export_tables": export_tables,
    "validate_one": validate_one,
    "search_embedded": search_embedded,
    "search_grouped": search_grouped,
    "search_opensearch": search_opensearch,
    "search_elasticsearch": search_elasticsearch,
    "search_freshness": search_freshness,
    "harvest_json": harvest_json,
    "harvest_turtle": harvest_turtle,
    "harvest_schedule": harvest_schedule,
    "federation_sync": federation_sync,
    "portal_pages": portal_pages,
    "stemming_accuracy": stemming_accuracy,
    "type_matching": type_matching,
    "review_flags": review_flags,
    "type_coverage": type_coverage,
    "type_comparison": type_comparison,
    "area_coverage": area_coverage,
    "load_applications": load_applications_bench,
    "checklist_counts": checklist_counts,
    "roadmap_board": roadmap_board_bench,
    "dashboard_pages": dashboard_pages,
}


class Context:
    def __init__(self, workdir: Path, count: int):
        self.workdir = workdir
        self.count = count
        self.sqlite_url: str | None = None
        self.results: dict = {}

    @cached_property
    def records(self) -> Path:
        """The generated records file, made when a benchmark first needs it."""
        return records_file(self.workdir, self.count)


def main() -> None:
    parser = argparse.ArgumentParser(description="Simpul benchmarks")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--only", default=",".join(BENCHMARKS))
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--commands",
        action="store_true",
        help="print the command behind each section of docs/benchmarks.md, then stop",
    )
    args = parser.parse_args()
    if args.commands:
        from bench.docs import print_commands

        print_commands(set(BENCHMARKS), sys.stdout)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="simpul-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ctx = Context(workdir, args.records)
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
    }
    for name in args.only.split(","):
        print(f"bench: {name} ...", file=sys.stderr)
        result = BENCHMARKS[name](ctx)
        result["reproduce"] = f"python -m bench --records {args.records} --only {name}"
        results[name] = ctx.results[name] = result
        print(json.dumps({name: results[name]}), file=sys.stderr)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["peak_rss_mb_main_process"] = round(peak)
    print(json.dumps(results, indent=2))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
