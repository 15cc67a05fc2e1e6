"""Review flags of service records after their national type changed: the flag and the type's
diff, resolving it (adopt or confirm), and the pending flags per organization and area."""

from __future__ import annotations

import functools

from flask import request
from marshmallow import Schema, fields, validate

from simpul.registry import reviews, services
from simpul.registry.auth import authenticate
from simpul.web.api.common import BEARER, Blueprint, PageArgs, read_json
from simpul.web.http import json_response, registry

blp = Blueprint(
    "reviews", __name__, url_prefix="/api/v1", description="Review after a service type changed"
)


class ReviewSection(Schema):
    section = fields.String(required=True, metadata={"description": "e.g. defaults.cost"})
    functional = fields.Boolean(required=True)
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)
    component = fields.String(metadata={"description": "the record's field for this section"})
    record = fields.String(
        validate=validate.OneOf(["own", "inherits"]),
        metadata={"description": "whether the record has its own text or inherits the type's"},
    )
    own = fields.Raw(metadata={"description": "the record's own text, when it has one"})


class ReviewOut(Schema):
    id = fields.String(required=True)
    type = fields.String(allow_none=True)
    pending = fields.Boolean(required=True)
    review = fields.Dict(
        allow_none=True,
        metadata={"description": "the pending flag, or the last resolution (status, by, at)"},
    )
    type_status = fields.String()
    type_version = fields.Integer()
    sections = fields.List(fields.Nested(ReviewSection), required=True)


class ResolveIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(list(reviews.ACTIONS)))


class ReviewArgs(PageArgs):
    area = fields.String(
        validate=validate.Regexp(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"),
        metadata={"description": "Kemendagri code: organizations in it and below it"},
    )
    organization = fields.String(validate=validate.Length(max=100))


class Count(Schema):
    count = fields.Integer(required=True)


class OrganizationCount(Count):
    organization = fields.String(required=True)
    area = fields.String(allow_none=True)


class AreaCount(Count):
    area = fields.String(required=True)


class ReviewItem(Schema):
    id = fields.String(required=True)
    uri = fields.String(required=True)
    authority = fields.String(required=True)
    identifier = fields.String(required=True)
    name = fields.Dict(allow_none=True)
    type = fields.String(allow_none=True)
    review = fields.Dict(allow_none=True)


class ReviewCounts(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_organization = fields.List(fields.Nested(OrganizationCount), required=True)
    by_area = fields.List(fields.Nested(AreaCount), required=True)
    items = fields.List(fields.Nested(ReviewItem), required=True)


@blp.route("/services/<service_id>/review")
@blp.response(200, ReviewOut)
@blp.problem(410, "Deleted: the problem carries the tombstone")
def get_review(service_id):
    """The record's review flag and the diff of its type, section by section, between the
    version the record knew and the current one."""
    with registry().db.session() as session:
        row = services.get_live(session, service_id)
        return json_response(reviews.review_of(session, row))


@blp.route("/services/<service_id>/review", methods=["POST"])
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"application/json": {"schema": ResolveIn}}},
)
@blp.response(200, ReviewOut)
@blp.problem(410, "Deleted: the problem carries the tombstone")
@blp.problem(422, "Unknown action, nothing to resolve, or no successor to adopt")
def resolve_review(service_id):
    """Resolve the flag: ``adopt`` takes over the type's new texts (a new version of the record;
    a retired type's records move to its successor), ``confirm`` says the record is up to date
    (no new version; who and when is kept)."""
    reg = registry()
    header, body = request.headers.get("Authorization"), functools.cache(read_json)

    def resolve(session):
        actor = authenticate(session, header)
        row = reviews.resolve(
            session,
            service_id,
            body(),
            actor,
            base_uri=reg.base_uri,
            provenance=reg.provenance(actor, "review"),
            types=reg.type_index(session),
        )
        return reviews.review_of(session, row), services.etag(row)

    out, tag = reg.db.write(resolve)
    return json_response(out, 200, {"ETag": tag})


@blp.route("/reviews")
@blp.arguments(ReviewArgs, location="query")
@blp.response(200, ReviewCounts)
def list_reviews(args):
    """Pending review flags: counts per status, per organization and per child area of
    ``area`` (the nation by default), and the flagged records."""
    with registry().db.session() as session:
        return json_response(reviews.pending_counts(session, **args))
