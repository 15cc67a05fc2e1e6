"""The life of a harvest job, and every write of its state.

A job is queued, claimed by one worker (a conditional update, so two workers never run it
both), kept alive by a heartbeat, and ends in exactly one final state. Its deletions may be held
for review, then applied or discarded. The allowed moves are data (``TRANSITIONS`` and
``REVIEW``): a move the table does not list is refused with ``IllegalTransition`` (409), and a
final state has no way out. The next run of a source is set here too, from its schedule.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from simpul.errors import Conflict, NotFound, ValidationFailed
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import HarvestJob, HarvestSource
from simpul.registry.services import new_id

log = logging.getLogger(__name__)

# state -> {event: next state}; a job starts ``queued``; states without events are final
TRANSITIONS: Mapping[str, Mapping[str, str]] = {
    "queued": {"claim": "running", "cancel": "cancelled"},
    "running": {
        "beat": "running",
        "cancel": "cancelling",
        "complete": "finished",
        "break": "incomplete",  # the source broke part way: what was stored stays
        "fail": "failed",
        "time_out": "timed_out",
        "interrupt": "interrupted",  # the process died or was stopped
    },
    "cancelling": {
        "beat": "cancelling",
        "cancel": "cancelling",
        "stop": "cancelled",
        "complete": "finished",  # the cancel came after the last batch
        "break": "incomplete",
        "fail": "failed",
        "time_out": "timed_out",
        "interrupt": "interrupted",
    },
    "finished": {},
    "incomplete": {},
    "failed": {},
    "timed_out": {},
    "interrupted": {},
    "cancelled": {},
}
INITIAL = "queued"
# the deletions a job held for review: none -> held -> applied | discarded
REVIEW: Mapping[str | None, Mapping[str, str]] = {
    None: {"hold": "held"},
    "held": {"apply": "applied", "discard": "discarded"},
    "applied": {},
    "discarded": {},
}
ACTIVE = tuple(s for s, events in TRANSITIONS.items() if events)
FINAL = tuple(s for s, events in TRANSITIONS.items() if not events)
MODES = ("auto", "full", "incremental", "retransform")
_SCHEDULE = re.compile(r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$")


class IllegalTransition(Conflict):
    """A move the table does not allow (409, code ``conflict`` as before the table existed)."""


def next_state(state: str | None, event: str, table: Mapping = TRANSITIONS) -> str:
    """Where ``event`` takes a job in ``state``; IllegalTransition when the table has no such
    move (a final state has none)."""
    if state not in table:
        raise IllegalTransition(f"unknown job state {state!r}")
    target = table[state].get(event)
    if target is None:
        allowed = ", ".join(sorted(table[state])) or "none: the state is final"
        raise IllegalTransition(
            f"a job {state or 'without held deletions'} cannot {event} (allowed: {allowed})"
        )
    return target


def states_allowing(event: str) -> tuple[str, ...]:
    return tuple(s for s, events in TRANSITIONS.items() if event in events)


# -- reading ----------------------------------------------------------------------------------
def get_job(session: Session, job_id: str) -> HarvestJob:
    row = session.get(HarvestJob, job_id)
    if row is None:
        raise NotFound(f"no harvest job {job_id!r}")
    return row


def active_job(session: Session, source_id: str) -> HarvestJob | None:
    return session.scalar(
        select(HarvestJob).where(HarvestJob.source_id == source_id, HarvestJob.status.in_(ACTIVE))
    )


def queued(session: Session) -> list[str]:
    """Queued jobs, oldest first."""
    query = select(HarvestJob.id).where(HarvestJob.status == INITIAL).order_by(HarvestJob.created)
    return list(session.scalars(query))


def cancel_requested(session: Session, job_id: str) -> bool:
    status = session.scalar(select(HarvestJob.status).where(HarvestJob.id == job_id))
    return status == "cancelling"


def _source(session: Session, source_id: str) -> HarvestSource:
    row = session.get(HarvestSource, source_id)
    if row is None:
        raise NotFound(f"no harvest source {source_id!r}")
    return row


# -- moves ------------------------------------------------------------------------------------
def _move(
    session: Session, job_id: str, event: str, *, ending: bool = False, **values: Any
) -> tuple[str, str]:
    """Compare-and-set: read the state, check the table, write only if nobody moved the job
    in between (else read again). Returns (state before, state after). ``ending``: the move
    must reach a final state."""
    for _ in range(5):
        state = session.scalar(select(HarvestJob.status).where(HarvestJob.id == job_id))
        if state is None:
            raise NotFound(f"no harvest job {job_id!r}")
        target = next_state(state, event)
        if ending and target not in FINAL:
            raise IllegalTransition(f"{event!r} does not end a job ({state} -> {target})")
        done = session.execute(
            update(HarvestJob)
            .where(HarvestJob.id == job_id, HarvestJob.status == state)
            .values(status=target, **values)
            .execution_options(synchronize_session="fetch")
        ).rowcount
        if done:
            return state, target
    raise Conflict(f"harvest job {job_id!r} keeps changing; try again")


def queue(
    session: Session, source_id: str, mode: str = "auto", actor: Actor = SYSTEM
) -> tuple[HarvestJob, bool]:
    """Queue a run; when one is already queued or running, return it (False: not new)."""
    source = _source(session, source_id)
    actor.require_write(source.organization_id)
    if mode not in MODES:
        raise ValidationFailed.from_messages({"mode": f"use one of {', '.join(MODES)}"})
    existing = active_job(session, source_id)
    if existing is not None:
        return existing, False
    job = HarvestJob(
        id=new_id(),
        source_id=source_id,
        status=INITIAL,
        mode=mode,
        created=utcnow(),
        counts={},
        gaps={},
    )
    session.add(job)
    session.flush()
    return job, True


def queue_due(session: Session, limit: int = 10_000) -> int:
    """Queue a job for each enabled source whose next run is due and that has none active."""
    active = select(HarvestJob.source_id).where(HarvestJob.status.in_(ACTIVE))
    due = session.scalars(
        select(HarvestSource.id)
        .where(
            HarvestSource.enabled.is_(True),
            HarvestSource.next_run_at.is_not(None),
            HarvestSource.next_run_at <= utcnow(),
            HarvestSource.id.not_in(active),
        )
        .order_by(HarvestSource.next_run_at)
        .limit(limit)
    ).all()
    for source_id in due:
        queue(session, source_id)
    return len(due)


def claim(session: Session, job_id: str, worker: str) -> None:
    """Take a queued job to run it; Conflict when another worker took it first."""
    now = utcnow()
    done = session.execute(
        update(HarvestJob)
        .where(HarvestJob.id == job_id, HarvestJob.status.in_(states_allowing("claim")))
        .values(status=TRANSITIONS[INITIAL]["claim"], started=now, heartbeat=now, worker=worker)
    ).rowcount
    if not done:
        raise IllegalTransition(f"harvest job {job_id!r} is not queued (taken by another worker?)")


def beat(session: Session, job_id: str) -> bool:
    """A sign of life from the job's process; False once the job has ended."""
    return bool(
        session.execute(
            update(HarvestJob)
            .where(HarvestJob.id == job_id, HarvestJob.status.in_(states_allowing("beat")))
            .values(heartbeat=utcnow())
        ).rowcount
    )


