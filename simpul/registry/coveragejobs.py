"""The coverage work of the worker (``simpul worker``), off the request path: the day's full
count with its snapshot once a day, and between them the changes logged since the last refresh.
A request only ever applies the changes logged since (``areacoverage.ensure_fresh``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from simpul.reference.areas import NATIONAL
from simpul.registry import areacoverage, snapshots
from simpul.registry.db import Database, utcnow
from simpul.registry.models import ReportSnapshot


def snapshot_due(db: Database, day: date | None = None) -> bool:
    """No snapshot filed for ``day`` (today) yet: the nation's row is in every snapshot."""
    day = day or utcnow().date()
    with db.session() as session:
        found = session.scalar(
            select(ReportSnapshot.day).where(
                ReportSnapshot.area == NATIONAL, ReportSnapshot.day == day
            )
        )
    return found is None


def run_due(db: Database, *, threshold: int, max_age: float) -> str:
    """What is due: ``snapshot`` (full count and the day's snapshot), else ``refresh`` of the
    changes (when the figures are older than ``max_age``). Returns what ran."""
    if snapshot_due(db) or areacoverage.due(db):
        snapshots.take_snapshot(db, threshold=threshold)
        return "snapshot"
    areacoverage.ensure_fresh(db, threshold=threshold, max_age=max_age)
    return "refresh"
