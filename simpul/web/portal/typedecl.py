"""The agency's service types in the publisher portal: every national type that applies at its
level, whether its area offers it, has declared it not offered or covered by another
organization, or leaves a mandatory one as a gap; and the form that declares it (no JavaScript).
The same core functions as the API decide, so the same people may declare and the same rules
hold (``registry.declarations``)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from simpul.errors import ValidationFailed
from simpul.registry import coverage, declarations, organizations, types
from simpul.registry.auth import Actor
from simpul.web.http import fresh_counts, registry
from simpul.web.portal import csrf, views
from simpul.web.portal.publisher import signed_in

bp = views.blueprint("typedecl", __name__, url_prefix="/publish/types")


@bp.before_request
def _protect() -> None:
    if request.method == "POST":
        csrf.protect()


@bp.errorhandler(CSRFError)
def _expired(error: CSRFError):
    from simpul.web.portal.publisher import _expired as expired

    return expired(error)


def _org_id(actor: Actor) -> str:
    return request.values.get("org") or actor.organization or ""


@bp.get("")
@signed_in
def overview(actor: Actor):
    org_id = _org_id(actor)
    fresh_counts()
    with registry().db.session() as db:
        org = organizations.get_organization(db, org_id)
        result = coverage.organization_types(db, org_id, stored=True)
        allowed = declarations.may_declare(actor, org)
    return views.page(
        "portal/publish/types.html", actor=actor, result=result, allowed=allowed, org_id=org_id
    )


@bp.route("/<type_id>/declare", methods=["GET", "POST"])
@signed_in
def declare(actor: Actor, type_id: str):
    org_id = _org_id(actor)
    with registry().db.session() as db:
        org = organizations.get_organization(db, org_id)
        declarations.require_declare(actor, org)
        found = types.get_type(db, type_id)
        type_info = {"id": found.id, "name": found.data.get("name")}
    form: Any = request.form if request.method == "POST" else {"status": "not-offered"}
    if request.method == "GET":
        return _form(actor, org_id, type_info, form)
    raw = _declaration(request.form)
    try:
        registry().db.write(lambda db: declarations.declare(db, org_id, type_id, raw, actor))
    except ValidationFailed as exc:
        return _form(actor, org_id, type_info, form, errors=exc.errors, status=422)
    flash(_("Your declaration on “%(name)s” is saved.", name=type_info["name"].get("id")))
    return redirect(url_for("typedecl.overview", org=org_id))


@bp.post("/<type_id>/withdraw")
@signed_in
def withdraw(actor: Actor, type_id: str):
    org_id = _org_id(actor)
    registry().db.write(lambda db: declarations.withdraw(db, org_id, type_id, actor))
    flash(_("The declaration is withdrawn."))
    return redirect(url_for("typedecl.overview", org=org_id))


def _declaration(form) -> dict[str, Any]:
    reason = {lang: form.get(f"reason.{lang}", "").strip() for lang in ("id", "en")}
    reason = {lang: text for lang, text in reason.items() if text}
    status = form.get("status", "not-offered")
    raw: dict[str, Any] = {"status": status, "reason": reason or None}
    if status == "covered":
        raw["covered_by"] = form.get("covered_by", "").strip() or None
    return raw


def _form(actor, org_id, type_info, form, *, errors=(), status=200):
    by_field: dict[str, list[str]] = {}
    for error in errors:
        where = error["path"] or "status"
        where = "reason.id" if where.startswith("reason") else where
        by_field.setdefault(where, []).append(error["message"])
    return views.page(
        "portal/publish/declare.html",
        status=status,
        actor=actor,
        org_id=org_id,
        type=type_info,
        form=form,
        by_field=by_field,
        errors=list(errors),
    )
