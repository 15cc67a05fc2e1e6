"""The integration roadmap (peta jalan): phases, items and the transitions between statuses.

The national coordinator defines phases (scope: levels, sectors, areas; a period; targets; an
optional gate). Every live service or application in a phase's scope is an item of it, made on
demand (``item``) or in bulk (``roadmap_board.refresh``). An item moves through ``STATUSES`` by
``TRANSITIONS``; the gates (``_gate``) refuse a move the evidence does not support, naming the
gate. Coordinators move the items of organizations in their area; evidence from the API-gateway
harvester moves services to ``terintegrasi`` and back (``api_linked``, ``api_gone``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.errors import Conflict, NotFound, ValidationFailed
from simpul.reference import codelists
from simpul.reference.areas import is_within
from simpul.registry import assessments, gatewaycheck, workspacefeed
from simpul.registry.assessments import Target
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.criteria import CLASSES, at_least
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import (
    Application,
    IntegrationApi,
    RoadmapHistory,
    RoadmapItem,
    RoadmapPhase,
    Service,
)

STATUSES = (
    "direncanakan",  # planned
    "diases",  # being assessed
    "siap",  # ready
    "proses-integrasi",  # integrating
    "terintegrasi",  # integrated
    "tertunda",  # postponed (with a reason)
    "tidak-dapat-diintegrasikan",  # cannot be integrated (with a reason)
)
WITH_REASON = ("tertunda", "tidak-dapat-diintegrasikan")
TRANSITIONS = {
    "direncanakan": ("diases", *WITH_REASON),
    "diases": ("siap", "direncanakan", *WITH_REASON),
    "siap": ("proses-integrasi", "diases", *WITH_REASON),
    "proses-integrasi": ("terintegrasi", "siap", *WITH_REASON),
    "terintegrasi": ("proses-integrasi",),
    "tertunda": ("direncanakan", "diases", "siap", "proses-integrasi"),
    "tidak-dapat-diintegrasikan": ("direncanakan",),
}
READY_CLASS = "siap-bersyarat"  # the least class an item needs to be 'siap' in any phase
PRIORITY_SECTORS = ("pendidikan", "kesehatan", "sosial", "kepolisian")
CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$")
AREA = validate.Regexp(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class PhaseText(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=500))
    en = fields.String(validate=validate.Length(max=500))


class Scope(Schema):
    levels = fields.List(
        fields.String(validate=validate.OneOf(list(codelists.LEVELS))),
        required=True,
        validate=validate.Length(min=1),
    )
    sectors = fields.List(fields.String(validate=validate.OneOf(list(codelists.SECTORS))))
    areas = fields.List(fields.String(validate=AREA), validate=validate.Length(max=100))


class Period(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("ends before it starts", "end")


class TargetSchema(Schema):
    date = fields.Date(required=True)
    integrated = fields.Integer(
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "items integrated by that date"},
    )
    note = fields.Nested(PhaseText)


class Gate(Schema):
    min_class = fields.String(required=True, validate=validate.OneOf(CLASSES))


class PhaseSchema(Schema):
    id = fields.String(required=True, validate=CODE)
    number = fields.Integer(required=True, validate=validate.Range(1, 99))
    name = fields.Nested(PhaseText, required=True)
    scope = fields.Nested(Scope, required=True)
    period = fields.Nested(Period, required=True)
    targets = fields.List(fields.Nested(TargetSchema), validate=validate.Length(max=50))
    gate = fields.Nested(
        Gate,
        allow_none=True,
        metadata={"description": "a verified assessment needed before integration starts"},
    )


def load_phase(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(f"expected a JSON object, got {type(raw).__name__}")
    try:
        return PhaseSchema().dump(PhaseSchema().load(raw))
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None


# -- phases ---------------------------------------------------------------------------------------
def save_phase(session: Session, raw: Any, actor: Actor, *, replace: str | None = None):
    """Create a phase (409 if its id exists) or replace ``replace``; the national coordinator's."""
    actor.require_coordinator(None)
    data = load_phase(raw)
    row = session.get(RoadmapPhase, data["id"])
    now = utcnow()
    if replace is None:
        if row is not None:
            raise Conflict(
                f"phase {data['id']!r} exists", errors=[{"path": "id", "message": "exists"}]
            )
        row = RoadmapPhase(
            id=data["id"], number=data["number"], data=data, created=now, modified=now
        )
        session.add(row)
    else:
        row = get_phase(session, replace)
        if data["id"] != replace:
            raise ValidationFailed.from_messages({"id": f"must be {replace!r}, the phase's id"})
        row.number, row.data, row.modified = data["number"], data, now
    session.flush()
    return row


