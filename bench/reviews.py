"""Review flags (issue 14: a functional change to a type with 14,000 instances flags them all
in under 5 s).

A fresh SQLite database with one type and ``min(--records, 14000)`` generated records linked to
it; then, each in its own transaction as the API runs it: a functional change of the type (every
record flagged), a second change (the flags keep the version their records knew), and the
type's retirement. The baseline is a non-functional change (a rename: nothing to flag)."""

from __future__ import annotations

import time

import orjson

from bench import generate
from simpul.registry import services, types
from simpul.registry.auth import SYSTEM
from simpul.registry.models import Service
from simpul.registry.reviews import PENDING

INSTANCES = 14_000
AUTHORITY = "kementerian-sintetis"  # bench.__main__.fresh_registry's organization
KIND = {
    "id": "layanan-sintetis",
    "name": {"id": "Layanan Sintetis"},
    "kind": "permohonan",
    "applies_to": ["pusat"],
    "defaults": {"cost": {"amount": 0, "currency": "IDR"}, "processing_time": "P1D"},
}


def review_flags(ctx) -> dict:
    from bench.__main__ import fresh_registry

    count = min(ctx.count, INSTANCES)
    for stale in ctx.workdir.glob("reviews.db*"):
        stale.unlink()
    registry = fresh_registry(f"sqlite:///{ctx.workdir / 'reviews.db'}")
    try:
        _instances(registry, count)
        timings = {
            "rename_seconds": _change(registry, name={"id": "Layanan Sintetis (nama baru)"}),
            "functional_change_seconds": _change(registry, cost=5000),
            "second_change_seconds": _change(registry, cost=7500, time="P2D"),
            "retire_seconds": _retire(registry),
        }
        flagged = _flagged(registry)
    finally:
        registry.close()
    return {
        "instances": count,
        "flagged_after_retirement": flagged,
        **{k: round(v, 3) for k, v in timings.items()},
        "functional_change_instances_per_s": round(count / timings["functional_change_seconds"]),
        "ratio_functional_change_to_rename": round(
            timings["functional_change_seconds"] / timings["rename_seconds"], 1
        ),
    }


def _instances(registry, count: int) -> None:
    with registry.db.transaction() as session:
        types.create_type(session, dict(KIND), SYSTEM, base_uri=registry.base_uri, provenance={})
    batch = []
    for _, record in generate.services(count):
        batch.append({**orjson.loads(orjson.dumps(record)), "type": KIND["id"]})
        if len(batch) == 1000:
            _publish(registry, batch)
            batch = []
    if batch:
        _publish(registry, batch)


def _publish(registry, batch: list[dict]) -> None:
    with registry.db.transaction() as session:
        index, lookup = registry.type_index(session), services.session_lookup(session)
        prepared = [services.prepare(r, lookup, AUTHORITY, types=index) for r in batch]
        services.publish_many(session, prepared, SYSTEM, base_uri=registry.base_uri, provenance={})


def _change(registry, *, name=None, cost=None, time=None) -> float:
    data = dict(KIND, name=name or KIND["name"])
    defaults = dict(KIND["defaults"])
    if cost is not None:
        defaults["cost"] = {"amount": cost, "currency": "IDR"}
    if time is not None:
        defaults["processing_time"] = time
    data["defaults"] = defaults
    KIND.update(data)
    return _timed(
        registry,
        lambda session: types.replace_type(
            session, KIND["id"], data, SYSTEM, base_uri=registry.base_uri, provenance={}
        ),
    )


def _retire(registry) -> float:
    return _timed(
        registry,
        lambda session: types.retire_type(
            session, KIND["id"], SYSTEM, base_uri=registry.base_uri, provenance={}
        ),
    )


def _timed(registry, work) -> float:
    start = time.perf_counter()
    with registry.db.transaction() as session:
        work(session)
    return time.perf_counter() - start


def _flagged(registry) -> int:
    from sqlalchemy import func, select

    with registry.db.session() as session:
        query = select(func.count()).where(Service.review_status.in_(PENDING))
        return session.scalar(query)
