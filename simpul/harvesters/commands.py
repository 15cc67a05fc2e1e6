"""The harvesting commands of ``simpul``: sources, harvest, jobs, worker, federation.
Registered on the main group by ``simpul.cli``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simpul.cliutil import registry


@click.group()
def sources() -> None:
    """Harvest sources: the portals and catalogs Simpul harvests."""


def _option_pairs(pairs: tuple[str, ...], what: str) -> dict:
    """KEY=VALUE pairs; a VALUE that reads as JSON (numbers, objects, lists) is taken as such."""
    import json

    out: dict = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint=what)
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


@sources.command("add")
@click.option("--id", "source_id", required=True, help="Slug, e.g. portal-kota-gorontalo.")
@click.option("--type", "kind", required=True, help="ckan, rdf, spreadsheet, json, api-gateway.")
@click.option("--url", default="", help="Where the source is (for spreadsheets: or upload).")
@click.option("--org", "org_id", required=True, help="Organization that owns the source.")
@click.option("--option", "options", multiple=True, help="KEY=VALUE (JSON values allowed).")
@click.option("--secret", "secrets", multiple=True, help="KEY=VALUE credential, never shown.")
@click.option("--schedule", default="P1D", show_default=True, help="ISO 8601 duration or manual.")
@click.option("--priority", default=0, show_default=True, type=int)
@click.pass_context
def sources_add(ctx, source_id, kind, url, org_id, options, secrets, schedule, priority) -> None:
    """Register a harvest source."""
    from simpul.harvesters.fetching import FetchLimits
    from simpul.harvesters.sources import create_source

    raw = {
        "id": source_id,
        "type": kind,
        "url": url,
        "organization": org_id,
        "options": _option_pairs(options, "--option"),
        "secrets": _option_pairs(secrets, "--secret"),
        "schedule": schedule,
        "priority": priority,
    }
    reg = registry(ctx)
    with reg.db.transaction() as session:
        create_source(session, raw, limits=FetchLimits.from_settings(reg.settings))
    click.echo(source_id)


@sources.command("list")
@click.pass_context
def sources_list(ctx) -> None:
    """List sources (id, type, organization, schedule, last job)."""
    from simpul.harvesters.sources import get_job, list_sources

    with registry(ctx).db.session() as session:
        _, rows = list_sources(session, size=10**9)
        for row in rows:
            last = get_job(session, row.last_job_id).status if row.last_job_id else "-"
            click.echo(f"{row.id}\t{row.type}\t{row.organization_id}\t{row.schedule}\t{last}")


@sources.command("remove")
@click.argument("source_id")
@click.pass_context
def sources_remove(ctx, source_id) -> None:
    """Remove a source (the services it brought stay)."""
    from simpul.harvesters.sources import delete_source

    with registry(ctx).db.transaction() as session:
        delete_source(session, source_id)
    click.echo(f"removed {source_id}", err=True)


def _print_job(session, job, errors: int = 20) -> None:
    from simpul.harvesters.sources import error_to_dict, job_errors, job_to_dict

    report = job_to_dict(job)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report["counts"].items()))
    click.echo(f"job {job.id} ({job.source_id}, {job.mode}): {job.status}; {counts}", err=True)
    if job.message:
        click.echo(f"  {job.message}", err=True)
    if report["gaps"]:
        gaps = ", ".join(f"{k} {v}" for k, v in sorted(report["gaps"].items(), key=lambda x: -x[1]))
        click.echo(f"  missing fields (records): {gaps}", err=True)
    total, rows = job_errors(session, job.id, 0, errors)
    for row in rows:
        e = error_to_dict(row)
        click.echo(f"  [{e['stage']}] {e['key'] or '(source)'}: {e['message']}", err=True)
    if total > len(rows):
        click.echo(f"  ... {total - len(rows)} more in /api/v1/harvest-jobs/{job.id}", err=True)


@click.command()
@click.argument("source_id", required=False)
@click.option("--all", "run_all", is_flag=True, help="Every enabled source, one after another.")
@click.option(
    "--mode",
    type=click.Choice(["auto", "full", "incremental"]),
    default="auto",
    show_default=True,
)
@click.option("--retransform", is_flag=True, help="Re-map the stored originals; fetch nothing.")
@click.option(
    "--file",
    "upload",
    type=click.Path(exists=True, dir_okay=False),
    help="Spreadsheet sources: read this CSV/XLSX file instead of the URL.",
)
@click.pass_context
def harvest(ctx, source_id, run_all, mode, retransform, upload) -> None:
    """Harvest a source now (or --all) and report the job; exit 1 if a job did not finish."""
    from sqlalchemy import select

    from simpul.harvesters.runner import harvest as run_harvest
    from simpul.harvesters.sources import get_job, get_source
    from simpul.registry.models import HarvestSource

    if bool(source_id) == run_all:
        raise click.UsageError("give one SOURCE_ID or --all")
    reg = registry(ctx)
    with reg.db.session() as session:
        if run_all:
            ids = list(
                session.scalars(
                    select(HarvestSource.id)
                    .where(HarvestSource.enabled.is_(True))
                    .order_by(HarvestSource.id)
                )
            )
        else:
            ids = [get_source(session, source_id).id]
    if upload:
        if run_all:
            raise click.UsageError("--file goes with one SOURCE_ID")
        _store_upload(reg, ids[0], upload)
    failed = 0
    for sid in ids:
        counter = _Progress(f"harvesting {sid}")
        job = run_harvest(reg, sid, "retransform" if retransform else mode, progress=counter)
        counter.done()
        with reg.db.session() as session:
            _print_job(session, get_job(session, job.id))
        failed += job.status != "finished"
    if failed:
        sys.exit(1)


class _Progress:
    """Records done so far, on one refreshed line of standard error (a count: how many records
    a remote holds is seldom known in advance)."""

    def __init__(self, label: str):
        import time

        self.label, self.count, self._clock, self._last = label, 0, time.monotonic, 0.0
        self.tty = sys.stderr.isatty()

    def __call__(self, advance: int) -> None:
        self.count += advance
        now = self._clock()
        if now - self._last >= (0.2 if self.tty else 10.0):
            self._last = now
            end = "\r" if self.tty else "\n"
            click.echo(f"{self.label}: {self.count:,} records{end}", err=True, nl=False)

    def done(self) -> None:
        click.echo(f"{self.label}: {self.count:,} records", err=True)


def _store_upload(reg, source_id: str, path: str) -> None:
    from simpul.harvesters.base import SourceBroken
    from simpul.harvesters.sources import get_source
    from simpul.harvesters.types.spreadsheet import save_upload

    with reg.db.transaction() as session:
        source = get_source(session, source_id)
        if source.type != "spreadsheet":
            raise click.UsageError(
                f"--file is for spreadsheet sources; {source_id} is {source.type}"
            )
        try:
            saved = save_upload(
                reg.settings.data_dir, source_id, Path(path).read_bytes(), Path(path).name
            )
        except SourceBroken as exc:
            raise click.ClickException(str(exc)) from None
        source.state = {**source.state, "upload": saved}


@click.group()
def jobs() -> None:
    """Harvest job reports and held deletions."""


@jobs.command("show")
@click.argument("job_id")
@click.option("--errors", default=50, show_default=True, help="How many record errors to list.")
@click.pass_context
def jobs_show(ctx, job_id, errors) -> None:
    """Print a job's report: state, counts, gaps, per-record errors."""
    from simpul.harvesters.sources import get_job

    with registry(ctx).db.session() as session:
        _print_job(session, get_job(session, job_id), errors)


