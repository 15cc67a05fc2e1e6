"""Coverage of the national service types: for every type and every local government where it
applies, is it offered, declared not offered, covered by another organization, or unknown?

The unit of the grid is the local government of an area at the type's level (a regency or city,
a village...), taken from the Kemendagri list, so a government that never registered still
counts. An area offers a type when any organization of that level in that area (the government
or one of its offices) has a live, active record linked to it. Otherwise an organization of the
unit may have declared it not offered (with a reason) or covered by another organization; the
government's own declaration wins over an office's. Everything else is unknown, and a mandatory
type (``mandatory_at``) left unknown is a gap. For ``pusat`` types the unit is a central
organization (a ministry or agency; its directorates general count for it).

A grid costs one grouped query of the instances (by level and area of the authority, over the
``ix_services_type_coverage`` index), one of the declarations, and the in-memory area list;
names and instance ids are fetched for the page shown only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from simpul.errors import NotFound
from simpul.reference import codelists
from simpul.reference.areas import LEVEL_DEPTHS, NATIONAL, depth, load_areas
from simpul.registry import typecounts
from simpul.registry.coverage_units import (
    CentralUnits,
    check_area,
    unit_keys,
    unit_set,
)
from simpul.registry.db import as_utc
from simpul.registry.models import Organization, Service, ServiceType, TypeDeclaration

STATUSES = ("offered", "not-offered", "covered", "unknown")
FILTERS = (*STATUSES, "gap")
LEVEL_ORDER = {level: n for n, level in enumerate(codelists.LEVELS)}

Key = tuple[str, str]  # (level, area code), or ("pusat", organization id)


# -- what the database says: instances and declarations, grouped ---------------------------------
def _unit_column():
    """The authority's unit key column: its area, or its id for a central organization."""
    return case((Organization.level == "pusat", Organization.id), else_=Organization.area)


def _within(area: str):
    if area == NATIONAL:
        return True
    return or_(Organization.area == area, Organization.area.startswith(area + ".", autoescape=True))


def offered_counts(
    session: Session, type_ids: Iterable[str], levels: Iterable[str], area: str
) -> dict[tuple[str, str, str], int]:
    """(type id, level, unit key) -> live active instances, in one grouped query: the typed
    services by type and authority over ``ix_services_type_coverage`` (untyped ones are never read),
    then their authorities' level and area."""
    type_ids, levels = sorted(set(type_ids)), sorted(set(levels))
    if not type_ids or not levels:
        return {}
    grouped = select(Service.type_id, Service.authority, func.count().label("n")).where(
        Service.type_id.in_(type_ids), Service.deleted_at.is_(None), Service.status == "active"
    )
    if area != NATIONAL:  # only the authorities inside the area
        inside = select(Organization.id).where(Organization.level.in_(levels), _within(area))
        grouped = grouped.where(Service.authority.in_(inside))
    grouped = grouped.group_by(Service.type_id, Service.authority).subquery()
    unit = _unit_column()
    query = (
        select(grouped.c.type_id, Organization.level, unit, func.sum(grouped.c.n))
        .join(Organization, Organization.id == grouped.c.authority)
        .where(Organization.level.in_(levels), _within(area))
        .group_by(grouped.c.type_id, Organization.level, unit)
    )
    return {(t, lvl, key): int(n) for t, lvl, key, n in session.execute(query) if key}


@dataclass
class Declared:
    organization: str
    status: str
    reason: dict[str, str] | None
    covered_by: str | None
    actor: str
    at: Any
    government: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "status": self.status,
            "reason": self.reason,
            "covered_by": self.covered_by,
            "actor": self.actor,
            "at": as_utc(self.at).isoformat(),
        }


def _is_government(level: str, area: str | None, up_level: str | None, up: str | None) -> bool:
    """The rule of ``simpul orgs seed``: an organization whose parent is not of its level and
    area is a government (or a ministry); one under such a parent is its office."""
    return up_level != level or (up or NATIONAL) != (area or NATIONAL)


