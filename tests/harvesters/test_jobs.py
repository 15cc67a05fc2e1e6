"""The harvest job lifecycle: the transition table, and each move against a real database."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest
from sqlalchemy import update

from simpul.errors import Conflict, Forbidden, ValidationFailed
from simpul.harvesters import jobs
from simpul.harvesters.sources import get_source
from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import HarvestJob

STATES = set(jobs.TRANSITIONS)
EVENTS = {event for events in jobs.TRANSITIONS.values() for event in events}


def _reachable(table, start) -> set:
    seen, todo = {start}, deque([start])
    while todo:
        for target in table[todo.popleft()].values():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


# -- the table --------------------------------------------------------------------------------
@pytest.mark.parametrize("table,start", [(jobs.TRANSITIONS, jobs.INITIAL), (jobs.REVIEW, None)])
def test_every_state_is_reachable_and_every_target_is_a_state(table, start):
    assert _reachable(table, start) == set(table)
    for events in table.values():
        assert set(events.values()) <= set(table)


def test_final_states_are_final_and_every_active_state_can_end():
    assert set(jobs.FINAL) == {
        "finished",
        "incomplete",
        "failed",
        "timed_out",
        "interrupted",
        "cancelled",
    }
    assert set(jobs.ACTIVE) == {"queued", "running", "cancelling"}
    for state in jobs.ACTIVE:
        assert _reachable(jobs.TRANSITIONS, state) & set(jobs.FINAL), state
    assert all(len(s) <= 12 for s in STATES)  # the status column holds 12 characters


@pytest.mark.parametrize("state", sorted(STATES))
def test_illegal_transitions_are_refused_with_a_clear_error(state):
    for event in sorted(EVENTS - set(jobs.TRANSITIONS[state])):
        with pytest.raises(jobs.IllegalTransition) as caught:
            jobs.next_state(state, event)
        assert caught.value.status == 409
        assert f"a job {state} cannot {event}" in str(caught.value)
        if state in jobs.FINAL:
            assert "the state is final" in str(caught.value)
    with pytest.raises(jobs.IllegalTransition, match="unknown job state"):
        jobs.next_state("paused", "claim")


def test_held_deletions_are_reviewed_once():
    assert jobs.next_state("held", "apply", jobs.REVIEW) == "applied"
    for state in ("applied", "discarded"):
        with pytest.raises(jobs.IllegalTransition):
            jobs.next_state(state, "discard", jobs.REVIEW)


# -- against the database ---------------------------------------------------------------------
@pytest.fixture
def source(harvests):
    harvests.org()
    return harvests.source("lembar", "spreadsheet", "", schedule="PT6H")


def _queued(registry, source_id="lembar") -> str:
    with registry.db.transaction() as session:
        job, new = jobs.queue(session, source_id)
        assert new
        return job.id


def _running(registry, source_id="lembar") -> str:
    job_id = _queued(registry, source_id)
    with registry.db.transaction() as session:
        jobs.claim(session, job_id, "host:1")
    return job_id


def _job(registry, job_id) -> HarvestJob:
    with registry.db.session() as session:
        return jobs.get_job(session, job_id)


def test_queue_returns_the_active_job_and_checks_mode_and_actor(registry, source):
    job_id = _queued(registry)
    with registry.db.transaction() as session:
        again, new = jobs.queue(session, source, "full")
        assert (again.id, new) == (job_id, False)
        with pytest.raises(ValidationFailed, match="mode"):
            jobs.queue(session, source, "sometimes")
        with pytest.raises(Forbidden):
            jobs.queue(session, source, actor=Actor("x", "other-org", "editor"))
        assert jobs.queued(session) == [job_id]


def test_a_job_is_claimed_once(registry, source):
    job_id = _queued(registry)
    with registry.db.transaction() as session:
        jobs.claim(session, job_id, "host:1")
    with registry.db.transaction() as session, pytest.raises(Conflict, match="not queued"):
        jobs.claim(session, job_id, "host:2")
    job = _job(registry, job_id)
    assert (job.status, job.worker) == ("running", "host:1")
    assert job.started is not None


def test_heartbeat_only_while_the_job_runs(registry, source):
    job_id = _running(registry)
    with registry.db.transaction() as session:
        session.execute(
            update(HarvestJob)
            .where(HarvestJob.id == job_id)
            .values(heartbeat=utcnow() - timedelta(hours=1))
        )
    with registry.db.transaction() as session:
        assert jobs.beat(session, job_id)
    assert as_utc(_job(registry, job_id).heartbeat) > utcnow() - timedelta(minutes=1)
    with registry.db.transaction() as session:
        jobs.fail(session, job_id, "boom")
        assert not jobs.beat(session, job_id)


def test_cancel_a_queued_a_running_and_an_ended_job(registry, harvests, source):
    harvests.source("lain", "spreadsheet", "")
    queued = _queued(registry, "lain")
    running = _running(registry)
    with registry.db.transaction() as session:
        assert jobs.cancel(session, queued).status == "cancelled"
        assert jobs.cancel(session, running).status == "cancelling"
        assert jobs.cancel_requested(session, running)
        assert jobs.cancel(session, running).status == "cancelling"  # asked twice: no change
    assert _job(registry, queued).finished is not None
    assert "cancel requested" in _job(registry, running).message
    with registry.db.transaction() as session:
        assert jobs.finish(session, running, "stop", counts={}, gaps={}, message="x") == "cancelled"
    with registry.db.transaction() as session, pytest.raises(Conflict, match="already ended"):
        jobs.cancel(session, running)


def test_reap_ends_silent_and_overdue_jobs_only(registry, harvests, source):
    harvests.source("lain", "spreadsheet", "")
    harvests.source("ketiga", "spreadsheet", "")
    silent, overdue, healthy = (_running(registry, s) for s in ("lembar", "lain", "ketiga"))
    long_ago = utcnow() - timedelta(hours=3)
    with registry.db.transaction() as session:
        session.execute(
            update(HarvestJob).where(HarvestJob.id == silent).values(heartbeat=long_ago)
        )
        session.execute(update(HarvestJob).where(HarvestJob.id == overdue).values(started=long_ago))
    with registry.db.transaction() as session:
        assert sorted(jobs.reap(session, stale_after=60, job_timeout=3600)) == sorted(
            [silent, overdue]
        )
    assert _job(registry, silent).status == "interrupted"
    assert "stopped without ending the job" in _job(registry, silent).message
    assert _job(registry, overdue).status == "timed_out"
    assert _job(registry, healthy).status == "running"


def test_finish_ends_the_job_once_and_schedules_the_next_run(registry, source):
    job_id = _running(registry)
    with registry.db.transaction() as session:
        state = jobs.finish(
            session, job_id, "complete", counts={"created": 2}, gaps={"cost": 1}, message=None
        )
        assert state == "finished"
    job = _job(registry, job_id)
    assert (job.counts, job.gaps) == ({"created": 2}, {"cost": 1})
    with registry.db.session() as session:
        row = get_source(session, source)
        assert row.last_job_id == job_id
        assert as_utc(row.next_run_at) - as_utc(job.finished) == timedelta(hours=6)
    for event in ("complete", "fail", "cancel", "beat", "stop"):
        with registry.db.transaction() as session, pytest.raises(jobs.IllegalTransition):
            jobs.finish(session, job_id, event, counts={}, gaps={}, message=None)
    assert _job(registry, job_id).status == "finished"


def test_an_event_that_does_not_end_a_job_cannot_finish_it(registry, source):
    job_id = _running(registry)
    with registry.db.transaction() as session, pytest.raises(jobs.IllegalTransition):
        jobs.finish(session, job_id, "beat", counts={}, gaps={}, message=None)
    assert _job(registry, job_id).status == "running"


def test_fail_and_interrupt(registry, harvests, source):
    harvests.source("lain", "spreadsheet", "")
    failed, stopped = _running(registry), _running(registry, "lain")
    with registry.db.transaction() as session:
        assert jobs.fail(session, failed, "x" * 5000) == "failed"
        assert jobs.fail(session, stopped, "KeyboardInterrupt", interrupted=True) == "interrupted"
    assert len(_job(registry, failed).message) == 4000
    with registry.db.session() as session:  # a failure is not a run: the schedule stays
        assert get_source(session, source).last_job_id is None


def test_progress_never_changes_the_state(registry, source):
    job_id = _running(registry)
    with registry.db.transaction() as session:
        jobs.progress(session, job_id, {"seen": 3}, {}, mode="full")
        with pytest.raises(ValueError, match="status"):
            jobs.progress(session, job_id, {}, {}, status="finished")
    job = _job(registry, job_id)
    assert (job.status, job.mode, job.counts) == ("running", "full", {"seen": 3})


def test_held_deletions_are_held_then_applied_or_discarded_once(registry, harvests, source):
    harvests.source("lain", "spreadsheet", "")
    applied, discarded = _running(registry), _running(registry, "lain")
    with registry.db.transaction() as session:
        with pytest.raises(jobs.IllegalTransition, match="no deletions held"):
            jobs.discard(session, applied)
        jobs.hold(session, applied, ["b", "a"])
        jobs.hold(session, discarded, ["c"])
        with pytest.raises(jobs.IllegalTransition):
            jobs.hold(session, applied, ["d"])
        jobs.progress(session, applied, {"deleted": 1}, {})
    with registry.db.transaction() as session:
        assert jobs.apply(session, applied, 2).counts["deleted"] == 3
        assert jobs.discard(session, discarded).held_status == "discarded"
    with registry.db.transaction() as session, pytest.raises(jobs.IllegalTransition):
        jobs.apply(session, applied, 1)
    job = _job(registry, applied)
    assert (job.held, job.held_status) == (["a", "b"], "applied")


def test_the_next_run_follows_schedule_and_enabled(registry, source):
    with registry.db.transaction() as session:
        row = get_source(session, source)
        assert as_utc(jobs.schedule_next(row)) > utcnow() - timedelta(minutes=1)
        ran = utcnow()
        assert jobs.schedule_next(row, after=ran) == ran + timedelta(hours=6)
        row.enabled = False
        assert jobs.schedule_next(row, after=ran) is None
        row.enabled, row.schedule = True, "manual"
        assert jobs.schedule_next(row) is None and row.next_run_at is None
    assert jobs.schedule_interval("P1DT2H30M") == timedelta(days=1, hours=2, minutes=30)
    for bad in ("PT1M", "P", "1D", "daily"):
        with pytest.raises(ValueError):
            jobs.schedule_interval(bad)


def test_due_sources_are_queued_once(registry, harvests, source):
    harvests.source("manual", "spreadsheet", "", schedule="manual")
    with registry.db.transaction() as session:
        assert jobs.queue_due(session) == 1  # a new scheduled source is due at once
        assert jobs.queue_due(session) == 0  # it has a job active now
        [job_id] = jobs.queued(session)
        assert jobs.get_job(session, job_id).source_id == source
