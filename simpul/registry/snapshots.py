"""Daily snapshots of the coverage figures: one row per area and day (the figures as a small
JSON object), copied from ``report_areas`` after a full refresh. Taking one again the same day
replaces that day's rows, so ``simpul report snapshot`` is safe to run from cron more than once."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from simpul.errors import ValidationFailed
from simpul.registry import areacoverage
from simpul.registry.coverage_units import check_area
from simpul.registry.db import Database, utcnow
from simpul.registry.models import ReportArea, ReportSnapshot

CHUNK = 5000
MAX_DAYS = 3660  # a history read covers at most ten years


def take_snapshot(db: Database, *, threshold: int, day: date | None = None) -> int:
    """Snapshot today's figures (``day``: the date to file them under); returns the areas."""
    day = day or utcnow().date()
    areacoverage.refresh(db, threshold=threshold, full=True)
    with db.transaction() as session:
        session.execute(delete(ReportSnapshot).where(ReportSnapshot.day == day))
        rows = session.execute(select(ReportArea.area, ReportArea.figures)).all()
        for start in range(0, len(rows), CHUNK):
            batch = rows[start : start + CHUNK]
            session.execute(
                insert(ReportSnapshot),
                [{"area": a, "day": day, "figures": f} for a, f in batch],
            )
    return len(rows)


def history(
    session: Session, area: str | None, start: date | None, end: date | None
) -> dict[str, Any]:
    """The figures of ``area`` on each day with a snapshot between ``start`` and ``end``."""
    area = check_area(area)
    if start and end and (end < start or (end - start).days > MAX_DAYS):
        raise ValidationFailed.from_messages({"to": f"after from, within {MAX_DAYS} days"})
    query = select(ReportSnapshot.day, ReportSnapshot.figures).where(ReportSnapshot.area == area)
    if start:
        query = query.where(ReportSnapshot.day >= start)
    if end:
        query = query.where(ReportSnapshot.day <= end)
    items = []
    for day, figures in session.execute(query.order_by(ReportSnapshot.day)):
        shown = {k: v for k, v in figures.items() if k != "national"}
        items.append({"day": day.isoformat(), **shown})
    from simpul.registry.reportedsnapshots import history as reported

    # the figures child nodes reported for the area, beside this node's own
    return {"area": area, "items": items, "nodes": reported(session, area, start, end)}