def _parents():
    return select(Organization.id, Organization.level, Organization.area).subquery()


def declarations(
    session: Session, type_ids: Iterable[str], levels: Iterable[str], area: str
) -> dict[tuple[str, str, str], Declared]:
    """(type id, level, unit key) -> the unit's declaration: its government's, else the first
    office's by id."""
    type_ids, levels = sorted(set(type_ids)), sorted(set(levels))
    if not type_ids or not levels:
        return {}
    up = _parents()
    query = (
        select(TypeDeclaration, Organization.level, Organization.area, _unit_column())
        .add_columns(up.c.level, up.c.area)
        .join(Organization, Organization.id == TypeDeclaration.organization_id)
        .outerjoin(up, up.c.id == Organization.parent_id)
        .where(
            TypeDeclaration.type_id.in_(type_ids),
            Organization.level.in_(levels),
            _within(area),
        )
        .order_by(TypeDeclaration.organization_id)
    )
    out: dict[tuple[str, str, str], Declared] = {}
    for row, level, org_area, key, up_level, up_area in session.execute(query):
        found = Declared(
            row.organization_id, row.status, row.reason, row.covered_by, row.actor, row.at
        )
        found.government = _is_government(level, org_area, up_level, up_area)
        _keep((row.type_id, level, key), found, out)
    return out


def _keep(slot: tuple, found: Declared, out: dict) -> None:
    if slot not in out or (found.government and not out[slot].government):
        out[slot] = found


def _central_keys(found: Mapping, central: CentralUnits | None) -> dict:
    """Re-key central organizations to their unit (a directorate general to its ministry)."""
    if central is None:
        return dict(found)
    out: dict = {}
    for (type_id, level, key), value in found.items():
        if level != "pusat":
            out[(type_id, level, key)] = value
            continue
        slot = (type_id, level, central.top.get(key, key))
        if isinstance(value, int):
            out[slot] = out.get(slot, 0) + value
        else:
            _keep(slot, value, out)
    return out


def _by_type_level(found: Mapping[tuple[str, str, str], Any]) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = defaultdict(dict)
    for (type_id, level, key), value in found.items():
        out[(type_id, level)][key] = value
    return out


