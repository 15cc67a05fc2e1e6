"""Applications (aplikasi) in the portal: the list and the page of each (``/aplikasi``, in
English ``/applications``, the application's URI), and the publisher's editor for an agency's
own applications. Plain forms, no JavaScript; writes go through the core as the API's do."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from simpul.errors import Gone, NotFound, SimpulError, ValidationFailed
from simpul.reference import codelists
from simpul.registry import applications, organizations, services
from simpul.registry.auth import Actor
from simpul.web.http import registry
from simpul.web.portal import csrf, views
from simpul.web.portal.messages import describe
from simpul.web.portal.publisher import signed_in

bp = views.blueprint("apps", __name__)
FILTERS = {
    "kind": codelists.APPLICATION_KINDS,
    "lifecycle": codelists.APPLICATION_LIFECYCLES,
    "splp_status": codelists.SPLP_STATUSES,
}
SELECTS = {
    "kind": codelists.APPLICATION_KINDS,
    "category": codelists.APPLICATION_CATEGORIES,
    "lifecycle": codelists.APPLICATION_LIFECYCLES,
    "hosting": codelists.HOSTING,
    "interface_type": codelists.INTERFACE_TYPES,
    "interface_auth": codelists.API_AUTHENTICATION,
    "splp_status": codelists.SPLP_STATUSES,
    "security_level": codelists.SECURITY_LEVELS,
}
# Where an error of the record shows in the form: path prefix -> form field.
FIELD_OF = {
    "name.en": "name_en",
    "name": "name_id",
    "description": "description_id",
    "store_urls": "store_urls",
    "operator": "operator",
    "developer": "developer",
    "interfaces": "interface_type",
    "splp.apis": "splp_apis",
    "splp": "splp_status",
    "security.level": "security_level",
    "security": "last_audit",
    "documents": "documents",
    "services": "services",
}


@bp.before_request
def _protect() -> None:
    if request.method == "POST":
        csrf.protect()


# -- citizens -------------------------------------------------------------------------------------
@bp.get("/aplikasi")
@bp.get("/applications")
def application_index():
    filters = {k: request.args.get(k) for k in FILTERS if request.args.get(k) in FILTERS[k]}
    org = request.args.get("organization") or None
    page = views.page_number(1000)
    with registry().db.session() as session:
        total, rows = applications.list_applications(
            session, organization=org, sort="identifier", page=page, size=50, **filters
        )
        items = [applications.application_to_dict(r) for r in rows]
    names = views.organization_names({i["organization"] for i in items})
    return views.page(
        "portal/applications.html",
        items=items,
        total=total,
        names=names,
        filters=filters,
        filter_codes=FILTERS,
        page=page,
        pages=views.page_count(total, 50),
    )


@bp.get("/aplikasi/<app_id>")  # /applications/<id> (the URI) negotiates: web/api/linked_data
def application_page(app_id: str):
    reg = registry()
    try:
        with reg.db.session() as session:
            row = applications.get_live(session, app_id)
            record = applications.application_to_dict(row)
            linked = applications.service_names(session, record.get("services", []))
            org = organizations.organization_to_dict(
                organizations.get_organization(session, row.organization_id), reg.base_uri
            )
    except (NotFound, Gone) as error:
        return views.error_page(error)
    delivered = [{"id": i, **linked[i]} for i in record.get("services", []) if i in linked]
    return views.page("portal/application.html", record=record, org=org, delivered=delivered)


# -- publishers -----------------------------------------------------------------------------------
@bp.get("/publish/applications")
@signed_in
def own_applications(actor: Actor):
    org_id = _org_of(actor)
    with registry().db.session() as session:
        _, rows = applications.list_applications(
            session, organization=org_id, sort="identifier", size=500
        )
        items = [applications.application_to_dict(r) for r in rows]
    return views.page("portal/publish/applications.html", items=items, actor=actor, org_id=org_id)


@bp.route("/publish/applications/new", methods=["GET", "POST"])
@signed_in
def create_application(actor: Actor):
    if request.method == "GET":
        return _editor(actor, MultiDict({"lifecycle": "digunakan"}), None, _org_of(actor))
    chosen = request.form.get("organization") if actor.is_admin else None
    return _save(actor, None, chosen or _org_of(actor))  # an editor writes for its own


@bp.route("/publish/applications/<app_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_application(actor: Actor, app_id: str):
    with registry().db.session() as session:
        row = applications.get_live(session, app_id)
        actor.require_write(row.organization_id)
        stored = {**applications.application_to_dict(row), "etag": applications.etag(row)}
    if request.method == "GET":
        return _editor(actor, record_to_form(stored), stored, row.organization_id)
    return _save(actor, stored, stored["organization"])


def _org_of(actor: Actor) -> str:
    if actor.is_admin and request.args.get("org"):
        return request.args["org"]
    return actor.organization or ""


def _save(actor: Actor, stored: dict[str, Any] | None, org_id: str):
    reg = registry()
    raw = form_to_record(request.form, stored)
    raw["organization"] = org_id
    provenance = reg.provenance(actor, "portal")

    def write(session):
        if stored is None:
            row, _ = applications.publish(
                session, raw, actor, base_uri=reg.base_uri, provenance=provenance
            )
        else:
            etag = request.form.get("etag")
            row, _ = applications.replace(
                session,
                stored["id"],
                raw,
                actor,
                base_uri=reg.base_uri,
                provenance=provenance,
                if_match={etag} if etag else None,
            )
        return row.id

    try:
        app_id = reg.db.write(write)
    except ValidationFailed as failure:
        return _editor(actor, request.form, stored, org_id, failure.errors, 422)
    except SimpulError as failure:  # 409 identifier taken, 412 changed meanwhile, 403
        path = "identifier" if failure.status == 409 else None
        errors = [{"path": path, "message": failure.detail}]
        return _editor(actor, request.form, stored, org_id, errors, failure.status)
    flash(_("Saved. Citizens see the new version now."))
    return redirect(url_for("apps.edit_application", app_id=app_id))


def _editor(actor, form, stored, org_id, errors=None, status=200):
    errors = [
        {**e, "field": field_of(e.get("path")), "message": describe(e["message"])}
        for e in errors or []
    ]
    by_field: dict[str, list[str]] = {}
    for e in errors:
        by_field.setdefault(e["field"], []).append(e["message"])
    with registry().db.session() as session:
        _, rows = services.list_services(session, authority=org_id, sort="identifier", size=500)
        own = [{"id": r.id, "identifier": r.identifier, "name": r.data["name"]} for r in rows]
    return views.page(
        "portal/publish/application_edit.html",
        status=status,
        actor=actor,
        form=form,
        stored=stored,
        org_id=org_id,
        errors=errors,
        by_field=by_field,
        selects=SELECTS,
        own_services=own,
    )


def field_of(path: str | None) -> str:
    """The form field an error path belongs to (``identifier`` for whole-record problems)."""
    if not path:
        return "identifier"
    for prefix, field in FIELD_OF.items():
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return field
    return path.split(".")[0].split("[")[0]


# -- form <-> record ------------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_to_record(form, stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record a form describes; blank fields are left out. Interfaces past the first (the
    API can hold several) are kept as stored."""
    get = lambda name: (form.get(name) or "").strip()  # noqa: E731
    raw: dict[str, Any] = {"identifier": get("identifier") or (stored or {}).get("identifier")}
    name = {k: v for k, v in (("id", get("name_id")), ("en", get("name_en"))) if v}
    if name:
        raw["name"] = name
    if get("description_id"):
        raw["description"] = {"id": get("description_id")}
    for key in ("short_name", "url", "documentation_url", "kind", "category", "lifecycle"):
        if get(key):
            raw[key] = get(key)
    if get("hosting"):
        raw["hosting"] = get("hosting")
    for key in ("operator", "developer"):
        if get(key):
            raw[key] = _unit(get(key))
    if _lines(get("store_urls")):
        raw["store_urls"] = _lines(get("store_urls"))
    raw["services"] = form.getlist("services")
    interface = {
        k: get(f)
        for k, f in (
            ("type", "interface_type"),
            ("url", "interface_url"),
            ("openapi", "interface_openapi"),
            ("authentication", "interface_auth"),
        )
        if get(f)
    }
    rest = (stored or {}).get("interfaces", [])[1:]
    if interface or rest:
        raw["interfaces"] = ([interface] if interface else []) + rest
    if get("splp_status") or get("splp_apis"):
        raw["splp"] = {"status": get("splp_status") or "terdaftar"}
        if _lines(get("splp_apis")):
            raw["splp"]["apis"] = _lines(get("splp_apis"))
    security = {k: get(f) for k, f in (("level", "security_level"), ("last_audit", "last_audit"))}
    if any(security.values()):
        raw["security"] = {k: v for k, v in security.items() if v}
    documents = []
    for line in _lines(get("documents")):
        title, _sep, url = line.rpartition("|")
        documents.append({"title": title.strip() or url.strip(), "url": url.strip()})
    if documents:
        raw["documents"] = documents
    return raw


