"""Readiness assessments (asesmen kesiapan integrasi) of services and applications.

Append-only: an assessment is recorded once and never changed; a new one supersedes it. A
coordinator whose area covers the target's organization (or an administrator) records a
*verified* assessment; the target organization's own editor records a *self-assessment*, kept
and shown but never opening a roadmap gate. The latest verified assessment of a target is the
one that gates use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from simpul.errors import Forbidden, NotFound, ValidationFailed
from simpul.reference.areas import NATIONAL
from simpul.registry import criteria as criteria_sets
from simpul.registry import workspacefeed
from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Application, Assessment, Organization, Service

TARGET_TYPES = ("service", "application")
FIELDS = {"target_type", "target", "criteria_set", "scores", "assessed_on", "note"}


class Target(NamedTuple):
    type: str
    id: str
    organization: str
    area: str  # the organization's area ('00': the nation)
    level: str
    sectors: tuple[str, ...]
    name: dict[str, str] | None


def find_target(session: Session, target_type: str, target_id: str) -> Target | None:
    """The live service or application, with what scope and authorization need."""
    if target_type == "service":
        row = session.get(Service, target_id)
        if row is None or row.deleted_at is not None:
            return None
        org, level, sectors = row.authority, row.level, tuple(row.data.get("sectors") or ())
    elif target_type == "application":
        row = session.get(Application, target_id)
        if row is None or row.deleted_at is not None:
            return None
        org, level, sectors = row.organization_id, None, _app_sectors(session, row.id)
    else:
        return None
    found = session.execute(
        select(Organization.area, Organization.level).where(Organization.id == org)
    ).first()
    area, org_level = (found.area, found.level) if found else (None, "pusat")
    return Target(
        target_type,
        target_id,
        org,
        area or NATIONAL,
        level or org_level,
        sectors,
        row.data.get("name"),
    )


def _app_sectors(session: Session, app_id: str) -> tuple[str, ...]:
    """An application's sectors: those of the services it delivers."""
    from simpul.registry.models import ApplicationService

    query = (
        select(Service.data)
        .join(ApplicationService, ApplicationService.service_id == Service.id)
        .where(ApplicationService.application_id == app_id, Service.deleted_at.is_(None))
    )
    sectors: dict[str, None] = {}
    for data in session.scalars(query):
        sectors.update(dict.fromkeys(data.get("sectors") or ()))
    return tuple(sectors)


