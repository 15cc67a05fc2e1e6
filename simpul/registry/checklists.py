"""Agency checklists: the housekeeping an organization should see, counted per organization (and
per child area for a coordinator) and listed per task.

The record tasks come from one grouped query over ``ix_services_checklist`` (the stored
``chores`` bits, ``modified``, ``type_id``, ``review_status``); failing links from one grouped
query over ``link_refs``; the types an organization must offer and has not declared from the
coverage grid (``registry/coverage.py``) of its area."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from simpul.errors import NotFound, ValidationFailed
from simpul.reference.areas import NATIONAL, depth
from simpul.registry import links, typecounts
from simpul.registry.coverage import Grid, declarations, levels_of, organization_types
from simpul.registry.coverage_units import check_area
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Link, LinkRef, Organization, Service, ServiceType

TASKS = (
    "no-channels",  # no channel, or only channels without their address
    "stale",  # not updated in STALE
    "no-english",  # no English name or description
    "broken-links",  # a link of the record (or the organization's homepage) fails
    "no-type",  # no national service type
    "review-pending",  # a review flag waits (the type changed or was retired)
    "types-missing",  # mandatory types of its unit neither offered nor declared
)
RECORD_TASKS = ("no-channels", "stale", "no-english", "no-type", "review-pending")
STALE = typecounts.STALE
ITEMS = 20  # items per task on an organization's checklist (``task`` pages through one)


def check_task(task: str | None) -> str | None:
    if task is not None and task not in TASKS:
        raise ValidationFailed.from_messages({"task": f"expected one of {', '.join(TASKS)}"})
    return task


_conditions = typecounts.chore_conditions


def _within(area: str):
    if area == NATIONAL:
        return literal(True)
    return or_(Organization.area == area, Organization.area.startswith(area + ".", autoescape=True))


# -- counts ---------------------------------------------------------------------------------------
def _record_counts(
    session: Session, area: str, org_id: str | None, now, stored: bool = False
) -> dict[str, dict]:
    if org_id is not None:
        ids = [org_id]
    else:
        ids = None if area == NATIONAL else select(Organization.id).where(_within(area))
    if stored:
        return typecounts.chores(session, ids)
    rows = typecounts.count_chores(session, ids, now)
    return {row["organization_id"]: row["counts"] for row in rows}


def _link_counts(session: Session, area: str, org_id: str | None, now) -> dict[str, int]:
    """Records with a failing link per organization, its homepage counting as one."""
    counted = func.count(func.distinct(func.coalesce(LinkRef.service_id, "")))
    query = (
        select(LinkRef.organization_id, counted)
        .join(Link, Link.id == LinkRef.link_id)
        .where(links.failing(now))
        .group_by(LinkRef.organization_id)
    )
    if org_id is not None:
        query = query.where(LinkRef.organization_id == org_id)
    elif area != NATIONAL:
        orgs = select(Organization.id).where(_within(area))
        query = query.where(LinkRef.organization_id.in_(orgs))
    return dict(session.execute(query).all())


def _mandatory_types(session: Session, area: str) -> dict[str, dict]:
    rows = session.execute(
        select(ServiceType.id, ServiceType.data).where(ServiceType.status == "active")
    ).all()
    out = {}
    for type_id, data in rows:
        levels = [lvl for lvl in levels_of(data, area) if lvl in data.get("mandatory_at", ())]
        if levels:
            out[type_id] = {**data, "applies_to": levels}
    return out


def _type_gaps(
    session: Session, orgs: list[tuple[str, str, str | None]], area: str, stored: bool
) -> dict:
    """Mandatory types missing per organization's unit: {org id: (unit key, count)}."""
    types = _mandatory_types(session, area)
    if not types or not orgs:
        return {}
    by_level: dict[str, list[str]] = defaultdict(list)
    for type_id, data in types.items():
        for level in data["applies_to"]:
            by_level[level].append(type_id)
    if stored:  # the Grid for the central units only; the local ones counted per unit
        central = {t: {**d, "applies_to": ["pusat"]} for t, d in types.items()}
        central = {t: d for t, d in central.items() if "pusat" in types[t]["applies_to"]}
        grid = Grid.build(session, central, area, stored=True)
        local = _local_missing(session, types, by_level, area)
    else:
        grid, local = Grid.build(session, types, area), None
    out = {}
    for org_id, level, org_area in orgs:
        if level == "pusat":
            key = grid.central.top.get(org_id, org_id) if grid.central else org_id
        elif org_area:
            key = org_area
        else:
            continue
        if local is not None and level != "pusat":
            missing = len(by_level.get(level, ())) - local.get((level, key), 0)
        else:
            wanted = by_level.get(level, ())
            missing = sum(grid.status(t, level, key) == "unknown" for t in wanted)
        if missing:
            out[org_id] = ((level, key), missing)
    return out


def _local_missing(session: Session, types: dict, by_level: dict, area: str) -> dict:
    """(level, unit key) -> its mandatory types offered or declared, from the stored counts and
    the declarations (few, read live)."""
    local = {lvl: ids for lvl, ids in by_level.items() if lvl != "pusat"}
    done = Counter(typecounts.offered_types(session, local, area))
    declared = [
        slot
        for slot in declarations(session, types, local, area)
        if slot[0] in local.get(slot[1], ())
    ]
    offered = typecounts.offered_at(session, declared)
    done.update((lvl, key) for (t, lvl, key) in declared if (t, lvl, key) not in offered)
    return done


def _organizations(session: Session, area: str) -> list[tuple[str, str, str | None]]:
    query = select(Organization.id, Organization.level, Organization.area).where(_within(area))
    return [tuple(row) for row in session.execute(query)]