@jobs.command("cancel")
@click.argument("job_id")
@click.pass_context
def jobs_cancel(ctx, job_id) -> None:
    """Cancel a queued or running job (a running one stops after its current batch)."""
    from simpul.harvesters.jobs import cancel

    with registry(ctx).db.transaction() as session:
        job = cancel(session, job_id)
        click.echo(f"job {job.id}: {job.status}", err=True)


@jobs.command("review")
@click.argument("job_id")
@click.option("--apply/--discard", required=True, help="Apply or discard the held deletions.")
@click.pass_context
def jobs_review(ctx, job_id, apply) -> None:
    """Apply or discard the deletions a job held for review."""
    from simpul.harvesters.deletions import review_held

    reg = registry(ctx)
    with reg.db.transaction() as session:
        job = review_held(session, job_id, apply, base_uri=reg.base_uri)
        click.echo(f"job {job.id}: held deletions {job.held_status}", err=True)


@click.command()
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--poll", default=5.0, show_default=True, type=float, help="Seconds between looks.")
@click.option("--once", is_flag=True, help="Run what is due and queued now, then exit.")
@click.pass_context
def worker(ctx, concurrency, poll, once) -> None:
    """Run queued harvest jobs and sources whose schedule is due (until stopped).

    ``kill -USR1`` writes every thread's stack to standard error (a job that seems stuck)."""
    import faulthandler
    import signal
    import threading

    from simpul.harvesters.worker import run_cycle, run_forever
    from simpul.logs import configure_logging

    reg = registry(ctx)
    configure_logging(reg.settings.log_level, reg.settings.log_format)
    if once:
        report = run_cycle(reg, concurrency)
        click.echo(
            f"worker: {report.ran} jobs ({report.finished} finished, {report.other} not), "
            f"{report.reaped} stale jobs ended",
            err=True,
        )
        return
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"harvest worker: {concurrency} at a time, polling every {poll:g} s", err=True)
    run_forever(reg, concurrency, poll, stop)


@click.group()
def federation() -> None:
    """Other Simpul nodes this one harvests."""


@federation.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def federation_status(ctx, as_json) -> None:
    """Per child node: cursor, changes behind at the last run, last job, last error."""
    import json

    from simpul.harvesters.sources import federation_status as status

    with registry(ctx).db.session() as session:
        children = status(session)
    if as_json:
        click.echo(json.dumps(children, indent=2, ensure_ascii=False))
        return
    if not children:
        click.echo(
            "no child nodes (add one: simpul sources add --type simpul --url URL ...)", err=True
        )
    for child in children:
        node = (child["node"] or {}).get("id") or "?"
        job = child["last_job"] or {}
        lag = "?" if child["lag"] is None else child["lag"]
        click.echo(
            f"{child['source']}\t{node}\t{child['url']}\tlag {lag}\t"
            f"{job.get('status', 'never run')}\t{child['last_success'] or '-'}"
        )
        if child["last_error"]:
            click.echo(f"  last error: {child['last_error']['message']}", err=True)


COMMANDS = (sources, harvest, jobs, worker, federation)