def progress(
    session: Session, job_id: str, counts: Mapping[str, int], gaps: Mapping[str, int], **values
) -> None:
    """The counts so far (and the mode once resolved); the state does not change."""
    unknown = set(values) - {"mode"}
    if unknown:
        raise ValueError(f"progress cannot set {sorted(unknown)}")
    session.execute(
        update(HarvestJob)
        .where(HarvestJob.id == job_id)
        .values(counts=dict(counts), gaps=dict(gaps), heartbeat=utcnow(), **values)
    )


def cancel(session: Session, job_id: str, actor: Actor = SYSTEM) -> HarvestJob:
    """A queued job ends at once; a running one stops after its current batch (what it stored
    stays, nothing is deleted)."""
    job = get_job(session, job_id)
    actor.require_write(_source(session, job.source_id).organization_id)
    if job.status not in states_allowing("cancel"):
        raise IllegalTransition(f"job {job_id} has already ended ({job.status})")
    messages = {
        "cancelled": f"cancelled before it started ({actor.name})",
        "cancelling": f"cancel requested ({actor.name}); stopping after the current batch",
    }
    if job.status == "cancelling":
        return job  # asked already
    target = next_state(job.status, "cancel")
    values: dict[str, Any] = {"message": messages[target]}
    if target in FINAL:
        values["finished"] = utcnow()
    _move(session, job_id, "cancel", **values)
    return job