def area_counts(
    session: Session,
    area: str | None = None,
    *,
    page: int = 1,
    size: int = 100,
    stored: bool = False,
) -> dict[str, Any]:
    """Every task counted per organization of an area (those with something to do, a page of
    them) and per child area, with totals. ``stored``: the record tasks and the offered types
    from the stored counts (``registry.typecounts``) as of the last refresh."""
    area = check_area(area)
    now = utcnow()
    orgs = _organizations(session, area)
    areas = {org_id: org_area for org_id, _, org_area in orgs}
    per_org: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("services", *TASKS), 0))
    for org_id, counts in _record_counts(session, area, None, now, stored).items():
        per_org[org_id].update(counts)
    for org_id, n in _link_counts(session, area, None, now).items():
        per_org[org_id]["broken-links"] = n
    units: dict[str, tuple] = {}
    for org_id, (unit, n) in _type_gaps(session, orgs, area, stored).items():
        per_org[org_id]["types-missing"] = n
        units[org_id] = unit
    rows = [
        {"organization": org_id, "area": areas.get(org_id), "counts": counts}
        for org_id, counts in sorted(per_org.items())
        if any(counts[t] for t in TASKS)
    ]
    return {
        "area": area,
        "totals": _totals(rows, units),
        "by_area": _by_child_area(rows, area, units),
        "total": len(rows),
        "page": page,
        "size": size,
        "by_organization": rows[(page - 1) * size : page * size],
    }


def _totals(rows: list[dict], units: dict[str, tuple]) -> dict[str, int]:
    totals = dict.fromkeys(("organizations", "services", *TASKS), 0)
    seen: set[tuple] = set()
    for row in rows:
        totals["organizations"] += 1
        counts = row["counts"]
        for key, n in counts.items():
            if n and key != "types-missing":
                totals[key] += n
        unit = units.get(row["organization"])
        if unit is not None and unit not in seen:  # a unit's gaps count once, however many
            seen.add(unit)  # of its offices have records
            totals["types-missing"] += counts["types-missing"]
    return totals


def _by_child_area(rows: list[dict], area: str, units: dict[str, tuple]) -> list[dict]:
    below = depth(area) + 1
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        code = row["area"] or NATIONAL
        child = ".".join(code.split(".")[:below]) if depth(code) >= below else code
        grouped[child].append(row)
    return [
        {"area": code, "counts": _totals(members, units)}
        for code, members in sorted(grouped.items())
    ]


# -- one organization -----------------------------------------------------------------------------
def organization_checklist(
    session: Session,
    org_id: str,
    *,
    task: str | None = None,
    page: int = 1,
    size: int = ITEMS,
    stored: bool = False,
) -> dict[str, Any]:
    """Counts of every task for one organization and its items: the first ``size`` of each
    task, or page ``page`` of ``task`` alone (the items are always read live, a page at a
    time; ``stored`` as in ``area_counts``)."""
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(f"no organization {org_id!r}")
    check_task(task)
    now = utcnow()
    counts = dict.fromkeys(("services", *TASKS), 0)
    counts.update(_record_counts(session, NATIONAL, org_id, now, stored).get(org_id, {}))
    counts["broken-links"] = _link_counts(session, NATIONAL, org_id, now).get(org_id, 0)
    types = organization_types(session, org_id, stored=stored)
    counts["types-missing"] = types["counts"]["gaps"]
    start, stop = ((page - 1) * size, page * size) if task else (0, size)
    items = {}
    for name in (task,) if task else TASKS:
        items[name] = _items(session, name, org_id, now, types, start, stop)
    return {
        "organization": {"id": org.id, "name": org.name, "level": org.level, "area": org.area},
        "counts": counts,
        "task": task,
        "page": page,
        "size": size,
        "items": items,
    }


def _items(session, task, org_id, now, types, start, stop) -> list[dict[str, Any]]:
    if task == "types-missing":
        gaps = [item for item in types["items"] if item["gap"]]
        return [{"type": item["type"]} for item in gaps[start:stop]]
    if task == "broken-links":
        return _link_items(session, org_id, now, start, stop)
    query = (
        select(Service)
        .where(
            Service.deleted_at.is_(None),
            Service.authority == org_id,
            _conditions(now)[task],
        )
        .order_by(Service.modified if task == "stale" else Service.identifier, Service.id)
        .offset(start)
        .limit(stop - start)
    )
    return [_service_item(row, task) for row in session.scalars(query)]


def _service_item(row: Service, task: str) -> dict[str, Any]:
    item = {"id": row.id, "identifier": row.identifier, "name": row.data.get("name")}
    if task == "stale":
        item["modified"] = as_utc(row.modified).isoformat().replace("+00:00", "Z")
    if task == "review-pending":
        item["review_status"] = row.review_status
    return item


def _link_items(session, org_id, now, start, stop) -> list[dict[str, Any]]:
    query = (
        select(LinkRef.service_id, LinkRef.field, Link, Service.identifier, Service.data)
        .join(Link, Link.id == LinkRef.link_id)
        .outerjoin(Service, Service.id == LinkRef.service_id)
        .where(LinkRef.organization_id == org_id, links.failing(now))
        .order_by(LinkRef.service_id.is_not(None), Service.identifier, LinkRef.field)
        .offset(start)
        .limit(stop - start)
    )
    return [
        {
            "id": service_id,
            "identifier": identifier,
            "name": (data or {}).get("name") if service_id else None,
            "field": field,
            "link": links.link_to_dict(link, now),
        }
        for service_id, field, link, identifier, data in session.execute(query)
    ]
