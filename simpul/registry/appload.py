"""Bulk publishing of applications (``simpul applications load``): JSON Lines, or rows a
spreadsheet reader turned into records. Each record is checked on its own (a bad one is
reported with its line or row and nothing of it is stored); good ones are stored in batches,
each in one transaction, through the same pipeline as service records (``registry.bulk``):
lines travel to the checking processes as bytes and are parsed there. The owner's services
are read once, so linking costs no query."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import orjson

from simpul.errors import NotFound, ValidationFailed
from simpul.registry import applications
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.bulk import BOM, Checked, LoadReport, batches, checking, describe, store_all
from simpul.registry.context import Registry
from simpul.registry.db import Database
from simpul.registry.services import org_infos

# line or row number, and the raw record: a JSON line (bytes), a row read as a record (dict),
# or why it is unreadable (str)
Numbered = tuple[int, Any]


def jsonl_records(stream: IO[bytes]) -> Iterator[Numbered]:
    """The non-blank lines of a JSON Lines stream, numbered, still unparsed."""
    for number, line in enumerate(stream, start=1):
        if number == 1 and line.startswith(BOM):
            line = line[len(BOM) :]
        if line.strip():
            yield number, line


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
    pending = batches(records, batch_size)
    tables = ("applications", "application_services")
    with checking(registry, workers, _init_checker, args, _check_batch, pending) as checked:
        publish = applications.publish_many
        store_all(registry, checked, publish, tables, actor, provenance, report, progress)
    report.errors.sort()
    registry.db.analyze(*tables)
    return report


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


def _check_batch(batch: list[Numbered]) -> Checked:
    good, bad = [], []
    for number, raw in batch:
        outcome = _check(raw, _context["orgs"], _context["refs"], _context["organization"])
        (bad if isinstance(outcome, str) else good).append((number, outcome))
    return good, bad, len(batch)


def _check(raw, orgs, refs, organization) -> applications.PreparedApp | str:
    if isinstance(raw, bytes):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return f"malformed JSON at column {exc.colno}: {exc.msg}"
    if isinstance(raw, str):
        return raw
    try:
        prepared = applications.prepare(raw, orgs.get, refs, organization)
    except ValidationFailed as exc:
        return describe(exc)
    if prepared.data["organization"] != organization:
        return (
            f"organization: {prepared.data['organization']!r} differs from --org {organization!r}"
        )
    return prepared
