"""Bulk publishing of applications (``simpul applications load``): JSON Lines, or rows a
spreadsheet reader turned into records. Each record is checked on its own (a bad one is
reported with its line or row and nothing of it is stored); good ones are stored in batches,
each in one transaction. The owner's services are read once, so linking costs no query."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import orjson

from simpul.errors import NotFound, ValidationFailed
from simpul.registry import applications
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.bulk import BOM, LoadReport
from simpul.registry.context import Registry
from simpul.registry.db import Database
from simpul.registry.services import org_infos
from simpul.registry.workers import ordered_map
from simpul.registry.workers import pool as worker_pool

Numbered = tuple[int, Any]  # line or row number, the raw record (or why it is unreadable: str)


def jsonl_records(stream: IO[bytes]) -> Iterator[Numbered]:
    for number, line in enumerate(stream, start=1):
        if number == 1 and line.startswith(BOM):
            line = line[len(BOM) :]
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield number, f"malformed JSON at column {exc.colno}: {exc.msg}"


def load_applications(
    registry: Registry,
    records: Iterable[Numbered],
    organization: str,
    *,
    actor: Actor = SYSTEM,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> LoadReport:
    """Publish applications for ``organization`` (each may name its services by identifier).
    ``workers`` > 1 checks batches in that many processes while this one stores."""
    with registry.db.session() as session:
        orgs = org_infos(session)
        if organization not in orgs:
            raise NotFound(f"no organization {organization!r}; add it with 'simpul orgs add'")
        actor.require_write(organization)
        refs = applications.ServiceRefs(session)
        refs.preload(organization)
    provenance = registry.provenance(actor, "load")
    report = LoadReport()
    args = (orgs, refs.known, organization, registry.settings.database_url)
    batches = _batches(records, batch_size)
    if workers > 1:
        with worker_pool(registry.db, workers, _init_checker, args) as pool:
            for good, bad in ordered_map(pool, _check_batch, batches, inflight=workers * 2):
                _take(registry, good, bad, actor, provenance, report, progress)
    else:
        _init_checker(*args)
        for good, bad in map(_check_batch, batches):
            _take(registry, good, bad, actor, provenance, report, progress)
    report.errors.sort()
    registry.db.analyze("applications", "application_services")
    return report


def _batches(records: Iterable[Numbered], size: int) -> Iterator[list[Numbered]]:
    batch: list[Numbered] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _take(registry, good, bad, actor, provenance, report: LoadReport, progress) -> None:
    for number, message in bad:
        report.add_error(number, message)
    _store(registry, good, actor, provenance, report)
    if progress:
        progress(len(good) + len(bad))


# -- checking (in worker processes for large inputs) ----------------------------------------------
_context: dict[str, Any] = {}


def _init_checker(orgs, known, organization: str, database_url: str) -> None:
    def opener():  # only a reference that does not resolve needs the database
        if "db" not in _context:
            _context["db"] = Database(database_url)
        return _context["db"].session()

    refs = applications.ServiceRefs(None, opener)
    refs.known = known
    _context.update(orgs=orgs, refs=refs, organization=organization)


def _check_batch(batch: list[Numbered]):
    good, bad = [], []
    for number, raw in batch:
        outcome = _check(raw, _context["orgs"], _context["refs"], _context["organization"])
        (bad if isinstance(outcome, str) else good).append((number, outcome))
    return good, bad


def _check(raw, orgs, refs, organization) -> applications.PreparedApp | str:
    if isinstance(raw, str):
        return raw
    try:
        prepared = applications.prepare(raw, orgs.get, refs, organization)
    except ValidationFailed as exc:
        return "; ".join(f"{e['path'] or 'record'}: {e['message']}" for e in exc.errors)
    if prepared.data["organization"] != organization:
        return (
            f"organization: {prepared.data['organization']!r} differs from --org {organization!r}"
        )
    return prepared


def _store(registry, batch, actor, provenance, report: LoadReport) -> None:
    if not batch:
        return
    try:
        with registry.db.transaction() as session:
            results = applications.publish_many(
                session,
                [p for _, p in batch],
                actor,
                base_uri=registry.base_uri,
                provenance=provenance,
            )
    except Exception:
        if len(batch) == 1:
            report.add_error(batch[0][0], "could not be stored (the database refused it)")
            return
        for item in batch:  # isolate the record the database refused
            _store(registry, [item], actor, provenance, report)
        return
    for _, outcome in results:
        report.counts[outcome.value] += 1
