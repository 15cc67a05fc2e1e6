"""The national service types (jenis layanan) that ship with Simpul, the judged matching set and the
demo links: checked as data, before any code uses them (issue 14)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from simpul.reference import codelists
from simpul.registry.schemas import DURATION, SLUG, LegalBasisSchema, ServiceSchema

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "simpul" / "reference" / "data"
TYPES_FILE = DATA / "service-types-id.jsonl"
LINKS_FILE = DATA / "demo-type-links.json"
JUDGED_FILE = Path(__file__).parent / "data" / "type-matching-judged.jsonl"

LEVELS = set(codelists.LEVELS)
DEFAULT_KEYS = {"requirements", "procedure", "processing_time", "cost", "outputs", "complaints"}
TYPE_KEYS = {"id", "name", "alt_names", "kind", "sectors", "life_events", "audiences", "applies_to"}
TYPE_KEYS |= {"mandatory_at", "legal_basis", "defaults", "note"}
JUDGED_KEYS = {"title", "description", "keywords", "level", "sectors", "expected_type", "source"}
JUDGED_KEYS |= {"note"}


def _jsonl(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name}:{number} is not JSON: {exc}")
    return records


@pytest.fixture(scope="module")
def types() -> list[dict]:
    return _jsonl(TYPES_FILE)


@pytest.fixture(scope="module")
def type_ids(types) -> set[str]:
    return {t["id"] for t in types}


@pytest.fixture(scope="module")
def judged() -> list[dict]:
    return _jsonl(JUDGED_FILE)


def normalise(name: str) -> str:
    """What a matcher would compare: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def missing_expected(judged: list[dict], type_ids: set[str]) -> list[str]:
    return sorted(
        f"{r['title']!r} expects {r['expected_type']!r}"
        for r in judged
        if r["expected_type"] is not None and r["expected_type"] not in type_ids
    )


def test_types_parse_with_unique_url_safe_ids(types):
    assert len(types) >= 80
    ids = [t["id"] for t in types]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert [i for i in ids if not SLUG.match(i)] == []
    assert [t["id"] for t in types if set(t) - TYPE_KEYS] == []


def test_every_code_exists(types):
    kinds = codelists.TYPE_KINDS
    lists = {
        "sectors": codelists.SECTORS,
        "life_events": codelists.LIFE_EVENTS,
        "audiences": codelists.AUDIENCES,
        "applies_to": codelists.LEVELS,
        "mandatory_at": codelists.LEVELS,
    }
    unknown = [(t["id"], "kind", t["kind"]) for t in types if t["kind"] not in kinds]
    for t in types:
        for field, codes in lists.items():
            unknown += [(t["id"], field, c) for c in t[field] if c not in codes]
    assert unknown == []


def test_mandatory_levels_are_levels_the_type_applies_to(types):
    assert [t["id"] for t in types if not t["applies_to"]] == []
    wrong = [t["id"] for t in types if not set(t["mandatory_at"]) <= set(t["applies_to"])]
    assert wrong == []


def test_every_type_has_a_titled_legal_basis(types):
    schema = LegalBasisSchema()
    problems = []
    for t in types:
        if not t["legal_basis"]:
            problems.append((t["id"], "no legal basis"))
        for entry in t["legal_basis"]:
            plain = {k: v for k, v in entry.items() if k != "unverified"}
            errors = schema.validate(plain)
            if errors or not entry.get("title", "").strip():
                problems.append((t["id"], entry.get("identifier"), errors))
            if entry.get("unverified") is not None and entry["unverified"] is not True:
                problems.append((t["id"], entry.get("identifier"), "unverified must be true"))
            if entry.get("unverified") and "url" in entry:
                problems.append((t["id"], entry.get("identifier"), "unverified, yet a URL"))
    assert problems == []


def test_same_regulation_has_the_same_title_everywhere(types):
    titles = defaultdict(set)
    for t in types:
        for entry in t["legal_basis"]:
            titles[entry["identifier"]].add(entry["title"])
    assert {k: v for k, v in titles.items() if len(v) > 1} == {}


def test_names_and_defaults_use_the_record_format(types):
    """A type's name and defaults, as a service record, pass the publish schema."""
    schema = ServiceSchema()
    problems = {}
    for t in types:
        defaults = t["defaults"]
        if set(defaults) - DEFAULT_KEYS:
            problems[t["id"]] = f"unknown default fields {set(defaults) - DEFAULT_KEYS}"
            continue
        record = {"identifier": t["id"], "name": t["name"], **defaults}
        errors = schema.validate(record)
        if errors:
            problems[t["id"]] = errors
        if "en" not in t["name"]:
            problems[t["id"]] = "no English name"
        if "processing_time" in defaults and not DURATION.match(defaults["processing_time"]):
            problems[t["id"]] = "processing_time is not an ISO 8601 duration"
    assert problems == {}


def test_alt_names_are_lists_of_text_per_language(types):
    bad = []
    for t in types:
        alt = t.get("alt_names", {})
        if set(alt) - {"id", "en"}:
            bad.append((t["id"], set(alt)))
        for names in alt.values():
            texts = isinstance(names, list) and all(isinstance(n, str) and n.strip() for n in names)
            if not texts:
                bad.append((t["id"], names))
    assert bad == []


def test_no_name_points_at_two_types(types):
    """A name or alternative name shared by two types would make matching ambiguous."""
    owners = defaultdict(set)
    for t in types:
        names = list(t["name"].values())
        for language_names in t.get("alt_names", {}).values():
            names += language_names
        for name in names:
            owners[normalise(name)].add(t["id"])
    shared = {name: sorted(ids) for name, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_judged_set_is_large_and_well_formed(judged):
    assert len(judged) >= 200
    assert sum(1 for r in judged if r["expected_type"] is None) >= 40
    bad = []
    for r in judged:
        if set(r) != JUDGED_KEYS or not r["title"].strip():
            bad.append((r.get("title"), "fields"))
        elif r["source"] not in {"harvested-title", "hand-written", "spreadsheet"}:
            bad.append((r["title"], r["source"]))
        elif r["level"] not in LEVELS or not set(r["sectors"]) <= set(codelists.SECTORS):
            bad.append((r["title"], r["level"], r["sectors"]))
    assert bad == []
    titles = [normalise(r["title"]) for r in judged]
    assert sorted({t for t in titles if titles.count(t) > 1}) == [], "a title is judged twice"


def test_every_expected_type_exists(judged, type_ids):
    assert missing_expected(judged, type_ids) == []


def test_removing_an_expected_type_is_caught(judged, type_ids):
    """The check above fails when a type that judged records expect is taken out of the list."""
    assert missing_expected(judged, type_ids - {"akta-kelahiran"})


def test_demo_links_name_real_demo_services_and_types(type_ids):
    from simpul.demo import demo_services

    links = json.loads(LINKS_FILE.read_text(encoding="utf-8"))["links"]
    demo_ids = {record["identifier"] for record in demo_services()}
    assert sorted(set(links) - demo_ids) == []
    assert sorted(set(links.values()) - type_ids) == []
    assert sorted(demo_ids - set(links)) == [], "every demo service needs a type"
