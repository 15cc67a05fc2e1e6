"""/api/v1/types: the national service types (jenis layanan), and a record's type suggestions
and the agency's confirm or reject of them (``/api/v1/services/{id}/type...``)."""

from __future__ import annotations

import functools

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.reference import codelists
from simpul.registry import services, typeops, types
from simpul.registry.schemas import ServiceTypeSchema
from simpul.web.api import records
from simpul.web.api.common import BEARER, Blueprint, PageArgs, if_match, page_response, read_json
from simpul.web.api.records import IF_MATCH, IF_NONE_MATCH
from simpul.web.api.services import ServiceOut
from simpul.web.http import json_response, registry

blp = Blueprint("types", __name__, url_prefix="/api/v1", description="National service types")
GONE = "Retired: the problem carries the type as it was and ``superseded_by``"
CHANGED = "The type changed since the ETag sent in If-Match"


class TypeListArgs(PageArgs):
    q = fields.String(
        validate=validate.Length(1, 200),
        metadata={"description": "words that start words of the names or alternative names"},
    )
    kind = fields.String(validate=validate.OneOf(list(codelists.TYPE_KINDS)))
    sector = fields.String(validate=validate.OneOf(list(codelists.SECTORS)))
    level = fields.String(
        validate=validate.OneOf(list(codelists.LEVELS)),
        metadata={"description": "types that apply at this level"},
    )
    status = fields.String(
        load_default="active", validate=validate.OneOf(list(typeops.TYPE_STATUSES))
    )


class TypeOut(ServiceTypeSchema):
    uri = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    functional_version = fields.Integer(
        required=True, metadata={"description": "the last version whose change was functional"}
    )
    created = fields.DateTime(required=True)
    modified = fields.DateTime(required=True)
    retired_at = fields.DateTime()
    provenance = fields.Dict(required=True)
    instances = fields.Integer(metadata={"description": "live records linked to the type"})


class TypePage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(TypeOut), required=True)


class RetireArgs(Schema):
    superseded_by = fields.String(
        validate=validate.Length(1, 100), metadata={"description": "the type that replaces it"}
    )


class TypeVersion(Schema):
    version = fields.Integer(required=True)
    action = fields.String(
        required=True, metadata={"description": "created, updated, retired, restored"}
    )
    functional = fields.Boolean(required=True)
    changed = fields.List(fields.String(), required=True)
    actor = fields.String(allow_none=True)
    at = fields.DateTime(required=True)
    content_hash = fields.String(allow_none=True)


class TypeVersionList(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(TypeVersion), required=True)


class SectionDiff(Schema):
    section = fields.String(required=True, metadata={"description": "e.g. 'defaults.cost'"})
    functional = fields.Boolean(required=True)
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class TypeVersionContent(TypeVersion):
    data = fields.Dict(required=True, metadata={"description": "the type as published then"})
    previous = fields.Integer(allow_none=True)
    diff = fields.List(fields.Nested(SectionDiff), required=True)


class TypeSuggestion(Schema):
    type = fields.String(required=True)
    uri = fields.String(required=True)
    name = fields.Dict(required=True)
    score = fields.Float(required=True)
    reasons = fields.List(fields.String(), required=True)
    rejected = fields.Boolean(required=True)


class CurrentLink(Schema):
    type = fields.String(required=True)
    method = fields.String(required=True, metadata={"description": "manual or automatic"})
    score = fields.Float(allow_none=True)


class TypeSuggestions(Schema):
    service = fields.String(required=True)
    level = fields.String(required=True)
    current = fields.Nested(CurrentLink, allow_none=True, required=True)
    items = fields.List(fields.Nested(TypeSuggestion), required=True)


class TypeDecision(Schema):
    confirm = fields.String(metadata={"description": "make this type the record's own"})
    reject = fields.String(metadata={"description": "the record is not of this type"})


def _type_response(row, status: int = 200, instances: int | None = None):
    headers = {"ETag": types.type_etag(row)}
    if status == 201:
        headers["Location"] = f"/api/v1/types/{row.id}"
    return json_response(types.type_to_dict(row, instances), status, headers)


def _write(work):
    """Run a type write as the caller (``work(session, actor, provenance)``), answer the type."""

    def run(session, actor, provenance):
        change = work(session, actor, provenance)
        return change.row, types.instance_count(session, change.row.id)

    return records.as_caller(run)


@blp.route("/types")
class TypeCollection(MethodView):
    @blp.arguments(TypeListArgs, location="query")
    @blp.response(200, TypePage)
    def get(self, args):
        """List service types (active ones by default), each with its count of linked records."""
        page, size = args.pop("page"), args.pop("size")
        with registry().db.session() as session:
            total, items = typeops.types_page(session, page, size, **args)
        return page_response(total, items, page, size)

    @blp.doc(
        security=BEARER,
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": ServiceTypeSchema}},
        },
    )
    @blp.response(201, TypeOut)
    @blp.problem(409, "A type with this id exists")
    def post(self):
        """Create a service type (an administrator or a national coordinator)."""
        body = functools.cache(read_json)
        base_uri = registry().base_uri

        def create(session, actor, provenance):
            return types.create_type(
                session, body(), actor, base_uri=base_uri, provenance=provenance
            )

        row, count = _write(create)
        return _type_response(row, 201, count)


