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
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from simpul.errors import Conflict, ValidationFailed
from simpul.harvesters import harvester_class, inventory
from simpul.harvesters.base import (
    Harvester,
    Item,
    NotModified,
    RecordProblem,
    SourceBroken,
    SourceSpec,
)
from simpul.harvesters.deletions import delete_vanished
from simpul.harvesters.fetching import Fetcher, FetchError, FetchPolicy, Politeness
from simpul.harvesters.importing import Checked, Organizations, check, register_organizations
from simpul.harvesters.sources import get_job, get_source, queue_job, schedule_interval
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import (
    HarvestError,
    HarvestJob,
    HarvestRecord,
    HarvestSource,
    Service,
)
from simpul.registry.services import Outcome, Prepared, content_hash, publish_many

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
        reap_stale(session, settings)
        job, new = queue_job(session, source_id, mode, actor)
        if not new and job.status == "running":
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
        claimed = session.execute(
            update(HarvestJob)
            .where(HarvestJob.id == job_id, HarvestJob.status == "queued")
            .values(status="running", started=utcnow(), heartbeat=utcnow(), worker=worker_name())
        ).rowcount
        if not claimed:
            raise Conflict(f"harvest job {job_id!r} is not queued (taken by another worker?)")
    try:
        run = _Run(registry, job_id, settings, progress, politeness)
    except Exception as exc:  # e.g. options a newer version no longer accepts
        log.exception("harvest job %s cannot start", job_id)
        with registry.db.transaction() as session:
            job = get_job(session, job_id)
            job.status, job.finished = "failed", utcnow()
            job.message = f"the source cannot be harvested: {exc}"[:4000]
        with registry.db.session() as session:
            return get_job(session, job_id)
    beat = _Heartbeat(registry, job_id, settings.heartbeat)
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


def reap_stale(session: Session, settings: RunSettings) -> list[str]:
    """End jobs whose process died (no heartbeat) or that ran past their time limit."""
    now = utcnow()
    running = session.scalars(select(HarvestJob).where(HarvestJob.status == "running")).all()
    reaped = []
    for job in running:
        beat = as_utc(job.heartbeat or job.started)
        started = as_utc(job.started)
        if beat < now - timedelta(seconds=settings.stale_after):
            job.status = "interrupted"
            job.message = (
                f"the harvest process ({job.worker}) stopped without ending the job (last sign "
                f"of life {beat.isoformat()}); records stored until then are kept"
            )
        elif started < now - timedelta(seconds=settings.job_timeout * 1.5):
            job.status = "timed_out"
            job.message = f"the job ran past its time limit of {settings.job_timeout:.0f} s"
        else:
            continue
        job.finished = now
        reaped.append(job.id)
    return reaped


# -- one run --------------------------------------------------------------------------------------
class _Heartbeat(threading.Thread):
    def __init__(self, registry, job_id: str, every: float):
        super().__init__(daemon=True, name=f"heartbeat-{job_id}")
        self.registry, self.job_id, self.every = registry, job_id, every
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            try:
                with self.registry.db.transaction() as session:
                    session.execute(
                        update(HarvestJob)
                        .where(HarvestJob.id == self.job_id, HarvestJob.status == "running")
                        .values(heartbeat=utcnow())
                    )
            except Exception:  # a busy database must not kill the job; the next beat retries
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)


@dataclass
class _Work:
    """A batch between its preparation and its storage."""

    fresh: list[Item] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    payload: list[tuple] = field(default_factory=list)  # what a worker must transform
    size: int = 0


@dataclass
class _Contribution:
    """An API of a gateway: an entry of the integration inventory, maybe a channel."""

    item: Item
    transformed: Any
    prior: Any
    unchanged: bool = False


@dataclass
class _Candidate:
    item: Item
    checked: Checked
    prior: Any  # the stored HarvestRecord row of this key, if any
    claims: bool = False  # takes the record over from another source


