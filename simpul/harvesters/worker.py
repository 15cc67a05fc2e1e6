"""``simpul worker``: runs queued jobs and due sources, several at a time.

Each cycle ends jobs whose process died, queues a job for every enabled source whose schedule is
due, then runs queued jobs on a pool of threads (fetching waits on the network, so threads
overlap well; per-host politeness is shared by all of them). Several worker processes may run
against one database: a job is claimed with a conditional update, so only one runs it.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from simpul.errors import Conflict
from simpul.harvesters import jobs
from simpul.harvesters.fetching import PROCESS_POLITENESS
from simpul.harvesters.runner import run_job, settings_for
from simpul.registry import coveragejobs

log = logging.getLogger(__name__)


@dataclass
class CycleReport:
    queued: int = 0
    ran: int = 0
    finished: int = 0
    other: int = 0  # failed, timed out, interrupted
    reaped: int = 0
    coverage: str = ""  # the coverage work that ran (``coveragejobs.run_due``)


def queue_due(registry, limit: int = 10_000) -> int:
    """Queue a job for each enabled source whose next run is due and that has none active."""
    with registry.db.transaction() as session:
        return jobs.queue_due(session, limit)


def queued_jobs(registry) -> list[str]:
    with registry.db.session() as session:
        return jobs.queued(session)


def reap(registry) -> int:
    """End the jobs whose process died or that ran far past their time limit."""
    settings = settings_for(registry)
    with registry.db.transaction() as session:
        return len(jobs.reap(session, settings.stale_after, settings.job_timeout))


def coverage(registry) -> str:
    """The coverage figures' due work (``registry.coveragejobs``): the daily full count and
    snapshot, or the changes since the last refresh."""
    settings = registry.settings
    try:
        return coveragejobs.run_due(
            registry.db,
            threshold=settings.coverage_min_services,
            max_age=settings.coverage_max_age,
        )
    except Exception:  # never holds the harvests back; tried again next cycle
        log.exception("coverage figures")
        return "failed"


def run_cycle(registry, concurrency: int = 4) -> CycleReport:
    """One pass: reap, queue what is due, run every queued job to its end; then the coverage
    figures' due work."""
    report = CycleReport()
    report.coverage = coverage(registry)
    report.reaped = reap(registry)
    report.queued = queue_due(registry)
    jobs = queued_jobs(registry)
    if not jobs:
        return report
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="harvest") as pool:
        futures = [pool.submit(_run_one, registry, job_id) for job_id in jobs]
        wait(futures)
    for future in futures:
        status = future.result()
        if status is None:
            continue
        report.ran += 1
        if status == "finished":
            report.finished += 1
        else:
            report.other += 1
    return report


def _run_one(registry, job_id: str) -> str | None:
    try:
        return run_job(registry, job_id, politeness=PROCESS_POLITENESS).status
    except Conflict:  # another worker took it
        return None
    except Exception:
        log.exception("harvest job %s", job_id)
        return "failed"


def run_forever(
    registry, concurrency: int = 4, poll: float = 5.0, stop: threading.Event | None = None
) -> None:
    """Keep ``concurrency`` jobs running until ``stop`` is set: every ``poll`` seconds reap,
    queue what is due and start queued jobs in free slots, so one slow source never holds the
    others back."""
    stop = stop or threading.Event()
    running: dict[str, object] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="harvest") as pool:
        while not stop.is_set():
            started = time.monotonic()
            try:
                reap(registry)
                queue_due(registry)
                coverage(registry)
                for job_id in queued_jobs(registry):
                    if len(running) >= concurrency:
                        break
                    if job_id not in running:
                        running[job_id] = pool.submit(_run_one, registry, job_id)
            except Exception:  # the database may be briefly away; try again next poll
                log.exception("harvest worker cycle")
            for job_id in [j for j, f in running.items() if f.done()]:
                del running[job_id]
            stop.wait(max(0.2, poll - (time.monotonic() - started)) if running else poll)
