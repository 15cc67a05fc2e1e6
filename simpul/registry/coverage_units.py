"""The units of the coverage grid (``registry.coverage``): the local governments of the
Kemendagri areas of a level inside an area, and the central organizations that are units (a
ministry or agency; its directorates general count for it)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from functools import cache, lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.errors import ValidationFailed
from simpul.reference.areas import LEVEL_DEPTHS, NATIONAL, depth, load_areas
from simpul.registry.models import Organization


@cache
def _codes_by_depth() -> dict[int, list[str]]:
    """Every area code of each depth, sorted, so the areas of a level inside an area are one
    contiguous slice (their codes share its prefix)."""
    areas = load_areas()
    out: dict[int, list[str]] = defaultdict(list)
    todo = [NATIONAL]
    while todo:
        for child in areas.children(todo.pop()):
            out[depth(child.code)].append(child.code)
            todo.append(child.code)
    return {d: sorted(codes) for d, codes in out.items()}


def area_codes(level: str, area: str = NATIONAL) -> list[str]:
    """The codes of ``level`` inside ``area`` (the area itself when it is of that level)."""
    codes = _codes_by_depth().get(LEVEL_DEPTHS[level], [])
    if area == NATIONAL:
        return codes
    if depth(area) > LEVEL_DEPTHS[level]:
        return []
    if depth(area) == LEVEL_DEPTHS[level]:
        return [area] if _contains(codes, area) else []
    start = bisect_left(codes, area + ".")
    end = bisect_left(codes, area + "/")  # "/" sorts right after "."
    return codes[start:end]


def _contains(codes: list[str], code: str) -> bool:
    at = bisect_left(codes, code)
    return at < len(codes) and codes[at] == code


def check_area(area: str | None) -> str:
    area = area or NATIONAL
    problem = load_areas().check(area)
    if problem:
        raise ValidationFailed.from_messages({"area": problem})
    return area


class CentralUnits:
    """The central organizations (``pusat``) that are units, and the unit of every central
    organization (a directorate general counts for its ministry)."""

    def __init__(self, session: Session):
        rows = session.execute(
            select(Organization.id, Organization.parent_id, Organization.name).where(
                Organization.level == "pusat"
            )
        ).all()
        parents = {r.id: r.parent_id for r in rows}
        self.names = {r.id: r.name for r in rows}
        self.top: dict[str, str] = {}
        for org_id in parents:
            top, seen = org_id, {org_id}
            while parents.get(top) in parents and parents[top] not in seen:
                top = parents[top]
                seen.add(top)
            self.top[org_id] = top
        self.units = sorted({top for top in self.top.values()})


def unit_keys(level: str, area: str, central: CentralUnits | None) -> list[str]:
    """The unit keys of a level inside an area: area codes, or central organization ids."""
    if level == "pusat":
        return central.units if area == NATIONAL and central else []
    return area_codes(level, area)


@lru_cache(maxsize=64)
def unit_set(level: str, area: str) -> frozenset[str]:
    return frozenset(area_codes(level, area))
