"""Storing one batch of a harvest: what changed, what it becomes, who holds it.

The runner hands a ``BatchStore`` everything it needs once, in a frozen ``StoreContext``
(database, source, job, actor, mapping, the organizations the source may write for, the job's
report); the store writes one transaction per batch: the services with their history and
change rows, the fetched originals, the integration inventory, tombstones. The only thing the
run and the store both change is the report (counts and errors).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from simpul.harvesters import inventory
from simpul.harvesters.base import Harvester, Item, RecordProblem, SourceSpec, loads_json
from simpul.harvesters.deletions import delete_vanished
from simpul.harvesters.importing import Checked, Organizations, check
from simpul.harvesters.report import JobReport
from simpul.registry import reviews
from simpul.registry.auth import Actor
from simpul.registry.db import utcnow
from simpul.registry.models import HarvestRecord, Service
from simpul.registry.schemas import safe_url
from simpul.registry.services import Outcome, Prepared, content_hash, publish_many

log = logging.getLogger("simpul.harvesters.runner")


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


@dataclass(frozen=True)
class StoreContext:
    """What storing a run's batches needs, fixed when the run starts storing."""

    db: Any  # the session factory: ``transaction()`` and ``session()``
    base_uri: str
    provenance: Callable[..., dict[str, Any]]  # (actor, method) -> where a write came from
    spec: SourceSpec
    priority: int
    priorities: Mapping[str, int]  # every source's priority: who wins a shared record
    job_id: str
    actor: Actor
    mapping: str  # the mapping version records are stored with
    retransform: bool  # every stored original is transformed again, changed or not
    harvester: Harvester
    orgs: Organizations  # scope: the source writes only for its organization and below
    report: JobReport  # the counts and errors sink