def reap(session: Session, stale_after: float, job_timeout: float) -> list[str]:
    """End jobs whose process died (no heartbeat for ``stale_after`` seconds) or that ran past
    one and a half times their time limit."""
    now = utcnow()
    running = session.scalars(
        select(HarvestJob).where(HarvestJob.status.in_(states_allowing("interrupt")))
    ).all()
    reaped = []
    for job in running:
        beat_at = as_utc(job.heartbeat or job.started)
        if beat_at < now - timedelta(seconds=stale_after):
            event, message = (
                "interrupt",
                (
                    f"the harvest process ({job.worker}) stopped without ending the job (last sign "
                    f"of life {beat_at.isoformat()}); records stored until then are kept"
                ),
            )
        elif as_utc(job.started) < now - timedelta(seconds=job_timeout * 1.5):
            event, message = "time_out", f"the job ran past its time limit of {job_timeout:.0f} s"
        else:
            continue
        try:
            _move(session, job.id, event, finished=now, message=message)
        except IllegalTransition:  # it ended meanwhile
            continue
        reaped.append(job.id)
    return reaped


def finish(
    session: Session,
    job_id: str,
    event: str,
    *,
    counts: Mapping[str, int],
    gaps: Mapping[str, int],
    message: str | None,
) -> str:
    """End a run (``complete``, ``break``, ``fail``, ``time_out`` or ``stop``): the job gets
    its final state and counts; its source remembers it and is scheduled again."""
    now = utcnow()
    _, state = _move(
        session,
        job_id,
        event,
        ending=True,
        finished=now,
        message=message,
        counts=dict(counts),
        gaps=dict(gaps),
        heartbeat=now,
    )
    source = _source(session, get_job(session, job_id).source_id)
    source.last_job_id = job_id
    schedule_next(source, after=now)
    return state


def fail(session: Session, job_id: str, message: str, *, interrupted: bool = False) -> str:
    """End a job that raised (``interrupted`` when the process is being stopped)."""
    _, state = _move(
        session,
        job_id,
        "interrupt" if interrupted else "fail",
        ending=True,
        finished=utcnow(),
        heartbeat=utcnow(),
        message=message[:4000],
    )
    return state


# -- deletions held for review ----------------------------------------------------------------
def hold(session: Session, job_id: str, services: list[str]) -> None:
    """Hold a job's deletions for review instead of applying them."""
    job = get_job(session, job_id)
    job.held_status = next_state(job.held_status, "hold", REVIEW)
    job.held = sorted(services)


def _review(session: Session, job_id: str, event: str) -> HarvestJob:
    job = get_job(session, job_id)
    if job.held_status != "held":
        raise IllegalTransition(f"job {job_id} has no deletions held for review")
    job.held_status = next_state(job.held_status, event, REVIEW)
    return job


def apply(session: Session, job_id: str, deleted: int) -> HarvestJob:
    """The held deletions were applied: ``deleted`` services were retired."""
    job = _review(session, job_id, "apply")
    job.counts = {**job.counts, "deleted": job.counts.get("deleted", 0) + deleted}
    return job


def discard(session: Session, job_id: str) -> HarvestJob:
    return _review(session, job_id, "discard")


# -- the next run -----------------------------------------------------------------------------
def schedule_interval(schedule: str) -> timedelta | None:
    """``manual`` -> None; an ISO 8601 duration of days, hours and minutes (P1D, PT6H, PT30M)."""
    if schedule == "manual":
        return None
    match = _SCHEDULE.match(schedule)
    if not match:
        raise ValueError(schedule)
    days = int((match.group(1) or "0D")[:-1])
    hours = int((match.group(3) or "0H")[:-1])
    minutes = int((match.group(4) or "0M")[:-1])
    interval = timedelta(days=days, hours=hours, minutes=minutes)
    if interval < timedelta(minutes=5):
        raise ValueError(schedule)
    return interval


def schedule_next(source: HarvestSource, after: datetime | None = None) -> datetime | None:
    """Set when the worker runs ``source`` next: one interval ``after`` a run, or at once
    (a new or changed source); never when it is manual or disabled."""
    interval = schedule_interval(source.schedule)
    if not interval or not source.enabled:
        source.next_run_at = None
    else:
        source.next_run_at = after + interval if after is not None else utcnow()
    return source.next_run_at


class Heartbeat(threading.Thread):
    """Keeps a running job alive (``beat``) until stopped; a job silent too long is reaped."""

    def __init__(self, registry, job_id: str, every: float):
        super().__init__(daemon=True, name=f"heartbeat-{job_id}")
        self.registry, self.job_id, self.every = registry, job_id, every
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            try:
                with self.registry.db.transaction() as session:
                    beat(session, self.job_id)
            except Exception:  # a busy database must not kill the job; the next beat retries
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)
