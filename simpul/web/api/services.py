"""/api/v1/services: publish and read service records."""

from __future__ import annotations

import functools

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.reference import codelists
from simpul.registry import services
from simpul.registry.auth import authenticate
from simpul.registry.schemas import ServiceSchema
from simpul.web.api.common import (
    BEARER,
    Blueprint,
    PageArgs,
    if_match,
    page_response,
    read_json,
)
from simpul.web.http import json_response, registry

blp = Blueprint("services", __name__, url_prefix="/api/v1/services", description="Service records")
RDF_CONTENT = {
    "text/turtle": {"schema": {"type": "string"}},
    "application/ld+json": {"schema": {"type": "object"}},
    "application/rdf+xml": {"schema": {"type": "string"}},
    "application/n-triples": {"schema": {"type": "string"}},
}
GONE = "Deleted: the problem carries the tombstone"
CHANGED = "The record changed since the ETag sent in If-Match"


class ServiceListArgs(PageArgs):
    authority = fields.String(metadata={"description": "organization id"})
    level = fields.String(validate=validate.OneOf(list(codelists.LEVELS)))
    status = fields.String(validate=validate.OneOf(list(codelists.SERVICE_STATUSES)))
    identifier = fields.String()
    modified_since = fields.AwareDateTime(default_timezone=None)
    area = fields.String(metadata={"description": "authorities in this Kemendagri area or below"})
    stale = fields.Boolean(metadata={"description": "unchanged for 12 months (true) or not"})
    integration = fields.String(validate=validate.OneOf(list(codelists.INTEGRATION_STATUSES)))
    sort = fields.String(load_default="-modified", validate=validate.OneOf(list(services.SORTS)))


class GapSchema(Schema):
    code = fields.String(
        required=True,
        metadata={"description": "no-indonesian-name, name-long or channel-without-address"},
    )
    field = fields.String(required=True, metadata={"description": "the field path concerned"})
    message = fields.String(required=True)


class QualitySchema(Schema):
    completeness = fields.Float(
        required=True, metadata={"description": "share of the 14 components present (0 to 1)"}
    )
    missing = fields.List(
        fields.String(), required=True, metadata={"description": "field paths the record lacks"}
    )
    gaps = fields.List(
        fields.Nested(GapSchema),
        required=True,
        metadata={"description": "what the record, taken as it exists, lacks (it is stored)"},
    )


class ServiceOut(ServiceSchema):
    id = fields.String(required=True)
    uri = fields.String(required=True)
    level = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.DateTime(required=True)
    modified = fields.DateTime(required=True)
    provenance = fields.Dict(required=True)
    quality = fields.Nested(QualitySchema, required=True)


class TombstoneSchema(Schema):
    id = fields.String(required=True)
    uri = fields.String(required=True)
    identifier = fields.String(required=True)
    authority = fields.String(required=True)
    level = fields.String(required=True)
    version = fields.Integer(required=True)
    deleted = fields.Boolean(required=True)
    deleted_at = fields.DateTime(required=True)
    modified = fields.DateTime(required=True)


class VersionSchema(Schema):
    version = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"description": "created, updated, deleted"})
    actor = fields.String(allow_none=True)
    at = fields.DateTime(required=True)
    content_hash = fields.String(allow_none=True)


class VersionContent(VersionSchema):
    data = fields.Dict(required=True, metadata={"description": "the record as published then"})


class VersionList(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(VersionSchema), required=True)


class ServicePage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(ServiceOut), required=True)


def _written(row, status: int):
    headers = {"ETag": services.etag(row), "Location": f"/api/v1/services/{row.id}"}
    reg = registry()
    with reg.db.session() as session:
        types = reg.type_index(session)
    return json_response(services.service_to_dict(row, types=types), status, headers)