class BatchStore:
    """The storing half of a run (see ``runner.Run``)."""

    def __init__(self, context: StoreContext):
        self.ctx = context

    @property
    def source_id(self) -> str:
        return self.ctx.spec.id

    @property
    def counts(self):
        return self.ctx.report.counts

    @cached_property
    def writable(self):
        return {k: self.ctx.orgs.info[k] for k in self.ctx.orgs.writable}

    def store(self, fresh: list[Item], errors: list[dict[str, Any]], outcomes: dict) -> None:
        """One transaction: services, history, originals, errors and the job's counts."""
        snapshot = self.ctx.report.snapshot()
        try:
            with self.ctx.db.transaction() as session:
                self._store_in(session, fresh, errors, outcomes)
        except DBAPIError:
            self.ctx.report.restore(snapshot)  # nothing of the batch was stored
            raise

    def _store_in(self, session: Session, fresh: list[Item], errors: list, outcomes: dict) -> None:
        # read again inside the transaction: a batch ahead in the pipeline may have stored a
        # key since this one was prepared (feeds repeat keys)
        prior = self.prior(session, [i.key for i in fresh])
        candidates: list = []
        failed: list[tuple[Item, Any, str]] = []  # records whose transform failed
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
            if self.unchanged(item, row) and row.status != "contrib":
                touched.append(row.id)
                self.counts["unchanged"] += 1
                continue
            candidate = self._transform(item, row, errors, failed, outcomes.get(item.key))
            if isinstance(candidate, _Contribution):  # links are re-checked every run
                candidate.unchanged = self.unchanged(item, row)
            if candidate is not None:
                candidates.append(candidate)
        self._import(session, candidates, errors, failed)
        if tombstones:
            self._tombstones(session, tombstones)
        if touched:
            session.execute(
                update(HarvestRecord)
                .where(HarvestRecord.id.in_(touched))
                .values(seen_job_id=self.ctx.job_id)
            )
        self.ctx.report.log(session, errors)
        self.ctx.report.save(session)

    def _tombstones(self, session: Session, tombstones: list[tuple[Item, Any]]) -> None:
        """The remote deleted these: retire what this source brought, keep the tombstone."""
        rows = [row for _, row in tombstones if row is not None and row.status != "gone"]
        if rows:
            self.counts["deleted"] += delete_vanished(
                session, self.source_id, rows, self.ctx.actor, self.writable, self.ctx.base_uri
            )
        self.counts["tombstones"] += len(tombstones)
        known = [(item, row) for item, row in tombstones if row is not None]
        if known:
            session.execute(
                update(HarvestRecord),
                [self._record_row(item, row, "gone", None, None, None) for item, row in known],
            )

    def prior(self, session: Session, keys: list[str]) -> dict[str, Any]:
        """The stored records of these keys of this source."""
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

    def unchanged(self, item: Item, row) -> bool:
        """Whether ``row`` (stored) already holds ``item`` as fetched, mapped the same way."""
        return (
            not self.ctx.retransform
            and row is not None
            and row.status in ("ok", "shadowed", "contrib")
            and row.original_hash == item.original_hash
            and row.mapping_version == self.ctx.mapping
        )

    def _transform(self, item: Item, row, errors: list, failed: list, outcome=None):
        """A candidate record, a contribution (API gateways), or None when it failed (counted,
        and kept with its error through ``failed``). ``outcome`` is what a worker process
        already computed."""
        kind, value = outcome or transform_one(self.ctx.harvester, self.ctx.orgs, item)
        if kind == "inventory":
            return _Contribution(item, value, row)
        if kind == "checked":
            return _Candidate(item, value, row)
        if kind == "bug":
            log.error("transforming %s of %s: %s", item.key, self.source_id, value)
        self.counts["errors"] += 1
        errors.append(self.ctx.report.error(item.key, "transform", value))
        failed.append((item, row, value))
        return None

    def _import(self, session: Session, candidates: list, errors: list, failed: list) -> None:
        records: list[dict[str, Any]] = []
        for item, row, message in failed:
            records.append(self._record_row(item, row, "error", None, None, [message]))
        for contribution in [c for c in candidates if isinstance(c, _Contribution)]:
            records.append(self._contribute(session, contribution, errors))
        candidates = [c for c in candidates if isinstance(c, _Candidate)]
        if candidates:
            self._identify(session, candidates)
            candidates = self._within(candidates, errors, records)
        if candidates:
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
                        self.ctx.report.gaps[gap] += 1
                else:
                    service_id, reason = decision
                    self.counts["shadowed"] += 1
                    status = "shadowed"
                    checked.notes.append(reason)
                for note in checked.notes:
                    errors.append(self.ctx.report.error(candidate.item.key, "note", note))
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
            session, row, entry, self.writable, self.ctx.actor, self.ctx.base_uri
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
            errors.append(self.ctx.report.error(c.item.key, "note", note))
        return self._record_row(c.item, c.prior, "contrib", service_id, None, notes or None)

    def _record_row(self, item, prior, status, service_id, gaps, notes) -> dict[str, Any]:
        values = {
            "uri": item.uri,
            "service_id": service_id if service_id else (prior.service_id if prior else None),
            "original": zlib.compress(item.original, 1),
            "media_type": item.media_type,
            "original_hash": item.original_hash,
            "mapping_version": self.ctx.mapping,
            "status": status,
            "gaps": gaps or None,
            "errors": notes or None,
            "fetched_at": utcnow(),
            "seen_job_id": self.ctx.job_id,
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
            if authority not in self.ctx.orgs.info:
                continue
            if authority not in self.ctx.orgs.writable:  # refused by _within, never redirected
                candidate.checked.prepared = candidate.checked.prepared._replace(
                    data={**data, "authority": authority}
                )
                continue
            data = {**data, "authority": authority, "identifier": identifier}
            prepared = candidate.checked.prepared
            candidate.checked.prepared = prepared._replace(
                data=data,
                content_hash=content_hash(data),
                organization=self.ctx.orgs.info[authority],
            )

    def _within(self, candidates: list[_Candidate], errors: list, records: list) -> list:
        """The last word before storing, for every source type: a record is written only for
        an organization inside the source's own (``trust``), whatever the mapping did."""
        kept = []
        for candidate in candidates:
            authority = candidate.checked.prepared.data["authority"]
            if authority in self.ctx.orgs.writable:
                kept.append(candidate)
                continue
            message = (
                f"the service is held by {authority!r}, outside the organizations of "
                f"{self.ctx.orgs.owner!r} (the source's organization and those below it)"
            )
            self.counts["errors"] += 1
            errors.append(self.ctx.report.error(candidate.item.key, "import", message))
            records.append(
                self._record_row(candidate.item, candidate.prior, "error", None, None, [message])
            )
        return kept

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
                and holder in self.ctx.priorities
                and self.ctx.priorities[holder] > self.ctx.priority
            ):
                if self.source_id not in provenance.get("sources", []):
                    session.execute(
                        update(Service)
                        .where(Service.id == row.id)
                        .values(provenance={**provenance, "sources": sources})
                    )
                return row.id, f"source {holder!r} has a higher priority and brings this service"
            if prepared.data["authority"] not in self.ctx.orgs.writable:
                return row.id, f"{prepared.data['authority']!r} is not writable by this source"
        candidate.claims = row is not None and (row.provenance or {}).get("source") not in (
            None,
            self.source_id,
        )
        candidate.checked.prepared = prepared._replace(
            provenance={
                "source": self.source_id,
                "sources": sources,
                "job": self.ctx.job_id,
                "original_key": candidate.item.key,
                "original_uri": safe_url(candidate.item.uri),
                "mapping": self.ctx.mapping,
                "fetched_at": utcnow().isoformat(),
                **extra,
            }
        )
        return None

    def _publish(self, session: Session, candidates: list[_Candidate]) -> dict:
        if not candidates:
            return {}
        base = self.ctx.provenance(self.ctx.actor, "harvest")
        prepared: list[Prepared] = [c.checked.prepared for c in candidates]
        prepared = inventory.overlay(session, prepared)
        results = publish_many(
            session, prepared, self.ctx.actor, base_uri=self.ctx.base_uri, provenance=base
        )
        for candidate, ready, (service_id, outcome) in zip(
            candidates, prepared, results, strict=True
        ):
            if outcome is Outcome.UNCHANGED and candidate.claims:  # same content, new holder
                provenance = {**base, **ready.provenance, "content_hash": ready.content_hash}
                session.execute(
                    update(Service).where(Service.id == service_id).values(provenance=provenance)
                )
        if getattr(self.ctx.harvester, "feed", False):  # another node's records: its flags too
            reviews.mirror(
                session,
                {sid: _carried(c.item) for c, (sid, _) in zip(candidates, results, strict=True)},
            )
        return {id(c): r for c, r in zip(candidates, results, strict=True)}


def _carried(item: Item) -> dict[str, Any] | None:
    original = loads_json(item)
    return reviews.carried(original.get("state") if isinstance(original, dict) else None)


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
