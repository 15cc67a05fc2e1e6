"""``group=type``: one hit per national service type, the same on every backend.

The instances of a type (514 regencies' birth certificates) would otherwise fill a page with
copies. Groups are ranked by their best matching instance; a record without a type is a group of
its own. The hit shown for a group is its instance that covers the asked area (one whose areas
contain or lie inside it), before a national one; with no area, its best instance.

No engine groups the same way (Elasticsearch's ``collapse`` has no counterpart in tantivy's
Python binding), so the grouping is done here, on top of one primitive each backend offers:
``ranked(restriction, k)``, the ``k`` first matches in order, each read from small numeric
fields indexed for the purpose (``grouping_fields``: no stored document is read). Rounds find the
groups: every group seen in a round is excluded from the next, so each round's first hit starts
a new group, and the counts per type (the ``type`` facet) say when no match is left.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

NATIONAL = "00"
WINDOW = 200  # hits read per round (fast fields only); the same for every page, so that
# every page of a search sees the same rounds
MAX_TYPES = 10_000  # types counted per query (a node holds a few hundred)


def stable_key(text: str) -> int:
    """A 63-bit number for ``text``, the same in every process and on every backend (a signed
    64-bit field holds it on Elasticsearch and OpenSearch)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def group_key(type_id: str | None, record_id: str) -> int:
    return stable_key(f"type:{type_id}") if type_id else stable_key(f"service:{record_id}")


def grouping_fields(type_id: str | None, record_id: str, areas: list[str]) -> dict[str, Any]:
    """What each document carries for grouping: its group, a tie-breaker, and whether it is a
    national service."""
    return {
        "group": group_key(type_id, record_id),
        "tie": stable_key(record_id),
        "national": NATIONAL in areas,
    }


class Hit(NamedTuple):
    # ascending, the backend's order over every round of one search: (sort key, [round,] tie)
    order: tuple
    group: int
    national: bool
    tie: int
    ref: Any  # the backend's handle to read the hit's summary

    def before(self, other: Hit | None) -> bool:
        """Shown before ``other`` (of the same group): ranked first, or equal with a lower
        ``tie``, so that every backend shows the same one of equal copies."""
        if other is None:
            return True
        return self.order[0] == other.order[0] and self.tie < other.tie


@dataclass(frozen=True)
class Restriction:
    """What a round leaves out or keeps, beyond the query itself."""

    without: tuple[int, ...] = ()  # groups already seen
    only: tuple[int, ...] = ()  # only these groups
    local: bool = False  # only services that are not national


Ranked = Callable[[Restriction, int], list[Hit]]


@dataclass
class Group:
    key: int
    rank: tuple  # the order of its first hit
    best: Hit
    local: Hit | None = None
    type_id: str | None = None
    size: int = 1

    def take(self, hit: Hit) -> None:
        if hit.before(self.best):
            self.best = hit
        if not hit.national and hit.before(self.local):
            self.local = hit

    def shown(self, area: str | None) -> Hit:
        return self.local if area and self.best.national and self.local else self.best


@dataclass
class Groups:
    page: list[Group]
    total: int
    found: list[Group] = field(default_factory=list)


def collect(
    ranked: Ranked,
    *,
    matches: int,
    type_counts: Mapping[str, int],
    page: int,
    size: int,
    area: str | None,
) -> Groups:
    """The groups of page ``page``. ``matches`` is the number of matching services and
    ``type_counts`` the matches per type (complete), which tell how many groups there are and
    when the rounds have seen every match."""
    types = {group_key(t, ""): t for t in type_counts}
    untyped = matches - sum(type_counts.values())
    total = len(type_counts) + max(untyped, 0)
    need = min(page * size, total)
    found: dict[int, Group] = {}
    left = matches
    while len(found) < need and left > 0:
        hits = sorted(ranked(Restriction(without=tuple(found)), WINDOW))
        if not hits:
            break
        for hit in hits:
            group = found.get(hit.group)
            if group is None:
                type_id = types.get(hit.group)
                size_ = type_counts.get(type_id, 1) if type_id else 1
                group = found[hit.group] = Group(hit.group, hit.order, hit, None, type_id, size_)
                left -= size_
            group.take(hit)
    ordered = sorted(found.values(), key=lambda g: g.rank)
    shown = ordered[(page - 1) * size : page * size]
    if area:
        _find_local(ranked, [g for g in shown if g.best.national and g.local is None])
    return Groups(shown, total, ordered)


def _find_local(ranked: Ranked, groups: list[Group]) -> None:
    """For groups whose best hit is national, their best instance that is not, if any."""
    if not groups:
        return
    wanted = {g.key: g for g in groups}
    hits = sorted(ranked(Restriction(only=tuple(wanted), local=True), WINDOW))
    for hit in hits:
        group = wanted.get(hit.group)
        if group is not None and hit.before(group.local):
            group.local = hit
    if len(hits) < WINDOW:
        return
    for group in groups:  # the window was full: ask for each group left on its own
        if group.local is None:
            first = ranked(Restriction(only=(group.key,), local=True), 1)
            group.local = first[0] if first else None


def group_item(summary: dict[str, Any], group: Group) -> dict[str, Any]:
    """A hit of a grouped search: the shown instance, and for a type the number of its other
    matching instances."""
    if group.type_id is None:
        return summary
    return {**summary, "group": {"type": group.type_id, "others": group.size - 1}}
