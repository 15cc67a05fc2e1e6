"""Bulk publishing from JSON Lines (``simpul load``).

Each line is checked on its own; a bad line is reported with its number and reason and none of it
is stored. Good lines are stored in batches, each batch in one transaction, so a crash leaves every
record either fully stored (record, version and change) or not at all.

Checking a record (marshmallow) costs several times more than storing it, so large inputs are
checked in worker processes, batch by batch and in order, while this process stores the batches
already checked. Memory stays bounded: only a few batches are in flight at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

import orjson

from simpul.errors import NotFound, SimpulError, ValidationFailed
from simpul.registry import services
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.context import Registry
from simpul.registry.types import TypeIndex
from simpul.registry.workers import ordered_map
from simpul.registry.workers import pool as worker_pool

BOM = b"\xef\xbb\xbf"
PARALLEL_FROM_BYTES = 4 * 1024 * 1024  # below this, worker start-up costs more than it saves

Line = tuple[int, bytes | None, int]  # number, content (None: over the limit), bytes consumed
# A checked batch: (number, prepared record) pairs, (number, why) pairs, how much it consumed.
Checked = tuple[list[tuple[int, Any]], list[tuple[int, str]], int]
Publish = Callable[..., list[tuple[str, services.Outcome]]]  # ``services.publish_many``'s shape
T = TypeVar("T")


@dataclass
class LoadReport:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("created", "updated", "restored", "unchanged", "error"), 0
        )
    )
    errors: list[tuple[int, str]] = field(default_factory=list)

    def add_error(self, line: int, message: str) -> None:
        self.errors.append((line, message))
        self.counts["error"] += 1

    @property
    def stored(self) -> int:
        return sum(self.counts[k] for k in ("created", "updated", "restored"))


def _lines(stream: IO[bytes], limit: int) -> Iterator[Line]:
    number = 0
    while True:
        chunk = stream.readline(limit + 1)
        if not chunk:
            return
        number += 1
        consumed = len(chunk)
        if len(chunk) > limit and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the long line
                chunk = stream.readline(1 << 20)
                consumed += len(chunk)
            yield number, None, consumed
            continue
        if number == 1 and chunk.startswith(BOM):
            chunk = chunk[len(BOM) :]
        yield number, chunk, consumed


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def describe(exc: SimpulError) -> str:
    if exc.errors:
        return "; ".join(f"{e['path'] or 'record'}: {e['message']}" for e in exc.errors)
    return exc.detail


# -- checking (runs in worker processes for large inputs) ----------------------------------------
_context: dict = {}


def _init_checker(
    orgs: dict[str, services.OrgInfo], organization: str, limit: int, types: TypeIndex
) -> None:
    _context.update(orgs=orgs, organization=organization, limit=limit, types=types)


def _check_batch(batch: list[Line]) -> Checked:
    good, bad, consumed = [], [], 0
    for number, raw, size in batch:
        consumed += size
        outcome = _check_line(raw, **_context)
        if isinstance(outcome, str):
            bad.append((number, outcome))
        elif outcome is not None:
            good.append((number, outcome))
    return good, bad, consumed


def _check_line(raw, orgs, organization, limit, types) -> services.Prepared | str | None:
    if raw is None:
        return f"line longer than {limit} bytes"
    if not raw.strip():
        return None
    try:
        prepared = services.prepare(orjson.loads(raw), orgs.get, organization, types=types)
    except orjson.JSONDecodeError as exc:
        return f"malformed JSON at column {exc.colno}: {exc.msg}"
    except ValidationFailed as exc:
        return describe(exc)
    if prepared.data["authority"] != organization:
        return f"authority: {prepared.data['authority']!r} differs from --org {organization!r}"
    return prepared


def _worker_count(stream: IO[bytes], requested: int | None) -> int:
    if requested is not None:
        return requested
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = PARALLEL_FROM_BYTES
    return min(os.cpu_count() or 1, 4) if size >= PARALLEL_FROM_BYTES else 1


# -- the pipeline: check in workers, store here (services and applications) ----------------------
@contextmanager
def checking(
    registry: Registry,
    workers: int,
    init: Callable[..., None],
    args: tuple,
    check: Callable[[list], Checked],
    pending: Iterable[list],
) -> Iterator[Iterator[Checked]]:
    """Checked batches in input order: from ``workers`` processes (each set up with
    ``init(*args)``), or in this process when ``workers`` is 1."""
    if workers > 1:
        with worker_pool(registry.db, workers, init, args) as pool:
            yield ordered_map(pool, check, pending, inflight=workers * 2)
    else:
        init(*args)
        yield map(check, pending)


def store_all(
    registry: Registry,
    checked: Iterable[Checked],
    publish: Publish,
    tables: tuple[str, ...],
    actor: Actor,
    provenance: dict[str, Any],
    report: LoadReport,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Store each checked batch in one transaction (bad records reported), refreshing the
    planner's statistics of ``tables`` at 100, 1,000, 10,000... stored records."""
    analyzed_at = 100
    for good, bad, consumed in checked:
        for number, message in bad:
            report.add_error(number, message)
        store_batch(registry, publish, good, actor, provenance, report)
        if report.stored >= analyzed_at:
            registry.db.analyze(*tables)
            analyzed_at *= 10
        if progress:
            progress(consumed)


def store_batch(registry, publish: Publish, batch, actor, provenance, report: LoadReport) -> None:
    """One transaction; when the database refuses it, each record alone, to name the one."""
    if not batch:
        return
    try:
        with registry.db.transaction() as session:
            results = publish(
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
            store_batch(registry, publish, [item], actor, provenance, report)
        return
    for _, outcome in results:
        report.counts[outcome.value] += 1


# -- loading --------------------------------------------------------------------------------------
def load_jsonl(
    registry: Registry,
    stream: IO[bytes],
    organization: str,
    *,
    actor: Actor = SYSTEM,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> LoadReport:
    """Publish every record of a JSON Lines stream for ``organization``."""
    with registry.db.session() as session:
        orgs = services.org_infos(session)
        types = registry.type_index(session)
    if organization not in orgs:
        raise NotFound(f"no organization {organization!r}; add it with 'simpul orgs add'")
    actor.require_write(organization)
    provenance = registry.provenance(actor, "load")
    report = LoadReport()
    limit = registry.settings.max_body_bytes
    pending = batches(_lines(stream, limit), batch_size)
    args = (orgs, organization, limit, types)
    workers = _worker_count(stream, workers)
    with checking(registry, workers, _init_checker, args, _check_batch, pending) as checked:
        store_all(
            registry,
            checked,
            services.publish_many,
            ("services",),
            actor,
            provenance,
            report,
            progress,
        )
    report.errors.sort()
    return report