def get_phase(session: Session, phase_id: str) -> RoadmapPhase:
    row = session.get(RoadmapPhase, phase_id)
    if row is None:
        raise NotFound(f"no roadmap phase {phase_id!r}")
    return row


def phases(session: Session) -> list[RoadmapPhase]:
    return list(session.scalars(select(RoadmapPhase).order_by(RoadmapPhase.number)))


def phase_to_dict(row: RoadmapPhase) -> dict[str, Any]:
    return {
        **row.data,
        "created": as_utc(row.created).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
    }


def default_phases(year: int) -> list[dict[str, Any]]:
    """The seeded roadmap: central priority sectors, then provinces and regencies/cities, then
    villages gated by a verified assessment of at least siap bersyarat."""

    def period(start: int, end: int) -> dict[str, str]:
        return {"start": f"{start}-01-01", "end": f"{end}-12-31"}

    return [
        {
            "id": "1",
            "number": 1,
            "name": {
                "id": "Fase 1: layanan pusat sektor prioritas",
                "en": "Phase 1: central services in priority sectors",
            },
            "scope": {"levels": ["pusat"], "sectors": list(PRIORITY_SECTORS)},
            "period": period(year, year),
            "targets": [{"date": f"{year}-12-31", "integrated": 100}],
        },
        {
            "id": "2",
            "number": 2,
            "name": {
                "id": "Fase 2: provinsi dan kabupaten/kota",
                "en": "Phase 2: provinces and regencies/cities",
            },
            "scope": {"levels": ["provinsi", "kabkota"]},
            "period": period(year + 1, year + 2),
            "targets": [{"date": f"{year + 2}-12-31", "integrated": 1000}],
        },
        {
            "id": "3",
            "number": 3,
            "name": {
                "id": "Fase 3: desa/kelurahan setelah asesmen",
                "en": "Phase 3: villages after an assessment",
            },
            "scope": {"levels": ["desa"]},
            "period": period(year + 3, year + 4),
            "targets": [{"date": f"{year + 4}-12-31", "integrated": 5000}],
            "gate": {"min_class": READY_CLASS},
        },
    ]


def seed(session: Session, actor: Actor = SYSTEM) -> list[str]:
    """Create the default phases that do not exist yet; returns the ids created."""
    created = []
    for phase in default_phases(utcnow().year):
        if session.get(RoadmapPhase, phase["id"]) is None:
            save_phase(session, phase, actor)
            created.append(phase["id"])
    return created


# -- items ----------------------------------------------------------------------------------------
def in_scope(phase: dict[str, Any], level: str, sectors, area: str) -> bool:
    scope = phase["scope"]
    if level not in scope["levels"]:
        return False
    if scope.get("sectors") and not set(scope["sectors"]) & set(sectors):
        return False
    areas = scope.get("areas") or []
    return not areas or any(is_within(area, a) for a in areas)


def target_of(session: Session, target_id: str) -> Target:
    for kind in ("service", "application"):
        found = assessments.find_target(session, kind, target_id)
        if found is not None:
            return found
    raise NotFound(f"no live service or application {target_id!r}")


