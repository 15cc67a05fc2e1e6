"""The versioned-record core: records owned by an organization, written in versions, deleted as
tombstones. Service records and applications are stored through it; service types read through
it (their writes decide functional changes of their own, see ``registry.types``).

A ``Kind`` names a record's table, its history table and how messages speak of it; the functions
here do the rest. Every write stores the new state, a version row and a change row in one
transaction, so the history, the search outbox and the federation feed never disagree with the
record. A history row's content is written once: the newest version's is the record's own
(``data`` NULL) until the next change freezes a copy into it.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

import orjson
from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from simpul.errors import (
    ConcurrentWrite,
    Conflict,
    Gone,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Change

MAX_INTEGER = 2**31 - 1  # INTEGER columns (32 bits on PostgreSQL), versions among them


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RESTORED = "restored"
    DELETED = "deleted"
    ERROR = "error"


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


_PAIRS = [
    a + b for a in "0123456789abcdefghijklmnopqrstuv" for b in "0123456789abcdefghijklmnopqrstuv"
]


def new_id() -> str:
    """16 URL-safe characters: 48 bits of milliseconds then 32 random bits, so new records land
    at the end of the primary-key index instead of all over it. The letters are base32hex
    (lower case), whose order keeps the numbers' order; spelled out ten bits at a time, about
    twice as fast as ``base64.b32hexencode`` (bulk loads make one per record)."""
    n = (time.time_ns() // 1_000_000) << 32 | secrets.randbits(32)
    return "".join([_PAIRS[(n >> shift) & 1023] for shift in range(70, -1, -10)])


def _article(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of versioned record and how its messages name it."""

    model: Any  # the record's mapped class (``id``, ``version``, ``content_hash``, ``data``...)
    history: Any  # its version rows' mapped class
    key: str  # the history column holding the record's id
    noun: str  # "service": "no service 'x'", "service 'x' was deleted"
    word: str  # "record": "the record changed since you read it"
    collection: str = ""  # "services": URIs {base}/services/{id}, the API's /api/v1/services
    owner: str = ""  # the owner's column ("authority") ...
    owner_field: str = ""  # ... and its field in the published data ("authority")
    feed: str = ""  # the change feed's ``kind``
    etag_prefix: str = ""
    refetch: str = "fetch it again and re-apply your edit"
    tombstone: Callable[[Any], dict[str, Any]] | None = None
    retired: Callable[[Any], Gone | None] | None = None  # kinds retired by status, not deleted_at
    deleted_values: dict[str, Any] = field(default_factory=dict)  # set besides deleted_at

    @property
    def path(self) -> str:
        return f"/api/v1/{self.collection}"

    def gone(self, row: Any) -> Gone | None:
        if self.retired is not None:
            return self.retired(row)
        if row.deleted_at is None:
            return None
        return Gone(f"{self.noun} {row.id!r} was deleted", tombstone=self.tombstone(row))


class Storable(Protocol):
    """What ``store`` needs of a checked record (``services.Prepared``, ``PreparedApp``)."""

    data: dict[str, Any]
    content_hash: str
    provenance: dict[str, Any] | None
    identity: tuple[str, str] | None  # (id, URI) kept from the origin node

    @property
    def key(self) -> tuple[str, str]: ...  # (owner, identifier)


class State(NamedTuple):
    """What deciding a write needs of a stored record."""

    id: str
    content_hash: str
    version: int
    deleted: bool


# -- ETags and preconditions ----------------------------------------------------------------------
def etag(kind: Kind, row: Any, derived: Any = None) -> str:
    """The record's ETag; with ``derived`` (what a read adds that the stored row does not hold,
    e.g. an application's gateway check) a suffix of its hash, so a conditional read notices
    when only that changed. ``If-Match`` accepts the tag with or without the suffix."""
    tag = f"{kind.etag_prefix}{row.version}-{row.content_hash[:12]}"
    if derived is not None:
        digest = hashlib.sha256(orjson.dumps(derived, option=orjson.OPT_SORT_KEYS)).hexdigest()
        tag += f"~{digest[:8]}"
    return f'"{tag}"'