def _parse(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(f"expected a JSON object, got {type(raw).__name__}")
    problems = {key: "unknown field" for key in raw if key not in FIELDS}
    if raw.get("target_type") not in TARGET_TYPES:
        problems["target_type"] = f"one of {', '.join(TARGET_TYPES)}"
    if not isinstance(raw.get("target"), str) or not raw.get("target"):
        problems["target"] = "the id of the service or application assessed"
    for key, limit in (("criteria_set", 40), ("note", 4000)):
        if key in raw and (not isinstance(raw[key], str) or len(raw[key]) > limit):
            problems[key] = f"a text of at most {limit} characters"
    if "assessed_on" in raw and _date(raw["assessed_on"]) is None:
        problems["assessed_on"] = "an ISO date (YYYY-MM-DD), not in the future"
    if problems:
        raise ValidationFailed.from_messages(problems)
    return raw


def _date(value: Any) -> str | None:
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return day.isoformat() if day <= utcnow().date() else None


def record(session: Session, raw: Any, actor: Actor) -> Assessment:
    """Check and store one assessment; ValidationFailed or Forbidden store nothing."""
    data = _parse(raw)
    target = find_target(session, data["target_type"], data["target"])
    if target is None:
        raise ValidationFailed.from_messages(
            {"target": f"no live {data['target_type']} {data['target']!r}"}
        )
    verified = authorize(actor, target)
    try:
        criteria = (
            criteria_sets.get(session, data["criteria_set"])
            if data.get("criteria_set")
            else criteria_sets.current(session)
        )
    except NotFound as missing:
        raise ValidationFailed.from_messages({"criteria_set": missing.detail}) from None
    scores = criteria_sets.check_scores(criteria, data.get("scores"))
    outcome = criteria_sets.result(criteria, scores)
    row = Assessment(
        target_type=target.type,
        target_id=target.id,
        organization_id=target.organization,
        area=target.area,
        criteria_version=criteria["version"],
        scores=scores,
        score=outcome["score"],
        result=outcome["class"],
        verified=verified,
        actor=actor.name,
        assessor_organization=actor.organization,
        assessed_on=_date(data.get("assessed_on")) or utcnow().date().isoformat(),
        note=data.get("note") or None,
        at=utcnow(),
    )
    session.add(row)
    session.flush()
    workspacefeed.log_assessment(session, row)
    if verified:
        from simpul.registry import roadmap

        roadmap.assessed(session, target, row, actor)
    return row


def authorize(actor: Actor, target: Target) -> bool:
    """True for a verified assessment, False for a self-assessment; 403 otherwise."""
    if actor.coordinates(target.area):
        return True
    if actor.organization == target.organization and actor.role in ("editor", "admin"):
        return False
    if actor.role == "coordinator":
        raise Forbidden(
            f"the coordinator's area {actor.area or NATIONAL!r} does not cover "
            f"{target.organization!r} (area {target.area!r})",
            errors=[{"path": "target", "message": "outside the coordinator's area"}],
        )
    raise Forbidden(
        f"only a coordinator of area {target.area!r} or {target.organization!r} itself "
        "(a self-assessment) can assess this",
        errors=[{"path": "target", "message": "not your organization's"}],
    )


def latest_verified(session: Session, target_ids: list[str]) -> dict[str, Assessment]:
    """The latest verified assessment of each target (what gates use): this node's own when
    it has one, so an assessment a child node sent never overrides the coordinator's here."""
    if not target_ids:
        return {}
    newest = (
        select(func.max(Assessment.id))
        .where(Assessment.target_id.in_(target_ids), Assessment.verified.is_(True))
        .group_by(Assessment.target_id, Assessment.provenance.is_(None))
    )
    rows = session.scalars(select(Assessment).where(Assessment.id.in_(newest)))
    out: dict[str, Assessment] = {}
    for row in rows:
        held = out.get(row.target_id)
        if held is None or (held.provenance is not None and row.provenance is None):
            out[row.target_id] = row
    return out


def list_assessments(
    session: Session,
    *,
    target: str | None = None,
    organization: str | None = None,
    area: str | None = None,
    verified: bool | None = None,
    page: int = 1,
    size: int = 20,
) -> tuple[int, list[Assessment]]:
    query = select(Assessment)
    if target:
        query = query.where(Assessment.target_id == target)
    if organization:
        query = query.where(Assessment.organization_id == organization)
    if area and area != NATIONAL:
        query = query.where(or_(Assessment.area == area, Assessment.area.like(f"{area}.%")))
    if verified is not None:
        query = query.where(Assessment.verified.is_(verified))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Assessment.id.desc()).offset((page - 1) * size).limit(size)
    )
    return total, list(rows)


def get(session: Session, assessment_id: int) -> Assessment:
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise NotFound(f"no assessment {assessment_id}")
    return row


def to_dict(row: Assessment, criteria: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {
        "id": row.id,
        "target_type": row.target_type,
        "target": row.target_id,
        "organization": row.organization_id,
        "area": row.area,
        "criteria_set": row.criteria_version,
        "scores": row.scores,
        "score": row.score,
        "class": row.result,
        "verified": row.verified,
        "self_assessment": not row.verified,
        "assessor": row.actor,
        "assessor_organization": row.assessor_organization,
        "assessed_on": row.assessed_on,
        "note": row.note,
        "at": as_utc(row.at).isoformat(),
        "provenance": row.provenance,  # None: recorded at this node
    }
    if criteria is not None:
        details = criteria_sets.result(criteria, row.scores)
        out["reasons"], out["next_steps"] = details["reasons"], details["next_steps"]
    return out