def item(session: Session, phase_id: str, target_id: str, *, create: bool = True) -> RoadmapItem:
    """The item of a target in a phase, made on demand when the target is in scope."""
    phase = get_phase(session, phase_id)
    target = target_of(session, target_id)
    row = session.scalar(
        select(RoadmapItem).where(
            RoadmapItem.phase_id == phase_id, RoadmapItem.target_id == target.id
        )
    )
    if row is not None:
        return row
    if not in_scope(phase.data, target.level, target.sectors, target.area):
        raise NotFound(f"{target.type} {target.id!r} is outside the scope of phase {phase_id!r}")
    if not create:
        raise NotFound(f"phase {phase_id!r} has no item for {target.id!r} yet")
    row = new_item(phase_id, target)
    session.add(row)
    session.flush()
    return row


def new_item(phase_id: str, target: Target) -> RoadmapItem:
    return RoadmapItem(
        phase_id=phase_id,
        target_type=target.type,
        target_id=target.id,
        organization_id=target.organization,
        area=target.area,
        level=target.level,
        sectors=sectors_key(target.sectors),
        status="direncanakan",
        modified=utcnow(),
    )


def sectors_key(sectors) -> str:
    return ("," + ",".join(sorted(set(sectors))) + ",")[:400] if sectors else ","


def history(session: Session, row: RoadmapItem) -> list[RoadmapHistory]:
    query = select(RoadmapHistory).where(RoadmapHistory.item_id == row.id)
    return list(session.scalars(query.order_by(RoadmapHistory.id)))


def item_to_dict(session: Session, row: RoadmapItem, *, with_history: bool = True) -> dict:
    out = {
        "phase": row.phase_id,
        "target_type": row.target_type,
        "target": row.target_id,
        "organization": row.organization_id,
        "area": row.area,
        "level": row.level,
        "sectors": [s for s in row.sectors.split(",") if s],
        "status": row.status,
        "reason": row.reason,
        "modified": as_utc(row.modified).isoformat(),
        "provenance": row.provenance,  # None: this node's own status
    }
    if with_history:
        out["history"] = [
            {
                "at": as_utc(h.at).isoformat(),
                "by": h.actor,
                "from": h.from_status,
                "to": h.to_status,
                "note": h.note,
            }
            for h in history(session, row)
        ]
    return out


# -- transitions ----------------------------------------------------------------------------------
def move(session: Session, phase_id: str, target_id: str, raw: Any, actor: Actor) -> RoadmapItem:
    """A coordinator moves an item; the table and the gates decide whether it may."""
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(f"expected a JSON object, got {type(raw).__name__}")
    problems = {k: "unknown field" for k in raw if k not in ("to", "note", "reason")}
    if raw.get("to") not in STATUSES:
        problems["to"] = f"one of {', '.join(STATUSES)}"
    for key in ("note", "reason"):
        if key in raw and (not isinstance(raw[key], str) or len(raw[key]) > 2000):
            problems[key] = "a text of at most 2000 characters"
    if raw.get("to") in WITH_REASON and not (raw.get("reason") or "").strip():
        problems["reason"] = f"{raw['to']!r} needs a reason"
    if problems:
        raise ValidationFailed.from_messages(problems)
    row = item(session, phase_id, target_id)
    actor.require_coordinator(row.area)
    to = raw["to"]
    gate = _gate(session, row, to)
    if gate is not None:
        raise Conflict(
            f"{row.status} → {to} refused: {gate[1]}",
            gate=gate[0],
            errors=[{"path": "to", "message": gate[1]}],
        )
    _set(session, row, to, actor.name, raw.get("note"), raw.get("reason"))
    return row


def _set(session, row, to: str, actor: str, note: str | None, reason: str | None = None) -> None:
    session.add(
        RoadmapHistory(
            item_id=row.id,
            at=utcnow(),
            actor=actor,
            from_status=row.status,
            to_status=to,
            note=note or reason,
        )
    )
    row.status, row.reason, row.modified = to, reason if to in WITH_REASON else None, utcnow()
    row.provenance = None  # moved here: the item is this node's from now on, not a child's
    session.flush()
    workspacefeed.log_roadmap(session, row)


