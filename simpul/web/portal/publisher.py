"""The publisher's editor: sign in with the organization's token, then create, edit and retire
services. Writes go through the same core functions as the API, so the same rules hold: a
session can only write its own organization's records, and every change is versioned."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from simpul.errors import (
    InvalidInput,
    PreconditionFailed,
    SimpulError,
    Unauthorized,
    ValidationFailed,
)
from simpul.reference.languages import shorten
from simpul.registry import organizations, reviews, services, sessions
from simpul.registry.auth import Actor, authenticate
from simpul.web.http import registry
from simpul.web.portal import csrf, forms, reviewing, views
from simpul.web.portal.i18n import fid, text
from simpul.web.portal.messages import describe

bp = views.blueprint("publisher", __name__, url_prefix="/publish")


@bp.before_request
def _protect() -> None:
    if request.method == "POST":
        csrf.protect()


@bp.errorhandler(CSRFError)
def _expired(error: CSRFError):
    return views.error_page(
        InvalidInput(
            _(
                "The form expired or was not sent from this site. "
                "Go back, reload it and send it again."
            )
        )
    )


def current_actor() -> Actor | None:
    """Who is signed in. The session lives on the server: sign-out, expiry or a revoked token
    ends it at once, and a copy of the cookie ends with it."""
    secret = session.get("sid")
    if not secret:
        return None
    with registry().db.session() as db:
        actor = sessions.session_actor(db, secret)
    if actor is None:
        session.clear()
    return actor


def signed_in(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        actor = current_actor()
        if actor is None:
            return redirect(url_for("publisher.sign_in", next=request.full_path.rstrip("?")))
        return view(actor, *args, **kwargs)

    return wrapper


def same_site_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None. Browsers read ``/\\host``,
    ``/<tab>/host`` or ``//host`` as another host, so a single leading ``/`` is not enough:
    no backslash, no ``//``, no control or space character, no scheme, before or after
    percent-decoding."""
    if not target or len(target) > 2000:
        return None
    for form in (target, unquote(target)):
        if not form.startswith("/") or "//" in form or "\\" in form:
            return None
        if any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in form):
            return None
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    if request.method == "POST":
        token = request.form.get("token", "").strip()
        try:
            with registry().db.transaction() as db:
                actor = authenticate(db, f"Bearer {token}")
        except Unauthorized:
            error = _("This token is not valid, or it was revoked. Ask your administrator.")
        else:
            lifetime = current_app.permanent_session_lifetime
            with registry().db.transaction() as db:
                secret = sessions.open_session(db, actor.name.removeprefix("token:"), lifetime)
            session.clear()  # a fresh session: nothing carried over from before sign-in
            session.update(sid=secret)
            session.permanent = True  # the cookie expires with the server's session
            return redirect(same_site_path(request.args.get("next")) or url_for(".dashboard"))
    status = 401 if error else 200
    return views.page("portal/publish/sign_in.html", status=status, error=error)


@bp.post("/sign-out")
def sign_out():
    if session.get("sid"):
        with registry().db.transaction() as db:
            sessions.close_session(db, session["sid"])
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("portal.home"))


@bp.get("")
@signed_in
def dashboard(actor: Actor):
    reg = registry()
    org_id = actor.organization
    if actor.is_admin and request.args.get("org"):
        org_id = request.args["org"]
    page = views.page_number()
    with reg.db.session() as db:
        org = organizations.organization_to_dict(
            organizations.get_organization(db, org_id), reg.base_uri
        )
        total, rows = services.list_services(
            db, authority=org_id, sort="-modified", page=page, size=50
        )
        items = [services.service_to_dict(r) for r in rows]
    return views.page(
        "portal/publish/dashboard.html",
        organizations=_writable(actor),
        actor=actor,
        org=org,
        items=items,
        total=total,
        page=page,
        pages=views.page_count(total, 50),
    )


@bp.route("/services/new", methods=["GET", "POST"])
@signed_in
def create(actor: Actor):
    if request.method == "GET":
        return _editor(actor, forms.record_to_form({"status": "active"}), None)
    raw = forms.form_to_record(request.form)
    if actor.is_admin and request.form.get("authority"):
        raw["authority"] = request.form["authority"]
    return _save(actor, raw, None)


