"""Bulk publishing from JSON Lines (``simpul load``).

Each line is checked on its own; a bad line is reported with its number and reason and none of it
is stored. Good lines are stored in batches, each batch in one transaction, so a crash leaves every
record either fully stored (record, version and change) or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import orjson
from sqlalchemy import select

from simpul.errors import NotFound, SimpulError, ValidationFailed
from simpul.registry import services
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.context import Registry
from simpul.registry.models import Organization

BOM = b"\xef\xbb\xbf"


@dataclass
class LoadReport:
    counts: dict[str, int] = field(
        default_factory=lambda: {o.value: 0 for o in services.Outcome if o is not services.Outcome.DELETED}
    )
    errors: list[tuple[int, str]] = field(default_factory=list)

    def add_error(self, line: int, message: str) -> None:
        self.errors.append((line, message))
        self.counts["error"] += 1

    @property
    def stored(self) -> int:
        return sum(self.counts[k] for k in ("created", "updated", "restored"))


def _lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, content or None when over ``limit`` bytes, bytes consumed)."""
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
            chunk = chunk[len(BOM):]
        yield number, chunk, consumed


def _describe(exc: SimpulError) -> str:
    if exc.errors:
        return "; ".join(f"{e['path'] or 'record'}: {e['message']}" for e in exc.errors)
    return exc.detail


def load_jsonl(
    registry: Registry,
    stream: IO[bytes],
    organization: str,
    *,
    actor: Actor = SYSTEM,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Publish every record of a JSON Lines stream for ``organization``."""
    with registry.db.session() as session:
        orgs = {o.id: o for o in session.scalars(select(Organization))}
    if organization not in orgs:
        raise NotFound(f"no organization {organization!r}; add it with 'simpul orgs add'")
    actor.require_write(organization)
    provenance = registry.provenance(actor, "load")
    report = LoadReport()
    batch: list[tuple[int, services.Prepared]] = []
    limit = registry.settings.max_body_bytes
    for number, raw, consumed in _lines(stream, limit):
        if progress:
            progress(consumed)
        prepared = _check_line(number, raw, limit, orgs, organization, report)
        if prepared is not None:
            batch.append((number, prepared))
        if len(batch) >= batch_size:
            _store(registry, batch, actor, provenance, report)
            batch = []
    _store(registry, batch, actor, provenance, report)
    return report


def _check_line(number, raw, limit, orgs, organization, report) -> services.Prepared | None:
    if raw is None:
        report.add_error(number, f"line longer than {limit} bytes")
        return None
    if not raw.strip():
        return None
    try:
        obj = orjson.loads(raw)
        prepared = services.prepare(obj, orgs.get, organization)
    except orjson.JSONDecodeError as exc:
        report.add_error(number, f"malformed JSON at column {exc.colno}: {exc.msg}")
        return None
    except ValidationFailed as exc:
        report.add_error(number, _describe(exc))
        return None
    if prepared.data["authority"] != organization:
        report.add_error(
            number,
            f"authority: {prepared.data['authority']!r} differs from --org {organization!r}",
        )
        return None
    return prepared


def _store(registry, batch, actor, provenance, report) -> None:
    if not batch:
        return
    try:
        with registry.db.transaction() as session:
            results = services.publish_many(
                session, [p for _, p in batch], actor, base_uri=registry.base_uri,
                provenance=provenance,
            )
    except Exception:
        if len(batch) == 1:
            number = batch[0][0]
            report.add_error(number, "could not be stored (database refused it)")
            return
        for item in batch:  # isolate the line the database refused
            _store(registry, [item], actor, provenance, report)
        return
    for _, outcome in results:
        report.counts[outcome.value] += 1
