"""The ``simpul`` command. Results go to standard output; messages, progress to standard error."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from simpul import __version__
from simpul.cliutil import registry
from simpul.config import load_settings, redact_url
from simpul.errors import SimpulError
from simpul.reference.areas import load_areas
from simpul.reference.codelists import LEVELS, ROLES
from simpul.search import open_backend


def _fail(exc: SimpulError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1 if exc.status < 500 else 2)


class SimpulGroup(click.Group):
    """Turns Simpul errors into a one-line message and a non-zero exit, not a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SimpulError as exc:
            _fail(exc)


@click.group(cls=SimpulGroup)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="SIMPUL_CONFIG",
    help="TOML settings file (else SIMPUL_* environment variables and defaults).",
)
@click.version_option(__version__, prog_name="simpul")
@click.pass_context
def main(ctx: click.Context, config_file: str | None) -> None:
    """Simpul: federated registry of Indonesian public services."""
    ctx.obj = {"config_file": config_file, "open_search": open_backend}


# -- serve ----------------------------------------------------------------------------------------
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
@click.option("--dev", is_flag=True, help="Flask's development server with reloading.")
@click.option(
    "--harvest/--no-harvest",
    default=True,
    show_default=True,
    help="Also run the harvest worker (queued jobs, due sources) in a process of its own.",
)
@click.pass_context
def serve(ctx, host: str, port: int, workers: int, dev: bool, harvest: bool) -> None:
    """Serve the web app and API (gunicorn; --dev for Flask's server), with the harvest worker
    beside it unless --no-harvest (run ``simpul worker`` yourself then)."""
    from simpul import metrics
    from simpul.logs import configure_logging

    settings = load_settings(config_file=ctx.obj["config_file"])
    configure_logging(settings.log_level, settings.log_format)
    made = metrics.setup_multiprocess()  # before any process records a value
    try:
        _serve(ctx, settings, host, port, workers, dev, harvest)
    finally:
        metrics.cleanup_multiprocess(made)


def _serve(ctx, settings, host: str, port: int, workers: int, dev: bool, harvest: bool) -> None:
    from simpul import metrics
    from simpul.registry.indexing import catch_up
    from simpul.web.app import create_app

    registry(ctx)  # refuse to serve an un-migrated database
    app = create_app(settings)
    reg = app.extensions["simpul"]
    if reg.search.writable():  # catch the index up before the first request
        caught = catch_up(reg, reg.search)
        click.echo(f"search index: {caught} records brought up to date", err=True)
    reg.close_search()  # each server process opens its own
    database = redact_url(settings.database_url)
    click.echo(f"Simpul {__version__} on http://{host}:{port} ({database})", err=True)
    if settings.metrics_port:
        from simpul.web.metrics import start_metrics_server

        start_metrics_server(settings, settings.metrics_port)
        click.echo(f"metrics on http://127.0.0.1:{settings.metrics_port}/metrics", err=True)
    worker = _start_worker(ctx) if harvest else None
    try:
        if dev:
            app.run(host=host, port=port, debug=True, use_reloader=False)
            return
        from simpul.web.server import run_gunicorn

        run_gunicorn(app, host, port, workers)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(15)
            metrics.process_ended(worker.pid)


def _start_worker(ctx):
    """``simpul worker`` as a child process: harvests never run inside a web worker."""
    import subprocess

    command = [sys.executable, "-m", "simpul.cli"]
    if ctx.obj["config_file"]:
        command += ["--config", ctx.obj["config_file"]]
    return subprocess.Popen([*command, "worker", "--poll", "5"])


# -- db -------------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx) -> None:
    """Create or migrate the database schema to the newest version."""
    reg = registry(ctx, migrated=False)
    before = reg.db.current_revision()
    reg.db.upgrade()
    after = reg.db.current_revision()
    database = redact_url(reg.settings.database_url)
    click.echo(f"database {database}: {before or 'empty'} -> {after}", err=True)


@db.command("current")
@click.pass_context
def db_current(ctx) -> None:
    """Print the schema revision of the database."""
    reg = registry(ctx, migrated=False)
    click.echo(reg.db.current_revision() or "empty")


# -- organizations --------------------------------------------------------------------------------
@main.group()
def orgs() -> None:
    """Organizations (publishers)."""


