"""``simpul links``: checking the links of live records (``deploy/simpul-links.timer`` runs
``simpul links check`` every night). Registered on the main group by ``simpul.cli``."""

from __future__ import annotations

import click

from simpul.cliutil import registry


@click.group("links")
def links_group() -> None:
    """Links of live records: homepages, channel, legal basis and complaint URLs."""


@links_group.command("check")
@click.option("--limit", type=click.IntRange(min=1), help="Check at most this many links.")
@click.pass_context
def links_check(ctx, limit: int | None) -> None:
    """Collect the distinct URLs of live records and check those not checked recently
    (SIMPUL_LINK_RECHECK_HOURS), politely; a link fails after 2 failed checks a day apart."""
    from simpul.harvesters.linkcheck import LinkPolicy, run

    reg = registry(ctx)
    counts = run(reg.db, LinkPolicy.from_settings(reg.settings), limit)
    click.echo(
        f"{counts['links']} links; checked {counts['checked']}: "
        f"{counts['ok']} answered, {counts['failed']} failed",
        err=True,
    )
