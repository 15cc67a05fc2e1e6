"""/api/v1/coverage and /api/v1/reports: the coverage of an area with its children, drawn from
precomputed figures (``registry.areacoverage``). Public reads: every figure is a count of
records that are public themselves."""

from __future__ import annotations

from marshmallow import Schema, fields

from simpul.registry import areacoverage, areareport
from simpul.web.api.common import Blueprint
from simpul.web.http import json_response, registry

blp = Blueprint(
    "reports", __name__, url_prefix="/api/v1", description="Coverage and reports by area"
)


class AreaCoverageArgs(Schema):
    area = fields.String(metadata={"description": "Kemendagri code (default 00, the nation)"})
    types = fields.Boolean(
        load_default=True,
        metadata={"description": "add the mandatory types' grid totals (costs a grid query)"},
    )


class OrgCounts(Schema):
    expected = fields.Integer(required=True)
    reported = fields.Integer(required=True)
    not_reported = fields.Integer(required=True)
    above_threshold = fields.Integer(required=True)


class Figures(Schema):
    organizations = fields.Nested(OrgCounts, required=True)
    services = fields.Integer(required=True, metadata={"description": "live, active"})
    completeness = fields.Float(
        allow_none=True, metadata={"description": "mean share of the 14 components (0 to 1)"}
    )
    stale = fields.Integer(required=True, metadata={"description": "unchanged for 12 months"})
    integration = fields.Dict(required=True, metadata={"description": "services per status"})
    applications = fields.Dict(required=True, metadata={"description": "per SPLP status"})
    reviews = fields.Integer(required=True, metadata={"description": "pending review flags"})
    links = fields.Dict(required=True, metadata={"description": "the list behind each figure"})


class ChildFigures(Figures):
    area = fields.Dict(required=True)


class TypeTotals(Schema):
    expected = fields.Integer(required=True)
    offered = fields.Integer(required=True)
    gaps = fields.Integer(required=True)


class AreaCoverage(Figures):
    area = fields.Dict(required=True)
    threshold = fields.Integer(required=True)
    refreshed = fields.String(allow_none=True)
    national = fields.Nested(Figures, metadata={"description": "central bodies, apart (00)"})
    types = fields.Nested(TypeTotals)
    children = fields.List(fields.Nested(ChildFigures), required=True)


def fresh_state() -> dict:
    reg = registry()
    return areacoverage.ensure_fresh(
        reg.db,
        threshold=reg.settings.coverage_min_services,
        max_age=reg.settings.coverage_max_age,
    )


@blp.route("/coverage")
@blp.arguments(AreaCoverageArgs, location="query")
@blp.response(200, AreaCoverage, description="The area's figures and its children's")
def area_coverage(args):
    """Coverage of an area, the nation down to a village: organizations expected to report,
    reported and above the threshold, services, completeness, integration, applications,
    review flags and stale records, each with the list behind it, for the area and each child
    area. National services are apart (``national``), never counted in a province."""
    state = fresh_state()
    with registry().db.session() as session:
        body = areareport.area_coverage(
            session,
            args.get("area"),
            threshold=state["threshold"],
            refreshed=state.get("refreshed"),
            types=args["types"],
        )
    return json_response(body)
