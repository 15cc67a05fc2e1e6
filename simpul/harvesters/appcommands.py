"""``simpul applications``: load applications in bulk (JSON Lines, CSV, XLSX) and list them.
Registered on the main group by ``simpul.cli``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simpul.cliutil import registry
from simpul.reference import codelists

SPREADSHEETS = (".csv", ".xlsx", ".xlsm", ".tsv")


@click.group("applications")
def applications_group() -> None:
    """Applications (aplikasi) behind e-services."""


@applications_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--org", "org_id", required=True, help="Organization that owns the applications.")
@click.option("--sheet", help="XLSX sheet (default: one named 'Aplikasi', else the first).")
@click.pass_context
def applications_load(ctx, file: str, org_id: str, sheet: str | None) -> None:
    """Publish applications from JSON Lines (one per line) or a CSV/XLSX sheet with the
    headings officers use: Nama Aplikasi, Nama Singkat, URL Aplikasi, Jenis Aplikasi, Kategori,
    Status, Unit Pengelola, Unit Pengembang, Hosting, Status SPLP, ID API SPLP, Layanan (service
    identifiers separated by ';'), Tingkat Keamanan, Audit Terakhir.

    Bad lines or rows are reported with their number and nothing of them is stored; the exit
    status is 1 when any was bad."""
    from simpul.registry.appload import jsonl_records, load_applications
    from simpul.registry.bulk import _worker_count

    reg = registry(ctx)
    if file != "-" and Path(file).suffix.lower() in SPREADSHEETS:
        records = _sheet(Path(file), sheet)
        report = load_applications(reg, records, org_id)
    elif file == "-":
        report = load_applications(reg, jsonl_records(sys.stdin.buffer), org_id)
    else:
        with open(file, "rb") as fh:
            workers = _worker_count(fh, None)
            report = load_applications(reg, jsonl_records(fh), org_id, workers=workers)
    for number, message in report.errors:
        click.echo(f"{file}:{number}: {message}", err=True)
    click.echo(", ".join(f"{k} {v}" for k, v in report.counts.items()), err=True)
    if report.errors:
        sys.exit(1)


def _sheet(path: Path, sheet: str | None):
    from simpul.errors import InvalidInput
    from simpul.harvesters.applications import sheet_records
    from simpul.harvesters.base import SourceBroken
    from simpul.harvesters.types.spreadsheet import read_rows, sheet_names

    data = path.read_bytes()
    try:
        if sheet is None and path.suffix.lower() != ".csv":
            sheet = next((n for n in sheet_names(data) if n.strip().lower() == "aplikasi"), None)
        rows = list(read_rows(data, path.name, {"sheet": sheet} if sheet else {}))
    except SourceBroken as exc:
        raise InvalidInput(f"{path.name}: {exc}") from None
    found = list(sheet_records(rows))
    if not found and rows:
        raise InvalidInput(
            f"{path.name}: no heading row naming 'Nama Aplikasi' in the first 15 rows"
        )
    return found


@applications_group.command("list")
@click.option("--org", "org_id", help="Only this organization's applications.")
@click.option("--kind", type=click.Choice(list(codelists.APPLICATION_KINDS)))
@click.option("--lifecycle", type=click.Choice(list(codelists.APPLICATION_LIFECYCLES)))
@click.option("--splp", "splp_status", type=click.Choice(list(codelists.SPLP_STATUSES)))
@click.pass_context
def applications_list(ctx, org_id, kind, lifecycle, splp_status) -> None:
    """List live applications (id, organization, identifier, kind, lifecycle, SPLP, name)."""
    from simpul.registry.applications import list_applications

    with registry(ctx).db.session() as session:
        _, rows = list_applications(
            session,
            organization=org_id,
            kind=kind,
            lifecycle=lifecycle,
            splp_status=splp_status,
            sort="identifier",
            size=10**9,
        )
        for row in rows:
            cells = (row.id, row.organization_id, row.identifier, row.kind, row.lifecycle)
            cells += (
                row.splp_status,
                row.data["name"].get("id") or next(iter(row.data["name"].values())),
            )
            click.echo("\t".join(c or "-" for c in cells))
