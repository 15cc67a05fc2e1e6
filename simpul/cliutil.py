"""What every ``simpul`` command shares: the registry of the settings it was given."""

from __future__ import annotations

import click

from simpul.config import load_settings, redact_url


def registry(ctx: click.Context, *, migrated: bool = True):
    from simpul.registry.context import Registry

    settings = load_settings(config_file=ctx.obj["config_file"])
    reg = Registry(settings, search=ctx.obj.get("open_search"))
    ctx.call_on_close(reg.close)
    if migrated and reg.db.current_revision() != reg.db.head_revision():
        raise click.ClickException(
            f"the database at {redact_url(settings.database_url)} is not up to date; "
            "run 'simpul db upgrade'"
        )
    return reg
