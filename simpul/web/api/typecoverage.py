"""Coverage of the national service types: the grid of a type over the areas where it applies,
every type of one organization, the whole-nation summary, and the declarations of types an
organization does not offer itself (``registry.coverage``, ``registry.declarations``)."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.reference import codelists
from simpul.registry import coverage, declarations
from simpul.registry.auth import authenticate
from simpul.web.api.common import BEARER, Blueprint, PageArgs, read_json
from simpul.web.http import fresh_counts, json_response, registry

blp = Blueprint(
    "typecoverage",
    __name__,
    url_prefix="/api/v1",
    description="Coverage of the national service types, and declarations of types not offered",
)

AREA = "Kemendagri code (default 00, the nation): the units of the type's levels inside it"


class CoverageArgs(PageArgs):
    area = fields.String(metadata={"description": AREA})
    status = fields.String(
        validate=validate.OneOf(coverage.FILTERS),
        metadata={"description": "only units with this status, or 'gap' (mandatory, unknown)"},
    )


class SummaryArgs(Schema):
    area = fields.String(metadata={"description": AREA})
    level = fields.List(
        fields.String(validate=validate.OneOf(list(codelists.LEVELS))),
        metadata={"description": "only these levels (repeat the parameter); default all"},
    )


class Counts(Schema):
    offered = fields.Integer(required=True)
    not_offered = fields.Integer(required=True, data_key="not-offered")
    covered = fields.Integer(required=True)
    unknown = fields.Integer(required=True)
    gaps = fields.Integer(required=True, metadata={"description": "mandatory and unknown"})


class GridCounts(Counts):
    units = fields.Integer(required=True)


class Declaration(Schema):
    organization = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(declarations.DECLARATION_STATUSES)
    )
    reason = fields.Dict(allow_none=True)
    covered_by = fields.String(allow_none=True)
    actor = fields.String(required=True)
    at = fields.DateTime(required=True)


class StoredDeclaration(Declaration):
    type = fields.String(required=True)


class DeclarationIn(Schema):
    status = fields.String(
        required=True, validate=validate.OneOf(declarations.DECLARATION_STATUSES)
    )
    reason = fields.Dict(
        allow_none=True,
        metadata={"description": "why, {id, en}; required for not-offered", "example": {}},
    )
    covered_by = fields.String(
        allow_none=True, metadata={"description": "the covering organization's id (covered)"}
    )


class CoverageUnit(Schema):
    level = fields.String(required=True)
    area = fields.String(allow_none=True, metadata={"description": "null for a central unit"})
    name = fields.Dict(required=True)
    organization = fields.Dict(
        allow_none=True, metadata={"description": "the unit's government: id and name"}
    )
    organizations = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    gap = fields.Boolean(required=True)
    instances = fields.List(fields.String(), required=True)
    declaration = fields.Nested(Declaration, allow_none=True)


class TypeGrid(Schema):
    type = fields.Dict(required=True)
    area = fields.String(required=True)
    counts = fields.Nested(GridCounts, required=True)
    total = fields.Integer(required=True, metadata={"description": "units with the status asked"})
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(CoverageUnit), required=True)


class SummaryItem(Schema):
    type = fields.Dict(required=True)
    levels = fields.List(fields.String(), required=True)
    counts = fields.Nested(GridCounts, required=True)


class Summary(Schema):
    area = fields.String(required=True)
    levels = fields.List(fields.String(), required=True)
    totals = fields.Nested(GridCounts, required=True)
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(SummaryItem), required=True)


class OrganizationType(Schema):
    type = fields.Dict(required=True)
    mandatory = fields.Boolean(required=True)
    status = fields.String(required=True)
    gap = fields.Boolean(required=True)
    instances = fields.List(fields.String(), required=True)
    declaration = fields.Nested(Declaration, allow_none=True)


class OrganizationTypes(Schema):
    organization = fields.Dict(required=True)
    unit = fields.Dict(required=True)
    counts = fields.Nested(Counts, required=True)
    gaps = fields.List(fields.String(), required=True)
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(OrganizationType), required=True)


@blp.route("/types/<type_id>/coverage")
@blp.arguments(CoverageArgs, location="query")
@blp.response(200, TypeGrid, description="Counts by status, and a page of units")
def type_coverage(args, type_id):
    """Where a type is offered: for each unit (the local government of an area at a level where
    the type applies, or a central organization) inside ``area``, whether it is offered (with
    the ids of its records), declared not offered or covered (with the declaration), or
    unknown; mandatory types left unknown are gaps."""
    fresh_counts()
    with registry().db.session() as session:
        body = coverage.type_coverage(session, type_id, stored=True, **args)
    return json_response(body)


@blp.route("/coverage/types")
@blp.arguments(SummaryArgs, location="query")
@blp.response(200, Summary, description="Counts by status of every active type")
def summary(args):
    """The coverage of every active type inside ``area`` (the whole nation by default), as
    counts by status, restricted to ``level`` when given."""
    fresh_counts()
    with registry().db.session() as session:
        body = coverage.coverage_summary(
            session, area=args.get("area"), levels=args.get("level", ()), stored=True
        )
    return json_response(body)


@blp.route("/organizations/<org_id>/types")
@blp.response(200, OrganizationTypes, description="Every type applying at its level")
def organization_types(org_id):
    """Every active type applying at the organization's level, with its status for the
    organization's area (its government and offices together), the counts and the mandatory
    gaps."""
    fresh_counts()
    with registry().db.session() as session:
        body = coverage.organization_types(session, org_id, stored=True)
    return json_response(body)


@blp.route("/organizations/<org_id>/types/<type_id>")
class TypeDeclarationItem(MethodView):
    @blp.doc(
        security=BEARER,
        requestBody={"required": True, "content": {"application/json": {"schema": DeclarationIn}}},
    )
    @blp.response(200, StoredDeclaration, description="The declaration as stored")
    def put(self, org_id, type_id):
        """Declare a type not offered (with a reason) or covered by another organization. The
        organization's editors, the coordinators of its area and administrators may."""
        with registry().db.transaction() as session:
            actor = authenticate(session, request.headers.get("Authorization"))
            row = declarations.declare(session, org_id, type_id, read_json(), actor)
            body = declarations.declaration_to_dict(row)
        return json_response(body)

    @blp.doc(security=BEARER)
    @blp.response(204, description="The declaration is withdrawn: the type is unknown again")
    def delete(self, org_id, type_id):
        """Withdraw a declaration."""
        with registry().db.transaction() as session:
            actor = authenticate(session, request.headers.get("Authorization"))
            declarations.withdraw(session, org_id, type_id, actor)
        return "", 204
