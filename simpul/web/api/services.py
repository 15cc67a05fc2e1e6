"""/api/v1/services: publish and read service records."""

from __future__ import annotations

import functools

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.reference import codelists
from simpul.registry import services
from simpul.registry.schemas import ServiceSchema
from simpul.web.api import records
from simpul.web.api.common import (
    BEARER,
    Blueprint,
    PageArgs,
    if_match,
    page_response,
    read_json,
)
from simpul.web.api.records import (
    CHANGED,
    GONE,
    IF_MATCH,
    IF_NONE_MATCH,
    TombstoneSchema,
    VersionContent,
    VersionList,
)
from simpul.web.http import registry

blp = Blueprint("services", __name__, url_prefix="/api/v1/services", description="Service records")
RDF_CONTENT = {
    "text/turtle": {"schema": {"type": "string"}},
    "application/ld+json": {"schema": {"type": "object"}},
    "application/rdf+xml": {"schema": {"type": "string"}},
    "application/n-triples": {"schema": {"type": "string"}},
}


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


class ServicePage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(ServiceOut), required=True)


def _written(row, status: int):
    reg = registry()
    with reg.db.session() as session:
        types = reg.type_index(session)
    body = services.service_to_dict(row, types=types)
    return records.written(body, services.etag(row), f"/api/v1/services/{row.id}", status)


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
        reg, body = registry(), functools.cache(read_json)

        def publish(session, actor, provenance):
            return services.publish(
                session,
                body(),
                actor,
                base_uri=reg.base_uri,
                provenance=provenance,
                types=reg.type_index(session),
            )

        row, _ = records.as_caller(publish)
        return _written(row, 201)


@blp.route("/<service_id>")
class ServiceItem(MethodView):
    @blp.response(200, ServiceOut)
    @blp.doc(responses={200: {"content": RDF_CONTENT}}, parameters=IF_NONE_MATCH)
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
        return records.conditional(
            services.etag(row), lambda: services.service_to_dict(row, types=types)
        )

    @blp.doc(
        security=BEARER,
        requestBody={"required": True, "content": {"application/json": {"schema": ServiceSchema}}},
        parameters=IF_MATCH,
    )
    @blp.response(200, ServiceOut)
    @blp.problem(410, GONE)
    @blp.problem(412, CHANGED)
    def put(self, service_id):
        """Replace a service record. Send the ETag you read as ``If-Match``."""
        reg, body, expected = registry(), functools.cache(read_json), if_match()

        def replace(session, actor, provenance):
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

        row, _ = records.as_caller(replace)
        return _written(row, 200)

    @blp.doc(security=BEARER, parameters=IF_MATCH)
    @blp.response(200, TombstoneSchema, description="The tombstone left behind")
    @blp.problem(410, GONE)
    @blp.problem(412, CHANGED)
    def delete(self, service_id):
        """Delete a service record: it becomes a tombstone (410 Gone from then on)."""
        return records.delete(services.retire, services.tombstone_to_dict, service_id)


@blp.route("/<service_id>/versions")
@blp.problem(404, "No such service (a deleted one keeps its history)")
@blp.response(200, VersionList, description="Every version of the record, oldest first")
def list_versions(service_id):
    """History of a record: who changed it, when, and how."""
    return records.version_list(services.versions, services.version_to_dict, service_id)


@blp.route("/<service_id>/versions/<int:number>")
@blp.response(200, VersionContent, description="One version with its full content")
def get_version(service_id, number):
    return records.one_version(services.version, service_id, number)
