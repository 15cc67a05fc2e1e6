"""/api/v1/applications: the applications (aplikasi) behind e-services, and
/api/v1/services/{id}/applications: those that deliver one service."""

from __future__ import annotations

import functools

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.reference import codelists
from simpul.registry import applications, gatewaycheck
from simpul.registry.appschema import ApplicationSchema
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
from simpul.web.http import json_response, registry

blp = Blueprint(
    "applications",
    __name__,
    url_prefix="/api/v1/applications",
    description="Applications (aplikasi) behind e-services",
)
service_blp = Blueprint(
    "service_applications",
    __name__,
    url_prefix="/api/v1/services",
    description="Service records",
)
BODY = {"required": True, "content": {"application/json": {"schema": ApplicationSchema}}}


class ApplicationListArgs(PageArgs):
    organization = fields.String(metadata={"description": "owner organization id"})
    kind = fields.String(validate=validate.OneOf(list(codelists.APPLICATION_KINDS)))
    lifecycle = fields.String(validate=validate.OneOf(list(codelists.APPLICATION_LIFECYCLES)))
    splp_status = fields.String(validate=validate.OneOf(list(codelists.SPLP_STATUSES)))
    service = fields.String(metadata={"description": "id of a service the application delivers"})
    sort = fields.String(
        load_default="-modified", validate=validate.OneOf(list(applications.SORTS))
    )


class ApplicationOut(ApplicationSchema):
    id = fields.String(required=True)
    uri = fields.String(required=True)
    organization = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.DateTime(required=True)
    modified = fields.DateTime(required=True)
    provenance = fields.Dict(required=True)
    quality = fields.Dict(
        metadata={
            "description": "gateway_apis: the SPLP gateway ids checked against what the "
            "API-gateway harvests found (unknown, gone); flags: what to fix"
        }
    )


class ApplicationTombstone(TombstoneSchema):
    organization = fields.String(required=True)

    class Meta:
        exclude = ("authority", "level")


class ApplicationPage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(ApplicationOut), required=True)


class ApplicationList(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(ApplicationOut), required=True)


def _checked(session, rows) -> list[dict]:
    """The applications as shown: their gateway ids checked (``quality``)."""
    return gatewaycheck.with_quality(session, [applications.application_to_dict(r) for r in rows])


def _written(row, status: int):
    with registry().db.session() as session:
        [body] = _checked(session, [row])
    tag = applications.etag(row, body.get("quality"))
    return records.written(body, tag, f"/api/v1/applications/{row.id}", status)


@blp.route("")
class ApplicationCollection(MethodView):
    @blp.arguments(ApplicationListArgs, location="query")
    @blp.response(200, ApplicationPage)
    def get(self, args):
        """List live applications (newest change first), straight from the database."""
        with registry().db.session() as session:
            total, rows = applications.list_applications(session, **args)
            items = _checked(session, rows)
        return page_response(total, items, args["page"], args["size"])

    @blp.doc(security=BEARER, requestBody=BODY)
    @blp.response(201, ApplicationOut)
    @blp.problem(409, "The organization already has this identifier")
    @blp.problem(422, "The application breaks a rule; errors name each field path")
    def post(self):
        """Publish an application. ``organization`` defaults to the token's organization;
        ``services`` are ids or identifiers of that organization's own services."""
        base_uri, body = registry().base_uri, functools.cache(read_json)

        def publish(session, actor, provenance):
            return applications.publish(
                session, body(), actor, base_uri=base_uri, provenance=provenance
            )

        row, _ = records.as_caller(publish)
        return _written(row, 201)


@blp.route("/<app_id>")
class ApplicationItem(MethodView):
    @blp.response(200, ApplicationOut)
    @blp.doc(parameters=IF_NONE_MATCH)
    @blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
    @blp.problem(410, GONE)
    def get(self, app_id):
        """One application. Honours ``If-None-Match``."""
        with registry().db.session() as session:
            row = applications.get_live(session, app_id)
            [body] = _checked(session, [row])
        return records.conditional(applications.etag(row, body.get("quality")), lambda: body)

    @blp.doc(security=BEARER, requestBody=BODY, parameters=IF_MATCH)
    @blp.response(200, ApplicationOut)
    @blp.problem(410, GONE)
    @blp.problem(412, CHANGED)
    def put(self, app_id):
        """Replace an application. Send the ETag you read as ``If-Match``."""
        base_uri, body, expected = registry().base_uri, functools.cache(read_json), if_match()

        def replace(session, actor, provenance):
            return applications.replace(
                session,
                app_id,
                body(),
                actor,
                base_uri=base_uri,
                provenance=provenance,
                if_match=expected,
            )

        row, _ = records.as_caller(replace)
        return _written(row, 200)

    @blp.doc(security=BEARER, parameters=IF_MATCH)
    @blp.response(200, ApplicationTombstone, description="The tombstone left behind")
    @blp.problem(410, GONE)
    @blp.problem(412, CHANGED)
    def delete(self, app_id):
        """Delete an application: it becomes a tombstone (410 Gone from then on)."""
        return records.delete(applications.retire, applications.tombstone_to_dict, app_id)


@blp.route("/<app_id>/versions")
@blp.problem(404, "No such application (a deleted one keeps its history)")
@blp.response(200, VersionList, description="Every version of the application, oldest first")
def list_versions(app_id):
    """History of an application: who changed it, when, and how."""
    return records.version_list(applications.versions, applications.version_to_dict, app_id)


@blp.route("/<app_id>/versions/<int:number>")
@blp.response(200, VersionContent, description="One version with its full content")
def get_version(app_id, number):
    return records.one_version(applications.version, app_id, number)


@service_blp.route("/<service_id>/applications")
@service_blp.problem(410, GONE)
@service_blp.response(200, ApplicationList, description="The live applications delivering it")
def service_applications(service_id):
    """The applications that deliver a service."""
    with registry().db.session() as session:
        items = _checked(session, applications.of_service(session, service_id))
    return json_response({"total": len(items), "items": items})
