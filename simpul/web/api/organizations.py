"""/api/v1/organizations and /api/v1/tokens: publishers and their credentials."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.reference import codelists
from simpul.registry import organizations
from simpul.registry.auth import (
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
    token_to_dict,
)
from simpul.registry.schemas import OrganizationSchema
from simpul.web.api.common import (
    BEARER,
    Blueprint,
    PageArgs,
    page_response,
    read_json,
)
from simpul.web.http import json_response, registry

blp = Blueprint(
    "organizations", __name__, url_prefix="/api/v1", description="Organizations and tokens"
)


class OrganizationListArgs(PageArgs):
    level = fields.String(validate=validate.OneOf(list(codelists.LEVELS)))
    parent = fields.String()
    area = fields.String(metadata={"description": "Kemendagri code; includes areas below it"})
    expected = fields.Boolean(metadata={"description": "expected to report (not an office)"})
    reported = fields.Boolean(
        metadata={"description": "it or its offices have a live active service"}
    )


class TokenRequest(Schema):
    role = fields.String(load_default="editor", validate=validate.OneOf(list(codelists.ROLES)))
    label = fields.String(validate=validate.Length(max=200))


class OrganizationOut(OrganizationSchema):
    uri = fields.String(required=True)
    created = fields.DateTime(required=True)
    modified = fields.DateTime(required=True)


class OrganizationPage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(OrganizationOut), required=True)


class TokenOut(Schema):
    id = fields.String(required=True)
    organization = fields.String(required=True)
    role = fields.String(required=True)
    label = fields.String(allow_none=True)
    created = fields.DateTime(required=True)
    last_used = fields.DateTime(allow_none=True)
    revoked = fields.DateTime(allow_none=True)


class NewToken(TokenOut):
    token = fields.String(required=True, metadata={"description": "the secret, shown this once"})


class TokenList(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(TokenOut), required=True)


def _org(row):
    return organizations.organization_to_dict(row, registry().base_uri)


@blp.route("/organizations")
class OrganizationCollection(MethodView):
    @blp.arguments(OrganizationListArgs, location="query")
    @blp.response(200, OrganizationPage, description="A page of organizations")
    def get(self, args):
        """List organizations, filtered by level, parent or area."""
        with registry().db.session() as session:
            total, rows = organizations.list_organizations(session, **args)
            items = [_org(r) for r in rows]
        return page_response(total, items, args["page"], args["size"])

    @blp.doc(
        security=BEARER,
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": OrganizationSchema}},
        },
    )
    @blp.response(201, OrganizationOut)
    @blp.problem(409, "The organization already exists")
    def post(self):
        """Register an organization (administrators only)."""
        with registry().db.transaction() as session:
            actor = authenticate(session, request.headers.get("Authorization"))
            actor.require_admin()
            row = organizations.create_organization(session, read_json(), actor)
            body = _org(row)
        return json_response(body, 201, {"Location": f"/api/v1/organizations/{row.id}"})


@blp.route("/organizations/<org_id>")
class OrganizationItem(MethodView):
    @blp.response(200, OrganizationOut)
    def get(self, org_id):
        with registry().db.session() as session:
            return json_response(_org(organizations.get_organization(session, org_id)))

    @blp.doc(
        security=BEARER,
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": OrganizationSchema}},
        },
    )
    @blp.response(200, OrganizationOut)
    def put(self, org_id):
        """Update an organization. Its editors may change the name and homepage; its level,
        area, parent and uri are a node administrator's to change (403 naming them)."""
        with registry().db.transaction() as session:
            actor = authenticate(session, request.headers.get("Authorization"))
            row = organizations.update_organization(
                session, org_id, read_json(), actor, base_uri=registry().base_uri
            )
            body = _org(row)
        return json_response(body)


@blp.route("/organizations/<org_id>/tokens")
class OrganizationTokens(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, TokenList, description="The organization's tokens, without secrets")
    def get(self, org_id):
        with registry().db.transaction() as session:
            actor = authenticate(session, request.headers.get("Authorization"))
            actor.require_admin()
            organizations.get_organization(session, org_id)
            items = [token_to_dict(t) for t in list_tokens(session, org_id)]
        return json_response({"total": len(items), "items": items})

    @blp.doc(security=BEARER)
    @blp.arguments(TokenRequest)
    @blp.response(201, NewToken, description="The new token; its secret is shown this once only")
    def post(self, args, org_id):
        """Create a token for an organization (administrators only)."""
        with registry().db.transaction() as session:
            actor = authenticate(session, request.headers.get("Authorization"))
            actor.require_admin()
            row, secret = create_token(session, org_id, args["role"], args.get("label"))
            body = {**token_to_dict(row), "token": secret}
        return json_response(body, 201)


@blp.route("/tokens/<token_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(200, TokenOut, description="The revoked token")
def revoke(token_id):
    """Revoke a token (an administrator, or the token's own organization)."""
    with registry().db.transaction() as session:
        actor = authenticate(session, request.headers.get("Authorization"))
        row = revoke_token(session, token_id, actor)
        body = token_to_dict(row)
    return json_response(body)