def _stored_part(tag: str) -> str:
    head, sep, _ = tag.partition("~")
    return f'{head}"' if sep and tag.endswith('"') else tag


def check_precondition(kind: Kind, row: Any, if_match: set[str] | None) -> None:
    """``If-Match`` sent and not naming the current ETag: 412 with the current one."""
    if if_match is None or "*" in if_match:
        return
    current = etag(kind, row)
    if current not in {_stored_part(t) for t in if_match}:
        raise PreconditionFailed(
            f"the {kind.word} changed since you read it (now version {row.version}); "
            + kind.refetch,
            current_etag=current,
        )


# -- writing --------------------------------------------------------------------------------------
Columns = Callable[[Any, datetime, dict[str, Any]], dict[str, Any]]
AfterWrite = Callable[[Session, dict[str, Any], list[str], Actor], None]


def states(session: Session, kind: Kind, keys: set[tuple[str, str]]) -> dict[tuple, State]:
    """The stored state of each (owner, identifier), one indexed query per owner.

    The rows are locked until the transaction ends (PostgreSQL; a SQLite writer holds the whole
    database), in one order, so a concurrent writer waits and then reads the newer version."""
    by_owner: dict[str, list[str]] = {}
    for owner, identifier in keys:
        by_owner.setdefault(owner, []).append(identifier)
    model, found = kind.model, {}
    columns = (model.identifier, model.id, model.content_hash, model.version, model.deleted_at)
    for owner, identifiers in sorted(by_owner.items()):
        query = (
            select(*columns)
            .where(getattr(model, kind.owner) == owner, model.identifier.in_(identifiers))
            .order_by(model.identifier)
            .with_for_update()
        )
        for row in session.execute(query):
            found[(owner, row[0])] = State(row[1], row[2], row[3], row[4] is not None)
    return found


def freeze(session: Session, kind: Kind, ids: list[str]) -> None:
    """Copy the current content into the history row that still points at it (``data`` NULL),
    before the record changes. So content is written once per version, not twice."""
    if not ids:
        return
    history, model = kind.history.__table__, kind.model
    key = history.c[kind.key]
    current = select(model.data).where(model.id == key).scalar_subquery()
    session.execute(
        update(history).where(key.in_(ids), history.c.data.is_(None)).values(data=current)
    )


def update_rows(session: Session, kind: Kind, rows: list[dict[str, Any]]) -> None:
    """Update stored records by id, each only if it still has the version it was read at
    (``_prior``). The rows are locked, so a miss means a writer that skipped the lock: the
    caller's transaction is rolled back and may run again."""
    table = kind.model.__table__
    statement = update(table).where(
        table.c.id == bindparam("_id"), table.c.version == bindparam("_prior")
    )
    params = [{**{k: v for k, v in row.items() if k != "id"}, "_id": row["id"]} for row in rows]
    if session.execute(statement, params).rowcount != len(rows):
        raise ConcurrentWrite(
            f"the {kind.word} changed while this write was deciding; send it again"
        )


def log(session: Session, kind: Kind, entries: list[dict[str, Any]], actor: Actor, now) -> None:
    """Append the version and change rows of written records (same transaction). Each entry:
    ``id``, ``version``, ``action``, ``content_hash``."""
    if not entries:
        return
    session.execute(
        insert(kind.history.__table__),
        [
            {
                "data": None,
                kind.key: e["id"],
                "version": e["version"],
                "action": e["action"],
                "content_hash": e["content_hash"],
                "actor": actor.name,
                "at": now,
            }
            for e in entries
        ],
    )
    session.execute(
        insert(Change.__table__),
        [
            {
                "service_id": e["id"],
                "version": e["version"],
                "action": e["action"],
                "kind": kind.feed,
                "at": now,
            }
            for e in entries
        ],
    )


