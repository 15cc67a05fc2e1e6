"""/api/v1/sources and /api/v1/harvest-jobs: what Simpul harvests, and how each run went."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.errors import InvalidInput, UnsupportedMediaType
from simpul.harvesters import inventory, sources
from simpul.harvesters import jobs as lifecycle
from simpul.harvesters.base import SourceBroken
from simpul.harvesters.deletions import review_held
from simpul.harvesters.fetching import FetchLimits
from simpul.registry.auth import authenticate
from simpul.web.api.common import (
    BEARER,
    Blueprint,
    PageArgs,
    page_response,
    read_json,
)
from simpul.web.api.harvest_schemas import (
    JobList,
    JobOut,
    JobReport,
    SourceOut,
    SourcePage,
    UploadOut,
)
from simpul.web.http import json_response, registry

blp = Blueprint("harvest", __name__, url_prefix="/api/v1", description="Harvest sources and jobs")
UPLOAD_TYPES = {
    "text/csv": "inventory.csv",
    "text/plain": "inventory.csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "inventory.xlsx",
    "application/octet-stream": "inventory",
}


class SourceListArgs(PageArgs):
    organization = fields.String()


class HarvestArgs(Schema):
    mode = fields.String(load_default="auto", validate=validate.OneOf(lifecycle.MODES))


class JobArgs(Schema):
    errors_offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))
    errors_limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class ReviewRequest(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["apply", "discard"]))


def _actor(session):
    return authenticate(session, request.headers.get("Authorization"))


def _limits() -> FetchLimits:
    return FetchLimits.from_settings(registry().settings)


def _with_last_job(session, row):
    last = sources.get_job(session, row.last_job_id) if row.last_job_id else None
    return sources.source_to_dict(row, last)


@blp.route("/sources")
class SourceCollection(MethodView):
    @blp.arguments(SourceListArgs, location="query")
    @blp.response(200, SourcePage, description="A page of harvest sources (never their secrets)")
    def get(self, args):
        """List harvest sources with their last job."""
        with registry().db.session() as session:
            total, rows = sources.list_sources(session, **args)
            items = [_with_last_job(session, r) for r in rows]
        return page_response(total, items, args["page"], args["size"])

    @blp.doc(
        security=BEARER,
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": sources.SourceSchema}},
        },
    )
    @blp.response(201, SourceOut, description="The registered source")
    @blp.problem(409, "There is already a source with this id")
    def post(self):
        """Register a source for an organization (a token of that organization or an admin)."""
        with registry().db.transaction() as session:
            row = sources.create_source(session, read_json(), _actor(session), _limits())
            body = sources.source_to_dict(row)
        return json_response(body, 201, {"Location": f"/api/v1/sources/{row.id}"})


@blp.route("/sources/<source_id>")
class SourceItem(MethodView):
    @blp.response(200, SourceOut, description="A harvest source and its last job")
    def get(self, source_id):
        with registry().db.session() as session:
            return json_response(_with_last_job(session, sources.get_source(session, source_id)))

    @blp.doc(
        security=BEARER,
        requestBody={
            "required": True,
            "description": "any subset of the source's fields",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
    )
    @blp.response(200, SourceOut, description="The changed source")
    def put(self, source_id):
        """Change a source (any subset of its fields)."""
        with registry().db.transaction() as session:
            row, notices = sources.update_source(
                session, source_id, read_json(), _actor(session), _limits()
            )
            body = sources.source_to_dict(row)
        if notices:
            body["notices"] = notices
        return json_response(body)

    @blp.doc(security=BEARER)
    @blp.response(204, description="Removed; the services it brought stay")
    def delete(self, source_id):
        with registry().db.transaction() as session:
            sources.delete_source(session, source_id, _actor(session))
        return json_response(None, 204)


@blp.route("/sources/<source_id>/harvest", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(HarvestArgs, location="query")
@blp.response(202, JobOut, description="The queued job (or the one already queued or running)")
@blp.problem(409, "The source has a job queued or running")
def queue(args, source_id):
    """Queue a harvest run; ``simpul worker`` runs it."""
    with registry().db.transaction() as session:
        job, _ = lifecycle.queue(session, source_id, args["mode"], _actor(session))
        body = sources.job_to_dict(job)
    return json_response(body, 202, {"Location": f"/api/v1/harvest-jobs/{job.id}"})


@blp.route("/sources/<source_id>/upload", methods=["POST"])
@blp.doc(
    security=BEARER,
    requestBody={
        "required": True,
        "content": {
            **{t: {"schema": {"type": "string", "format": "binary"}} for t in UPLOAD_TYPES},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    },
)
@blp.response(202, UploadOut, description="The upload is stored and a run queued")
def upload(source_id):
    """Upload a spreadsheet inventory (CSV or XLSX, as the body or as form field ``file``)."""
    from simpul.harvesters.types.spreadsheet import save_upload

    reg = registry()
    if request.files:
        stored = request.files.get("file")
        if stored is None:
            raise InvalidInput("send the spreadsheet as the form field 'file'")
        data, name = stored.read(), stored.filename or "inventory"
    else:
        mimetype = request.mimetype or ""
        if mimetype not in UPLOAD_TYPES:
            raise UnsupportedMediaType(
                "send the inventory as text/csv or as an XLSX workbook "
                f"(application/vnd.openxmlformats-officedocument.spreadsheetml.sheet), "
                f"not {mimetype or 'no Content-Type'}"
            )
        data, name = request.get_data(cache=False), UPLOAD_TYPES[mimetype]
    with reg.db.transaction() as session:
        actor = _actor(session)
        source = sources.get_source(session, source_id)
        actor.require_write(source.organization_id)
        if source.type != "spreadsheet":
            raise InvalidInput(f"source {source_id!r} is of type {source.type!r}, not spreadsheet")
        try:
            saved = save_upload(reg.settings.data_dir, source_id, data, name)
        except SourceBroken as exc:
            raise InvalidInput(str(exc)) from None
        source.state = {**source.state, "upload": saved}
        job, _ = lifecycle.queue(session, source_id, "full", actor)
        body = {
            "upload": {k: saved[k] for k in ("name", "sha256", "size")},
            "job": sources.job_to_dict(job),
        }
    return json_response(body, 202, {"Location": f"/api/v1/harvest-jobs/{job.id}"})


@blp.route("/sources/<source_id>/jobs")
@blp.response(200, JobList, description="The source's latest jobs, newest first")
def jobs(source_id):
    with registry().db.session() as session:
        sources.get_source(session, source_id)
        items = [sources.job_to_dict(j) for j in sources.list_jobs(session, source_id)]
    return json_response({"total": len(items), "items": items})


@blp.route("/harvest-jobs/<job_id>")
@blp.arguments(JobArgs, location="query")
@blp.response(200, JobReport, description="A job report: state, counts, gaps, per-record errors")
def job(args, job_id):
    with registry().db.session() as session:
        body = sources.job_to_dict(sources.get_job(session, job_id))
        total, rows = sources.job_errors(
            session, job_id, args["errors_offset"], args["errors_limit"]
        )
        body["errors"] = {
            "total": total,
            "offset": args["errors_offset"],
            "items": [sources.error_to_dict(r) for r in rows],
        }
    return json_response(body)


@blp.route("/harvest-jobs/<job_id>/cancel", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, JobOut, description="The job: cancelled, or cancelling till its batch is stored")
@blp.problem(409, "The job has already ended")
def cancel(job_id):
    """Cancel a queued or running job (what a running one stored stays; nothing is deleted)."""
    with registry().db.transaction() as session:
        row = lifecycle.cancel(session, job_id, _actor(session))
        body = sources.job_to_dict(row)
    return json_response(body)


@blp.route("/harvest-jobs/<job_id>/held-deletions", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ReviewRequest)
@blp.response(200, JobOut, description="The job after the review")
@blp.problem(409, "The job holds no deletions for review")
def review(args, job_id):
    """Apply or discard the deletions a job held for review."""
    with registry().db.transaction() as session:
        row = review_held(
            session, job_id, args["action"] == "apply", _actor(session), registry().base_uri
        )
        body = sources.job_to_dict(row)
    return json_response(body)


class InventoryArgs(Schema):
    status = fields.String(validate=validate.OneOf(["linked", "unlinked"]))
    source = fields.String()


@blp.route("/integration/apis")
@blp.arguments(InventoryArgs, location="query")
@blp.response(200, description="The integration inventory: APIs found on API gateways")
def integration_apis(args):
    """APIs harvested from API gateways (SPLP), linked to their services or not yet."""
    with registry().db.session() as session:
        items = [inventory.inventory_to_dict(r) for r in inventory.list_inventory(session, **args)]
    return json_response({"total": len(items), "items": items})
