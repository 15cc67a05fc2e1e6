"""The harvest runner: owns jobs from queued to a final state.

gather -> fetch -> transform -> import, in batches. Each batch is one transaction holding the
services, their history and change rows, the fetched originals and the job's counts, so a crash
loses nothing stored before it and the next run carries on (unchanged originals are skipped by
their hash). The rules (DESIGN.md, "Harvesting rules"):

- a bad record never aborts a job; the job always ends in a final state with counts and
  per-record errors; a job past its time limit ends ``timed_out``;
- unchanged records are skipped: a second run changes nothing;
- records that vanish become tombstones only after a complete pass without gather or fetch
  errors; when more than ``max_delete_share`` of a source's records would vanish at once, the
  deletions are held for review instead;
- one remote service arriving from two sources (same URI, or same authority and identifier) is
  one record; the source with the higher priority wins, and a record an agency published by
  hand is never overwritten by a harvest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from simpul import metrics
from simpul.errors import Conflict, ValidationFailed
from simpul.harvesters import carried, deletions, harvester_class, jobs
from simpul.harvesters.base import (
    Harvester,
    Item,
    NotModified,
    RecordProblem,
    SourceBroken,
    SourceSpec,
)
from simpul.harvesters.credentials import scrub
from simpul.harvesters.fetching import (
    Fetcher,
    FetchError,
    FetchLimits,
    Politeness,
    fetch_policy,
)
from simpul.harvesters.importing import Organizations
from simpul.harvesters.jobs import get_job
from simpul.harvesters.parallel import init_worker, transform_batch
from simpul.harvesters.report import JobReport
from simpul.harvesters.sources import get_source
from simpul.harvesters.storing import BatchStore, StoreContext
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.db import utcnow
from simpul.registry.models import (
    HarvestJob,
    HarvestRecord,
    HarvestSource,
)

log = logging.getLogger(__name__)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RunSettings:
    batch_size: int = 250
    job_timeout: float = 3600.0  # seconds a job may run
    heartbeat: float = 5.0
    stale_after: float = 60.0  # a running job silent this long is taken to have crashed
    max_delete_share: float = 0.2
    full_every: timedelta = timedelta(days=1)  # incremental sources still get a full pass
    max_errors_logged: int = 10_000
    # worker processes that transform and check large jobs (0: all in the job's own thread)
    check_workers: int = max(0, min(4, (os.cpu_count() or 1) - 1))


def settings_for(registry) -> RunSettings:
    extra = registry.settings.extra.get("harvest", {})
    return RunSettings(**{k: v for k, v in extra.items() if k in RunSettings.__annotations__})


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- entry points ---------------------------------------------------------------------------------
def harvest(
    registry,
    source_id: str,
    mode: str = "auto",
    *,
    actor: Actor = SYSTEM,
    progress: Progress | None = None,
    politeness: Politeness | None = None,
) -> HarvestJob:
    """Run a source now and return its job once it has ended (the CLI's ``simpul harvest``)."""
    settings = settings_for(registry)
    with registry.db.transaction() as session:
        jobs.reap(session, settings.stale_after, settings.job_timeout)
        job, new = jobs.queue(session, source_id, mode, actor)
        if not new and job.status in ("running", "cancelling"):
            raise Conflict(
                f"source {source_id!r} is being harvested now (job {job.id}); "
                f"see /api/v1/harvest-jobs/{job.id}",
                job=job.id,
            )
    return run_job(registry, job.id, progress=progress, politeness=politeness)


def run_job(
    registry,
    job_id: str,
    *,
    progress: Progress | None = None,
    politeness: Politeness | None = None,
) -> HarvestJob:
    """Claim a queued job and run it to a final state."""
    settings = settings_for(registry)
    with registry.db.transaction() as session:
        jobs.claim(session, job_id, worker_name())
    try:
        run = Run(registry, job_id, settings, progress, politeness)
    except Exception as exc:  # e.g. options a newer version no longer accepts
        log.exception("harvest job %s cannot start", job_id)
        with registry.db.transaction() as session:
            url = get_source(session, get_job(session, job_id).source_id).url
            jobs.fail(session, job_id, scrub(f"the source cannot be harvested: {exc}", url))
        with registry.db.session() as session:
            return get_job(session, job_id)
    beat = jobs.Heartbeat(registry, job_id, settings.heartbeat)
    beat.start()
    try:
        run.execute()
    except BaseException as exc:
        run.fail(exc)
        if not isinstance(exc, Exception):
            raise
    finally:
        beat.stop()
    with registry.db.session() as session:
        return get_job(session, job_id)


# -- one run --------------------------------------------------------------------------------------
@dataclass
class _Work:
    """A batch between its preparation and its storage."""

    fresh: list[Item] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    payload: list[tuple] = field(default_factory=list)  # what a worker must transform
    size: int = 0


class Run:
    """One run of a job; it stores through a ``BatchStore`` it hands a ``StoreContext``."""

    def __init__(self, registry, job_id, settings: RunSettings, progress, politeness):
        self.registry, self.job_id, self.settings = registry, job_id, settings
        self.progress = progress or (lambda n: None)
        self.seen: set[str] = set()
        self.broken: str | None = None  # why the pass is incomplete
        self.held_message: str | None = None
        self.full_batches = 0
        self.cancelled = False
        self.pool_broken = False
        self.deadline = time.monotonic() + settings.job_timeout
        with registry.db.session() as session:
            job = get_job(session, job_id)
            source = get_source(session, job.source_id)
            self.source_id, self.mode = source.id, job.mode
            self.priority, self.schedule = source.priority, source.schedule
            self.spec = SourceSpec(
                source.id,
                source.url,
                source.organization_id,
                dict(source.options),
                dict(source.secrets),
                dict(source.state),
                registry.settings.node_id,
            )
            self.kind = harvester_class(source.type)
            self.load_organizations(session)
            self.priorities = {
                row.id: row.priority
                for row in session.execute(select(HarvestSource.id, HarvestSource.priority))
            }
            self.known_before = session.scalar(
                select(func.count()).where(
                    HarvestRecord.source_id == source.id, HarvestRecord.status != "gone"
                )
            )
        self.report = JobReport(job_id, self.spec.url, settings.max_errors_logged)
        self.actor = Actor(f"harvest:{self.source_id}", self.spec.organization, "system")
        self.mapping = self.kind.mapping_key(self.spec.options)
        policy = fetch_policy(
            self.spec.options.get("fetch"),
            FetchLimits.from_settings(registry.settings),
            registry.settings.harvest_allow_private,
        )
        self.fetcher = Fetcher(
            policy,
            secret_headers=self.spec.secrets.get("headers"),
            secret_origin=self.spec.url or "",
            politeness=politeness,
            deadline=self.deadline,
        )
        self.harvester: Harvester = self.kind(self.spec, self.fetcher)
        self.store: BatchStore | None = None  # once the organizations are settled

    @property
    def counts(self) -> Counter[str]:
        return self.report.counts

    def _store_context(self) -> StoreContext:
        return StoreContext(
            db=self.registry.db,
            base_uri=self.registry.base_uri,
            provenance=self.registry.provenance,
            spec=self.spec,
            priority=self.priority,
            priorities=MappingProxyType(dict(self.priorities)),
            job_id=self.job_id,
            actor=self.actor,
            mapping=self.mapping,
            retransform=self.mode == "retransform",
            harvester=self.harvester,
            orgs=self.orgs,
            report=self.report,
        )

    # -- the pass ---------------------------------------------------------------------------------
    def execute(self) -> None:
        self.mode = self._resolve_mode()
        self._save(mode=self.mode)
        if self.mode == "retransform":
            items = self._stored_items()
        else:
            since = self.spec.state.get("cursor") if self.mode == "incremental" else None
            items = self._gather(since)
            if not carried.register_types(self) or not carried.register_organizations(self):
                items = iter(())
        self.store = BatchStore(self._store_context())
        self._run_batches(items)
        if not self.cancelled:
            carried.store_applications(self)
            carried.store_workspace(self)
        if getattr(self.harvester, "reset", False):  # the remote started over: a full pass
            self.mode = "full"
        self.fetcher.close()
        if self.mode == "full" and self.broken is None and not self.counts["fetch_errors"]:
            deletions.settle_vanished(self)
        elif self.mode == "full":
            self.counts["kept_unseen"] = deletions.unseen_count(self)
        self._finish()

    def load_organizations(self, session: Session) -> None:
        self.orgs = Organizations(session, self.spec.organization)
        self.orgs.types = self.registry.type_index(session)
        self.writable = {k: self.orgs.info[k] for k in self.orgs.writable}

    def _resolve_mode(self) -> str:
        if self.mode != "auto":
            if self.mode == "incremental" and not self.harvester.incremental:
                return "full"
            return self.mode
        state = self.spec.state
        if self.harvester.feed:
            return "incremental" if state.get("cursor") else "full"
        last_full = state.get("last_full_at")
        if (
            self.harvester.incremental
            and state.get("cursor")
            and last_full
            and datetime.fromisoformat(last_full) > utcnow() - self.settings.full_every
        ):
            return "incremental"
        return "full"

    def _gather(self, since: str | None) -> Iterator[Item]:
        try:
            checked = time.monotonic()
            for item in self.harvester.gather(since):
                yield item
                if time.monotonic() - checked > 1.0:  # a slow source: look for a cancel
                    checked = time.monotonic()
                    if self._cancelled():
                        return
            for note in self.harvester.notes:
                self.report.note_now(self.registry.db, None, note)
        except NotModified:
            with self.registry.db.transaction() as session:
                touched = session.execute(
                    update(HarvestRecord)
                    .where(
                        HarvestRecord.source_id == self.source_id,
                        HarvestRecord.status != "gone",
                    )
                    .values(seen_job_id=self.job_id)
                ).rowcount
            self.counts["unchanged"] += touched
            self.counts["not_modified"] = 1
        except (SourceBroken, FetchError) as exc:
            self.broken = str(exc)
            self.error_now(None, "gather", str(exc))
        except ValidationFailed as exc:
            self.broken = str(exc)
            self.error_now(None, "gather", str(exc))

    def _stored_items(self) -> Iterator[Item]:
        last = 0
        while True:
            with self.registry.db.session() as session:
                rows = session.execute(
                    select(
                        HarvestRecord.id,
                        HarvestRecord.key,
                        HarvestRecord.uri,
                        HarvestRecord.original,
                        HarvestRecord.media_type,
                    )
                    .where(HarvestRecord.source_id == self.source_id, HarvestRecord.id > last)
                    .where(HarvestRecord.status != "gone")
                    .order_by(HarvestRecord.id)
                    .limit(self.settings.batch_size)
                ).all()
            if not rows:
                return
            for row in rows:
                yield Item(row.key, zlib.decompress(row.original), row.media_type, row.uri)
            last = rows[-1].id

    # -- one batch --------------------------------------------------------------------------------
    def _run_batches(self, items: Iterable[Item]) -> None:
        """Batches in order; once a job proves large, records are transformed and checked in
        worker processes while this one fetches and stores (a pipeline two batches deep)."""
        pending: deque = deque()
        pool = None
        try:
            for batch in _batches(items, self.settings.batch_size):
                work = self._prepare(batch)
                if pool is None and self._wants_pool(len(batch)):
                    pool = self._start_pool()
                if pool is not None and work.payload and not self.pool_broken:
                    pending.append((work, pool.submit(transform_batch, work.payload)))
                else:
                    pending.append((work, None))
                while len(pending) > (2 if pool is not None else 0):
                    self._finish_batch(*pending.popleft())
                if time.monotonic() > self.deadline:
                    limit = self.settings.job_timeout
                    self.broken = f"the job ran past its time limit of {limit:.0f} s"
                    break
                if self._cancelled():
                    break
            while pending:
                self._finish_batch(*pending.popleft())
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _cancelled(self) -> bool:
        """Whether a cancel was requested (the run then stops where it is, deleting nothing)."""
        if not self.cancelled:
            with self.registry.db.session() as session:
                requested = jobs.cancel_requested(session, self.job_id)
            if requested:
                self.cancelled, self.broken = True, "cancelled on request"
        return self.cancelled

    def _wants_pool(self, batch_len: int) -> bool:
        self.full_batches += batch_len >= self.settings.batch_size
        return self.settings.check_workers > 0 and self.full_batches >= 2

    def _start_pool(self):
        from simpul.registry.workers import pool

        args = (self.kind.name, self.spec, self.orgs)
        return pool(self.registry.db, self.settings.check_workers, init_worker, args)

    def _prepare(self, items: list[Item]) -> _Work:
        """Dedupe, fetch what the listing left incomplete, and pick what needs transforming."""
        work = _Work()
        if self.harvester.feed:  # a later change of a record replaces an earlier one
            latest = {}
            for item in items:
                _fit(item)
                latest.pop(item.key, None)
                latest[item.key] = item
            items = list(latest.values())
        for item in items:
            _fit(item)
            if item.key in self.seen and self.harvester.feed:
                self.seen.discard(item.key)
                self.counts["seen"] -= 1
            if item.key in self.seen:
                self.counts["duplicates"] += 1
                work.errors.append(
                    self.report.error(
                        item.key, "duplicate", "the key appears again; the first is kept"
                    )
                )
                continue
            self.seen.add(item.key)
            self.counts["seen"] += 1
            self.harvester.seen_modified(item.modified)
            if not item.complete:
                try:
                    item = self.harvester.fetch(item)
                except (FetchError, SourceBroken, RecordProblem) as exc:
                    self.counts["fetch_errors"] += 1
                    work.errors.append(self.report.error(item.key, "fetch", str(exc)))
            work.fresh.append(item)  # a fetch error still counts as seen: never "vanished"
        work.size = len(items)
        with self.registry.db.session() as session:
            prior = self.store.prior(session, [i.key for i in work.fresh if i.complete])
        here = not self.kind.transform_in_worker  # cheaper from what this process parsed
        work.payload = [
            (i.key, i.original, i.media_type, i.uri, self._pretransform(i) if here else None)
            for i in work.fresh
            if i.complete and not self.store.unchanged(i, prior.get(i.key))
        ]
        return work

    def _pretransform(self, item: Item) -> tuple[str, Any]:
        try:
            return "transformed", self.harvester.transform(item)
        except RecordProblem as exc:
            return "problem", str(exc)
        except Exception as exc:
            return "bug", f"unexpected {type(exc).__name__}: {exc}"

    def _finish_batch(self, work: _Work, future) -> None:
        outcomes = {}
        if future is not None and not self.pool_broken:
            try:
                outcomes = dict(future.result())
            except Exception:  # a dead worker costs speed, never records
                log.warning("transform workers failed; continuing in this process", exc_info=True)
                self.pool_broken = True
        early = list(work.errors)  # duplicates and fetch errors, found before storing
        try:
            self.store.store(work.fresh, work.errors, outcomes)
        except DBAPIError:
            log.warning("a batch of %s was refused by the database; one by one", len(work.fresh))
            with self.registry.db.transaction() as session:
                self.report.log(session, early)
            for item in work.fresh:  # isolate the record the database refuses
                self._batch_retry(item, outcomes)
        self.progress(work.size)

    def _batch_retry(self, item: Item, outcomes: dict) -> None:
        try:
            self.store.store([item], [], outcomes)  # the report is as before when refused
        except DBAPIError as exc:
            reason = " ".join(str(exc.orig).split())[:500]
            self.error_now(item.key, "import", f"the database refused the record: {reason}")

    # -- bookkeeping ------------------------------------------------------------------------------
    def error_now(self, key: str | None, stage: str, message: str) -> None:
        self.report.log_now(self.registry.db, key, stage, message)

    def _save(self, **values: Any) -> None:
        with self.registry.db.transaction() as session:
            self.report.save(session, **values)

    def _finish(self) -> None:
        self.counts.update(self.harvester.skipped)
        timed_out = time.monotonic() > self.deadline
        event = "time_out" if timed_out else "complete"
        if self.broken and not timed_out:
            event = "break" if self.counts["seen"] else "fail"
        if self.cancelled:
            event = "stop"
        self.broken = scrub(self.broken, self.spec.url)
        message = self.broken or self.held_message
        if self.broken and self.mode == "full":
            message += "; nothing was deleted because the pass was incomplete"
        now = utcnow()
        with self.registry.db.transaction() as session:
            source = session.get(HarvestSource, self.source_id)
            state = dict(source.state)
            if self.broken is None and self.mode in ("full", "incremental"):
                if self.harvester.cursor and self.harvester.feed:
                    state["cursor"] = self.harvester.cursor  # the feed's own, opaque
                elif self.harvester.cursor:
                    state["cursor"] = max(
                        filter(None, [state.get("cursor"), self.harvester.cursor])
                    )
                state["validators"] = {**state.get("validators", {}), **self.harvester.validators}
                if self.mode == "full":
                    state["last_full_at"] = now.isoformat()
            state.update(self.harvester.state())
            if self.broken:
                state["last_error"] = {
                    "job": self.job_id,
                    "at": now.isoformat(),
                    "message": self.broken,
                }
            else:
                state["last_success"] = now.isoformat()
            source.state = state
            jobs.finish(
                session,
                self.job_id,
                event,
                counts=self.report.counts,
                gaps=self.report.gaps,
                message=message,
            )
        metrics.count_harvest(self.report.counts)

    def fail(self, exc: BaseException) -> None:
        """The job ends in a final state whatever happened."""
        interrupted = not isinstance(exc, Exception)
        log.error(
            "harvest job %s %s: %r", self.job_id, "interrupted" if interrupted else "failed", exc
        )
        try:
            self.fetcher.close()
            with self.registry.db.transaction() as session:
                self.report.save(session)
                message = scrub(f"{type(exc).__name__}: {exc}", self.spec.url)
                jobs.fail(session, self.job_id, message, interrupted=interrupted)
        except Exception:
            log.exception("could not record the end of job %s", self.job_id)


def _fit(item: Item) -> None:
    """Keys and URIs longer than the columns hold are replaced by a digest / dropped."""
    if len(item.key) > 1000:
        item.key = "sha256:" + hashlib.sha256(item.key.encode()).hexdigest()
    if item.uri and len(item.uri) > 1000:
        item.uri = None


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