@blp.route("/types/<type_id>")
class TypeItem(MethodView):
    @blp.response(200, TypeOut)
    @blp.doc(parameters=IF_NONE_MATCH)
    @blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
    @blp.problem(410, GONE)
    def get(self, type_id):
        """One service type with its count of linked records. Honours ``If-None-Match``."""
        with registry().db.session() as session:
            row = types.get_active_type(session, type_id)
            count = types.instance_count(session, type_id)
        return records.conditional(types.type_etag(row), lambda: types.type_to_dict(row, count))

    @blp.doc(
        security=BEARER,
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": ServiceTypeSchema}},
        },
        parameters=IF_MATCH,
    )
    @blp.response(200, TypeOut)
    @blp.problem(412, CHANGED)
    def put(self, type_id):
        """Replace a service type: a new version, *functional* when a component's default, the
        legal basis, the kind or where it applies changes. Send the ETag you read as
        ``If-Match``. An administrator or a national coordinator."""
        body, expected = functools.cache(read_json), if_match()
        base_uri = registry().base_uri

        def replace(session, actor, provenance):
            return types.replace_type(
                session,
                type_id,
                body(),
                actor,
                base_uri=base_uri,
                provenance=provenance,
                if_match=expected,
            )

        row, count = _write(replace)
        return _type_response(row, 200, count)

    @blp.doc(security=BEARER, parameters=IF_MATCH)
    @blp.response(200, TypeOut, description="The type, retired (410 Gone from then on)")
    @blp.problem(409, "The type has linked records: retire it instead")
    @blp.problem(412, CHANGED)
    def delete(self, type_id):
        """Delete a type without linked records (it is retired: 410 from then on). A type with
        linked records is refused: retire it, so that their agencies are asked to review."""
        expected, base_uri = if_match(), registry().base_uri

        def delete(session, actor, provenance):
            return types.delete_type(
                session, type_id, actor, base_uri=base_uri, provenance=provenance, if_match=expected
            )

        row, count = _write(delete)
        return _type_response(row, 200, count)


@blp.route("/types/<type_id>/retire", methods=["POST"])
@blp.doc(security=BEARER, parameters=IF_MATCH)
@blp.arguments(RetireArgs, required=False)
@blp.response(200, TypeOut, description="The type, retired")
@blp.problem(412, CHANGED)
def retire(args, type_id):
    """Retire a type, optionally naming the type that supersedes it. Its linked records are
    flagged for review; the type stays readable in its versions. An administrator or a
    national coordinator."""
    expected, base_uri = if_match(), registry().base_uri
    successor = (args or {}).get("superseded_by")

    def work(session, actor, provenance):
        return types.retire_type(
            session,
            type_id,
            actor,
            base_uri=base_uri,
            provenance=provenance,
            if_match=expected,
            superseded_by=successor,
        )

    row, count = _write(work)
    return _type_response(row, 200, count)


@blp.route("/types/<type_id>/versions")
@blp.response(200, TypeVersionList, description="Every version of the type, oldest first")
def list_versions(type_id):
    """A type's history: each version, whether it was functional and which sections changed."""
    return records.version_list(types.type_versions, types.type_version_to_dict, type_id)


@blp.route("/types/<type_id>/versions/<int:number>")
@blp.response(200, TypeVersionContent, description="One version, its data and its diff")
def get_version(type_id, number):
    """One version with its data and the diff to the version before, section by section (old
    and new value, and whether the section is functional)."""
    return records.one_version(typeops.version_with_diff, type_id, number)


@blp.route("/services/<service_id>/type-suggestions")
@blp.response(200, TypeSuggestions, description="Ranked suggestions with scores and reasons")
@blp.problem(410, "Deleted: the problem carries the tombstone")
def suggestions(service_id):
    """Which national types the record may be, best first (from Simpul's Indonesian analysis),
    and its current link."""
    reg = registry()
    with reg.db.session() as session:
        return json_response(typeops.suggestions(session, service_id, reg.type_index(session)))


@blp.route("/services/<service_id>/type", methods=["POST"])
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"application/json": {"schema": TypeDecision}}},
)
@blp.response(200, ServiceOut, description="The record, in a new version")
@blp.problem(410, "Deleted: the problem carries the tombstone")
def decide(service_id):
    """The agency confirms a type (``{"confirm": id}``: it becomes the record's own, a manual
    link) or rejects one (``{"reject": id}``: never linked automatically again). The record's
    editors or an administrator."""
    reg, body = registry(), functools.cache(read_json)

    def work(session, actor, provenance):
        index = reg.type_index(session)
        row = typeops.decide_type(
            session,
            service_id,
            body(),
            actor,
            base_uri=reg.base_uri,
            provenance=provenance,
            index=index,
        )
        return row, services.etag(row)

    row, tag = records.as_caller(work)
    with reg.db.session() as session:
        index = reg.type_index(session)
    return json_response(services.service_to_dict(row, types=index), 200, {"ETag": tag})
