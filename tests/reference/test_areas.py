"""The Kemendagri area list shipped with Simpul."""

from __future__ import annotations

import csv
import hashlib
import json

from simpul.reference.areas import ancestors, is_within, load_areas
from tests.data import TEST_DATA

REGIONS = TEST_DATA / "regions"


def test_counts_per_level():
    counts = load_areas().count_by_level()
    assert counts == {
        "nasional": 1,
        "provinsi": 38,
        "kabkota": 514,
        "kecamatan": 7285,
        "desa": 83762,
    }


def test_matches_the_official_list():
    """Every code, name and parent of the Kepmendagri 2025 list is in the packaged data, nothing
    more: the whole list through its digest (tests/data/regions, made from the official CSV),
    and row by row the rows whose names are easy to spoil (commas, apostrophes, spaces)."""
    areas = load_areas()
    with (REGIONS / "kepmendagri-2025-rows.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        area = areas.get(row["kode"])
        assert area is not None, row
        assert area.name == row["nama"].strip()
        assert area.parent == (row["parent_kode"] or "00")
    official = json.loads((REGIONS / "kepmendagri-2025-digest.json").read_text())
    lines = sorted(f"{a.code}\t{a.name}\t{a.parent}\n" for a in _below(areas, "00"))
    assert len(lines) == official["rows"] == len(areas) - 1  # without 00
    assert hashlib.sha256("".join(lines).encode()).hexdigest() == official["sha256"]


def _below(areas, code: str) -> list:
    found, stack = [], [code]
    while stack:
        children = areas.children(stack.pop())
        found += children
        stack += [child.code for child in children]
    return found


def test_hierarchy():
    assert ancestors("75.71.01.1001") == ["75.71.01.1001", "75.71.01", "75.71", "75", "00"]
    assert is_within("75.71.01.1001", "75.71")
    assert is_within("75.71", "00")
    assert not is_within("75.710", "75.71")
    assert not is_within("75", "75.71")


def test_suggestions():
    areas = load_areas()
    assert areas.suggest("7571").code == "75.71"  # BPS style
    assert areas.suggest("75.71.01.1099").code.startswith("75.71.01.")
    assert areas.check("75.71") is None
    assert "did you mean '75.71'" in areas.check("75.79")
    assert "look like" in areas.check("Gorontalo")
