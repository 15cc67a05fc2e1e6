"""``simpul report``: the coverage of an area, a cross-table or the service list as CSV or XLSX
(the same tables as the API's ``?format=``), and the daily snapshot of the coverage figures.
Registered on the main group by ``simpul.cli``."""

from __future__ import annotations

import sys

import click

from simpul.cliutil import registry
from simpul.reference.areas import load_areas

FORMATS = click.Choice(["csv", "xlsx"])


@click.group("report")
def report_group() -> None:
    """Reports as spreadsheets: coverage, crosstab, services; snapshot of the coverage."""


def _area(area: str | None) -> str | None:
    if area and area not in load_areas():
        raise click.BadParameter(load_areas().check(area), param_hint="--area")
    return area


def _write(reg, found: list, fmt: str, out: str | None) -> None:
    from simpul import tables

    if fmt == "csv":
        chunks = tables.csv_chunks(found[0])
    else:
        chunks = tables.xlsx_chunks(found, title=f"Simpul {reg.settings.node_id}")
    target = open(out, "wb") if out else sys.stdout.buffer  # noqa: SIM115
    try:
        for data in chunks:
            target.write(data)
    finally:
        if out:
            target.close()
    if out:
        click.echo(f"wrote {out}", err=True)


def _common(command):
    command = click.option("--out", type=click.Path(dir_okay=False), help="default stdout")(command)
    command = click.option("--format", "fmt", type=FORMATS, default="csv", show_default=True)(
        command
    )
    return click.option("--area", help="Kemendagri code (default 00, the nation).")(command)


@report_group.command("coverage")
@_common
@click.pass_context
def coverage_command(ctx, area, fmt, out) -> None:
    """The area's coverage figures and each child area's, one row each."""
    from simpul.registry import areacoverage, areareport

    reg = registry(ctx)
    threshold = reg.settings.coverage_min_services
    state = areacoverage.refresh(reg.db, threshold=threshold)
    with reg.db.session() as session:
        found = areareport.area_coverage(
            session, _area(area), threshold=threshold, refreshed=state["refreshed"], types=False
        )
    _write(reg, [areareport.coverage_table(found)], fmt, out)


@report_group.command("crosstab")
@_common
@click.option("--rows", required=True, help="level, area, sector, integration or type")
@click.option("--cols", required=True, help="another of the same")
@click.option("--level")
@click.option("--sector")
@click.option("--integration")
@click.option("--type", "type_id")
@click.pass_context
def crosstab_command(ctx, area, fmt, out, rows, cols, level, sector, integration, type_id):
    """Live active services counted by two dimensions, with totals."""
    from simpul.registry import crosstab

    reg = registry(ctx)
    filters = {"level": level, "sector": sector, "integration": integration, "type": type_id}
    with reg.db.session() as session:
        found = crosstab.crosstab(session, rows, cols, area=_area(area), **filters)
    _write(reg, [crosstab.crosstab_table(found)], fmt, out)


@report_group.command("services")
@_common
@click.option("--authority")
@click.option("--level")
@click.pass_context
def services_command(ctx, area, fmt, out, authority, level) -> None:
    """The service list, one row per live service (as ``simpul export --format csv``)."""
    from simpul.registry.catalog import CatalogFilter
    from simpul.registry.exports import service_table

    reg = registry(ctx)
    where = CatalogFilter(authority=authority, level=level, area=_area(area))
    with reg.db.session() as session:
        _write(reg, [service_table(session, where)], fmt, out)


@report_group.command("snapshot")
@click.pass_context
def snapshot_command(ctx) -> None:
    """File today's coverage figures of every area (again the same day: replaced)."""
    from simpul.registry.snapshots import take_snapshot

    reg = registry(ctx)
    areas = take_snapshot(reg.db, threshold=reg.settings.coverage_min_services)
    click.echo(f"snapshot of {areas} areas", err=True)