# -- the grid ------------------------------------------------------------------------------------
@dataclass
class Grid:
    """The status of every unit of one or more types inside an area."""

    area: str
    types: dict[str, dict[str, Any]]  # id -> data
    central: CentralUnits | None
    # (type id, level) -> unit key -> live active instances / the unit's declaration
    offered: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    declared: dict[tuple[str, str], dict[str, Declared]] = field(default_factory=dict)

    # counts only (``build(..., counts_only=True)``): (type id, level) -> offered units, when
    # ``offered`` holds only the declared units' entries
    totals: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        session: Session,
        types: Mapping[str, Mapping[str, Any]],
        area: str,
        *,
        stored: bool = False,
        counts_only: bool = False,
    ) -> Grid:
        """``stored``: offered counts from the stored rows (``registry.typecounts``, as fresh as
        the last refresh), not the services; ``counts_only`` (with ``stored``): only what
        ``counts`` needs, the offered units counted in the database."""
        levels = {lvl for data in types.values() for lvl in levels_of(data, area)}
        central = CentralUnits(session) if "pusat" in levels else None
        grid = cls(area, dict(types), central)
        declared = declarations(session, types, levels, area)
        if not stored:
            offered = offered_counts(session, types, levels, area)
        elif counts_only:
            grid.totals = typecounts.offered_units(session, types, levels, area)
            local = [slot for slot in declared if slot[1] != "pusat"]
            offered = typecounts.offered(session, types, levels & {"pusat"}, area)
            offered |= typecounts.offered_at(session, local)
        else:
            offered = typecounts.offered(session, types, levels, area)
        grid.offered = _by_type_level(_central_keys(offered, central))
        grid.declared = _by_type_level(_central_keys(declared, central))
        return grid

    def status(self, type_id: str, level: str, key: str) -> str:
        if key in self.offered.get((type_id, level), ()):
            return "offered"
        found = self.declared.get((type_id, level), {}).get(key)
        return found.status if found else "unknown"

    def declaration(self, type_id: str, level: str, key: str) -> Declared | None:
        return self.declared.get((type_id, level), {}).get(key)

    def is_gap(self, type_id: str, level: str, status: str) -> bool:
        return status == "unknown" and level in self.types[type_id].get("mandatory_at", ())

    def _valid(self, level: str) -> frozenset[str]:
        if level == "pusat":
            return frozenset(unit_keys(level, self.area, self.central))
        return unit_set(level, self.area)

    def counts(self, type_id: str) -> dict[str, int]:
        """Counts by status without walking the units: the units minus those the grouped
        queries name."""
        data = self.types[type_id]
        out = dict.fromkeys((*STATUSES, "gaps", "units"), 0)
        for level in levels_of(data, self.area):
            valid = self._valid(level)
            offered = {k for k in self.offered.get((type_id, level), ()) if k in valid}
            declared = [
                d.status
                for k, d in self.declared.get((type_id, level), {}).items()
                if k in valid and k not in offered
            ]
            n_offered = self.totals.get((type_id, level), len(offered))
            unknown = len(valid) - n_offered - len(declared)
            out["units"] += len(valid)
            out["offered"] += n_offered
            out["not-offered"] += declared.count("not-offered")
            out["covered"] += declared.count("covered")
            out["unknown"] += unknown
            if level in data.get("mandatory_at", ()):
                out["gaps"] += unknown
        return out

    def units(
        self, type_id: str, wanted: str | None, start: int, stop: int
    ) -> tuple[int, list[tuple[Key, str]]]:
        """How many units of a type have the ``wanted`` status (or are gaps; None: any), and
        the slice ``start:stop`` of them with their status, in level then code order. Only the
        slice becomes tuples: a village type has 83,762 units."""
        total, shown = 0, []
        for level in levels_of(self.types[type_id], self.area):
            matched = self._matching(type_id, level, wanted)
            first, last = max(0, start - total), max(0, stop - total)
            shown += [
                ((level, key), self.status(type_id, level, key)) for key in matched[first:last]
            ]
            total += len(matched)
        return total, shown

    def _matching(self, type_id: str, level: str, wanted: str | None) -> list[str]:
        keys = unit_keys(level, self.area, self.central)
        offered = self.offered.get((type_id, level), {})
        declared = self.declared.get((type_id, level), {})
        if wanted is None:
            return keys
        if wanted == "offered":
            return (
                [k for k in keys if k in offered]
                if len(offered) > 50
                else sorted(k for k in offered if k in self._valid(level))
            )
        if wanted == "gap" and level not in self.types[type_id].get("mandatory_at", ()):
            return []
        if wanted in ("unknown", "gap"):
            return [k for k in keys if k not in offered and k not in declared]
        return sorted(
            k
            for k, found in declared.items()
            if found.status == wanted and k not in offered and k in self._valid(level)
        )


def levels_of(data: Mapping[str, Any], area: str) -> list[str]:
    """The levels where a type applies that have units inside ``area``."""
    levels = sorted(data.get("applies_to", ()), key=LEVEL_ORDER.get)
    if area == NATIONAL:
        return levels
    return [lvl for lvl in levels if lvl != "pusat" and LEVEL_DEPTHS[lvl] >= depth(area)]