def _unit(value: str) -> dict[str, str]:
    """A registered organization's id, else the unit's name as written."""
    with registry().db.session() as session:
        try:
            organizations.get_organization(session, value)
        except NotFound:
            return {"name": value}
    return {"organization": value}


def record_to_form(record: dict[str, Any]) -> MultiDict:
    form = MultiDict()
    first = (record.get("interfaces") or [{}])[0]
    values = {
        "identifier": record.get("identifier"),
        "name_id": record.get("name", {}).get("id"),
        "name_en": record.get("name", {}).get("en"),
        "description_id": record.get("description", {}).get("id"),
        "operator": _unit_text(record.get("operator")),
        "developer": _unit_text(record.get("developer")),
        "store_urls": "\n".join(record.get("store_urls", [])),
        "interface_type": first.get("type"),
        "interface_url": first.get("url"),
        "interface_openapi": first.get("openapi"),
        "interface_auth": first.get("authentication"),
        "splp_status": record.get("splp", {}).get("status"),
        "splp_apis": "\n".join(record.get("splp", {}).get("apis", [])),
        "security_level": record.get("security", {}).get("level"),
        "last_audit": record.get("security", {}).get("last_audit"),
        "documents": "\n".join(f"{d['title']} | {d['url']}" for d in record.get("documents", [])),
    }
    for key in ("short_name", "url", "documentation_url", "kind", "category", "lifecycle"):
        values[key] = record.get(key)
    values["hosting"] = record.get("hosting")
    for key, value in values.items():
        if value:
            form[key] = value
    for service_id in record.get("services", []):
        form.add("services", service_id)
    return form


def _unit_text(unit: dict[str, str] | None) -> str | None:
    if not unit:
        return None
    return unit.get("organization") or unit.get("name")
