"""Stored counts behind the coverage grid (issue 14) and the agency checklists (issue 16).

``report_type_counts`` holds, per (type, authority), the authority's live active services linked
to the type, with the authority's coverage unit copied in (its level, and its area or, for a
central organization, its id) and whether that unit is a Kemendagri area of its level; a
summary then counts offered units per type in one grouped query over an index, without reading
the services or the organizations. ``report_chores`` holds, per authority, the housekeeping
counts of its live records (``checklists.RECORD_TASKS``).

Both are written only by the coverage refresh (``areacoverage.refresh``), never by the write
path: the authorities of the services changed after the refresh cursor are counted again (and
those whose organization changed), everything once a day. A write never touches a shared row,
so a long harvest transaction holds nobody else up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from simpul.reference.areas import NATIONAL
from simpul.registry.coverage_units import unit_set
from simpul.registry.models import (
    Organization,
    ReportChores,
    ReportTypeCount,
    Service,
)
from simpul.registry.quality import CHORE_NO_CHANNELS, CHORE_NO_ENGLISH
from simpul.registry.reviews import PENDING

CHUNK = 500  # authorities per counting query
STALE = timedelta(days=365)  # a record unchanged this long is stale


# -- counting ------------------------------------------------------------------------------------
def count_types(session: Session, ids: list[str] | None) -> list[dict]:
    """The (type, authority) rows of ``ids`` (every authority when None)."""
    query = (
        select(
            Service.type_id,
            Service.authority,
            Organization.level,
            Organization.area,
            func.count(),
        )
        .join(Organization, Organization.id == Service.authority)
        .where(
            Service.type_id.is_not(None),
            Service.deleted_at.is_(None),
            Service.status == "active",
        )
        .group_by(Service.type_id, Service.authority, Organization.level, Organization.area)
    )
    if ids is not None:
        query = query.where(Service.authority.in_(ids))
    rows = []
    for type_id, org_id, level, area, n in session.execute(query):
        unit = org_id if level == "pusat" else area
        if not unit:  # a local organization without an area is no unit's
            continue
        valid = level == "pusat" or unit in unit_set(level, NATIONAL)
        rows.append(
            {"type_id": type_id, "organization_id": org_id, "level": level}
            | {"unit": unit, "valid": valid, "services": n}
        )
    return rows


def _has(bit: int):
    return Service.chores.op("&")(bit) != 0


def chore_conditions(now: datetime) -> dict:
    """The record tasks of the checklists, as conditions on a service."""
    return {
        "no-channels": _has(CHORE_NO_CHANNELS),
        "stale": Service.modified < now - STALE,
        "no-english": _has(CHORE_NO_ENGLISH),
        "no-type": Service.type_id.is_(None),
        "review-pending": Service.review_status.in_(PENDING),
    }


def count_chores(session: Session, ids, now: datetime) -> list[dict]:
    """The record tasks of the authorities ``ids`` (a list, a query selecting them, or None for
    every authority), counted over live records: the stored rows, and the checklists' live
    path."""
    conditions = chore_conditions(now)
    columns = [func.sum(case((c, 1), else_=0)) for c in conditions.values()]
    query = select(Service.authority, func.count(), *columns).where(Service.deleted_at.is_(None))
    if ids is not None:
        query = query.where(Service.authority.in_(ids))
    out = []
    for authority, total, *sums in session.execute(query.group_by(Service.authority)):
        counts = {"services": total} | {
            task: int(n or 0) for task, n in zip(conditions, sums, strict=True)
        }
        out.append({"organization_id": authority, "counts": counts})
    return out


def store(session: Session, ids: list[str] | None, now: datetime) -> None:
    """Count again the rows of ``ids`` (every authority when None)."""
    if ids is None:
        session.execute(delete(ReportTypeCount))
        session.execute(delete(ReportChores))
        _insert(session, None, now)
        return
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(delete(ReportTypeCount).where(ReportTypeCount.organization_id.in_(chunk)))
        session.execute(delete(ReportChores).where(ReportChores.organization_id.in_(chunk)))
        _insert(session, chunk, now)


def _insert(session: Session, ids: list[str] | None, now: datetime) -> None:
    rows = count_types(session, ids)
    for start in range(0, len(rows), 5000):
        session.execute(insert(ReportTypeCount), rows[start : start + 5000])
    rows = count_chores(session, ids, now)
    for start in range(0, len(rows), 5000):
        session.execute(insert(ReportChores), rows[start : start + 5000])


def moved_organizations(session: Session, since: datetime | None) -> list[str]:
    """Organizations modified after ``since`` (their level or area may have changed)."""
    if since is None:
        return []
    return list(session.scalars(select(Organization.id).where(Organization.modified > since)))


# -- reading -------------------------------------------------------------------------------------
def _inside(area: str):
    column = ReportTypeCount.unit
    if area == NATIONAL:
        return True
    return or_(column == area, column.startswith(area + ".", autoescape=True))


def offered(
    session: Session, type_ids: Iterable[str], levels: Iterable[str], area: str
) -> dict[tuple[str, str, str], int]:
    """As ``coverage.offered_counts``, from the stored rows."""
    type_ids, levels = sorted(set(type_ids)), sorted(set(levels))
    if not type_ids or not levels:
        return {}
    t = ReportTypeCount
    query = (
        select(t.type_id, t.level, t.unit, func.sum(t.services))
        .where(t.type_id.in_(type_ids), t.level.in_(levels), _inside(area))
        .group_by(t.type_id, t.level, t.unit)
    )
    return {(ty, lvl, key): int(n) for ty, lvl, key, n in session.execute(query)}


def offered_units(
    session: Session, type_ids: Iterable[str], levels: Iterable[str], area: str
) -> dict[tuple[str, str], int]:
    """(type id, level) -> how many Kemendagri units inside ``area`` offer the type (every
    pair asked for, zero included); not for ``pusat``, whose units are re-keyed."""
    type_ids, levels = sorted(set(type_ids)), sorted(set(levels) - {"pusat"})
    out = {(ty, lvl): 0 for ty in type_ids for lvl in levels}
    if not type_ids or not levels:
        return out
    t = ReportTypeCount
    query = (
        select(t.type_id, t.level, func.count(func.distinct(t.unit)))
        .where(t.type_id.in_(type_ids), t.level.in_(levels), t.valid.is_(True), _inside(area))
        .group_by(t.type_id, t.level)
    )
    for ty, lvl, n in session.execute(query):
        out[(ty, lvl)] = int(n)
    return out


def offered_at(
    session: Session, slots: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], int]:
    """The offered count of a few (type id, level, unit key) slots (declared units)."""
    slots = set(slots)
    if not slots:
        return {}
    t = ReportTypeCount
    query = (
        select(t.type_id, t.level, t.unit, func.sum(t.services))
        .where(
            t.type_id.in_(sorted({s[0] for s in slots})),
            t.unit.in_(sorted({s[2] for s in slots})),
        )
        .group_by(t.type_id, t.level, t.unit)
    )
    found = {(ty, lvl, key): int(n) for ty, lvl, key, n in session.execute(query)}
    return {slot: n for slot, n in found.items() if slot in slots}


def offered_types(
    session: Session, by_level: dict[str, list[str]], area: str
) -> dict[tuple[str, str], int]:
    """(level, unit key) -> how many of the types ``by_level`` lists for its level the unit
    offers, for the local levels inside ``area`` (one grouped query, a row per unit)."""
    t = ReportTypeCount
    parts = [
        and_(t.level == level, t.type_id.in_(sorted(ids)))
        for level, ids in by_level.items()
        if level != "pusat" and ids
    ]
    if not parts:
        return {}
    query = (
        select(t.level, t.unit, func.count(func.distinct(t.type_id)))
        .where(or_(*parts), _inside(area))
        .group_by(t.level, t.unit)
    )
    return {(level, unit): int(n) for level, unit, n in session.execute(query)}


def chores(session: Session, ids_query) -> dict[str, dict[str, int]]:
    """Authority -> its stored record task counts, for the authorities ``ids_query`` selects
    (None: all)."""
    query = select(ReportChores.organization_id, ReportChores.counts)
    if ids_query is not None:
        query = query.where(ReportChores.organization_id.in_(ids_query))
    return {org_id: dict(counts) for org_id, counts in session.execute(query)}