@orgs.command("add")
@click.option("--id", "org_id", required=True, help="Slug, e.g. dinkes-kota-gorontalo.")
@click.option("--name", required=True, help="Indonesian name.")
@click.option("--name-en", help="English name.")
@click.option(
    "--level",
    required=True,
    type=click.Choice(list(LEVELS)),
)
@click.option("--area", help="Kemendagri area code, e.g. 75.71.")
@click.option("--parent", help="Parent organization id.")
@click.option("--homepage", help="Web address.")
@click.pass_context
def orgs_add(ctx, org_id, name, name_en, level, area, parent, homepage) -> None:
    """Register an organization."""
    from simpul.registry.organizations import create_organization

    raw = {"id": org_id, "name": {"id": name, **({"en": name_en} if name_en else {})}}
    raw |= {"level": level, "area": area, "parent": parent}
    if homepage:
        raw["homepage"] = homepage
    with registry(ctx).db.transaction() as session:
        create_organization(session, raw)
    click.echo(org_id)


@orgs.command("list")
@click.option("--level", help="Only this level.")
@click.option(
    "--expected", is_flag=True, help="Only those expected to report (see 'orgs seed --help')."
)
@click.pass_context
def orgs_list(ctx, level, expected) -> None:
    """List organizations (id, level, area, name)."""
    from simpul.registry.organizations import list_organizations
    from simpul.registry.seeding import list_expected

    with registry(ctx).db.session() as session:
        if expected:
            rows = list_expected(session, level=level)
        else:
            _, rows = list_organizations(session, level=level, size=10**9)
        for row in rows:
            click.echo(f"{row.id}\t{row.level}\t{row.area or '-'}\t{row.name['id']}")


@orgs.command("seed")
@click.option(
    "--levels",
    required=True,
    help="Comma-separated: pusat (the shipped list of ministries and agencies), provinsi, "
    "kabkota, kecamatan, desa (83,762 villages: desa and kelurahan).",
)
@click.option(
    "--area", help="Seed within this Kemendagri area (default: the node's SIMPUL_NODE_AREA)."
)
@click.option("--dry-run", is_flag=True, help="Print what would be created; change nothing.")
@click.pass_context
def orgs_seed(ctx, levels, area, dry_run) -> None:
    """Create the organizations expected to report: the government of every Kemendagri area of
    the levels asked for (from the 2025 area list), and the central ministries and agencies.

    Idempotent: an area whose government is already registered (an organization of that level
    and area whose parent is not in the same area, under any id) is kept as it is. An
    organization is expected to report unless its parent is at its level in its area (an
    office of a government reports through it). Parents: regency -> province, district ->
    regency, village -> its district's organization if there is one, else its regency's."""
    import time

    from simpul.registry.seeding import apply_seed, plan_seed

    reg = registry(ctx)
    scope = area or reg.settings.node_area
    with reg.db.session() as session:
        plan = plan_seed(session, levels.split(","), scope)
    for level in plan.levels:
        click.echo(
            f"{level.level}: {level.expected} expected, {len(level.kept)} already registered, "
            f"{len(level.create)} to create",
            err=True,
        )
        for code, candidates in level.ambiguous.items():
            click.echo(
                f"  warning: {code} has {len(candidates)} government organizations "
                f"({', '.join(candidates)}); kept {candidates[0]}",
                err=True,
            )
    if dry_run:
        for row in plan.rows():
            parent, where = row["parent_id"] or "-", row["area"] or "-"
            click.echo(f"{row['id']}\t{row['level']}\t{where}\t{parent}\t{row['name']['id']}")
        click.echo(f"dry run: {plan.changes} organizations would be created", err=True)
        return
    if not plan.changes:
        click.echo("nothing to change: every organization is already registered", err=True)
        return
    started = time.monotonic()
    with click.progressbar(length=plan.changes, label="seeding", file=sys.stderr) as bar:
        created = apply_seed(reg.db, plan, progress=bar.update)
    seconds = time.monotonic() - started
    click.echo(f"created {created} organizations in {seconds:.1f} s", err=True)


