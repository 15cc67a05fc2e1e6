"""Counts the health check, the node description and the audit pages show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Change, HarvestJob, Organization, Service
from simpul.registry.quality import COMPONENTS


def live_services(session: Session) -> int:
    return session.scalar(select(func.count()).where(Service.deleted_at.is_(None))) or 0


def last_change(session: Session) -> int:
    """The sequence number of the newest change (0 for an empty log)."""
    return session.scalar(select(func.max(Change.seq))) or 0


def outbox(session: Session, cursor: int) -> dict[str, float]:
    """The changes an index at ``cursor`` has not applied yet, and the age in seconds of the
    oldest of them (0 when none waits)."""
    pending = max(0, last_change(session) - cursor)
    oldest = session.scalar(
        select(Change.at).where(Change.seq > cursor).order_by(Change.seq).limit(1)
    )
    age = (utcnow() - as_utc(oldest)).total_seconds() if oldest is not None else 0.0
    return {"pending": pending, "oldest_seconds": max(age, 0.0)}


def age_seconds(moment: str) -> float:
    """Seconds from an ISO 8601 moment (as the sources' state keeps them) to now."""
    return (utcnow() - as_utc(datetime.fromisoformat(moment))).total_seconds()


def jobs_by_state(session: Session) -> dict[str, int]:
    """Harvest jobs per state (the states no job is in are absent)."""
    query = select(HarvestJob.status, func.count()).group_by(HarvestJob.status)
    return {state: count for state, count in session.execute(query)}


def record_counts(session: Session) -> dict[str, int]:
    """Live services, tombstones and organizations this node holds."""
    deleted = select(func.count()).where(Service.deleted_at.is_not(None))
    return {
        "services": live_services(session),
        "tombstones": session.scalar(deleted) or 0,
        "organizations": session.scalar(select(func.count()).select_from(Organization)) or 0,
    }


def completeness_summary(session: Session, org_id: str | None = None) -> list[dict[str, Any]]:
    """Per organization: live services, average completeness (0-1) and how many have all 14
    components. One aggregate query over the stored counts."""
    full = len(COMPONENTS)
    query = (
        select(
            Service.authority,
            func.count(),
            func.avg(Service.completeness),
            func.sum(case((Service.completeness == full, 1), else_=0)),
        )
        .where(Service.deleted_at.is_(None))
        .group_by(Service.authority)
        .order_by(Service.authority)
    )
    if org_id is not None:
        query = query.where(Service.authority == org_id)
    return [
        {
            "organization": authority,
            "services": count,
            "completeness": round(float(average or 0) / full, 2),
            "complete": int(complete or 0),
        }
        for authority, count, average, complete in session.execute(query)
    ]