# -- answers -------------------------------------------------------------------------------------
def type_coverage(
    session: Session,
    type_id: str,
    *,
    area: str | None = None,
    status: str | None = None,
    page: int = 1,
    size: int = 50,
    stored: bool = False,
) -> dict[str, Any]:
    """The grid of one type inside an area: counts by status and one page of its units
    (``stored``: offered from the stored counts, ``Grid.build``)."""
    row = session.get(ServiceType, type_id)
    if row is None:
        raise NotFound(f"no service type {type_id!r}")
    area = check_area(area)
    grid = Grid.build(session, {row.id: row.data}, area, stored=stored)
    total, shown = grid.units(row.id, status, (page - 1) * size, page * size)
    details = UnitDetails(session, [unit for unit, _ in shown], row.id, grid.central)
    items = []
    for (level, key), unit_status in shown:
        found = grid.declaration(row.id, level, key)
        items.append(
            {
                **details.describe((level, key)),
                "status": unit_status,
                "gap": grid.is_gap(row.id, level, unit_status),
                "instances": details.instances.get((level, key), []),
                "declaration": found.to_dict() if found and unit_status != "offered" else None,
            }
        )
    return {
        "type": {"id": row.id, "name": row.data.get("name"), "status": row.status},
        "area": area,
        "counts": grid.counts(row.id),
        "total": total,
        "page": page,
        "size": size,
        "items": items,
    }


def coverage_summary(
    session: Session, *, area: str | None = None, levels: Iterable[str] = (), stored: bool = False
) -> dict[str, Any]:
    """Counts by status of every active type inside an area (only ``levels`` when given): the
    whole-nation grid, one grouped query for all types."""
    area = check_area(area)
    wanted = set(levels)
    rows = session.execute(
        select(ServiceType.id, ServiceType.data).where(ServiceType.status == "active")
    ).all()
    types = {}
    for type_id, data in sorted(rows):
        applies = [lvl for lvl in levels_of(data, area) if not wanted or lvl in wanted]
        if applies:
            types[type_id] = {**data, "applies_to": applies}
    grid = Grid.build(session, types, area, stored=stored, counts_only=True)
    items = [
        {"type": {"id": t, "name": data.get("name")}, "levels": data["applies_to"]}
        | {"counts": grid.counts(t)}
        for t, data in types.items()
    ]
    totals = dict.fromkeys((*STATUSES, "gaps", "units"), 0)
    for item in items:
        for key, value in item["counts"].items():
            totals[key] += value
    return {
        "area": area,
        "levels": sorted(wanted, key=LEVEL_ORDER.get),
        "totals": totals,
        "total": len(items),
        "items": items,
    }