# -- tokens ---------------------------------------------------------------------------------------
@main.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--org", "org_id", required=True, help="Organization id.")
@click.option("--role", type=click.Choice(list(ROLES)), default="editor", show_default=True)
@click.option("--label", help="What the token is for.")
@click.pass_context
def tokens_create(ctx, org_id, role, label) -> None:
    """Create a token. It is printed once, as the last word on standard output."""
    from simpul.registry.auth import create_token

    with registry(ctx).db.transaction() as session:
        row, secret = create_token(session, org_id, role, label)
    click.echo(f"token {row.id} ({role}) for {org_id}; it will not be shown again:", err=True)
    click.echo(secret)


@tokens.command("list")
@click.option("--org", "org_id", help="Only this organization's tokens.")
@click.pass_context
def tokens_list(ctx, org_id) -> None:
    """List tokens (never their secrets)."""
    from simpul.registry.auth import list_tokens, token_to_dict

    with registry(ctx).db.session() as session:
        for row in list_tokens(session, org_id):
            t = token_to_dict(row)
            state = f"revoked {t['revoked']}" if t["revoked"] else "active"
            click.echo(f"{t['id']}\t{t['organization']}\t{t['role']}\t{state}\t{t['label'] or ''}")


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_context
def tokens_revoke(ctx, token_id) -> None:
    """Revoke a token by its id."""
    from simpul.registry.auth import revoke_token

    with registry(ctx).db.transaction() as session:
        revoke_token(session, token_id)
    click.echo(f"revoked {token_id}", err=True)


# -- load and demo --------------------------------------------------------------------------------
@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--org", "org_id", required=True, help="Organization that publishes the records.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.pass_context
def load(ctx, file, org_id, batch_size) -> None:
    """Publish records in bulk from a JSON Lines file (one record per line).

    Bad lines are reported with their number and reason and nothing of them is stored; the
    exit status is 1 when any line was bad."""
    from simpul.registry.bulk import load_jsonl

    reg = registry(ctx)
    if file == "-":
        report = load_jsonl(reg, sys.stdin.buffer, org_id, batch_size=batch_size)
    else:
        size = os.path.getsize(file)
        with (
            open(file, "rb") as fh,
            click.progressbar(
                length=size, label=f"loading {Path(file).name}", file=sys.stderr
            ) as bar,
        ):
            report = load_jsonl(reg, fh, org_id, batch_size=batch_size, progress=bar.update)
    for number, message in report.errors:
        click.echo(f"{file}:{number}: {message}", err=True)
    counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
    click.echo(f"{counts}", err=True)
    if report.errors:
        sys.exit(1)


@main.command()
@click.pass_context
def demo(ctx) -> None:
    """Load the demo federation around Gorontalo (organizations and services). Idempotent."""
    from simpul.demo import demo_services, load_demo

    reg = registry(ctx)
    total = len(demo_services())
    with click.progressbar(length=total, label="demo services", file=sys.stderr) as bar:
        summary = load_demo(reg, progress=bar.update)
    click.echo(
        f"demo: {summary['organizations']} organizations, {summary['services']} services "
        f"({summary['created']} new)",
        err=True,
    )


# -- search ---------------------------------------------------------------------------------------
@main.command()
@click.pass_context
def reindex(ctx) -> None:
    """Rebuild the search index from the database and swap it in (searches keep working)."""
    _rebuild_index(registry(ctx))


def _rebuild_index(reg) -> None:
    from simpul.registry import stats
    from simpul.registry.indexing import rebuild

    with reg.db.session() as session:
        total = stats.live_services(session)
    with click.progressbar(length=total, label="indexing", file=sys.stderr) as bar:
        rebuild(reg, reg.search, progress=bar.update)
    click.echo(f"indexed {reg.search.count()} services in {reg.settings.search_path}", err=True)


# -- backups --------------------------------------------------------------------------------------
@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.pass_context
def backup(ctx, file, force) -> None:
    """Back up a SQLite node's database into FILE, consistent while the server writes (SQLite's
    online backup). PostgreSQL nodes use deploy/pg-backup.sh (pg_dump)."""
    from simpul.registry.backup import backup as take_backup

    reg = registry(ctx)
    click.echo(f"backing up {redact_url(reg.settings.database_url)} ...", err=True)
    found = take_backup(reg, file, force=force)
    click.echo(
        f"wrote {file}: {found['services']} services, changes up to {found['last_change']}, "
        f"{found['bytes']:,} bytes",
        err=True,
    )


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds records.")
@click.pass_context
def restore(ctx, file, force) -> None:
    """Restore a backup made by ``simpul backup`` into this (fresh) node, then rebuild the
    search index from it. Stop the server first. PostgreSQL: deploy/pg-restore.sh."""
    from simpul.registry.backup import restore as restore_backup

    reg = registry(ctx, migrated=False)
    found = restore_backup(reg, file, force=force)
    click.echo(
        f"restored {file}: {found['services']} services, changes up to {found['last_change']}",
        err=True,
    )
    _rebuild_index(reg)