def _gate(session: Session, row: RoadmapItem, to: str) -> tuple[str, str] | None:
    """(gate, why) when the move is refused, else None."""
    if to == row.status or to not in TRANSITIONS[row.status]:
        allowed = ", ".join(TRANSITIONS[row.status])
        return "transition", f"from {row.status} an item moves to {allowed}"
    phase = session.get(RoadmapPhase, row.phase_id)
    latest = assessments.latest_verified(session, [row.target_id]).get(row.target_id)
    if to == "diases" and latest is None:
        return "assessment", "needs a verified assessment (a self-assessment does not count)"
    if to == "siap" and (latest is None or not at_least(latest.result, READY_CLASS)):
        return "readiness", f"needs a verified assessment of at least {READY_CLASS}"
    gate = (phase.data.get("gate") or {}).get("min_class")
    opened = latest is not None and gate and at_least(latest.result, gate)
    if to in ("proses-integrasi", "terintegrasi") and gate and not opened:
        return "phase-gate", f"phase {phase.id} needs a verified assessment of at least {gate}"
    if to == "terintegrasi" and not integrated(session, row):
        what = (
            "an API linked on the gateway (SPLP)"
            if row.target_type == "service"
            else "SPLP status 'terhubung', its gateway API ids found by a gateway harvest"
        )
        return "evidence", f"needs evidence: {what}"
    return None


def integrated(session: Session, row: RoadmapItem) -> bool:
    """Whether evidence shows the target integrated: a service's API linked on the gateway; an
    application 'terhubung' whose gateway ids no gateway harvest contradicts."""
    if row.target_type == "application":
        app = session.get(Application, row.target_id)
        return (
            app is not None
            and app.splp_status == "terhubung"
            and not gatewaycheck.flagged_ids(session, [app.id])
        )
    service = session.get(Service, row.target_id)
    return (
        service is not None
        and session.scalar(
            select(IntegrationApi.id)
            .where(
                IntegrationApi.status == "linked",
                IntegrationApi.service_authority == service.authority,
                IntegrationApi.service_identifier == service.identifier,
            )
            .limit(1)
        )
        is not None
    )


def waits_on(phase: dict[str, Any], status: str) -> str | None:
    """The gate an item in ``status`` waits on next (shown on the board)."""
    gate = (phase.get("gate") or {}).get("min_class")
    return {
        "direncanakan": "assessment",
        "diases": "readiness",
        "siap": "phase-gate" if gate else "coordinator",
        "proses-integrasi": "evidence",
        "tertunda": "reason",
        "tidak-dapat-diintegrasikan": "reason",
    }.get(status)


# -- evidence -------------------------------------------------------------------------------------
def items_of(session: Session, target: Target) -> list[RoadmapItem]:
    """The target's items in every phase whose scope holds it (made when missing)."""
    return [
        item(session, phase.id, target.id)
        for phase in phases(session)
        if in_scope(phase.data, target.level, target.sectors, target.area)
    ]


def assessed(session: Session, target: Target, assessment, actor: Actor) -> None:
    """A verified assessment moves the target's planned items to 'diases'."""
    for row in items_of(session, target):
        if row.status == "direncanakan":
            note = f"assessment {assessment.id}: {assessment.result} ({assessment.score})"
            _set(session, row, "diases", actor.name, note)


def api_linked(session: Session, service_id: str, api_name: str) -> None:
    """The gateway harvester linked an API to the service: its items are integrated."""
    target = assessments.find_target(session, "service", service_id)
    for row in items_of(session, target) if target else []:
        if row.status != "terintegrasi":
            note = f"API {api_name!r} linked on the gateway"
            _set(session, row, "terintegrasi", "harvester", note)


def api_gone(session: Session, authority: str, identifier: str, api_name: str) -> None:
    """An API vanished from the gateway: integrated items of the service move back, unless
    another linked API still serves it."""
    service = session.scalar(
        select(Service).where(Service.authority == authority, Service.identifier == identifier)
    )
    if service is None:
        return
    rows = session.scalars(
        select(RoadmapItem).where(
            RoadmapItem.target_id == service.id, RoadmapItem.status == "terintegrasi"
        )
    ).all()
    for row in rows:
        if not integrated(session, row):
            _set(
                session,
                row,
                "proses-integrasi",
                "harvester",
                f"API {api_name!r} vanished from the gateway",
            )