class _Run:
    def __init__(self, registry, job_id, settings: RunSettings, progress, politeness):
        self.registry, self.job_id, self.settings = registry, job_id, settings
        self.progress = progress or (lambda n: None)
        self.counts: Counter[str] = Counter()
        self.gaps: Counter[str] = Counter()
        self.seen: set[str] = set()
        self.broken: str | None = None  # why the pass is incomplete
        self.errors_logged = 0
        self.held_message: str | None = None
        self.full_batches = 0
        self.pool_broken = False
        self._failed: list[tuple[Item, Any, str]] = []  # records whose transform failed
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
            self.orgs = Organizations(session, source.organization_id)
            self.writable = {k: self.orgs.info[k] for k in self.orgs.writable}
            self.priorities = {
                row.id: row.priority
                for row in session.execute(select(HarvestSource.id, HarvestSource.priority))
            }
            self.known_before = session.scalar(
                select(func.count()).where(
                    HarvestRecord.source_id == source.id, HarvestRecord.status != "gone"
                )
            )
        self.actor = Actor(f"harvest:{self.source_id}", self.spec.organization, "system")
        self.mapping = self.kind.mapping_key(self.spec.options)
        policy = FetchPolicy(
            allow_private=registry.settings.harvest_allow_private,
            **{
                k: v
                for k, v in self.spec.options.get("fetch", {}).items()
                if k in FetchPolicy.__annotations__ and k != "allow_private"
            },
        )
        self.fetcher = Fetcher(
            policy,
            headers=self.spec.secrets.get("headers"),
            politeness=politeness,
            deadline=self.deadline,
        )
        self.harvester: Harvester = self.kind(self.spec, self.fetcher)

    # -- the pass ---------------------------------------------------------------------------------
    def execute(self) -> None:
        self.mode = self._resolve_mode()
        self._save(mode=self.mode)
        if self.mode == "retransform":
            items = self._stored_items()
        else:
            since = self.spec.state.get("cursor") if self.mode == "incremental" else None
            items = self._gather(since)
            if not self._register_organizations():
                items = iter(())
        self._run_batches(items)
        if getattr(self.harvester, "reset", False):  # the remote started over: a full pass
            self.mode = "full"
        self.fetcher.close()
        if self.mode == "full" and self.broken is None and not self.counts["fetch_errors"]:
            self._vanished()
        elif self.mode == "full":
            self.counts["kept_unseen"] = self._unseen_count()
        self._finish()

    def _register_organizations(self) -> bool:
        """Organizations the remote's records name (other Simpul nodes), registered under the
        source's organization when unknown here. False when the remote cannot say."""
        try:
            remote = self.harvester.organizations()
        except (FetchError, SourceBroken) as exc:
            self.broken = str(exc)
            self._error_now(None, "gather", str(exc))
            return False
        if not remote:
            return True
        with self.registry.db.transaction() as session:
            created = register_organizations(session, remote, self.spec.organization)
            self.orgs = Organizations(session, self.spec.organization)
            self.writable = {k: self.orgs.info[k] for k in self.orgs.writable}
        if created:
            self.counts["organizations_added"] = created
        return True

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
            yield from self.harvester.gather(since)
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
            self._error_now(None, "gather", str(exc))
        except ValidationFailed as exc:
            self.broken = str(exc)
            self._error_now(None, "gather", str(exc))

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
            while pending:
                self._finish_batch(*pending.popleft())
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _wants_pool(self, batch_len: int) -> bool:
        self.full_batches += batch_len >= self.settings.batch_size
        return self.settings.check_workers > 0 and self.full_batches >= 2

    def _start_pool(self):
        from simpul.registry.workers import pool

        args = (self.kind.name, self.spec, self.orgs)
        return pool(self.registry.db, self.settings.check_workers, _init_worker, args)

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
                    self._error(item.key, "duplicate", "the key appears again; the first is kept")
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
                    work.errors.append(self._error(item.key, "fetch", str(exc)))
            work.fresh.append(item)  # a fetch error still counts as seen: never "vanished"
        work.size = len(items)
        with self.registry.db.session() as session:
            prior = self._prior(session, [i.key for i in work.fresh if i.complete])
        here = not self.kind.transform_in_worker  # cheaper from what this process parsed
        work.payload = [
            (i.key, i.original, i.media_type, i.uri, self._pretransform(i) if here else None)
            for i in work.fresh
            if i.complete and not self._unchanged(i, prior.get(i.key))
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
            self._store(work.fresh, work.errors, outcomes)
        except DBAPIError:
            log.warning("a batch of %s was refused by the database; one by one", len(work.fresh))
            with self.registry.db.transaction() as session:
                self._log_errors(session, early)
            for item in work.fresh:  # isolate the record the database refuses
                self._batch_retry(item, outcomes)
        self.progress(work.size)

    def _batch_retry(self, item: Item, outcomes: dict) -> None:
        snapshot = (Counter(self.counts), Counter(self.gaps))
        try:
            self._store([item], [], outcomes)
        except DBAPIError as exc:
            self.counts, self.gaps = snapshot
            self._failed = []
            reason = " ".join(str(exc.orig).split())[:500]
            self._error_now(item.key, "import", f"the database refused the record: {reason}")

    def _store(self, fresh: list[Item], errors: list[dict[str, Any]], outcomes: dict) -> None:
        """One transaction: services, history, originals, errors and the job's counts."""
        snapshot = (Counter(self.counts), Counter(self.gaps))
        try:
            with self.registry.db.transaction() as session:
                self._store_in(session, fresh, errors, outcomes)
        except DBAPIError:
            self.counts, self.gaps = snapshot  # nothing of the batch was stored
            raise

    def _store_in(self, session: Session, fresh: list[Item], errors: list, outcomes: dict) -> None:
        prior = self._prior(session, [i.key for i in fresh])
        candidates: list = []
        touched: list[int] = []
        tombstones = []
        for item in fresh:
            row = prior.get(item.key)
            if item.tombstone:
                tombstones.append((item, row))
                continue
            if not item.complete:
                if row is not None:
                    touched.append(row.id)
                continue
            if self._unchanged(item, row) and row.status != "contrib":
                touched.append(row.id)
                self.counts["unchanged"] += 1
                continue
            candidate = self._transform(item, row, errors, outcomes.get(item.key))
            if isinstance(candidate, _Contribution):  # links are re-checked every run
                candidate.unchanged = self._unchanged(item, row)
            if candidate is not None:
                candidates.append(candidate)
        self._import(session, candidates, errors)
        if tombstones:
            self._tombstones(session, tombstones)
        if touched:
            session.execute(
                update(HarvestRecord)
                .where(HarvestRecord.id.in_(touched))
                .values(seen_job_id=self.job_id)
            )
        self._log_errors(session, errors)
        self._save_in(session)

    def _tombstones(self, session: Session, tombstones: list[tuple[Item, Any]]) -> None:
        """The remote deleted these: retire what this source brought, keep the tombstone."""
        rows = [row for _, row in tombstones if row is not None and row.status != "gone"]
        if rows:
            self.counts["deleted"] += delete_vanished(
                session, self.source_id, rows, self.actor, self.writable, self.registry.base_uri
            )
        self.counts["tombstones"] += len(tombstones)
        known = [(item, row) for item, row in tombstones if row is not None]
        if known:
            session.execute(
                update(HarvestRecord),
                [
                    {**self._record_row(item, row, "gone", None, None, None), "id": row.id}
                    for item, row in known
                ],
            )

    def _prior(self, session: Session, keys: list[str]) -> dict[str, Any]:
        if not keys:
            return {}
        columns = (
            HarvestRecord.id,
            HarvestRecord.key,
            HarvestRecord.original_hash,
            HarvestRecord.mapping_version,
            HarvestRecord.status,
            HarvestRecord.service_id,
        )
        query = select(*columns).where(
            HarvestRecord.source_id == self.source_id, HarvestRecord.key.in_(keys)
        )
        return {row.key: row for row in session.execute(query)}

    def _unchanged(self, item: Item, row) -> bool:
        return (
            self.mode != "retransform"
            and row is not None
            and row.status in ("ok", "shadowed", "contrib")
            and row.original_hash == item.original_hash
            and row.mapping_version == self.mapping
        )

    def _transform(self, item: Item, row, errors: list, outcome=None):
        """A candidate record, a contribution (API gateways), or None when it failed (counted
        and kept with its error). ``outcome`` is what a worker process already computed."""
        kind, value = outcome or transform_one(self.harvester, self.orgs, item)
        if kind == "inventory":
            return _Contribution(item, value, row)
        if kind == "checked":
            return _Candidate(item, value, row)
        if kind == "bug":
            log.error("transforming %s of %s: %s", item.key, self.source_id, value)
        self.counts["errors"] += 1
        errors.append(self._error(item.key, "transform", value))
        self._store_failed(item, row, value)
        return None

    def _store_failed(self, item: Item, row, message: str) -> None:
        self._failed.append((item, row, message))

    def _import(self, session: Session, candidates: list, errors: list) -> None:
        failed, self._failed = self._failed, []
        records: list[dict[str, Any]] = []
        for item, row, message in failed:
            records.append(self._record_row(item, row, "error", None, None, [message]))
        for contribution in [c for c in candidates if isinstance(c, _Contribution)]:
            records.append(self._contribute(session, contribution, errors))
        candidates = [c for c in candidates if isinstance(c, _Candidate)]
        if candidates:
            self._identify(session, candidates)
            decisions = self._decide(session, candidates)
            to_publish = [c for c, d in zip(candidates, decisions, strict=True) if d is None]
            published = self._publish(session, to_publish)
            for candidate, decision in zip(candidates, decisions, strict=True):
                checked = candidate.checked
                if decision is None:
                    service_id, outcome = published[id(candidate)]
                    self.counts[outcome.value] += 1
                    status = "ok"
                    for gap in checked.gaps:
                        self.gaps[gap] += 1
                else:
                    service_id, reason = decision
                    self.counts["shadowed"] += 1
                    status = "shadowed"
                    checked.notes.append(reason)
                for note in checked.notes:
                    errors.append(self._error(candidate.item.key, "note", note))
                records.append(
                    self._record_row(
                        candidate.item,
                        candidate.prior,
                        status,
                        service_id,
                        checked.gaps,
                        checked.notes or None,
                    )
                )
        inserts = [r for r in records if "id" not in r]
        updates = [r for r in records if "id" in r]
        if inserts:
            session.execute(insert(HarvestRecord.__table__), inserts)
        if updates:
            session.execute(update(HarvestRecord), updates)

    def _contribute(self, session: Session, c: _Contribution, errors: list) -> dict[str, Any]:
        entry = c.transformed.inventory
        row = inventory.upsert(session, self.source_id, entry)
        service_id, outcome = inventory.link(
            session, row, entry, self.writable, self.actor, self.registry.base_uri
        )
        self.counts["linked" if service_id else "unlinked"] += 1
        if outcome in ("updated", "restored"):
            self.counts["updated"] += 1
        elif c.unchanged:
            self.counts["unchanged"] += 1
            return self._record_row(c.item, c.prior, "contrib", service_id, None, None)
        notes = list(c.transformed.notes)
        if not service_id:
            notes.append(outcome)
        for note in notes:
            errors.append(self._error(c.item.key, "note", note))
        return self._record_row(c.item, c.prior, "contrib", service_id, None, notes or None)

    def _record_row(self, item, prior, status, service_id, gaps, notes) -> dict[str, Any]:
        values = {
            "uri": item.uri,
            "service_id": service_id if service_id else (prior.service_id if prior else None),
            "original": zlib.compress(item.original, 1),
            "media_type": item.media_type,
            "original_hash": item.original_hash,
            "mapping_version": self.mapping,
            "status": status,
            "gaps": gaps or None,
            "errors": notes or None,
            "fetched_at": utcnow(),
            "seen_job_id": self.job_id,
        }
        if prior is not None:
            return {"id": prior.id, **values}
        return {"source_id": self.source_id, "key": item.key, **values}

    # -- identity and priority --------------------------------------------------------------------
    def _identify(self, session: Session, candidates: list[_Candidate]) -> None:
        """A remote URI another source already brought makes this the same service."""
        uris = {c.item.uri for c in candidates if c.item.uri}
        if not uris:
            return
        query = (
            select(HarvestRecord.uri, Service.authority, Service.identifier)
            .join(Service, Service.id == HarvestRecord.service_id)
            .where(HarvestRecord.uri.in_(uris), HarvestRecord.source_id != self.source_id)
        )
        known = {row.uri: (row.authority, row.identifier) for row in session.execute(query)}
        for candidate in candidates:
            target = known.get(candidate.item.uri)
            data = candidate.checked.prepared.data
            if target is None or (data["authority"], data["identifier"]) == target:
                continue
            authority, identifier = target
            if authority not in self.orgs.info:
                continue
            data = {**data, "authority": authority, "identifier": identifier}
            prepared = candidate.checked.prepared
            candidate.checked.prepared = prepared._replace(
                data=data, content_hash=content_hash(data), organization=self.orgs.info[authority]
            )

    def _decide(self, session: Session, candidates: list[_Candidate]) -> list:
        """None to publish, or (service id, why not) when another copy wins."""
        keys = {c.checked.prepared.key for c in candidates}
        stored = {}
        by_authority: dict[str, list[str]] = {}
        for authority, identifier in keys:
            by_authority.setdefault(authority, []).append(identifier)
        for authority, identifiers in by_authority.items():
            query = select(
                Service.id, Service.authority, Service.identifier, Service.provenance
            ).where(
                Service.authority == authority,
                Service.identifier.in_(identifiers),
                Service.deleted_at.is_(None),
            )
            for row in session.execute(query):
                stored[(row.authority, row.identifier)] = row
        decisions = []
        for candidate in candidates:
            prepared = candidate.checked.prepared
            row = stored.get(prepared.key)
            decisions.append(self._winner(session, candidate, row))
        return decisions

    def _winner(self, session: Session, candidate: _Candidate, row):
        prepared = candidate.checked.prepared
        sources = [self.source_id]
        extra = candidate.checked.provenance or {}
        if row is not None:
            provenance = row.provenance or {}
            if provenance.get("method") != "harvest":
                return row.id, "published by hand in Simpul; the harvest does not overwrite it"
            sources = list(dict.fromkeys([*provenance.get("sources", []), self.source_id]))
            holder = provenance.get("source")
            federated = _federation_rule(provenance, extra)
            if federated is not None:
                if holder != self.source_id and self.source_id not in provenance.get("sources", []):
                    session.execute(
                        update(Service)
                        .where(Service.id == row.id)
                        .values(provenance={**provenance, "sources": sources})
                    )
                return row.id, federated
            if extra.get("origin") and provenance.get("origin"):
                pass  # a newer version, or the authoritative copy: federation decides
            elif (
                holder not in (None, self.source_id)
                and holder in self.priorities
                and self.priorities[holder] > self.priority
            ):
                if self.source_id not in provenance.get("sources", []):
                    session.execute(
                        update(Service)
                        .where(Service.id == row.id)
                        .values(provenance={**provenance, "sources": sources})
                    )
                return row.id, f"source {holder!r} has a higher priority and brings this service"
            if prepared.data["authority"] not in self.orgs.writable:
                return row.id, f"{prepared.data['authority']!r} is not writable by this source"
        candidate.claims = row is not None and (row.provenance or {}).get("source") not in (
            None,
            self.source_id,
        )
        candidate.checked.prepared = prepared._replace(
            provenance={
                "source": self.source_id,
                "sources": sources,
                "job": self.job_id,
                "original_key": candidate.item.key,
                "original_uri": candidate.item.uri,
                "mapping": self.mapping,
                "fetched_at": utcnow().isoformat(),
                **extra,
            }
        )
        return None

    def _publish(self, session: Session, candidates: list[_Candidate]) -> dict:
        if not candidates:
            return {}
        base = self.registry.provenance(self.actor, "harvest")
        prepared: list[Prepared] = [c.checked.prepared for c in candidates]
        prepared = inventory.overlay(session, prepared)
        results = publish_many(
            session, prepared, self.actor, base_uri=self.registry.base_uri, provenance=base
        )
        for candidate, ready, (service_id, outcome) in zip(
            candidates, prepared, results, strict=True
        ):
            if outcome is Outcome.UNCHANGED and candidate.claims:  # same content, new holder
                provenance = {**base, **ready.provenance, "content_hash": ready.content_hash}
                session.execute(
                    update(Service).where(Service.id == service_id).values(provenance=provenance)
                )
        return {id(c): r for c, r in zip(candidates, results, strict=True)}

    # -- vanished records -------------------------------------------------------------------------
    def _unseen(self, session: Session):
        return session.execute(
            select(
                HarvestRecord.id,
                HarvestRecord.key,
                HarvestRecord.service_id,
                HarvestRecord.status,
            ).where(
                HarvestRecord.source_id == self.source_id,
                HarvestRecord.status != "gone",
                HarvestRecord.seen_job_id != self.job_id,
            )
        ).all()

    def _unseen_count(self) -> int:
        with self.registry.db.session() as session:
            return len(self._unseen(session))

    def _vanished(self) -> None:
        with self.registry.db.transaction() as session:
            rows = self._unseen(session)
            if not rows:
                return
            share = len(rows) / max(self.known_before, 1)
            limit = float(self.spec.options.get("max_delete_share", self.settings.max_delete_share))
            if share > limit:
                job = session.get(HarvestJob, self.job_id)
                job.held = sorted({r.service_id for r in rows if r.service_id and r.status == "ok"})
                job.held_status = "held"
                self.counts["held"] = len(rows)
                self.held_message = (
                    f"{len(rows)} of {self.known_before} records ({share:.0%}) vanished at once, "
                    f"more than the {limit:.0%} allowed: their deletion is held for review"
                )
                return
            self.counts["deleted"] += delete_vanished(
                session, self.source_id, rows, self.actor, self.writable, self.registry.base_uri
            )

    # -- bookkeeping ------------------------------------------------------------------------------
    def _error(self, key: str | None, stage: str, message: str) -> dict[str, Any]:
        return {"job_id": self.job_id, "key": key, "stage": stage, "message": message[:4000]}

    def _log_errors(self, session: Session, errors: list[dict[str, Any]]) -> None:
        room = self.settings.max_errors_logged - self.errors_logged
        if errors and room > 0:
            session.execute(insert(HarvestError.__table__), errors[:room])
            self.errors_logged += min(room, len(errors))

    def _error_now(self, key: str | None, stage: str, message: str) -> None:
        self.counts["errors"] += 1
        with self.registry.db.transaction() as session:
            self._log_errors(session, [self._error(key, stage, message)])

    def _save_in(self, session: Session, **values: Any) -> None:
        session.execute(
            update(HarvestJob)
            .where(HarvestJob.id == self.job_id)
            .values(counts=dict(self.counts), gaps=dict(self.gaps), heartbeat=utcnow(), **values)
        )

    def _save(self, **values: Any) -> None:
        with self.registry.db.transaction() as session:
            self._save_in(session, **values)

    def _finish(self) -> None:
        self.counts.update(self.harvester.skipped)
        timed_out = time.monotonic() > self.deadline
        status = "timed_out" if timed_out else "finished"
        if self.broken and not timed_out:
            status = "incomplete" if self.counts["seen"] else "failed"
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
            interval = schedule_interval(self.schedule)
            source.next_run_at = now + interval if interval and source.enabled else None
            source.last_job_id = self.job_id
            self._save_in(session, status=status, finished=now, message=message)

    def fail(self, exc: BaseException) -> None:
        """The job ends in a final state whatever happened."""
        status = "interrupted" if not isinstance(exc, Exception) else "failed"
        log.error("harvest job %s %s: %r", self.job_id, status, exc)
        try:
            self.fetcher.close()
            with self.registry.db.transaction() as session:
                self._save_in(
                    session,
                    status=status,
                    finished=utcnow(),
                    message=f"{type(exc).__name__}: {exc}"[:4000],
                )
        except Exception:
            log.exception("could not record the end of job %s", self.job_id)


def _federation_rule(stored: dict[str, Any], incoming: dict[str, Any]) -> str | None:
    """Between two copies of one record from other nodes: why the incoming one loses, or None.
    A newer origin version wins; at the same version the copy that travelled fewer hops (the
    authoritative one, from the node where the authority publishes) wins."""
    mine, theirs = stored.get("origin"), incoming.get("origin")
    if not mine or not theirs or mine.get("uri") != theirs.get("uri"):
        return None
    have, got = mine.get("version") or 0, theirs.get("version") or 0
    if got < have:
        return f"an older version ({got}) than the one held ({have})"
    if got == have and len(incoming.get("chain", [])) >= len(stored.get("chain", [])):
        if incoming.get("via") == stored.get("via"):
            return None  # the same path again: the ordinary rules apply
        return "a relayed copy; the copy from nearer its origin is held"
    return None


def transform_one(
    harvester: Harvester, orgs: Organizations, item: Item, done: tuple | None = None
) -> tuple[str, Any]:
    """Transform and check one record: ("checked", Checked), ("inventory", Transformed), or
    ("problem" | "bug", message). ``done`` is a transform already made elsewhere. A plain
    function, so worker processes can run it."""
    if done is not None and done[0] != "transformed":
        return done
    try:
        transformed = done[1] if done is not None else harvester.transform(item)
        if transformed.inventory is not None:
            return "inventory", transformed
        return "checked", check(transformed, orgs, item.key)
    except RecordProblem as exc:
        return "problem", str(exc)
    except Exception as exc:  # a mapping bug must not end the job
        return "bug", f"unexpected {type(exc).__name__}: {exc}"


_WORKER: dict[str, Any] = {}


def _init_worker(kind: str, spec: SourceSpec, orgs: Organizations) -> None:
    fetcher = Fetcher(FetchPolicy(retries=0))  # transforms never fetch
    _WORKER["harvester"] = harvester_class(kind)(spec, fetcher)
    _WORKER["orgs"] = orgs


def transform_batch(payload: list[tuple]) -> list[tuple[str, tuple[str, Any]]]:
    """In a worker process: transform and check."""
    harvester, orgs = _WORKER["harvester"], _WORKER["orgs"]
    out = []
    for key, original, media_type, uri, done in payload:
        item = Item(key, original, media_type, uri)
        out.append((key, transform_one(harvester, orgs, item, done)))
    return out


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
