"""The judged relevance set of issue 17: services, organizations and queries written before any
tuning, beside the demo federation. See README.md in this folder; the files are data, and the
holdout half of the queries is never edited to make scores go up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from simpul.demo import load_demo
from simpul.errors import ValidationFailed
from simpul.registry import services
from simpul.registry.auth import SYSTEM
from simpul.registry.context import Registry
from simpul.registry.organizations import create_organization

HERE = Path(__file__).resolve().parent
KINDS = ("typo", "english", "affix", "synonym", "area", "exact", "colloquial")
SPLITS = ("tune", "holdout")


def _lines(name: str) -> Iterator[tuple[int, dict]]:
    with (HERE / name).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                yield number, json.loads(line)


def load_services() -> list[dict]:
    return [record for _, record in _lines("services.jsonl")]


def load_organizations() -> list[dict]:
    return [org for _, org in _lines("organizations.jsonl")]


def load_queries(split: str | None = None) -> list[dict]:
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {SPLITS}")
    return [q for _, q in _lines("queries.jsonl") if split is None or q["split"] == split]


def load_into(registry: Registry) -> dict:
    """The demo, then this set's organizations and services, through the same core functions
    the demo and the API use (the node's service types linked by the matcher, as on publishing).
    Raises ValueError listing every record that does not publish."""
    demo = load_demo(registry)
    with registry.db.transaction() as session:
        for org in load_organizations():
            create_organization(session, org)
    errors, prepared = [], []
    with registry.db.transaction() as session:
        lookup = services.session_lookup(session)
        types = registry.type_index(session)  # as the API publishes: the matcher links types
        for number, record in _lines("services.jsonl"):
            try:
                prepared.append(services.prepare(record, lookup, types=types))
            except ValidationFailed as exc:
                where = f"services.jsonl:{number} {record.get('identifier')}"
                errors.append(f"{where}: {exc.errors}")
        if errors:
            raise ValueError("\n".join(errors))
        results = services.publish_many(
            session,
            prepared,
            SYSTEM,
            base_uri=registry.base_uri,
            provenance=registry.provenance(SYSTEM, "judged-set"),
        )
    created = sum(1 for _, outcome in results if outcome is services.Outcome.CREATED)
    return {"demo": demo, "organizations": len(load_organizations()), "created": created}