def store(
    session: Session,
    kind: Kind,
    batch: Iterable[Storable],
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    columns: Columns,
    after: AfterWrite | None = None,
) -> list[tuple[str, Outcome]]:
    """Create, update or restore checked records; unchanged content writes nothing.

    A query for the stored state, then bulk inserts and updates. ``columns`` gives a record's
    row values; ``after`` runs once the rows are written (written records by id, the updated
    ids). Permission is the caller's to check. Returns (id, outcome) pairs."""
    batch = list(batch)
    known = states(session, kind, {p.key for p in batch})
    now = utcnow()
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    written: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    results: list[tuple[str, Outcome]] = []
    for prepared in batch:
        state = known.get(prepared.key)
        if state is not None and not state.deleted and state.content_hash == prepared.content_hash:
            results.append((state.id, Outcome.UNCHANGED))
            continue
        values = columns(prepared, now, provenance)
        if state is None:
            record_id, number, outcome = new_id(), 1, Outcome.CREATED
            uri = f"{base_uri}/{kind.collection}/{record_id}"
            record_id, uri = prepared.identity or (record_id, uri)
            inserts[record_id] = {**values, "id": record_id, "uri": uri, "created": now}
            inserts[record_id]["version"] = 1
        else:
            record_id, number = state.id, state.version + 1
            outcome = Outcome.RESTORED if state.deleted else Outcome.UPDATED
            pending = inserts.get(record_id) or updates.get(record_id)
            if pending is not None:  # twice in one batch
                pending.update(values, version=number)
            else:
                updates[record_id] = {
                    **values,
                    "id": record_id,
                    "version": number,
                    "_prior": state.version,
                }
        known[prepared.key] = State(record_id, prepared.content_hash, number, False)
        written[record_id] = prepared
        entries.append(
            {
                "id": record_id,
                "version": number,
                "action": outcome.value,
                "content_hash": prepared.content_hash,
            }
        )
        results.append((record_id, outcome))
    if inserts:
        session.execute(insert(kind.model.__table__), list(inserts.values()))
    if updates:
        freeze(session, kind, list(updates))
        update_rows(session, kind, list(updates.values()))
    if after is not None:
        after(session, written, list(updates), actor)
    log(session, kind, entries, actor, now)
    return results


def merged_provenance(prepared: Any, provenance: dict[str, Any]) -> dict[str, Any]:
    """The batch's provenance, the record's own over it, and the content hash."""
    return {**provenance, **(prepared.provenance or {}), "content_hash": prepared.content_hash}


def created(session: Session, kind: Kind, prepared: Any, stored: list[tuple[str, Outcome]]):
    """The row a create wrote, or 409 when the owner already has a live record with that
    identifier (found under lock, so the write goes with the rolled-back transaction)."""
    [(record_id, outcome)] = stored
    if outcome not in (Outcome.CREATED, Outcome.RESTORED):
        owner, identifier = prepared.key
        raise Conflict(
            f"{owner} already has {_article(kind.noun)} {identifier!r} ({record_id}); "
            f"update it with PUT {kind.path}/{record_id}",
            existing=record_id,
        )
    return fresh(session, kind, record_id), outcome


def locked(
    session: Session, kind: Kind, record_id: str, actor: Actor, if_match: set[str] | None
) -> Any:
    """A live record about to be written: locked, the actor allowed, the precondition met."""
    row = get_live(session, kind, record_id, for_update=True)
    actor.require_write(getattr(row, kind.owner))
    check_precondition(kind, row, if_match)
    return row


def check_identity(kind: Kind, data: dict[str, Any], row: Any) -> None:
    """A replacement keeps the owner and identifier of the record it replaces."""
    owner = getattr(row, kind.owner)
    for key, stored in ((kind.owner_field, owner), ("identifier", row.identifier)):
        if data[key] != stored:
            raise ValidationFailed.from_messages(
                {
                    key: f"the {key} of {_article(kind.word)} cannot change (it is {stored!r}); "
                    f"publish a new {kind.word} and delete this one instead"
                }
            )


