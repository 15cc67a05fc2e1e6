"""Agency checklists: the housekeeping tasks of an organization (counts and the records of each
task), and the counts per organization and child area of an area for a coordinator."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from simpul.registry import checklists
from simpul.web.api.common import Blueprint, PageArgs
from simpul.web.http import fresh_counts, json_response, registry

blp = Blueprint(
    "checklists", __name__, url_prefix="/api/v1", description="Housekeeping tasks of agencies"
)
AREA = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
TASKS_DOC = (
    "no-channels (no channel, or none with its address), stale (not updated in 12 months), "
    "no-english (no English name or description), broken-links (a link failed twice, a day "
    "apart), no-type (no national service type), review-pending, types-missing (mandatory "
    "types of its unit neither offered nor declared)"
)


class ChecklistArgs(Schema):
    task = fields.String(
        validate=validate.OneOf(checklists.TASKS),
        metadata={"description": "one task, a page at a time; without it the first items of each"},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=500))


class AreaArgs(PageArgs):
    area = fields.String(
        validate=validate.Regexp(AREA),
        metadata={"description": "Kemendagri code: organizations in it and below it"},
    )
    size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


def _counts() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": f"services, and per task: {TASKS_DOC}"},
    )


class ChecklistOut(Schema):
    organization = fields.Dict(required=True)
    counts = _counts()
    task = fields.String(allow_none=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Dict()),
        required=True,
        metadata={"description": "task -> its records (or types, or failing links)"},
    )


class OrganizationCounts(Schema):
    organization = fields.String(required=True)
    area = fields.String(allow_none=True)
    counts = _counts()


class AreaCounts(Schema):
    area = fields.String(required=True)
    counts = _counts()


class AreaChecklistOut(Schema):
    area = fields.String(required=True)
    totals = _counts()
    by_area = fields.List(fields.Nested(AreaCounts), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    by_organization = fields.List(fields.Nested(OrganizationCounts), required=True)


@blp.route("/organizations/<org_id>/checklist")
@blp.arguments(ChecklistArgs, location="query")
@blp.response(200, ChecklistOut)
def organization_checklist(args, org_id):
    """The housekeeping tasks of an organization: how many records each concerns, and the
    first of them (or one task a page at a time with ``task``)."""
    fresh_counts()
    with registry().db.session() as session:
        found = checklists.organization_checklist(session, org_id, stored=True, **args)
    return json_response(found)


@blp.route("/checklists")
@blp.arguments(AreaArgs, location="query")
@blp.response(200, AreaChecklistOut)
def area_checklists(args):
    """Each task counted per organization of ``area`` (those with something to do, a page at
    a time) and per child area, with totals (the nation by default)."""
    fresh_counts()
    with registry().db.session() as session:
        found = checklists.area_counts(session, stored=True, **args)
    return json_response(found)