# -- linked data ----------------------------------------------------------------------------------
@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "jsonld", "rdfxml", "nt", "csv", "xlsx"]),
    default="ttl",
    show_default=True,
    help="RDF, or the service list as a spreadsheet (csv: UTF-8 with BOM; xlsx).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="File to write (.gz compresses); default standard output.",
)
@click.option("--authority", help="Only this organization's services.")
@click.option("--level", type=click.Choice(list(LEVELS)))
@click.option("--area", help="Only services covering this Kemendagri area.")
@click.pass_context
def export(ctx, fmt, out, authority, level, area) -> None:
    """Export the whole catalog as RDF (CPSV-AP-ID in a DCAT catalog), record by record, or the
    list of services as CSV or XLSX (one row per service), streamed."""
    from simpul.registry.catalog import CatalogFilter, catalog_document
    from simpul.vocab.export import gzipped

    reg = registry(ctx)
    if area and area not in load_areas():
        raise click.BadParameter(load_areas().check(area), param_hint="--area")
    where = CatalogFilter(authority=authority, level=level, area=area)
    if fmt in ("csv", "xlsx"):
        _export_table(reg, fmt, out, where)
        return
    with reg.db.session() as session:
        chunks = catalog_document(
            session, fmt, reg.base_uri, reg.settings.node_id, where, cache=reg.db
        )
        if out is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with open(out, "wb") as fh:
            stream = gzipped(chunks) if out.endswith(".gz") else (c.encode() for c in chunks)
            for data in stream:
                fh.write(data)
    click.echo(f"wrote {out}", err=True)


def _export_table(reg, fmt: str, out: str | None, where) -> None:
    from simpul import tables
    from simpul.registry.exports import service_table

    with reg.db.session() as session:
        table = service_table(session, where)
        if fmt == "csv":
            chunks = tables.csv_chunks(table)
        else:
            chunks = tables.xlsx_chunks([table], title=f"Simpul {reg.settings.node_id}")
        target = open(out, "wb") if out else sys.stdout.buffer  # noqa: SIM115
        try:
            for data in chunks:
                target.write(data)
        finally:
            if out:
                target.close()
    if out:
        click.echo(f"wrote {out}", err=True)


@main.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", help="ttl, nt, rdfxml or jsonld (default: from the file name).")
@click.option(
    "--shapes",
    "extra",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="More SHACL shapes to check against (e.g. the official CPSV-AP shapes).",
)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate_file(file, fmt, extra, lang, as_json) -> None:
    """Check an RDF file against Simpul's CPSV-AP-ID shapes; exit 1 on any violation."""
    import json

    from rdflib import Graph

    from simpul.vocab import parsing, shacl

    data = Path(file).read_bytes()
    rdf_format = parsing.rdflib_format(fmt) if fmt else parsing.guess_format(file, data)
    graph = parsing.parse(data, rdf_format)
    shapes = [Graph().parse(path) for path in extra]
    report = shacl.validate(graph, shapes)
    click.echo(
        json.dumps(report, ensure_ascii=False, indent=2)
        if as_json
        else shacl.report_text(report, lang)
    )
    if not report["conforms"]:
        sys.exit(1)


def _register_commands() -> None:
    from simpul.harvesters.appcommands import applications_group
    from simpul.harvesters.commands import COMMANDS
    from simpul.harvesters.linkcommands import links_group
    from simpul.reportcommands import report_group
    from simpul.roadmapcommands import roadmap_group
    from simpul.typecommands import types_group

    for command in (
        *COMMANDS,
        types_group,
        applications_group,
        report_group,
        links_group,
        roadmap_group,
    ):
        main.add_command(command)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
