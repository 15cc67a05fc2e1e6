"""``simpul roadmap``: the integration roadmap from the command line (the operator acts as the
system). Registered on the main group by ``simpul.cli``."""

from __future__ import annotations

import sys

import click

from simpul.cliutil import registry


@click.group("roadmap")
def roadmap_group() -> None:
    """The integration roadmap (peta jalan): seed the phases, make the items, show the board."""


@roadmap_group.command("seed")
@click.pass_context
def seed(ctx) -> None:
    """Create the default phases that do not exist: 1 central services in the priority sectors,
    2 provinces and regencies/cities, 3 villages after a verified assessment."""
    from simpul.registry import roadmap

    with registry(ctx).db.transaction() as session:
        created = roadmap.seed(session)
    click.echo(f"phases created: {', '.join(created) or 'none (all exist)'}", err=True)


@roadmap_group.command("refresh")
@click.option("--phase", help="Only this phase.")
@click.pass_context
def refresh(ctx, phase) -> None:
    """Make the items of every live service and application in a phase's scope that has none
    yet (existing items and their history are kept)."""
    from simpul.registry import roadmap_board

    with (
        registry(ctx).db.transaction() as session,
        click.progressbar(length=0, label="items", file=sys.stderr) as bar,
    ):
        made = roadmap_board.refresh(session, phase, progress=bar.update)
    for phase_id, count in made.items():
        click.echo(f"phase {phase_id}: {count} new items", err=True)


@roadmap_group.command("board")
@click.argument("phase")
@click.option("--area", help="Kemendagri code: organizations in it and below.")
@click.option("--sector")
@click.option("--level")
@click.pass_context
def board(ctx, phase, area, sector, level) -> None:
    """Items of PHASE by status, with the gate each status waits on."""
    from simpul.registry import roadmap_board

    with registry(ctx).db.session() as session:
        out = roadmap_board.board(session, phase, area=area, sector=sector, level=level, size=0)
    for column in out["columns"]:
        gate = f"  (waits on {column['waits_on']})" if column["waits_on"] else ""
        click.echo(f"{column['status']:<28}{column['count']:>8}{gate}")
