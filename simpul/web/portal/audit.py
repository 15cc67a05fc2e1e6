"""Pages for auditors and operators: completeness and SHACL validation per organization, harvest
sources with their last job and errors, export links, and each record's history with a diff
between any two versions."""

from __future__ import annotations

from flask import request

from simpul.errors import ValidationFailed
from simpul.harvesters import sources
from simpul.reference.areas import load_areas
from simpul.registry import checklists, organizations, reviews, services, stats
from simpul.web.http import fresh_counts, registry
from simpul.web.portal import history, views
from simpul.web.portal.forms import whole_number
from simpul.web.portal.publisher import current_actor

bp = views.blueprint("audit", __name__)
SHACL_PAGE = 25  # records validated per page of an organization's report
CHECKLIST_PAGE = 100  # organizations per page of an area's checklists


@bp.get("/audit")
def index():
    with registry().db.session() as session:
        summary = stats.completeness_summary(session)
        pending = reviews.pending_counts(session, size=0)
    flagged = {row["organization"] for row in pending["by_organization"]}
    names = views.organization_names({row["organization"] for row in summary} | flagged)
    totals = {
        "services": sum(r["services"] for r in summary),
        "complete": sum(r["complete"] for r in summary),
    }
    return views.page(
        "portal/audit/index.html", summary=summary, names=names, totals=totals, reviews=pending
    )


@bp.get("/audit/organizations/<org_id>")
def organization(org_id: str):
    """SHACL validation of an organization's records, a page at a time, in plain words."""
    from simpul.web.portal.publisher import report_of

    reg = registry()
    page = views.page_number()
    fresh_counts()
    with reg.db.session() as session:
        org = organizations.organization_to_dict(
            organizations.get_organization(session, org_id), reg.base_uri
        )
        total, rows = services.list_services(
            session, authority=org_id, sort="identifier", page=page, size=SHACL_PAGE
        )
        records = [services.service_to_dict(r) for r in rows]
        summary = stats.completeness_summary(session, org_id)
        pending = reviews.pending_counts(session, organization=org_id, size=100)
        checklist = checklists.organization_checklist(session, org_id, stored=True)
    checked = [{"record": r, "report": report_of(r)} for r in records]
    return views.page(
        "portal/audit/organization.html",
        org=org,
        checked=checked,
        total=total,
        summary=summary[0] if summary else None,
        reviews=pending,
        checklist=checklist,
        tasks=checklists.TASKS,
        page=page,
        pages=views.page_count(total, SHACL_PAGE),
    )


@bp.get("/audit/checklists")
def checklist_areas():
    """The housekeeping tasks counted per child area and per organization of an area."""
    area = request.args.get("area") or None
    page = views.page_number()
    fresh_counts()
    with registry().db.session() as session:
        found = checklists.area_counts(session, area, page=page, size=CHECKLIST_PAGE, stored=True)
    areas = load_areas()
    names = views.organization_names({row["organization"] for row in found["by_organization"]})
    return views.page(
        "portal/audit/checklists.html",
        found=found,
        tasks=checklists.TASKS,
        names=names,
        area_names={row["area"]: areas.path(row["area"]) for row in found["by_area"]}
        | {found["area"]: areas.path(found["area"])},
        page=page,
        pages=views.page_count(found["total"], CHECKLIST_PAGE),
    )


@bp.get("/audit/sources")
def source_list():
    org = request.args.get("org") or None
    page = views.page_number()
    with registry().db.session() as session:
        total, rows = sources.list_sources(session, organization=org, page=page, size=100)
        items = []
        for row in rows:
            last = sources.get_job(session, row.last_job_id) if row.last_job_id else None
            errors = sources.job_errors(session, last.id, limit=1)[0] if last else 0
            items.append({**sources.source_to_dict(row, last), "error_count": errors})
    return views.page(
        "portal/audit/sources.html",
        actor=current_actor(),
        items=items,
        total=total,
        org=org,
        page=page,
        pages=views.page_count(total, 100),
    )


@bp.get("/audit/jobs/<job_id>")
def job(job_id: str):
    page = views.page_number()
    with registry().db.session() as session:
        row = sources.get_job(session, job_id)
        report = sources.job_to_dict(row)
        source = sources.source_to_dict(sources.get_source(session, row.source_id))
        total, errors = sources.job_errors(session, job_id, (page - 1) * 100, 100)
        errors = [sources.error_to_dict(e) for e in errors]
    actor = current_actor()
    return views.page(
        "portal/audit/job.html",
        can_act=actor is not None and actor.can_write(source["organization"]),
        job=report,
        source=source,
        errors=errors,
        total=total,
        page=page,
        pages=views.page_count(total, 100),
    )


@bp.get("/services/<service_id>/history")
def history_page(service_id: str):
    """Every version of a record, and what changed between two of them."""
    with registry().db.session() as session:
        versions = [services.version_to_dict(v) for v in services.versions(session, service_id)]
        row = services.get(session, service_id)
        current = {"id": row.id, "name": row.data["name"], "deleted": row.deleted_at is not None}
        newest = versions[-1]["version"]
        first = _version_arg("from", max(newest - 1, 1), newest)
        second = _version_arg("to", newest, newest)
        if first > second:
            first, second = second, first
        older = services.version(session, service_id, first)
        newer = services.version(session, service_id, second)
    rows = history.diff(older["data"], newer["data"])
    return views.page(
        "portal/history.html",
        service=current,
        versions=versions,
        first=first,
        second=second,
        older=older,
        newer=newer,
        rows=rows,
        actions=history.ACTIONS,
    )


def _version_arg(name: str, default: int, newest: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    number = whole_number(value)
    if number is None or not 1 <= number <= newest:
        raise ValidationFailed.from_messages({name: f"choose a version from 1 to {newest}"})
    return number
