"""Kemendagri administrative areas (Kepmendagri 2025): 38 provinces, 514 regencies/cities,
7,285 districts and 83,762 villages, with the hierarchy implied by the dotted codes.

``00`` stands for all of Indonesia. A service that covers an area covers everything below it.
"""

from __future__ import annotations

import difflib
import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

NATIONAL = "00"
# Code depth (number of dotted parts) to government level.
DEPTH_LEVELS = {1: "provinsi", 2: "kabkota", 3: "kecamatan", 4: "desa"}
LEVEL_DEPTHS = {level: depth for depth, level in DEPTH_LEVELS.items()}
_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_BPS = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{4})?)?)?$")


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str

    @property
    def level(self) -> str:
        return "nasional" if self.code == NATIONAL else DEPTH_LEVELS[depth(self.code)]

    @property
    def parent(self) -> str | None:
        return parent_code(self.code)


def depth(code: str) -> int:
    return 0 if code == NATIONAL else code.count(".") + 1


def parent_code(code: str) -> str | None:
    if code == NATIONAL:
        return None
    if "." not in code:
        return NATIONAL
    return code.rsplit(".", 1)[0]


def ancestors(code: str) -> list[str]:
    """The code itself and every area above it, nearest first, ending with ``00``."""
    chain = [code]
    while (up := parent_code(chain[-1])) is not None:
        chain.append(up)
    return chain


def is_within(code: str, container: str) -> bool:
    """True when ``code`` is ``container`` or lies below it."""
    return container == NATIONAL or code == container or code.startswith(container + ".")


class AreaIndex:
    def __init__(self, rows: dict[str, str]):
        self._names = rows
        self._folded: list[tuple[str, str]] | None = None
        self._children: dict[str, list[str]] = defaultdict(list)
        for code in rows:
            if code != NATIONAL:
                self._children[parent_code(code)].append(code)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, code: object) -> bool:
        return code in self._names

    def get(self, code: str) -> Area | None:
        name = self._names.get(code)
        return Area(code, name) if name is not None else None

    def children(self, code: str) -> list[Area]:
        return [Area(c, self._names[c]) for c in self._children.get(code, [])]

    def find(self, text: str, limit: int = 10, within: str = NATIONAL) -> list[Area]:
        """Areas whose name contains ``text`` (case and spacing ignored), for type-ahead: names
        where a word starts with it first, then higher levels first (a province before its
        villages)."""
        wanted = " ".join(text.lower().split())
        if not wanted:
            return []
        if self._folded is None:
            self._folded = [(code, name.lower()) for code, name in self._names.items()]
        word = " " + wanted
        hits = [
            (not (name.startswith(wanted) or word in name), depth(code), len(name), code)
            for code, name in self._folded
            if wanted in name and code != NATIONAL and is_within(code, within)
        ]
        return [self.get(hit[3]) for hit in sorted(hits)[:limit]]

    def path(self, code: str) -> str:
        """'Kota Gorontalo, Gorontalo' for 75.71: the name and the names above it."""
        return ", ".join(self._names[c] for c in ancestors(code)[:-1] if c in self._names)

    def count_by_level(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for code in self._names:
            counts[Area(code, "").level] += 1
        return dict(counts)

    def suggest(self, code: str) -> Area | None:
        """The nearest valid area for a mistyped or unknown code."""
        text = code.strip()
        if _BPS.match(text):  # BPS style without dots: 7571 -> 75.71
            parts = [text[:2], text[2:4], text[4:6], text[6:]]
            dotted = ".".join(p for p in parts if p)
            if dotted in self._names:
                return self.get(dotted)
        if _CODE.match(text):
            container = next((a for a in ancestors(text)[1:] if a in self._names), NATIONAL)
        else:
            container = NATIONAL
        candidates = self._children.get(container) or []
        best = difflib.get_close_matches(text, candidates, n=1, cutoff=0.0)
        if best:
            return self.get(best[0])
        return self.get(container) if container != NATIONAL else None

    def check(self, code: str) -> str | None:
        """An error message for an unknown or malformed code, or None when the code is valid."""
        if code in self._names:
            return None
        if not isinstance(code, str) or not (_CODE.match(code) or _BPS.match(code)):
            hint = "Kemendagri codes look like 75, 75.71, 75.71.01 or 75.71.01.1001"
        else:
            hint = "no such Kemendagri area"
        suggestion = self.suggest(code) if isinstance(code, str) else None
        if suggestion:
            near = f"{suggestion.code!r} ({suggestion.name})"
            return f"unknown area code {code!r} ({hint}); did you mean {near}?"
        return f"unknown area code {code!r} ({hint})"


@cache
def load_areas() -> AreaIndex:
    """Read the packaged code list once per process (about 0.1 s)."""
    path = resources.files("simpul.reference") / "data" / "wilayah.tsv.gz"
    rows = {NATIONAL: "Indonesia"}
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            code, name = line.rstrip("\n").split("\t", 1)
            rows[code] = name
    return AreaIndex(rows)
