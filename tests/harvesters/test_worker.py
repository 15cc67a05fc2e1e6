"""The worker: reaps dead jobs, queues due sources, runs queued jobs to their end."""

from __future__ import annotations

from datetime import timedelta

import orjson
from sqlalchemy import update

from simpul.harvesters import jobs, worker
from simpul.registry.db import utcnow
from simpul.registry.models import HarvestJob, HarvestSource
from tests.services.http import Response


def test_a_cycle_reaps_queues_and_runs(registry, harvests, remote):
    harvests.org()
    remote.route("/api", Response(orjson.dumps([{"id": "akta", "nama": "Akta"}])))
    options = {"fields": {"identifier": "id", "name": "nama"}}
    harvests.source("api", "json", remote.url("/api"), options=options, schedule="PT6H")
    harvests.source("dead", "json", remote.url("/none"), options=options, schedule="manual")
    with registry.db.transaction() as session:
        dead, _ = jobs.queue(session, "dead")
        jobs.claim(session, dead.id, "gone:1")
        long_ago = utcnow() - timedelta(hours=1)
        session.execute(
            update(HarvestJob).where(HarvestJob.id == dead.id).values(heartbeat=long_ago)
        )
    report = worker.run_cycle(registry, concurrency=2)
    assert (report.reaped, report.queued, report.ran, report.finished) == (1, 1, 1, 1)
    assert harvests.job(dead.id).status == "interrupted"
    assert "akta" in harvests.live()
    with registry.db.session() as session:
        source = session.get(HarvestSource, "api")
        assert source.next_run_at is not None and source.last_job_id is not None
    again = worker.run_cycle(registry)  # nothing due: the next run is hours away
    assert (again.queued, again.ran) == (0, 0)
    assert worker.queued_jobs(registry) == []