@bp.route("/services/<service_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(actor: Actor, service_id: str):
    with registry().db.session() as db:
        row = services.get_live(db, service_id)
        actor.require_write(row.authority)
        stored = {**services.service_to_dict(row), "etag": services.etag(row)}
        stored["review_of"] = reviews.review_of(db, row)
    if request.method == "GET":
        report = report_of(stored) if request.args.get("saved") else None
        return _editor(actor, forms.record_to_form(stored), stored, report=report)
    raw = forms.form_to_record(request.form, stored)
    raw["identifier"] = stored["identifier"]
    return _save(actor, raw, stored)


def _save(actor: Actor, raw: dict[str, Any], stored: dict[str, Any] | None):
    """Check, or check and store; on a problem the form comes back with every error beside its
    field and nothing stored."""
    reg = registry()
    checking = request.form.get("action") == "check"
    try:
        if checking:
            with reg.db.session() as db:
                prepared = services.prepare(
                    raw,
                    services.session_lookup(db),
                    actor.organization,
                    types=reg.type_index(db),
                )
                actor.require_write(prepared.data["authority"])
            draft = {**(stored or {}), **prepared.data}
            draft.setdefault("uri", f"{reg.base_uri}/services/draft")
            draft["level"] = prepared.organization.level
            return _editor(actor, request.form, stored, report=report_of(draft), checked=True)
        service_id = reg.db.write(lambda db: _store(db, actor, raw, stored))
    except ValidationFailed as failure:
        errors = forms.form_paths(failure.errors, request.form, stored)
        return _editor(actor, request.form, stored, errors=errors, status=422)
    except SimpulError as failure:  # 409 identifier taken, 412 changed meanwhile, 403
        errors = [
            {"path": "identifier" if failure.status == 409 else None, "message": failure.detail}
        ]
        return _editor(actor, request.form, stored, errors=errors, status=failure.status)
    flash(_("Saved. Citizens see the new version now."))
    return redirect(url_for("publisher.edit", service_id=service_id, saved=1))


def _store(db, actor: Actor, raw: dict[str, Any], stored: dict[str, Any] | None) -> str:
    """Publish or replace (under the precondition of the ETag the form was read at)."""
    reg = registry()
    provenance = reg.provenance(actor, "portal")
    if stored is None:
        row, _outcome = services.publish(
            db, raw, actor, base_uri=reg.base_uri, provenance=provenance, types=reg.type_index(db)
        )
        return row.id
    expected = request.form.get("etag")
    row, _outcome = services.replace(
        db,
        stored["id"],
        raw,
        actor,
        base_uri=reg.base_uri,
        provenance=provenance,
        if_match={expected} if expected else None,
        types=reg.type_index(db),
    )
    return row.id


def report_of(record: dict[str, Any]) -> dict[str, Any]:
    """The SHACL report of a record, each result named by its form label."""
    from simpul.registry.validation import record_report

    reg = registry()
    with reg.db.session() as session:
        report = record_report(session, reg.base_uri, record)
    for result in report["results"]:
        result["label"] = forms.label_for(result.get("field"))
    return report


def _editor(actor, form, stored, *, errors=None, report=None, checked=False, status=200):
    fields = forms.form_fields(form)
    errors = [{**e, "message": describe(e["message"])} for e in errors or []]
    by_field = forms.errors_by_field(errors or [], fields)
    etag = (request.form.get("etag") or stored["etag"]) if stored is not None else None
    return views.page(
        "portal/publish/edit.html",
        status=status,
        actor=actor,
        form=form,
        stored=stored,
        errors=errors or [],
        by_field=by_field,
        labels=forms.LABELS,
        channel_labels=forms.CHANNEL_LABELS,
        english_fields=forms.ENGLISH_FIELDS,
        channel_rows=forms.channel_rows(form),
        summary=[
            {
                "anchor": fid(forms.field_for(e.get("path"), fields) or "identifier"),
                "label": forms.label_for(forms.field_for(e.get("path"), fields) or e.get("path")),
                "message": e["message"],
            }
            for e in errors or []
        ],
        report=report,
        checked=checked,
        etag=etag,
        organizations=_writable(actor),
        review=reviewing.notice(stored.get("review_of")) if stored else None,
    )


def _writable(actor: Actor) -> list[dict[str, Any]]:
    """Organizations an admin may publish for (editors publish for their own)."""
    if not actor.is_admin:
        return []
    with registry().db.session() as db:
        _, rows = organizations.list_organizations(db, size=1000)
        return [{"id": r.id, "name": r.name} for r in rows]


@bp.route("/services/<service_id>/retire", methods=["GET", "POST"])
@signed_in
def retire(actor: Actor, service_id: str):
    reg = registry()
    if request.method == "POST":
        expected = request.form.get("etag")
        if_match = {expected} if expected else None
        try:
            row = reg.db.write(lambda db: services.retire(db, service_id, actor, if_match=if_match))
        except PreconditionFailed:
            flash(_("Someone changed this service meanwhile. Check it, then withdraw it again."))
            return redirect(url_for("publisher.retire", service_id=service_id))
        name = shorten(text(row.data["name"]), 160)
        flash(_("“%(name)s” was withdrawn. Its history stays.", name=name))
        return redirect(url_for("publisher.dashboard"))
    with reg.db.session() as db:
        row = services.get_live(db, service_id)
        actor.require_write(row.authority)
        record = services.service_to_dict(row)
        etag = services.etag(row)
    return views.page("portal/publish/retire.html", record=record, actor=actor, etag=etag)


@bp.post("/services/<service_id>/review")
@signed_in
def resolve_review(actor: Actor, service_id: str):
    """Adopt the type's new texts or confirm the service as it is (the editor's notice)."""
    reg = registry()
    raw = {"action": request.form.get("action", "")}

    def resolve(db):
        return reviews.resolve(
            db,
            service_id,
            raw,
            actor,
            base_uri=reg.base_uri,
            provenance=reg.provenance(actor, "portal"),
            types=reg.type_index(db),
        )

    try:
        reg.db.write(resolve)
    except ValidationFailed as failure:
        flash(describe(failure.errors[0]["message"] if failure.errors else failure.detail))
        return redirect(url_for("publisher.edit", service_id=service_id) + "#review")
    if raw["action"] == "adopt":
        flash(_("The new texts of the service type were adopted in a new version."))
    else:
        flash(_("Confirmed: the service is up to date with its service type."))
    return redirect(url_for("publisher.edit", service_id=service_id))


@bp.post("/sources/<source_id>/harvest")
@signed_in
def harvest_now(actor: Actor, source_id: str):
    """Queue a run of a source of the signed-in organization; the worker beside the server
    picks it up within seconds."""
    from simpul.harvesters import jobs

    with registry().db.transaction() as db:
        job, new = jobs.queue(db, source_id, actor=actor)
        job_id = job.id
    if new:
        flash(_("The harvest is queued; this page shows its outcome when it ends."))
    else:
        flash(_("A harvest of this source is already queued or running."))
    return redirect(url_for("audit.job", job_id=job_id))


@bp.post("/jobs/<job_id>/cancel")
@signed_in
def cancel_job(actor: Actor, job_id: str):
    """Stop a queued or running harvest (what it stored stays)."""
    from simpul.harvesters import jobs

    with registry().db.transaction() as db:
        jobs.cancel(db, job_id, actor)
    flash(_("The harvest is being cancelled; what it stored stays."))
    return redirect(url_for("audit.job", job_id=job_id))


@bp.post("/jobs/<job_id>/held-deletions")
@signed_in
def review_deletions(actor: Actor, job_id: str):
    """Apply or discard the deletions a harvest held for review."""
    from simpul.harvesters.deletions import review_held

    apply = request.form.get("action") == "apply"
    with registry().db.transaction() as db:
        review_held(db, job_id, apply, actor, registry().base_uri)
    if apply:
        flash(_("The held deletions were applied: those services are withdrawn."))
    else:
        flash(_("The held deletions were discarded: the services stay."))
    return redirect(url_for("audit.job", job_id=job_id))
