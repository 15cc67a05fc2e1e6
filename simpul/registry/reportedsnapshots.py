"""Daily coverage snapshots up the federation.

A child node serves its own snapshots of its area and the areas below it
(``GET /api/v1/coverage/snapshots``); a parent's ``simpul`` source stores them as the child's
figures (``report_snapshots_reported``), never recomputed, one row per source, area and day,
and shows them beside its own (``history``). A child cannot send figures of an area outside the
area of the source's organization here.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from simpul.reference.areas import NATIONAL, is_within, load_areas
from simpul.registry.db import utcnow
from simpul.registry.models import Organization, ReportedSnapshot, ReportSnapshot

MAX_FIGURES = 20_000  # characters of one area's figures as JSON


def _within(column, area: str | None):
    if not area or area == NATIONAL:
        return None
    return or_(column == area, column.like(f"{area}.%"))


def own_page(
    session: Session, area: str | None, start: date | None, page: int, size: int
) -> dict[str, Any]:
    """This node's snapshots of ``area`` and below, from ``start``, by day then area."""
    query = select(ReportSnapshot.area, ReportSnapshot.day, ReportSnapshot.figures)
    where = _within(ReportSnapshot.area, area)
    if where is not None:
        query = query.where(where)
    if start:
        query = query.where(ReportSnapshot.day >= start)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(ReportSnapshot.day, ReportSnapshot.area)
        .offset((page - 1) * size)
        .limit(size)
    )
    items = [{"area": a, "day": d.isoformat(), "figures": f} for a, d, f in rows]
    return {"area": area or NATIONAL, "total": total, "items": items}


def last_day(session: Session, source_id: str) -> date | None:
    """The newest day stored from the source (read again: a day's snapshot may be retaken)."""
    return session.scalar(
        select(func.max(ReportedSnapshot.day)).where(ReportedSnapshot.source_id == source_id)
    )


def source_area(session: Session, organization: str) -> str:
    area = session.scalar(select(Organization.area).where(Organization.id == organization))
    return area or NATIONAL


def _checked(item: Any, within: str) -> tuple[str, date, dict[str, Any]]:
    if not isinstance(item, dict):
        raise ValueError("a snapshot is an object with area, day and figures")
    area, figures = item.get("area"), item.get("figures")
    if not isinstance(area, str) or load_areas().check(area):
        raise ValueError(f"area: {area!r} is not a Kemendagri area code")
    if not is_within(area, within):
        raise ValueError(
            f"area: {area!r} lies outside {within!r}, the area of the source's organization"
        )
    try:
        day = date.fromisoformat(item.get("day"))
    except (TypeError, ValueError):
        raise ValueError("day: an ISO date (YYYY-MM-DD)") from None
    if not isinstance(figures, dict) or len(json.dumps(figures)) > MAX_FIGURES:
        raise ValueError(f"figures: an object of at most {MAX_FIGURES} characters as JSON")
    return area, day, figures


def store(
    session: Session, source_id: str, node: str | None, items: list[Any], within: str
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Store the child's snapshots as they are; counts and (key, problem) per refused one."""
    counts = {"snapshots_stored": 0, "snapshots_unchanged": 0}
    problems: list[tuple[str, str]] = []
    now = utcnow()
    for n, item in enumerate(items):
        try:
            area, day, figures = _checked(item, within)
        except ValueError as why:
            problems.append((f"snapshot:{n}", str(why)))
            continue
        held = session.get(ReportedSnapshot, (source_id, area, day))
        if held is not None and held.figures == figures:
            counts["snapshots_unchanged"] += 1
            continue
        if held is not None:
            session.execute(
                delete(ReportedSnapshot).where(
                    ReportedSnapshot.source_id == source_id,
                    ReportedSnapshot.area == area,
                    ReportedSnapshot.day == day,
                )
            )
        session.add(
            ReportedSnapshot(
                source_id=source_id, area=area, day=day, node=node, figures=figures, received=now
            )
        )
        session.flush()
        counts["snapshots_stored"] += 1
    return {k: v for k, v in counts.items() if v}, problems


def history(
    session: Session, area: str, start: date | None, end: date | None
) -> list[dict[str, Any]]:
    """The figures child nodes reported for ``area``, per source: shown beside this node's."""
    query = select(
        ReportedSnapshot.source_id,
        ReportedSnapshot.node,
        ReportedSnapshot.day,
        ReportedSnapshot.figures,
    ).where(ReportedSnapshot.area == area)
    if start:
        query = query.where(ReportedSnapshot.day >= start)
    if end:
        query = query.where(ReportedSnapshot.day <= end)
    out: dict[str, dict[str, Any]] = {}
    for source, node, day, figures in session.execute(
        query.order_by(ReportedSnapshot.source_id, ReportedSnapshot.day)
    ):
        entry = out.setdefault(source, {"source": source, "node": node, "items": []})
        shown = {k: v for k, v in figures.items() if k != "national"}
        entry["items"].append({"day": day.isoformat(), **shown})
    return list(out.values())
