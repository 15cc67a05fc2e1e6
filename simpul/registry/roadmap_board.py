"""The roadmap board (items by status with the gate each waits on) and the bulk
materialisation of items (``simpul roadmap refresh``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from simpul.reference.areas import NATIONAL
from simpul.registry import assessments
from simpul.registry.criteria import at_least
from simpul.registry.db import utcnow
from simpul.registry.models import (
    Application,
    ApplicationService,
    Organization,
    RoadmapItem,
    RoadmapPhase,
    Service,
)
from simpul.registry.roadmap import (
    READY_CLASS,
    STATUSES,
    get_phase,
    in_scope,
    sectors_key,
    waits_on,
)

CHUNK = 5000


def _filters(phase_id: str, area: str | None, sector: str | None, level: str | None) -> list:
    where = [RoadmapItem.phase_id == phase_id]
    if area and area != NATIONAL:
        # the area and everything below it as one range of the index: dotted codes of digits
        # sort between 'a' and 'a/' ('/' follows '.' and precedes the digits)
        where += [RoadmapItem.area >= area, RoadmapItem.area < area + "/"]
    if level:
        where.append(RoadmapItem.level == level)
    if sector:
        where.append(RoadmapItem.sectors.contains(f",{sector},"))
    return where


def board(
    session: Session,
    phase_id: str,
    *,
    area: str | None = None,
    sector: str | None = None,
    level: str | None = None,
    size: int = 20,
) -> dict[str, Any]:
    """Counts per status and the first ``size`` items of each, with the gate each waits on."""
    phase = get_phase(session, phase_id)
    where = _filters(phase_id, area, sector, level)
    # one count per status: each a range of the (phase, status, area) index, where a GROUP BY
    # would read every item of the phase
    counts = {
        status: session.scalar(
            select(func.count())
            .select_from(RoadmapItem)
            .where(*where, RoadmapItem.status == status)
        )
        for status in STATUSES
    }
    columns = [None] * len(STATUSES)
    shown: list[RoadmapItem] = []
    for i, status in enumerate(STATUSES):
        rows = []
        if counts.get(status) and size:
            rows = list(
                session.scalars(
                    select(RoadmapItem)
                    .where(*where, RoadmapItem.status == status)
                    .order_by(RoadmapItem.area, RoadmapItem.id)
                    .limit(size)
                )
            )
        shown.extend(rows)
        columns[i] = (status, rows)
    names = _names(session, shown)
    latest = assessments.latest_verified(session, [r.target_id for r in shown])
    return {
        "phase": phase.data,
        "filters": {"area": area, "sector": sector, "level": level},
        "total": sum(counts.values()),
        "columns": [
            {
                "status": status,
                "count": counts.get(status, 0),
                "waits_on": waits_on(phase.data, status),
                "items": [_card(r, phase.data, names, latest.get(r.target_id)) for r in rows],
            }
            for status, rows in columns
        ],
    }


def _card(row: RoadmapItem, phase: dict, names: dict, latest) -> dict[str, Any]:
    gate = waits_on(phase, row.status)
    card = {
        "target_type": row.target_type,
        "target": row.target_id,
        "name": names.get(row.target_id),
        "organization": row.organization_id,
        "area": row.area,
        "level": row.level,
        "reason": row.reason,
        "waits_on": gate,
        "assessment": None,
    }
    if latest is not None:
        card["assessment"] = {"id": latest.id, "class": latest.result, "score": latest.score}
    minimum = (phase.get("gate") or {}).get("min_class") if gate == "phase-gate" else READY_CLASS
    if gate in ("readiness", "phase-gate"):
        card["gate_met"] = latest is not None and at_least(latest.result, minimum)
    return card


def _names(session: Session, rows: list[RoadmapItem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model, kind in ((Service, "service"), (Application, "application")):
        ids = [r.target_id for r in rows if r.target_type == kind]
        if ids:
            query = select(model.id, model.data["name"]).where(model.id.in_(ids))
            out.update(dict(session.execute(query).all()))
    return out


# -- materialising items ----------------------------------------------------------------------
def refresh(
    session: Session, phase_id: str | None = None, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Make the missing items of every live service and application in scope; returns how
    many were made per phase. Items are never removed here (their history stays)."""
    rows = (
        [get_phase(session, phase_id)]
        if phase_id
        else list(session.scalars(select(RoadmapPhase).order_by(RoadmapPhase.number)))
    )
    orgs = {
        o.id: (o.area or NATIONAL, o.level)
        for o in session.execute(select(Organization.id, Organization.area, Organization.level))
    }
    made = {}
    for phase in rows:
        known = set(
            session.scalars(select(RoadmapItem.target_id).where(RoadmapItem.phase_id == phase.id))
        )
        made[phase.id] = 0
        for batch in _candidates(session, phase.data, orgs, known):
            session.execute(insert(RoadmapItem.__table__), batch)
            made[phase.id] += len(batch)
            if progress:
                progress(len(batch))
    return made


def _candidates(session, phase: dict, orgs: dict, known: set):
    now, batch = utcnow(), []
    levels = phase["scope"]["levels"]
    services = select(Service.id, Service.authority, Service.level, Service.data["sectors"]).where(
        Service.deleted_at.is_(None), Service.level.in_(levels)
    )
    for sid, org, level, sectors in session.execute(services):
        sectors = sectors if isinstance(sectors, list) else []
        batch += _row(phase, "service", sid, org, level, sectors, orgs, known, now)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    app_sectors: dict[str, set] = {}
    links = select(ApplicationService.application_id, Service.data["sectors"]).join(
        Service, Service.id == ApplicationService.service_id
    )
    for app_id, sectors in session.execute(links):
        app_sectors.setdefault(app_id, set()).update(sectors if isinstance(sectors, list) else [])
    apps = select(Application.id, Application.organization_id).where(
        Application.deleted_at.is_(None)
    )
    for app_id, org in session.execute(apps):
        level = orgs.get(org, (None, "pusat"))[1]
        batch += _row(
            phase, "application", app_id, org, level, app_sectors.get(app_id, ()), orgs, known, now
        )
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(phase, kind, target_id, org, level, sectors, orgs, known, now) -> list[dict]:
    area = orgs.get(org, (NATIONAL, None))[0]
    if target_id in known or not in_scope(phase, level, sectors, area):
        return []
    return [
        {
            "phase_id": phase["id"],
            "target_type": kind,
            "target_id": target_id,
            "organization_id": org,
            "area": area,
            "level": level,
            "sectors": sectors_key(sectors),
            "status": "direncanakan",
            "modified": now,
        }
    ]