@blp.route("")
class ServiceCollection(MethodView):
    @blp.arguments(ServiceListArgs, location="query")
    @blp.response(200, ServicePage)
    def get(self, args):
        """List live service records (newest change first), straight from the database."""
        with registry().db.session() as session:
            total, rows = services.list_services(session, **args)
            items = [services.service_to_dict(r) for r in rows]
        return page_response(total, items, args["page"], args["size"])

    @blp.doc(
        security=BEARER,
        requestBody={"required": True, "content": {"application/json": {"schema": ServiceSchema}}},
    )
    @blp.response(201, ServiceOut)
    @blp.problem(409, "The authority already has this identifier")
    @blp.problem(422, "The record breaks a rule; errors name each field path")
    def post(self):
        """Publish a new service record. ``authority`` defaults to the token's organization."""
        reg = registry()
        header, body = request.headers.get("Authorization"), functools.cache(read_json)

        def publish(session):
            actor = authenticate(session, header)
            provenance = reg.provenance(actor, "api")
            return services.publish(
                session,
                body(),
                actor,
                base_uri=reg.base_uri,
                provenance=provenance,
                types=reg.type_index(session),
            )

        row, _ = reg.db.write(publish)
        return _written(row, 201)


@blp.route("/<service_id>")
class ServiceItem(MethodView):
    @blp.response(200, ServiceOut)
    @blp.doc(
        responses={200: {"content": RDF_CONTENT}},
        parameters=[{"in": "header", "name": "If-None-Match", "schema": {"type": "string"}}],
    )
    @blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
    @blp.problem(406, "Accept asks for a format the record is not offered in")
    @blp.problem(410, GONE)
    def get(self, service_id):
        """One service record: JSON, or RDF by ``Accept`` (Turtle, JSON-LD, RDF/XML,
        N-Triples). Honours ``If-None-Match``."""
        from simpul.web.api.linked_data import service_representation

        if request.accept_mimetypes.best not in (None, "*/*", "application/json"):
            fmt, result = service_representation(service_id, html=False)
            if fmt != "json":
                return result
        reg = registry()
        with reg.db.session() as session:
            row = services.get_live(session, service_id)
            types = reg.type_index(session)
        tag = services.etag(row)
        if tag in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}:
            return json_response(None, 304, {"ETag": tag})
        return json_response(services.service_to_dict(row, types=types), 200, {"ETag": tag})

    @blp.doc(
        security=BEARER,
        requestBody={"required": True, "content": {"application/json": {"schema": ServiceSchema}}},
        parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}],
    )
    @blp.response(200, ServiceOut)
    @blp.problem(410, GONE)
    @blp.problem(412, CHANGED)
    def put(self, service_id):
        """Replace a service record. Send the ETag you read as ``If-Match``."""
        reg = registry()
        header, body = request.headers.get("Authorization"), functools.cache(read_json)
        expected = if_match()

        def replace(session):
            actor = authenticate(session, header)
            provenance = reg.provenance(actor, "api")
            return services.replace(
                session,
                service_id,
                body(),
                actor,
                base_uri=reg.base_uri,
                provenance=provenance,
                if_match=expected,
                types=reg.type_index(session),
            )

        row, _ = reg.db.write(replace)
        return _written(row, 200)

    @blp.doc(
        security=BEARER,
        parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}],
    )
    @blp.response(200, TombstoneSchema, description="The tombstone left behind")
    @blp.problem(410, GONE)
    @blp.problem(412, CHANGED)
    def delete(self, service_id):
        """Delete a service record: it becomes a tombstone (410 Gone from then on)."""
        header, expected = request.headers.get("Authorization"), if_match()

        def retire(session):
            actor = authenticate(session, header)
            row = services.retire(session, service_id, actor, if_match=expected)
            return services.tombstone_to_dict(row)

        return json_response(registry().db.write(retire), 200)


@blp.route("/<service_id>/versions")
@blp.problem(404, "No such service (a deleted one keeps its history)")
@blp.response(200, VersionList, description="Every version of the record, oldest first")
def list_versions(service_id):
    """History of a record: who changed it, when, and how."""
    with registry().db.session() as session:
        rows = services.versions(session, service_id)
        items = [services.version_to_dict(r) for r in rows]
    return json_response({"total": len(items), "items": items})


@blp.route("/<service_id>/versions/<int:number>")
@blp.response(200, VersionContent, description="One version with its full content")
def get_version(service_id, number):
    with registry().db.session() as session:
        return json_response(services.version(session, service_id, number))
