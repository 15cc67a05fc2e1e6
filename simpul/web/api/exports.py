"""/api/v1/exports: lists as spreadsheets (CSV with a byte-order mark, or XLSX), streamed."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, stream_with_context
from marshmallow import Schema, fields, validate

from simpul import tables
from simpul.errors import NotFound
from simpul.reference import codelists
from simpul.reference.areas import load_areas
from simpul.registry.catalog import CatalogFilter
from simpul.registry.exports import service_table
from simpul.web.api.common import Blueprint
from simpul.web.http import registry

blp = Blueprint(
    "exports", __name__, url_prefix="/api/v1/exports", description="Lists as spreadsheets"
)
FILE = {"type": "string", "format": "binary"}


class ServiceExportArgs(Schema):
    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(list(tables.MEDIA_TYPES)),
        metadata={"description": "csv (UTF-8 with BOM) or xlsx"},
    )
    authority = fields.String(metadata={"description": "organization id"})
    level = fields.String(validate=validate.OneOf(list(codelists.LEVELS)))
    area = fields.String(metadata={"description": "services covering this Kemendagri area"})
    status = fields.String(validate=validate.OneOf(list(codelists.SERVICE_STATUSES)))


@blp.route("/services")
@blp.arguments(ServiceExportArgs, location="query")
@blp.response(200, description="One row per live service, as CSV or XLSX")
@blp.doc(
    responses={
        200: {
            "description": "One row per live service, as CSV or XLSX",
            "content": {media: {"schema": FILE} for media in tables.MEDIA_TYPES.values()},
        }
    }
)
@blp.problem(404, "No such area")
def export_services(args):
    """The service list (the same filters as ``simpul export``) as a spreadsheet: identifier,
    authority, names, level, areas, sectors, status, integration status, completeness (of 14
    components), modified, URI. Streamed from the database; an XLSX file is assembled first."""
    fmt = args.pop("format")
    status = args.pop("status", None)
    if args.get("area") and load_areas().get(args["area"]) is None:
        raise NotFound(load_areas().check(args["area"]))
    reg = registry()
    where = CatalogFilter(**args)

    def generate():
        with reg.db.session() as session:
            table = service_table(session, where, status=status)
            if fmt == "csv":
                yield from tables.csv_chunks(table)
            else:
                yield from tables.xlsx_chunks([table], title=f"Simpul {reg.settings.node_id}")

    stamp = datetime.now(UTC).strftime("%Y%m%d")
    headers = {"Content-Disposition": f'attachment; filename="layanan-{stamp}.{fmt}"'}
    return Response(
        stream_with_context(generate()), content_type=tables.MEDIA_TYPES[fmt], headers=headers
    )
