"""The coordinator's workspace: the readiness assessment form (criteria, the description of
each level, evidence) and the roadmap board (items by status per phase, filtered by area,
sector and level, with the gate each waits on). An agency's editor reaches the same form from
its publisher pages and records a self-assessment. Plain forms, no JavaScript."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from simpul.errors import Conflict, NotFound, SimpulError, ValidationFailed
from simpul.reference import codelists
from simpul.registry import assessments, criteria, roadmap, roadmap_board
from simpul.registry.auth import Actor
from simpul.web.http import registry
from simpul.web.portal import csrf, views
from simpul.web.portal.messages import describe
from simpul.web.portal.publisher import signed_in

bp = views.blueprint("coordination", __name__, url_prefix="/publish")
STATUS_LABELS = {
    "direncanakan": _l("Planned"),
    "diases": _l("Being assessed"),
    "siap": _l("Ready"),
    "proses-integrasi": _l("Integrating"),
    "terintegrasi": _l("Integrated"),
    "tertunda": _l("Postponed"),
    "tidak-dapat-diintegrasikan": _l("Cannot be integrated"),
}
GATE_LABELS = {
    "assessment": _l("a verified assessment"),
    "readiness": _l("a verified assessment of at least 'siap bersyarat'"),
    "phase-gate": _l("the phase's gate: a verified assessment of the class it asks"),
    "coordinator": _l("the coordinator starting the integration"),
    "evidence": _l("an API linked on the SPLP gateway"),
    "reason": _l("the reason to be resolved"),
}
CLASS_LABELS = {
    "siap": _l("Ready (siap)"),
    "siap-bersyarat": _l("Conditionally ready (siap bersyarat)"),
    "belum-siap": _l("Not ready (belum siap)"),
}


@bp.before_request
def _protect() -> None:
    if request.method == "POST":
        csrf.protect()


def _labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "gate_labels": GATE_LABELS,
        "class_labels": CLASS_LABELS,
    }


# -- assessments ----------------------------------------------------------------------------------
@bp.route("/assess/<kind>/<target_id>", methods=["GET", "POST"])
@signed_in
def assess(actor: Actor, kind: str, target_id: str):
    if kind not in assessments.TARGET_TYPES:
        raise NotFound(f"nothing to assess at {kind!r}")
    reg = registry()
    with reg.db.session() as session:
        target = assessments.find_target(session, kind, target_id)
        if target is None:
            raise NotFound(f"no live {kind} {target_id!r}")
        assessments.authorize(actor, target)  # 403 page before the form, not after it
        current = criteria.current(session)
    if request.method == "GET":
        return _form(actor, target, current, MultiDict())
    raw = _form_to_assessment(request.form, current, kind, target_id)
    try:
        row_id = reg.db.write(lambda session: assessments.record(session, raw, actor).id)
    except ValidationFailed as failure:
        return _form(actor, target, current, request.form, failure.errors, 422)
    except SimpulError as failure:
        return _form(
            actor,
            target,
            current,
            request.form,
            [{"path": "", "message": failure.detail}],
            failure.status,
        )
    return redirect(url_for("coordination.assessment", assessment_id=row_id))


def _form_to_assessment(form, current: dict, kind: str, target_id: str) -> dict[str, Any]:
    scores = {}
    for c in current["criteria"]:
        entry: dict[str, Any] = {}
        value = form.get(f"score-{c['code']}", "")
        entry["score"] = int(value) if value.isdigit() else value or None
        for key in ("evidence", "url"):
            if form.get(f"{key}-{c['code']}", "").strip():
                entry[key] = form[f"{key}-{c['code']}"].strip()
        scores[c["code"]] = entry
    raw = {
        "target_type": kind,
        "target": target_id,
        "criteria_set": current["version"],
        "scores": scores,
    }
    for key in ("assessed_on", "note"):
        if form.get(key, "").strip():
            raw[key] = form[key].strip()
    return raw


def _form(actor, target, current, form, errors=None, status=200):
    by_field: dict[str, list[str]] = {}
    for e in errors or []:
        path = (e.get("path") or "").split(".")
        key = path[1] if len(path) > 1 and path[0] == "scores" else path[0]
        by_field.setdefault(key, []).append(describe(e["message"]))
    return views.page(
        "portal/publish/assess.html",
        status=status,
        actor=actor,
        target=target,
        criteria=current,
        form=form,
        errors=errors or [],
        by_field=by_field,
        verified=actor.coordinates(target.area),
    )


@bp.get("/assessments/<int:assessment_id>")
@signed_in
def assessment(actor: Actor, assessment_id: int):
    with registry().db.session() as session:
        row = assessments.get(session, assessment_id)
        used = criteria.get(session, row.criteria_version)
        out = assessments.to_dict(row, used)
        target = assessments.find_target(session, row.target_type, row.target_id)
    return views.page(
        "portal/publish/assessment.html",
        actor=actor,
        a=out,
        criteria=used,
        target=target,
        **_labels(),
    )


# -- the roadmap board ----------------------------------------------------------------------------
@bp.get("/roadmap")
@signed_in
def phases(actor: Actor):
    with registry().db.session() as session:
        rows = [roadmap.phase_to_dict(r) for r in roadmap.phases(session)]
    return views.page("portal/publish/roadmap.html", actor=actor, phases=rows)


@bp.get("/roadmap/<phase_id>")
@signed_in
def board(actor: Actor, phase_id: str):
    return _board(actor, phase_id)


@bp.post("/roadmap/<phase_id>/items/<target_id>/move")
@signed_in
def move(actor: Actor, phase_id: str, target_id: str):
    """A coordinator moves an item from the board; a refused move shows the gate above it."""
    raw = {k: request.form[k].strip() for k in ("to", "note", "reason") if request.form.get(k)}
    try:
        registry().db.write(lambda session: roadmap.move(session, phase_id, target_id, raw, actor))
    except (ValidationFailed, Conflict) as failure:
        problems = [describe(e["message"]) for e in failure.errors] or [failure.detail]
        return _board(actor, phase_id, problems, failure.status)
    flash(_("Moved to: %(status)s", status=STATUS_LABELS[raw["to"]]))
    return redirect(url_for("coordination.board", phase_id=phase_id))


def _board(actor: Actor, phase_id: str, problems=None, status: int = 200):
    filters = {
        "area": _area(request.args.get("area")),
        "sector": request.args.get("sector")
        if request.args.get("sector") in codelists.SECTORS
        else None,
        "level": request.args.get("level")
        if request.args.get("level") in codelists.LEVELS
        else None,
    }
    with registry().db.session() as session:
        out = roadmap_board.board(session, phase_id, size=50, **filters)
    return views.page(
        "portal/publish/board.html",
        status=status,
        actor=actor,
        board=out,
        filters=filters,
        problems=problems or [],
        moves=roadmap.TRANSITIONS,
        **_labels(),
    )


def _area(value: str | None) -> str | None:
    return value if value and roadmap.AREA.regex.match(value) else None