class UnitDetails:
    """Names, organizations and instance ids of a page of units (two queries)."""

    def __init__(self, session: Session, units: list[Key], type_id: str, central):
        self.units = units
        self.central = central
        self.orgs: dict[Key, list[tuple[str, Any, bool]]] = defaultdict(list)
        self.instances: dict[Key, list[str]] = defaultdict(list)
        if not units:
            return
        condition = self._condition(units)
        up = _parents()
        query = (
            select(Organization.id, Organization.name, Organization.level, Organization.area)
            .add_columns(_unit_column(), up.c.level, up.c.area)
            .outerjoin(up, up.c.id == Organization.parent_id)
            .where(condition)
            .order_by(Organization.id)
        )
        for org_id, name, level, area, key, up_level, up_area in session.execute(query):
            government = _is_government(level, area, up_level, up_area)
            self.orgs[self._key(level, key)].append((org_id, name, government))
        query = (
            select(Service.id, Organization.level, _unit_column())
            .join(Organization, Organization.id == Service.authority)
            .where(
                Service.type_id == type_id,
                Service.deleted_at.is_(None),
                Service.status == "active",
                condition,
            )
            .order_by(Service.id)
        )
        for service_id, level, key in session.execute(query):
            self.instances[self._key(level, key)].append(service_id)

    @classmethod
    def for_types(
        cls, session: Session, unit: Key, types: Iterable[str], central
    ) -> dict[str, list[str]]:
        """type id -> the unit's live active instance ids, for many types at once."""
        details = cls(session, [], "", central)
        query = (
            select(Service.type_id, Service.id)
            .join(Organization, Organization.id == Service.authority)
            .where(
                Service.type_id.in_(sorted(types)),
                Service.deleted_at.is_(None),
                Service.status == "active",
                details._condition([unit]),
            )
            .order_by(Service.id)
        )
        out: dict[str, list[str]] = defaultdict(list)
        for type_id, service_id in session.execute(query):
            out[type_id].append(service_id)
        return out

    def _key(self, level: str, key: str) -> Key:
        if level == "pusat" and self.central is not None:
            return (level, self.central.top.get(key, key))
        return (level, key)

    def _condition(self, units: list[Key]):
        by_level: dict[str, list[str]] = defaultdict(list)
        for level, key in units:
            if level == "pusat" and self.central is not None:
                by_level[level] += [o for o, top in self.central.top.items() if top == key]
            else:
                by_level[level].append(key)
        parts = [
            and_(Organization.level == level, _unit_column().in_(keys))
            for level, keys in by_level.items()
        ]
        return or_(*parts)

    def describe(self, unit: Key) -> dict[str, Any]:
        level, key = unit
        orgs = self.orgs.get(unit, [])
        government = next((o for o in orgs if o[2]), orgs[0] if orgs else None)
        if level == "pusat":
            government = next((o for o in orgs if o[0] == key), government)
            area, name = None, (government[1] if government else {"id": key})
        else:
            found = load_areas().get(key)
            area, name = key, {"id": found.name if found else key}
        return {
            "level": level,
            "area": area,
            "name": name,
            "organization": {"id": government[0], "name": government[1]} if government else None,
            "organizations": [o[0] for o in orgs],
        }


# -- one organization ----------------------------------------------------------------------------
def unit_of(session: Session, org: Organization) -> tuple[Key, str, CentralUnits | None]:
    """An organization's unit, the area its types are counted in, and the central units when
    it is a central organization."""
    if org.level == "pusat" or not org.area:
        central = CentralUnits(session) if org.level == "pusat" else None
        return (
            (org.level, central.top.get(org.id, org.id) if central else org.id),
            NATIONAL,
            central,
        )
    return (org.level, org.area), org.area, None


def organization_types(session: Session, org_id: str, *, stored: bool = False) -> dict[str, Any]:
    """Every active type applying at an organization's level, with its status for the
    organization's unit (its area's government and offices, or its ministry), and the gaps."""
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(f"no organization {org_id!r}")
    (level, key), area, _ = unit_of(session, org)
    rows = session.execute(
        select(ServiceType.id, ServiceType.data).where(ServiceType.status == "active")
    ).all()
    types = {t: data for t, data in sorted(rows) if level in data.get("applies_to", ())}
    scoped = {t: {**d, "applies_to": [level]} for t, d in types.items()}
    grid = Grid.build(session, scoped, area, stored=stored)
    details = UnitDetails.for_types(session, (level, key), types, grid.central)
    items = []
    counts = dict.fromkeys((*STATUSES, "gaps"), 0)
    for type_id, data in types.items():
        status = grid.status(type_id, level, key)
        found = grid.declaration(type_id, level, key)
        gap = grid.is_gap(type_id, level, status)
        counts[status] += 1
        counts["gaps"] += gap
        items.append(
            {
                "type": {"id": type_id, "name": data.get("name"), "kind": data.get("kind")},
                "mandatory": level in data.get("mandatory_at", ()),
                "status": status,
                "gap": gap,
                "instances": details.get(type_id, []),
                "declaration": found.to_dict() if found and status != "offered" else None,
            }
        )
    return {
        "organization": {"id": org.id, "name": org.name, "level": org.level, "area": org.area},
        "unit": {"level": level, "area": None if level == "pusat" else key},
        "counts": counts,
        "gaps": [item["type"]["id"] for item in items if item["gap"]],
        "total": len(items),
        "items": items,
    }
