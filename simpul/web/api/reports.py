"""/api/v1/coverage and /api/v1/reports: the coverage of an area with its children, drawn from
precomputed figures (``registry.areacoverage``). Public reads: every figure is a count of
records that are public themselves."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, stream_with_context
from marshmallow import Schema, fields, validate

from simpul import tables
from simpul.reference import codelists
from simpul.registry import areareport, crosstab, reportedsnapshots, snapshots
from simpul.web.api.common import Blueprint
from simpul.web.http import fresh_counts, json_response, registry

blp = Blueprint(
    "reports", __name__, url_prefix="/api/v1", description="Coverage and reports by area"
)


FORMAT = fields.String(
    validate=validate.OneOf(list(tables.MEDIA_TYPES)),
    metadata={"description": "csv (UTF-8 with BOM) or xlsx instead of JSON"},
)
FILE = {"type": "string", "format": "binary"}
FILES = {media: {"schema": FILE} for media in tables.MEDIA_TYPES.values()}


class AreaCoverageArgs(Schema):
    format = FORMAT
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
    refreshed = fields.String(
        allow_none=True, metadata={"description": "when the figures took in the last writes"}
    )
    counted = fields.String(
        allow_none=True,
        metadata={
            "description": "when they were last counted in full, by the worker once a day "
            "(a request never counts them in full): records that aged into stale show from then"
        },
    )
    national = fields.Nested(Figures, metadata={"description": "central bodies, apart (00)"})
    types = fields.Nested(TypeTotals)
    children = fields.List(fields.Nested(ChildFigures), required=True)


@blp.route("/coverage")
@blp.arguments(AreaCoverageArgs, location="query")
@blp.response(200, AreaCoverage, description="The area's figures and its children's")
@blp.doc(responses={200: {"content": FILES}})
def area_coverage(args):
    """Coverage of an area, the nation down to a village: organizations expected to report,
    reported and above the threshold, services, completeness, integration, applications,
    review flags and stale records, each with the list behind it, for the area and each child
    area. National services are apart (``national``), never counted in a province."""
    state = fresh_counts()
    with registry().db.session() as session:
        body = areareport.area_coverage(
            session,
            args.get("area"),
            threshold=state["threshold"],
            refreshed=state.get("refreshed"),
            counted=state.get("counted"),
            types=args["types"] and not args.get("format"),
        )
    if args.get("format"):
        return spreadsheet([areareport.coverage_table(body)], "cakupan", args["format"])
    return json_response(body)


def spreadsheet(found: list[tables.Table], name: str, fmt: str) -> Response:
    title = f"Simpul {registry().settings.node_id}"
    chunks = tables.csv_chunks(found[0]) if fmt == "csv" else tables.xlsx_chunks(found, title=title)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    headers = {"Content-Disposition": f'attachment; filename="{name}-{stamp}.{fmt}"'}
    return Response(
        stream_with_context(chunks), content_type=tables.MEDIA_TYPES[fmt], headers=headers
    )


DIMENSIONS = list(crosstab.DIMENSIONS)


class CrosstabArgs(Schema):
    format = FORMAT
    rows = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    cols = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    area = fields.String(
        metadata={"description": "Kemendagri code (default 00); area: its children"}
    )
    level = fields.String(validate=validate.OneOf(list(codelists.LEVELS)))
    sector = fields.String(validate=validate.OneOf(list(codelists.SECTORS)))
    integration = fields.String(validate=validate.OneOf(list(codelists.INTEGRATION_STATUSES)))
    type = fields.String(validate=validate.Length(max=100), metadata={"description": "type id"})


class Crosstab(Schema):
    rows = fields.String(required=True)
    cols = fields.String(required=True)
    area = fields.String(required=True)
    filters = fields.Dict(required=True)
    row_values = fields.List(fields.Dict(), required=True)
    col_values = fields.List(fields.Dict(), required=True)
    cells = fields.List(fields.List(fields.Integer()), required=True)
    row_totals = fields.List(fields.Integer(), required=True)
    col_totals = fields.List(fields.Integer(), required=True)
    total = fields.Integer(required=True, metadata={"description": "live active services"})


@blp.route("/reports/crosstab")
@blp.arguments(CrosstabArgs, location="query")
@blp.response(200, Crosstab, description="Counts of live active services, with totals")
@blp.doc(responses={200: {"content": FILES}})
def crosstab_report(args):
    """Live active services counted by two dimensions (level, child area of ``area``, sector,
    integration status, service type), with row and column totals; a service counts in each of
    its sectors, once in each total. Central bodies are the area ``00``."""
    fmt = args.pop("format", None)
    with registry().db.session() as session:
        body = crosstab.crosstab(session, args.pop("rows"), args.pop("cols"), **args)
    if fmt:
        return spreadsheet([crosstab.crosstab_table(body)], "tabulasi", fmt)
    return json_response(body)


class HistoryArgs(Schema):
    area = fields.String(metadata={"description": "Kemendagri code (default 00, the nation)"})
    start = fields.Date(data_key="from", metadata={"description": "first day (YYYY-MM-DD)"})
    end = fields.Date(data_key="to", metadata={"description": "last day (YYYY-MM-DD)"})


class HistoryItem(Schema):
    day = fields.String(required=True)
    expected = fields.Integer()
    reported = fields.Integer()
    above_threshold = fields.Integer()
    services = fields.Integer()
    completeness = fields.Integer(metadata={"description": "sum of the components present"})
    stale = fields.Integer()
    reviews = fields.Integer()
    integration = fields.Dict()
    applications = fields.Dict()


class NodeHistory(Schema):
    source = fields.String(required=True, metadata={"description": "the harvest source"})
    node = fields.String(allow_none=True, metadata={"description": "the child node's id"})
    items = fields.List(fields.Nested(HistoryItem), required=True)


class History(Schema):
    area = fields.String(required=True)
    items = fields.List(fields.Nested(HistoryItem), required=True)
    nodes = fields.List(
        fields.Nested(NodeHistory),
        metadata={"description": "the figures child nodes reported for the area, as they sent"},
    )


@blp.route("/coverage/history")
@blp.arguments(HistoryArgs, location="query")
@blp.response(200, History, description="The area's figures on each day with a snapshot")
def coverage_history(args):
    """The daily snapshots (``simpul report snapshot``) of an area's coverage figures."""
    with registry().db.session() as session:
        body = snapshots.history(session, args.get("area"), args.get("start"), args.get("end"))
    return json_response(body)


class SnapshotArgs(Schema):
    start = fields.Date(data_key="from", metadata={"description": "first day (YYYY-MM-DD)"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    size = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class Snapshot(Schema):
    area = fields.String(required=True)
    day = fields.String(required=True)
    figures = fields.Dict(required=True)


class SnapshotPage(Schema):
    area = fields.String(required=True, metadata={"description": "this node's area"})
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(Snapshot), required=True)


@blp.route("/coverage/snapshots")
@blp.arguments(SnapshotArgs, location="query")
@blp.response(200, SnapshotPage, description="This node's snapshots, by day then area")
def coverage_snapshots(args):
    """This node's daily snapshots of its own area and the areas below it, for the parent
    node that harvests it (``simpul`` sources store them as this node's figures)."""
    reg = registry()
    with reg.db.session() as session:
        body = reportedsnapshots.own_page(
            session, reg.settings.node_area, args.get("start"), args["page"], args["size"]
        )
    return json_response(body)