def retire_many(session: Session, kind: Kind, ids: list[str], actor: Actor) -> list[str]:
    """Tombstone live records in bulk; returns the ids that were live. Permission is the
    caller's to check."""
    model = kind.model
    rows = session.execute(
        select(model.id, model.version, model.content_hash)
        .where(model.id.in_(ids), model.deleted_at.is_(None))
        .order_by(model.id)
        .with_for_update()
    ).all()
    if not rows:
        return []
    now = utcnow()
    freeze(session, kind, [r.id for r in rows])
    tombstone = {**kind.deleted_values, "deleted_at": now, "modified": now}
    update_rows(
        session,
        kind,
        [{"id": r.id, "_prior": r.version, "version": r.version + 1, **tombstone} for r in rows],
    )
    entries = [
        {
            "id": r.id,
            "version": r.version + 1,
            "action": Outcome.DELETED.value,
            "content_hash": r.content_hash,
        }
        for r in rows
    ]
    log(session, kind, entries, actor, now)
    return [r.id for r in rows]


def retire(
    session: Session, kind: Kind, record_id: str, actor: Actor, if_match: set[str] | None
) -> Any:
    """Delete a record, leaving a tombstone that other nodes and the history keep."""
    row = locked(session, kind, record_id, actor, if_match)
    retire_many(session, kind, [row.id], actor)
    return fresh(session, kind, row.id)


# -- reading --------------------------------------------------------------------------------------
def get(session: Session, kind: Kind, record_id: str, *, for_update: bool = False) -> Any:
    """The record, live or not, or 404. ``for_update``: locked until the transaction ends and
    read afresh (not from the session's identity map), for writes that decide on its version."""
    row = session.get(
        kind.model, record_id, with_for_update=for_update, populate_existing=for_update
    )
    if row is None:
        raise NotFound(f"no {kind.noun} {record_id!r}")
    return row


def get_live(session: Session, kind: Kind, record_id: str, *, for_update: bool = False) -> Any:
    """The record, or 404, or 410 with its tombstone."""
    row = get(session, kind, record_id, for_update=for_update)
    gone = kind.gone(row)
    if gone is not None:
        raise gone
    return row


def fresh(session: Session, kind: Kind, record_id: str) -> Any:
    """The stored row after a bulk write (which bypasses the session's identity map)."""
    return session.get(kind.model, record_id, populate_existing=True)


def page(
    session: Session, query: Select, order: tuple, page: int, size: int
) -> tuple[int, list[Any]]:
    """(total, one page of ``query``'s rows in ``order``)."""
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(*order).offset((page - 1) * size).limit(size))
    return total, list(rows)


def versions(session: Session, kind: Kind, record_id: str) -> list[Any]:
    """Every version row of a record, oldest first (404 for a record that never was)."""
    get(session, kind, record_id)
    column = getattr(kind.history, kind.key)
    query = select(kind.history).where(column == record_id).order_by(kind.history.version)
    return list(session.scalars(query))


def version_row(session: Session, kind: Kind, record_id: str, number: int) -> Any:
    row = None
    if number <= MAX_INTEGER:  # past the INTEGER column the database would fail, not answer
        column = getattr(kind.history, kind.key)
        row = session.scalar(
            select(kind.history).where(column == record_id, kind.history.version == number)
        )
    if row is None:
        raise NotFound(f"{kind.noun} {record_id!r} has no version {number}")
    return row


def version(session: Session, kind: Kind, record_id: str, number: int) -> dict[str, Any]:
    """One version with its full content (the newest is the record's own)."""
    row = version_row(session, kind, record_id, number)
    out = version_to_dict(row)
    out["data"] = row.data if row.data is not None else get(session, kind, record_id).data
    return out


# -- shapes ---------------------------------------------------------------------------------------
def record_dict(identity: dict[str, Any], data: dict[str, Any], row: Any) -> dict[str, Any]:
    return {
        **identity,
        **data,
        "version": row.version,
        "created": as_utc(row.created).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
        "provenance": row.provenance,
    }


def tombstone_dict(identity: dict[str, Any], row: Any) -> dict[str, Any]:
    return {
        **identity,
        "version": row.version,
        "deleted": True,
        "deleted_at": as_utc(row.deleted_at).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
    }


def version_to_dict(row: Any) -> dict[str, Any]:
    return {
        "version": row.version,
        "action": row.action,
        "actor": row.actor,
        "at": as_utc(row.at).isoformat(),
        "content_hash": row.content_hash,
    }
