"""The judged relevance set (``tests/search/judged``) checked as data: it loads into a registry
beside the demo without one error, every judgment names a service that exists, and every kind
keeps its size in both halves. Scores are not asserted here (see ``tests.search.judged.score``)."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from sqlalchemy import select

from simpul.demo import demo_services
from simpul.reference.areas import load_areas
from simpul.registry.models import Service
from tests.conftest import running_app
from tests.search.judged import KINDS, SPLITS, load_into, load_queries, load_services

MIN_PER_KIND = 28
MIN_PER_SPLIT = 12
MIN_SERVICES = 300


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("judged")
    shutil.copy(sqlite_template, folder / "simpul.db")
    with running_app(f"sqlite:///{folder / 'simpul.db'}", folder) as app:
        registry = app.extensions["simpul"]
        report = load_into(registry)  # raises, listing every record that fails
        with registry.db.session() as session:
            rows = session.execute(
                select(Service.identifier, Service.authority).where(Service.deleted_at.is_(None))
            )
            yield report, {f"{identifier}@{authority}" for identifier, authority in rows}


def test_every_service_publishes_beside_the_demo(loaded):
    report, keys = loaded
    written = load_services()
    assert len(written) >= MIN_SERVICES
    assert report["created"] == len(written)
    assert len(keys) == len(written) + len(demo_services())


def test_every_judged_service_exists(loaded):
    _, keys = loaded
    missing = {(q["id"], key) for q in load_queries() for key in q["judgments"] if key not in keys}
    assert not missing, sorted(missing)


def test_judgments_are_grades_with_a_perfect_answer():
    for q in load_queries():
        assert q["judgments"], q["id"]
        assert set(q["judgments"].values()) <= {1, 2}, q["id"]
        assert 2 in q["judgments"].values(), q["id"]
        assert q["note"].strip(), q["id"]


def test_each_kind_keeps_its_size_in_both_halves():
    queries = load_queries()
    assert {q["kind"] for q in queries} == set(KINDS)
    assert {q["split"] for q in queries} == set(SPLITS)
    per_kind = Counter(q["kind"] for q in queries)
    per_half = Counter((q["kind"], q["split"]) for q in queries)
    for kind in KINDS:
        assert per_kind[kind] >= MIN_PER_KIND, (kind, per_kind[kind])
        for split in SPLITS:
            assert per_half[kind, split] >= MIN_PER_SPLIT, (kind, split, per_half[kind, split])
    assert len(load_queries("tune")) + len(load_queries("holdout")) == len(queries)


def test_the_split_follows_the_fixed_rule():
    """Within each kind, sorted by id, queries alternate tune, holdout, tune, ... so nobody can
    move a query between halves by how the engine does on it. Queries added while tuning (ids
    ``t...``, written after the engine had been tuned) are tune-only and outside the rule."""
    by_kind: dict[str, list[dict]] = {}
    for q in load_queries():
        if q["id"].startswith("t"):
            assert q["split"] == "tune", q["id"]
            continue
        by_kind.setdefault(q["kind"], []).append(q)
    for items in by_kind.values():
        for i, q in enumerate(sorted(items, key=lambda q: q["id"])):
            assert q["split"] == SPLITS[i % 2], q["id"]


def test_ids_and_query_texts_are_unique():
    queries = load_queries()
    ids = [q["id"] for q in queries]
    assert len(ids) == len(set(ids))
    texts = Counter((" ".join(q["query"].lower().split()), q["area"]) for q in queries)
    assert not [text for text, n in texts.items() if n > 1]


def test_only_area_queries_carry_areas_and_every_area_exists():
    areas = load_areas()
    for q in load_queries():
        if q["kind"] == "area":
            assert q["area"] in areas, (q["id"], q["area"])
        else:
            assert q["area"] is None, q["id"]
