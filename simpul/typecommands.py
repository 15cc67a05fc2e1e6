"""``simpul types``: the node's national service types from the command line (the operator acts
as the system, like every other command). Registered on the main group by ``simpul.cli``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from simpul.cliutil import registry
from simpul.reference import codelists


@click.group("types")
def types_group() -> None:
    """National service types (jenis layanan): load, list, show, retire, export."""


def _counts(counts: dict[str, int]) -> None:
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()), err=True)


def _load(ctx, records) -> dict[str, int]:
    from simpul.registry import types
    from simpul.registry.auth import SYSTEM

    reg = registry(ctx)
    with reg.db.transaction() as session:
        return types.load_types(
            session,
            records,
            SYSTEM,
            base_uri=reg.base_uri,
            provenance=reg.provenance(SYSTEM, "cli"),
        )


@types_group.command("national")
@click.pass_context
def national(ctx) -> None:
    """Load or refresh the national list that ships with Simpul (changed types get a new
    version; unchanged ones write nothing)."""
    from simpul.registry.types import national_list

    _counts(_load(ctx, national_list()))


@types_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def load(ctx, file) -> None:
    """Create or update types from FILE: JSON Lines (.jsonl), CSV (.csv) or XLSX (.xlsx) with
    the headings of 'simpul types export'. All or nothing: a bad line, or a bad row and
    column, is reported and nothing is stored."""
    from simpul.registry import types
    from simpul.registry.typefiles import merged, read_types

    records = read_types(Path(file).name, Path(file).read_bytes())
    if not file.lower().endswith((".jsonl", ".ndjson", ".json")):
        with registry(ctx).db.session() as session:
            stored = {r.id: r.data for r in types.list_types(session, status=None)}
        records = [merged(r, stored.get(r["id"])) for r in records]
    _counts(_load(ctx, records))


@types_group.command("list")
@click.option("--kind", type=click.Choice(list(codelists.TYPE_KINDS)))
@click.option("--sector", type=click.Choice(list(codelists.SECTORS)))
@click.option("--level", type=click.Choice(list(codelists.LEVELS)), help="Applies at this level.")
@click.option("--status", type=click.Choice(["active", "retired", "all"]), default="active")
@click.option("-q", "q", help="Words of the names or alternative names.")
@click.pass_context
def list_types(ctx, **filters) -> None:
    """List types: id, kind, status, linked records, Indonesian name."""
    from simpul.registry import typeops

    with registry(ctx).db.session() as session:
        _, items = typeops.types_page(session, 1, 10**6, **filters)
    for t in items:
        click.echo(f"{t['id']}\t{t['kind']}\t{t['status']}\t{t['instances']}\t{t['name']['id']}")


@types_group.command("show")
@click.argument("type_id")
@click.pass_context
def show(ctx, type_id) -> None:
    """One type as JSON (retired ones too), with its count of linked records."""
    from simpul.registry import types

    with registry(ctx).db.session() as session:
        row = types.get_type(session, type_id)
        body = types.type_to_dict(row, types.instance_count(session, type_id))
    click.echo(json.dumps(body, ensure_ascii=False, indent=2))


@types_group.command("retire")
@click.argument("type_id")
@click.option("--superseded-by", help="The type that replaces it.")
@click.pass_context
def retire(ctx, type_id, superseded_by) -> None:
    """Retire a type (its linked records are flagged for review)."""
    from simpul.registry import types
    from simpul.registry.auth import SYSTEM

    reg = registry(ctx)
    with reg.db.transaction() as session:
        change = types.retire_type(
            session,
            type_id,
            SYSTEM,
            base_uri=reg.base_uri,
            provenance=reg.provenance(SYSTEM, "cli"),
            superseded_by=superseded_by,
        )
        version = change.row.version
    click.echo(f"retired {type_id} (version {version})", err=True)


@types_group.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "xlsx"]),
    default="jsonl",
    show_default=True,
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="File to write (else standard output)."
)
@click.option("--status", type=click.Choice(["active", "retired", "all"]), default="all")
@click.pass_context
def export(ctx, fmt, out, status) -> None:
    """Write the types as JSON Lines (everything), or CSV/XLSX (the headings 'load' reads)."""
    from simpul.registry import typeops, types
    from simpul.registry.typefiles import write_types

    with registry(ctx).db.session() as session:
        rows = typeops.find_types(session, status=status)
        data = write_types(fmt, (types.type_to_dict(r) for r in rows))
    if out:
        Path(out).write_bytes(data)
        click.echo(f"{len(rows)} types written to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
