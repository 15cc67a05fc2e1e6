"""Type matching against load (issue 14: matching may add at most 20% to ``simpul load``).

``suggest()`` over the generated records with the shipped national list, from a matcher built
fresh (its caches empty, as at the start of a load), and ``simpul load`` of the same records
into a fresh SQLite database, in the same process; the ratio is the share matching would add."""

from __future__ import annotations

import json
import time
from importlib import resources

import orjson

from simpul.registry.typematch import DEFAULT_THRESHOLD, TypeMatcher


def shipped_types() -> list[dict]:
    text = (resources.files("simpul.reference") / "data" / "service-types-id.jsonl").read_text(
        encoding="utf-8"
    )
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def type_matching(ctx) -> dict:
    from bench.__main__ import load_sqlite

    with ctx.records.open("rb") as fh:
        records = [orjson.loads(line) for line in fh]
    start = time.perf_counter()
    matcher = TypeMatcher.from_types(shipped_types())
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    linked = 0
    for record in records:
        found = matcher.suggest(record, "pusat")
        linked += bool(found) and found[0].score >= DEFAULT_THRESHOLD
    suggest_s = time.perf_counter() - start
    start = time.perf_counter()
    for record in records:
        matcher.best(record, "pusat", DEFAULT_THRESHOLD)
    best_warm_s = time.perf_counter() - start
    load = ctx.results.get("load_sqlite") or load_sqlite(ctx)
    load_s = ctx.count / load["records_per_s"]
    return {
        "records": len(records),
        "types": len(matcher.types),
        "build_seconds": round(build_s, 3),
        "suggest_records_per_s": round(len(records) / suggest_s),
        "suggest_us_per_record": round(suggest_s / len(records) * 1e6, 1),
        "best_warm_records_per_s": round(len(records) / best_warm_s),
        "top_suggestion_above_default_threshold": linked,
        "load_records_per_s": load["records_per_s"],
        "ratio_suggest_time_to_load_time": round(suggest_s / load_s, 3),
    }
