"""Harvesting from the command line: sources add, harvest, jobs, worker; a harvest killed with
SIGKILL mid-run resumes cleanly; a stuck job times out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import orjson
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from simpul.cli import main
from simpul.config import load_settings
from simpul.registry.context import Registry
from simpul.registry.db import utcnow
from simpul.registry.models import Change, HarvestJob, Service, ServiceVersion
from tests.services.http import Response


@pytest.fixture
def cli(database_url, tmp_path):
    config = tmp_path / "simpul.toml"
    config.write_text(
        "[simpul]\nharvest_allow_private = true\n"
        "[simpul.extra.harvest]\nheartbeat = 0.2\nstale_after = 60.0\nbatch_size = 100\n"
    )
    env = {
        "SIMPUL_DATABASE_URL": database_url,
        "SIMPUL_DATA_DIR": str(tmp_path),
        "SIMPUL_BASE_URI": "http://simpul.test",
        "SIMPUL_CONFIG": str(config),
    }
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    run.env = env
    run(
        "orgs",
        "add",
        "--id",
        "kota-gorontalo",
        "--name",
        "Kota Gorontalo",
        "--level",
        "kabkota",
        "--area",
        "75.71",
    )
    return run


def registry_of(cli) -> Registry:
    return Registry(load_settings(environ=cli.env))


def paged(n: int, delay: float = 0.0):
    items = [{"identifier": f"layanan-{i}", "name": {"id": f"Layanan {i}"}} for i in range(n)]

    def page(request):
        number, size = int(request.query.get("page", 1)), int(request.query.get("per_page", 100))
        chunk = items[(number - 1) * size : number * size]
        return Response(orjson.dumps({"data": chunk}), delay=delay)

    return page


def add_source(cli, url, source_id="portal"):
    cli(
        "sources",
        "add",
        "--id",
        source_id,
        "--type",
        "json",
        "--url",
        url,
        "--org",
        "kota-gorontalo",
        "--option",
        "key=identifier",
        "--option",
        'pagination={"style": "page", "size_param": "per_page", "size": 100}',
        "--secret",
        'headers={"Authorization": "Bearer rahasia"}',
    )


def test_sources_add_harvest_and_report(cli, remote):
    remote.route("/api/layanan", paged(250))
    add_source(cli, remote.url("/api/layanan"))
    listed = cli("sources", "list").output
    assert listed.startswith("portal\tjson\tkota-gorontalo\tP1D\t-")
    result = cli("harvest", "portal")
    assert "harvesting portal: 250 records" in result.stderr
    assert "finished" in result.stderr and "created 250" in result.stderr
    assert remote.requests[0].headers["authorization"] == "Bearer rahasia"  # secret used
    job_id = result.stderr.split("job ")[1].split()[0]
    shown = cli("jobs", "show", job_id)
    assert "created 250" in shown.stderr and "missing fields" in shown.stderr
    again = cli("harvest", "--all")
    assert "unchanged 250" in again.stderr


def test_secrets_never_leave_through_the_api(cli, remote):
    remote.route("/api/layanan", paged(1))
    add_source(cli, remote.url("/api/layanan"))
    from simpul.web import create_app

    app = create_app(load_settings(environ=cli.env))
    body = app.test_client().get("/api/v1/sources/portal").get_data(as_text=True)
    app.extensions["simpul"].close()
    assert "rahasia" not in body and '"secrets":["headers"]' in body


def test_failed_harvest_exits_non_zero(cli, remote):
    remote.route("/api/layanan", Response(b"Service Unavailable", "text/plain", status=404))
    add_source(cli, remote.url("/api/layanan"))
    result = cli("harvest", "portal", ok=False)
    assert result.exit_code == 1 and "failed" in result.stderr and "HTTP 404" in result.stderr


def test_worker_once_runs_due_sources(cli, remote):
    remote.route("/a", paged(10))
    remote.route("/b", paged(20))
    add_source(cli, remote.url("/a"), "a")
    add_source(cli, remote.url("/b"), "b")
    result = cli("worker", "--once")
    assert "2 jobs (2 finished, 0 not)" in result.stderr
    assert "worker: 0 jobs" in cli("worker", "--once").stderr  # next run is a day away


def counts(reg: Registry) -> tuple[int, int, int]:
    with reg.db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Service)),
            session.scalar(select(func.count()).select_from(ServiceVersion)),
            session.scalar(select(func.count()).select_from(Change)),
        )


@pytest.mark.slow
def test_killed_harvest_resumes_without_loss_or_duplicates(cli, remote):
    remote.route("/api/layanan", paged(3000, delay=0.05))
    add_source(cli, remote.url("/api/layanan"))
    reg = registry_of(cli)
    proc = subprocess.Popen(
        [sys.executable, "-m", "simpul.cli", "harvest", "portal"],
        env={**os.environ, **cli.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while counts(reg)[0] < 500 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    services, versions, changes = counts(reg)
    assert 0 < services < 3000
    assert services == versions == changes  # whole records only
    # the dead job's last heartbeat, an hour back: far longer ago than stale_after
    with reg.db.transaction() as session:
        session.execute(
            update(HarvestJob)
            .where(HarvestJob.status == "running")
            .values(heartbeat=utcnow() - timedelta(hours=1))
        )
    result = cli("harvest", "portal")
    assert "finished" in result.stderr
    assert counts(reg) == (3000, 3000, 3000)  # nothing lost, nothing twice
    with reg.db.session() as session:
        statuses = sorted(session.scalars(select(HarvestJob.status)))
        crashed = session.scalar(select(HarvestJob).where(HarvestJob.status == "interrupted"))
    assert statuses == ["finished", "interrupted"]
    assert "stopped without ending the job" in crashed.message
    reg.close()


def test_stuck_job_times_out(cli, remote, tmp_path):
    config = tmp_path / "simpul.toml"
    config.write_text(config.read_text() + "job_timeout = 1.0\n")
    remote.route("/api/layanan", paged(500, delay=0.4))
    add_source(cli, remote.url("/api/layanan"))
    result = cli("harvest", "portal", ok=False)
    assert "timed_out" in result.stderr
    reg = registry_of(cli)
    with reg.db.session() as session:
        job = session.scalar(select(HarvestJob))
    assert job.status == "timed_out" and job.finished is not None
    assert not job.counts.get("deleted")
    reg.close()
