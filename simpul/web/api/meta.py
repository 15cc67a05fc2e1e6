"""Health, code lists and the area tree: what a portal builder needs beside the records."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from marshmallow import Schema, fields, validate

from simpul import __version__
from simpul.errors import NotFound
from simpul.reference import codelists
from simpul.reference.areas import NATIONAL, ancestors, load_areas
from simpul.registry import stats
from simpul.web.api.common import Blueprint
from simpul.web.http import json_response, registry

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Code lists and areas")
health_bp = FlaskBlueprint("health", __name__)


@health_bp.get("/health")
def health():
    """Database state (and, once a search backend is configured, its state)."""
    reg = registry()
    checks: dict = {"version": __version__, "node": reg.settings.node_id}
    status = 200
    try:
        with reg.db.session() as session:
            checks["database"] = {
                "status": "ok",
                "dialect": reg.db.dialect,
                "revision": reg.db.current_revision(),
                "services": stats.live_services(session),
                "last_change": stats.last_change(session),
            }
        if checks["database"]["revision"] != reg.db.head_revision():
            checks["database"]["status"] = "needs-upgrade"
            status = 503
    except Exception as exc:  # a health check reports, it does not crash
        checks["database"] = {"status": "down", "error": str(exc).splitlines()[0]}
        status = 503
    try:
        from simpul.registry.indexing import lag

        backend = reg.search
        documents = backend.count()  # first: a search server is asked what it is on first use
        checks["search"] = {
            "status": "ok",
            "backend": backend.name,
            "documents": documents,
            "lag": lag(reg, backend),
        }
    except Exception as exc:  # writes go on; the change log waits for the index
        checks["search"] = {"status": "down", "error": str(exc).splitlines()[0]}
        status = 503
    checks["status"] = "ok" if status == 200 else "degraded"
    return json_response(checks, status, {"Cache-Control": "no-store"})


@health_bp.get("/health/live")
def live():
    """The process answers (no database, no index): restart it when this fails."""
    return json_response({"status": "ok"}, headers={"Cache-Control": "no-store"})


RETRY_READY = "10"  # seconds a balancer or a client waits before asking again


@health_bp.get("/health/ready")
def ready():
    """Whether this process can serve: the database answers and has the schema this code
    needs (503 with ``Retry-After`` otherwise). The search index's state is reported, but a
    search server that is down does not take the process out: reads of records and writes go
    on, and searches answer 503 themselves."""
    reg = registry()
    body: dict = {"node": reg.settings.node_id, "version": __version__}
    try:
        schema = reg.db.schema_state()
        body["database"] = {"status": "ok", "dialect": reg.db.dialect, "schema": schema}
        ok = schema in ("current", "ahead")
        if not ok:
            body["database"]["error"] = "the schema is not up to date: run 'simpul db upgrade'"
    except Exception as exc:
        body["database"] = {"status": "down", "error": str(exc).splitlines()[0]}
        ok = False
    body["search"] = _search_state(reg)
    body["status"] = "ready" if ok else "not-ready"
    headers = {"Cache-Control": "no-store"}
    if not ok:
        headers["Retry-After"] = RETRY_READY
    return json_response(body, 200 if ok else 503, headers)


def _search_state(reg) -> dict:
    try:
        backend = reg.search
        up = backend.ping()
        return {"status": "ok" if up else "down", "backend": backend.name}
    except Exception as exc:
        return {"status": "down", "error": str(exc).splitlines()[0]}


@blp.route("/codelists")
@blp.response(200, description="Every code list with Indonesian and English labels")
def all_codelists():
    return json_response({name: _codes(codes) for name, codes in codelists.CODE_LISTS.items()})


@blp.route("/codelists/<name>")
@blp.response(200, description="One code list")
def one_codelist(name):
    codes = codelists.CODE_LISTS.get(name)
    if codes is None:
        raise NotFound(f"no code list {name!r}; known: {', '.join(codelists.CODE_LISTS)}")
    return json_response(_codes(codes))


def _codes(codes) -> list[dict]:
    return [{"code": code, "label": labels} for code, labels in codes.items()]


@blp.route("/areas/<code>")
@blp.response(200, description="An area with its parents and children")
def area(code):
    """A Kemendagri area (``00`` for Indonesia) with its ancestors and children."""
    areas = load_areas()
    found = areas.get(code)
    if found is None:
        raise NotFound(areas.check(code))
    chain = [_area(areas.get(code)) for code in ancestors(code)[1:]]
    return json_response(
        {
            **_area(found),
            "ancestors": chain,
            "children": [_area(child) for child in areas.children(code)],
        },
        headers={"Cache-Control": "public, max-age=86400"},
    )


class AreaSearchArgs(Schema):
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of a name: areas whose name contains it (type-ahead)"},
    )
    within = fields.String(metadata={"description": "only areas inside this Kemendagri code"})
    size = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


@blp.route("/areas")
@blp.arguments(AreaSearchArgs, location="query")
@blp.response(200, description="The provinces, or with q the areas whose names match")
@blp.problem(404, "No area 'within'")
def provinces(args):
    """Without ``q``, Indonesia with its provinces (the start of the area tree). With ``q``,
    ``{"items": [...]}``: areas whose names contain it, each with the names above it."""
    if "q" not in args:
        return area(NATIONAL)
    areas = load_areas()
    within = args.get("within", NATIONAL)
    if within not in areas:
        raise NotFound(areas.check(within))
    found = areas.find(args["q"], args["size"], within)
    items = [{**_area(a), "path": areas.path(a.code)} for a in found]
    return json_response({"items": items}, headers={"Cache-Control": "public, max-age=3600"})


def _area(found) -> dict:
    return {"code": found.code, "name": found.name, "level": found.level}


_KIND = "service|application|assessment|roadmap"  # registry.changes.KINDS


class ChangeArgs(Schema):
    since = fields.String(metadata={"description": "the 'next' cursor of an earlier page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    kinds = fields.String(
        load_default="service",
        validate=validate.Regexp(
            rf"^({_KIND})(,({_KIND}))*$",
            error="a comma-separated list of: service, application, assessment, roadmap",
        ),
        metadata={
            "description": "what changes to list: service (the default, all that older "
            "harvesters know), application, assessment (readiness assessments), roadmap "
            "(roadmap items whose status moved), comma-separated (service,application)"
        },
    )


@blp.route("/changes")
@blp.arguments(ChangeArgs, location="query")
@blp.response(200, description="Changes in commit order: items, next cursor, more")
@blp.problem(400, "The cursor is not one this node gave")
@blp.problem(406, "Accept asks for neither JSON nor RDF")
def changes(args):
    """The change feed other nodes harvest: every create, update and delete (with its
    tombstone), oldest first, resumable from the ``next`` cursor of the previous page."""
    from simpul.registry.catalog import organizations
    from simpul.registry.changes import list_changes
    from simpul.vocab.export import changes_blocks
    from simpul.vocab.writers import write_document
    from simpul.web.http import negotiate, not_acceptable, rdf_response

    fmt = negotiate("json")
    if fmt is None:
        return not_acceptable()
    reg = registry()
    with reg.db.session() as session:
        kinds = tuple(dict.fromkeys(args["kinds"].split(",")))
        page = list_changes(session, args.get("since"), args["limit"], kinds)
        if fmt in ("json", "html"):
            return json_response(page)
        orgs = organizations(session, reg.base_uri)
    feed = f"{reg.base_uri}/api/v1/changes"
    return rdf_response(fmt, "".join(write_document(fmt, changes_blocks(page, orgs, feed))))


@blp.route("/node")
@blp.response(200, description="Who this node is and what it holds")
def node():
    """This node's identity (id, base URI, level, area) and what it holds, for the nodes that
    harvest it: record counts and the newest change cursor of ``/api/v1/changes``."""
    from simpul.registry.changes import latest_cursor

    reg = registry()
    settings = reg.settings
    area = load_areas().get(settings.node_area)
    with reg.db.session() as session:
        records = stats.record_counts(session)
        cursor = latest_cursor(session)
        from simpul.harvesters.sources import federation_status

        children = federation_status(session)
    return json_response(
        {
            "id": settings.node_id,
            "base_uri": settings.base_uri,
            "level": settings.node_level,
            "area": {"code": settings.node_area, "name": area.name if area else None},
            "software": {"name": "simpul", "version": __version__},
            "records": records,
            "changes": {
                "latest": cursor,
                "feed": f"{settings.base_uri}/api/v1/changes",
                "kinds": ["service", "application", "assessment", "roadmap"],
            },
            "snapshots": f"{settings.base_uri}/api/v1/coverage/snapshots",
            "catalog": f"{settings.base_uri}/catalog.ttl",
            "sources": children,
        }
    )
