"""/api/v1/assessments: readiness assessments (append-only: POST and GET only) and
/api/v1/criteria-sets: the versions of the criteria they are scored against."""

from __future__ import annotations

import functools

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.registry import assessments, criteria
from simpul.registry.auth import authenticate
from simpul.web.api.common import BEARER, Blueprint, PageArgs, page_response, read_json
from simpul.web.http import json_response, registry

blp = Blueprint("assessments", __name__, url_prefix="/api/v1", description="Readiness assessments")
AREA = validate.Regexp(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class ScoreIn(Schema):
    score = fields.Integer(required=True, validate=validate.Range(0, 5))
    evidence = fields.String(
        metadata={"description": "required from the criterion's evidence_from"}
    )
    url = fields.String()


class AssessmentIn(Schema):
    target_type = fields.String(required=True, validate=validate.OneOf(assessments.TARGET_TYPES))
    target = fields.String(required=True, metadata={"description": "service or application id"})
    criteria_set = fields.String(metadata={"description": "version; the current one by default"})
    scores = fields.Dict(keys=fields.String(), values=fields.Nested(ScoreIn), required=True)
    assessed_on = fields.Date()
    note = fields.String()


class AssessmentOut(Schema):
    id = fields.Integer(required=True)
    target_type = fields.String(required=True)
    target = fields.String(required=True)
    organization = fields.String(required=True)
    area = fields.String(required=True)
    criteria_set = fields.String(required=True)
    scores = fields.Dict(required=True)
    score = fields.Float(required=True)
    verified = fields.Boolean(required=True)
    self_assessment = fields.Boolean(required=True)
    assessor = fields.String(required=True)
    assessor_organization = fields.String(allow_none=True)
    assessed_on = fields.String(required=True)
    note = fields.String(allow_none=True)
    at = fields.DateTime(required=True)
    reasons = fields.List(fields.Dict())
    next_steps = fields.List(fields.Dict())
    provenance = fields.Dict(
        allow_none=True,
        metadata={"description": "where a child node's assessment came from; null: recorded here"},
    )


AssessmentOut._declared_fields["class"] = fields.String(
    required=True, data_key="class", metadata={"description": "siap, siap-bersyarat, belum-siap"}
)


class AssessmentArgs(PageArgs):
    target = fields.String(validate=validate.Length(max=32))
    organization = fields.String(validate=validate.Length(max=100))
    area = fields.String(validate=AREA, metadata={"description": "organizations in it and below"})
    verified = fields.Boolean()


class AssessmentPage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(AssessmentOut), required=True)


class CriteriaSetSummary(Schema):
    version = fields.String(required=True)
    name = fields.Dict(required=True)
    created = fields.DateTime(required=True)


class CriteriaSetList(Schema):
    total = fields.Integer(required=True)
    current = fields.String(required=True)
    items = fields.List(fields.Nested(CriteriaSetSummary), required=True)


def _with_details(session, row) -> dict:
    return assessments.to_dict(row, criteria.get(session, row.criteria_version))


@blp.route("/assessments")
class AssessmentCollection(MethodView):
    @blp.arguments(AssessmentArgs, location="query")
    @blp.response(200, AssessmentPage)
    def get(self, args):
        """Assessments, newest first; ``target`` with ``verified=true`` gives first the one
        that gates use."""
        with registry().db.session() as session:
            total, rows = assessments.list_assessments(session, **args)
            items = [assessments.to_dict(r) for r in rows]
        return page_response(total, items, args["page"], args["size"])

    @blp.doc(
        security=BEARER,
        requestBody={"required": True, "content": {"application/json": {"schema": AssessmentIn}}},
    )
    @blp.response(201, AssessmentOut)
    @blp.problem(422, "A criterion or level outside the set, evidence missing, no such target")
    def post(self):
        """Record an assessment: verified when by a coordinator whose area covers the target's
        organization, a self-assessment when by that organization's editor."""
        reg = registry()
        header, body = request.headers.get("Authorization"), functools.cache(read_json)

        def record(session):
            actor = authenticate(session, header)
            return _with_details(session, assessments.record(session, body(), actor))

        out = reg.db.write(record)
        return json_response(out, 201, {"Location": f"/api/v1/assessments/{out['id']}"})


@blp.route("/assessments/<int:assessment_id>")
@blp.response(200, AssessmentOut)
def get_assessment(assessment_id):
    """One assessment with its reasons and next steps."""
    with registry().db.session() as session:
        return json_response(_with_details(session, assessments.get(session, assessment_id)))


@blp.route("/criteria-sets")
class CriteriaSets(MethodView):
    @blp.response(200, CriteriaSetList)
    def get(self):
        """The versions of the criteria; the newest is the current one."""
        reg = registry()

        def listing(session):
            items = criteria.list_sets(session)
            return {
                "total": len(items),
                "current": criteria.current(session)["version"],
                "items": items,
            }

        return json_response(reg.db.write(listing))

    @blp.doc(
        security=BEARER,
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
    )
    @blp.response(201, description="The criteria set as stored")
    @blp.problem(409, "The version exists")
    @blp.problem(422, "The set breaks a rule; errors name each field path")
    def post(self):
        """Publish a new version of the criteria (the national coordinator)."""
        header, body = request.headers.get("Authorization"), functools.cache(read_json)

        def publish(session):
            return criteria.publish(session, body(), authenticate(session, header))

        out = registry().db.write(publish)
        return json_response(out, 201, {"Location": f"/api/v1/criteria-sets/{out['version']}"})


@blp.route("/criteria-sets/<version>")
@blp.response(200, description="A criteria set: criteria, levels with descriptions, weights")
def get_criteria_set(version):
    return json_response(registry().db.write(lambda session: criteria.get(session, version)))
