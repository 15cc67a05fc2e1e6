"""Comparison of a type's instances (issue 14: a type with 14,000 instances compares in well
under a second).

One synthetic regency-level type, and ``min(--records, 14000)`` linked records spread over the
regencies by population (a fifth leave the processing time, a fifth the cost to the type; half
their requirements come from a common list). Timed: ``comparison.compare`` for the nation and
for one province, in process, then the API's JSON and the portal's page through the test
client. The floor is reading the same rows' JSON with plain sqlite3 and orjson."""

from __future__ import annotations

import io
import random
import sqlite3
import statistics
import time
from collections import defaultdict

import orjson

from bench import generate
from simpul.config import load_settings
from simpul.registry import comparison, types
from simpul.registry.auth import SYSTEM
from simpul.registry.bulk import load_jsonl
from simpul.registry.context import Registry
from simpul.registry.organizations import create_organization

MAX_INSTANCES = 14_000
TYPE_ID = "bench-akta-kelahiran"
COMMON = ["Fotokopi Kartu Keluarga", "KTP-el orang tua", "Surat keterangan lahir", "Buku nikah"]
RUNS = 5


def _type() -> dict:
    return {
        "id": TYPE_ID,
        "name": {"id": "Penerbitan Akta Kelahiran (bench)"},
        "kind": "pencatatan",
        "sectors": ["kependudukan"],
        "applies_to": ["kabkota"],
        "mandatory_at": ["kabkota"],
        "legal_basis": [{"title": "UU 24/2013"}],
        "defaults": {"processing_time": "P7D", "cost": {"amount": 0, "currency": "IDR"}},
    }


def _records(count: int) -> dict[str, list[dict]]:
    """Records by regency code, each a Disdukcapil's instance of the type."""
    rng = random.Random(11)
    by_regency: dict[str, list[dict]] = defaultdict(list)
    for number, (authority, record) in enumerate(generate.services(count, seed=11)):
        regency = authority.split("-", 1)[1].replace("-", ".")
        record["type"] = TYPE_ID
        record["requirements"] = rng.sample(COMMON, 2) + record["requirements"][:2]
        record["requirements"] = [
            r if isinstance(r, dict) else {"id": r} for r in record["requirements"]
        ]
        if number % 5 == 0:
            record.pop("processing_time")
        elif number % 5 == 1:
            record.pop("cost")
        by_regency[regency].append(record)
    return by_regency


def _registry(ctx, count: int) -> tuple[Registry, str]:
    db = ctx.workdir / "typecompare.db"
    for stale in ctx.workdir.glob("typecompare.db*"):
        stale.unlink()
    url = f"sqlite:///{db}"
    registry = Registry(load_settings({"database_url": url}, environ={}))
    registry.db.upgrade()
    by_regency = _records(count)
    with registry.db.transaction() as session:
        types.create_type(session, _type(), SYSTEM, base_uri=registry.base_uri, provenance={})
        for regency in by_regency:
            create_organization(
                session,
                {
                    "id": f"disdukcapil-{regency.replace('.', '-')}",
                    "name": {"id": f"Disdukcapil {regency}"},
                    "level": "kabkota",
                    "area": regency,
                },
            )
    for regency, records in by_regency.items():
        lines = b"".join(orjson.dumps(r) + b"\n" for r in records)
        load_jsonl(registry, io.BytesIO(lines), f"disdukcapil-{regency.replace('.', '-')}")
    return registry, str(db)


def _times(call, runs: int = RUNS) -> dict:
    """Wall time, and the CPU time of this process (on a shared machine the wall time also
    holds the waits for a core)."""
    call()  # warm: the type index, the area list, SQLite's page cache
    wall, cpu = [], []
    for _ in range(runs):
        start, used = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return {
        "p50_ms": round(statistics.median(wall), 1),
        "max_ms": round(max(wall), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
    }


def _floor(db: str) -> dict:
    conn = sqlite3.connect(db)

    def read():
        rows = conn.execute(
            "SELECT data FROM services WHERE type_id = ? AND deleted_at IS NULL", (TYPE_ID,)
        )
        for (data,) in rows:
            orjson.loads(data)

    try:
        return _times(read)
    finally:
        conn.close()


def type_comparison(ctx) -> dict:
    from simpul.web import create_app

    count = min(ctx.count, MAX_INSTANCES)
    start = time.perf_counter()
    registry, db = _registry(ctx, count)
    setup_s = time.perf_counter() - start

    def nation():
        with registry.db.session() as session:
            return comparison.compare(session, TYPE_ID)

    def province():
        with registry.db.session() as session:
            return comparison.compare(session, TYPE_ID, area="35")

    result = nation()
    assert result["count"] == count, result["count"]
    in_province = province()["count"]
    core = _times(nation)
    narrowed = _times(province)
    floor = _floor(db)
    app = create_app({"database_url": f"sqlite:///{db}", "search_sync_ms": 0})
    client = app.test_client()
    api = _times(lambda: client.get(f"/api/v1/types/{TYPE_ID}/comparison").close())
    page = _times(lambda: client.get(f"/types/{TYPE_ID}").close())
    app.extensions["simpul"].close()
    registry.close()
    return {
        "instances": count,
        "setup_seconds": round(setup_s, 1),
        "compare_nation": core,
        "compare_province_35": {**narrowed, "instances": in_province},
        "api_json": api,
        "portal_page": page,
        "outliers_time": result["processing_time"]["outliers_total"],
        "distinct_requirements": result["requirements"]["distinct"],
        "floor_sqlite_read_and_parse": floor,
        "ratio_compare_to_floor": round(core["cpu_p50_ms"] / floor["cpu_p50_ms"], 2),
    }
