"""Service records: publish, replace, retire (tombstone), read, list, history.

Every write stores the new state, a version row and a change row in one transaction, so the
history, the search outbox and the federation feed can never disagree with the record.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson
from marshmallow import ValidationError
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from simpul.errors import (
    ConcurrentWrite,
    Conflict,
    Gone,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from simpul.reference.areas import NATIONAL, is_within
from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Change, Organization, Service, ServiceVersion
from simpul.registry.quality import chores, quality
from simpul.registry.quality import present as components_present
from simpul.registry.reportfilters import service_conditions
from simpul.registry.schemas import SERVER_FIELDS, SERVICE_SCHEMA

if TYPE_CHECKING:
    from simpul.registry.types import Link, TypeIndex

SORTS = {
    "-modified": (Service.modified.desc(), Service.id),
    "modified": (Service.modified, Service.id),
    "identifier": (Service.authority, Service.identifier),
}


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RESTORED = "restored"
    DELETED = "deleted"
    ERROR = "error"


class OrgInfo(NamedTuple):
    """What checking a record needs to know of its authority (an Organization row also fits)."""

    id: str
    level: str
    area: str | None


class Prepared(NamedTuple):
    """A record that passed every check and is ready to store (a tuple: bulk loads send
    millions of them between processes)."""

    data: dict[str, Any]
    content_hash: str
    organization: OrgInfo | Organization
    provenance: dict[str, Any] | None = None  # per record, over the batch's (harvests)
    identity: tuple[str, str] | None = None  # (id, uri) kept from the origin node
    link: Link | None = None  # the national service type (``registry.types``)
    completeness: int | None = None  # of the effective record, when it has a type

    @property
    def key(self) -> tuple[str, str]:
        return self.data["authority"], self.data["identifier"]


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def new_id() -> str:
    """16 URL-safe characters: 48 bits of milliseconds then 32 random bits, so new records land
    at the end of the primary-key index instead of all over it."""
    millis = time.time_ns() // 1_000_000
    raw = millis.to_bytes(6, "big") + secrets.token_bytes(4)
    return base64.b32hexencode(raw).decode().lower()  # the hex alphabet keeps the order


def etag(row: Service) -> str:
    return f'"{row.version}-{row.content_hash[:12]}"'


# -- checking -------------------------------------------------------------------------------------
def prepare(
    raw: Any,
    lookup: Callable[[str], OrgInfo | Organization | None],
    default_authority: str | None = None,
    *,
    types: TypeIndex | None = None,
) -> Prepared:
    """Validate a published record, resolve its authority and its service type (``types``: the
    node's list; without it a record naming a type is refused); raise ValidationFailed."""
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(f"expected a JSON object, got {type(raw).__name__}")
    try:
        data = SERVICE_SCHEMA.load({k: v for k, v in raw.items() if k not in SERVER_FIELDS})
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None
    authority = data.get("authority") or default_authority
    if not authority:
        raise ValidationFailed.from_messages({"authority": "missing: which organization?"})
    org = lookup(authority)
    if org is None:
        raise ValidationFailed.from_messages({"authority": f"unknown organization {authority!r}"})
    data["authority"] = authority
    jurisdiction = org.area or NATIONAL
    if "areas" not in data:
        data["areas"] = [jurisdiction]
    outside = {
        f"areas[{i}]": f"{code!r} lies outside the area of {authority!r} ({jurisdiction})"
        for i, code in enumerate(data["areas"])
        if not is_within(code, jurisdiction)
    }
    if outside:
        raise ValidationFailed.from_messages(outside)
    return link_type(Prepared(data, content_hash(data), org), types)


def link_type(prepared: Prepared, types: TypeIndex | None) -> Prepared:
    """Check the record's own type and link it (or let the matcher). A record that names its
    type stores no copy of the type's defaults (a record fetched in its effective form and sent
    back keeps inheriting); an automatic link changes nothing in the record."""
    data, level = prepared.data, prepared.organization.level
    if types is None:
        if "type" in data:
            raise ValidationFailed.from_messages({"type": "service types cannot be checked here"})
        return prepared
    problems = types.check(data, level)
    if problems:
        raise ValidationFailed.from_messages(problems)
    link = types.link(data, level)
    if link is None:
        return prepared
    from simpul.registry.types import strip_inherited

    if link.method == "manual":
        data = strip_inherited(data, types.get(link.type_id).data)
    shown, _ = types.effective(data, link.type_id)
    return prepared._replace(
        data=data,
        content_hash=content_hash(data) if data is not prepared.data else prepared.content_hash,
        link=link,
        completeness=components_present(shown),
    )


def org_infos(session: Session) -> dict[str, OrgInfo]:
    """Every organization, as much as checking records needs (cheap even for 80,000 villages)."""
    query = select(Organization.id, Organization.level, Organization.area)
    return {row.id: OrgInfo(*row) for row in session.execute(query)}


def session_lookup(session: Session) -> Callable[[str], Organization | None]:
    cache: dict[str, Organization | None] = {}

    def lookup(org_id: str) -> Organization | None:
        if org_id not in cache:
            cache[org_id] = session.get(Organization, org_id)
        return cache[org_id]

    return lookup


# -- writing --------------------------------------------------------------------------------------
class _State(NamedTuple):
    """What deciding a write needs of a stored record."""

    id: str
    content_hash: str
    version: int
    deleted: bool


def _states(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], _State]:
    """The stored state of each (authority, identifier), one indexed query per authority.

    The rows are locked until the transaction ends (PostgreSQL; a SQLite writer holds the whole
    database), in one order, so a concurrent writer waits and then reads the newer version."""
    by_authority: dict[str, list[str]] = {}
    for authority, identifier in keys:
        by_authority.setdefault(authority, []).append(identifier)
    found: dict[tuple[str, str], _State] = {}
    columns = (
        Service.authority,
        Service.identifier,
        Service.id,
        Service.content_hash,
        Service.version,
        Service.deleted_at,
    )
    for authority, identifiers in sorted(by_authority.items()):
        query = (
            select(*columns)
            .where(Service.authority == authority, Service.identifier.in_(identifiers))
            .order_by(Service.identifier)
            .with_for_update()
        )
        for row in session.execute(query):
            found[(row[0], row[1])] = _State(row[2], row[3], row[4], row[5] is not None)
    return found


def _freeze(session: Session, service_ids: list[str]) -> None:
    """Copy the current content into the history row that still points at it (``data`` NULL),
    before the record changes. So content is written once per version, not twice."""
    if not service_ids:
        return
    versions = ServiceVersion.__table__
    current = select(Service.data).where(Service.id == versions.c.service_id).scalar_subquery()
    session.execute(
        update(versions)
        .where(versions.c.service_id.in_(service_ids), versions.c.data.is_(None))
        .values(data=current)
    )


def _update_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Update stored records by id, each only if it still has the version it was read at
    (``_prior``). The rows are locked, so a miss means a writer that skipped the lock: the
    caller's transaction is rolled back and may run again."""
    table = Service.__table__
    statement = update(table).where(
        table.c.id == bindparam("_id"), table.c.version == bindparam("_prior")
    )
    params = [{**{k: v for k, v in row.items() if k != "id"}, "_id": row["id"]} for row in rows]
    if session.execute(statement, params).rowcount != len(rows):
        raise ConcurrentWrite("the record changed while this write was deciding; send it again")


def _log(session: Session, entries: list[dict[str, Any]], actor: Actor, now: datetime) -> None:
    """Append the version and change rows of written records (same transaction). The newest
    version's content is the record's own (``data`` NULL until the next change freezes it)."""
    if not entries:
        return
    session.execute(
        insert(ServiceVersion.__table__),
        [{"data": None, **e, "actor": actor.name, "at": now} for e in entries],
    )
    session.execute(
        insert(Change.__table__),
        [
            {
                "service_id": e["service_id"],
                "version": e["version"],
                "action": e["action"],
                "at": now,
            }
            for e in entries
        ],
    )


def publish_many(
    session: Session,
    batch: Iterable[Prepared],
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
) -> list[tuple[str, Outcome]]:
    """Create, update or restore prepared records; unchanged content writes nothing.

    The one write path of API, bulk load, demo and harvests: a query for the stored state, then
    bulk inserts and updates. Permission is the caller's to check. Returns (id, outcome) pairs."""
    batch = list(batch)
    states = _states(session, {p.key for p in batch})
    now = utcnow()
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    log: list[dict[str, Any]] = []
    results: list[tuple[str, Outcome]] = []
    for prepared in batch:
        state = states.get(prepared.key)
        if state is not None and not state.deleted and state.content_hash == prepared.content_hash:
            results.append((state.id, Outcome.UNCHANGED))
            continue
        data = prepared.data
        values = {
            "authority": data["authority"],
            "identifier": data["identifier"],
            "level": prepared.organization.level,
            "status": data["status"],
            "data": data,
            "content_hash": prepared.content_hash,
            "completeness": (
                prepared.completeness
                if prepared.completeness is not None
                else components_present(data)
            ),
            "chores": chores(data),
            "type_id": prepared.link.type_id if prepared.link else None,
            "type_link": prepared.link.method if prepared.link else None,
            "type_score": prepared.link.score if prepared.link else None,
            "modified": now,
            "deleted_at": None,
            "provenance": {
                **provenance,
                **(prepared.provenance or {}),
                "content_hash": prepared.content_hash,
            },
        }
        if state is None:
            service_id, version, outcome = new_id(), 1, Outcome.CREATED
            uri = f"{base_uri}/services/{service_id}"
            if prepared.identity is not None:
                service_id, uri = prepared.identity
            inserts[service_id] = {
                **values,
                "id": service_id,
                "created": now,
                "version": 1,
                "uri": uri,
            }
        else:
            service_id, version = state.id, state.version + 1
            outcome = Outcome.RESTORED if state.deleted else Outcome.UPDATED
            if service_id in inserts:  # twice in one batch
                inserts[service_id].update(values, version=version)
            elif service_id in updates:
                updates[service_id].update(values, version=version)
            else:
                updates[service_id] = {
                    **values,
                    "id": service_id,
                    "version": version,
                    "_prior": state.version,
                }
        states[prepared.key] = _State(service_id, prepared.content_hash, version, False)
        log.append(
            {
                "service_id": service_id,
                "version": version,
                "action": outcome.value,
                "content_hash": prepared.content_hash,
            }
        )
        results.append((service_id, outcome))
    if inserts:
        session.execute(insert(Service.__table__), list(inserts.values()))
    if updates:
        from simpul.registry.reviews import relinked

        _freeze(session, list(updates))
        _update_rows(session, list(updates.values()))
        relinked(session, list(updates), actor)  # another type, or none: the flag is resolved
    _log(session, log, actor, now)
    return results


def publish(
    session: Session,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    types: TypeIndex | None = None,
) -> tuple[Service, Outcome]:
    """Publish a new record. A tombstone with the same identifier comes back with its old id.

    Whether the identifier is taken is decided on the state ``publish_many`` reads under lock: a
    live record found there (even one created a moment ago by a concurrent request) is a 409,
    and whatever ``publish_many`` wrote goes with the rolled-back transaction."""
    prepared = prepare(raw, session_lookup(session), actor.organization, types=types)
    actor.require_write(prepared.data["authority"])
    [(service_id, outcome)] = publish_many(
        session, [prepared], actor, base_uri=base_uri, provenance=provenance
    )
    if outcome not in (Outcome.CREATED, Outcome.RESTORED):
        raise Conflict(
            f"{prepared.data['authority']} already has a service {prepared.data['identifier']!r}"
            f" ({service_id}); update it with PUT /api/v1/services/{service_id}",
            existing=service_id,
        )
    return _fresh(session, service_id), outcome


def replace(
    session: Session,
    service_id: str,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    if_match: set[str] | None = None,
    types: TypeIndex | None = None,
) -> tuple[Service, Outcome]:
    row = get_live(session, service_id, for_update=True)
    actor.require_write(row.authority)
    _check_precondition(row, if_match)
    if isinstance(raw, dict) and types is not None and types.get(row.type_id) is not None:
        from simpul.registry.types import returned

        raw = returned(raw, types.get(row.type_id).data)
        found = types.resolve(str(raw.get("type", "")))
        if row.type_link == "automatic" and found is not None and found.id == row.type_id:
            raw = {k: v for k, v in raw.items() if k != "type"}  # sent back as read
    prepared = prepare(raw, session_lookup(session), row.authority, types=types)
    for key in ("authority", "identifier"):
        if prepared.data[key] != getattr(row, key):
            raise ValidationFailed.from_messages(
                {
                    key: f"the {key} of a record cannot change (it is {getattr(row, key)!r}); "
                    "publish a new record and delete this one instead"
                }
            )
    [(_, outcome)] = publish_many(
        session, [prepared], actor, base_uri=base_uri, provenance=provenance
    )
    return _fresh(session, service_id), outcome


def retire(
    session: Session, service_id: str, actor: Actor, *, if_match: set[str] | None = None
) -> Service:
    """Delete a record, leaving a tombstone that other nodes and the history keep."""
    row = get_live(session, service_id, for_update=True)
    actor.require_write(row.authority)
    _check_precondition(row, if_match)
    retire_many(session, [row.id], actor)
    return _fresh(session, row.id)


def retire_many(session: Session, service_ids: list[str], actor: Actor) -> list[str]:
    """Tombstone live records in bulk (harvest deletions); returns the ids that were live.
    Permission is the caller's to check."""
    rows = session.execute(
        select(Service.id, Service.version, Service.content_hash)
        .where(Service.id.in_(service_ids), Service.deleted_at.is_(None))
        .order_by(Service.id)
        .with_for_update()
    ).all()
    if not rows:
        return []
    now = utcnow()
    _freeze(session, [r.id for r in rows])
    _update_rows(
        session,
        [
            {
                "id": r.id,
                "_prior": r.version,
                "version": r.version + 1,
                "deleted_at": now,
                "modified": now,
            }
            for r in rows
        ],
    )
    entries = [
        {
            "service_id": r.id,
            "version": r.version + 1,
            "action": Outcome.DELETED.value,
            "content_hash": r.content_hash,
        }
        for r in rows
    ]
    _log(session, entries, actor, now)
    return [r.id for r in rows]


def _fresh(session: Session, service_id: str) -> Service:
    """The stored row after a bulk write (which bypasses the session's identity map)."""
    return session.get(Service, service_id, populate_existing=True)


def _check_precondition(row: Service, if_match: set[str] | None) -> None:
    if if_match is None or "*" in if_match:
        return
    if etag(row) not in if_match:
        raise PreconditionFailed(
            f"the record changed since you read it (now version {row.version}); "
            "fetch it again and re-apply your edit",
            current_etag=etag(row),
        )


MAX_INTEGER = 2**31 - 1  # INTEGER columns (32 bits on PostgreSQL), versions among them


# -- reading --------------------------------------------------------------------------------------
def get(session: Session, service_id: str) -> Service:
    row = session.get(Service, service_id)
    if row is None:
        raise NotFound(f"no service {service_id!r}")
    return row


def get_live(session: Session, service_id: str, *, for_update: bool = False) -> Service:
    """The record, or 404/410. ``for_update``: locked until the transaction ends and read afresh
    (not from the session's identity map), for writes that decide on its version."""
    row = session.get(Service, service_id, with_for_update=for_update, populate_existing=for_update)
    if row is None:
        raise NotFound(f"no service {service_id!r}")
    if row.deleted_at is not None:
        raise Gone(f"service {service_id!r} was deleted", tombstone=tombstone_to_dict(row))
    return row


def list_services(
    session: Session,
    *,
    authority: str | None = None,
    level: str | None = None,
    status: str | None = None,
    identifier: str | None = None,
    modified_since: datetime | None = None,
    sort: str = "-modified",
    page: int = 1,
    size: int = 50,
    **report: Any,
) -> tuple[int, list[Service]]:
    """Live records only, straight from the database; ``report``: the filters of
    ``reportfilters.service_conditions`` (area, stale, integration)."""
    query = select(Service).where(Service.deleted_at.is_(None), *service_conditions(**report))
    for column, value in (
        (Service.authority, authority),
        (Service.level, level),
        (Service.status, status),
        (Service.identifier, identifier),
    ):
        if value:
            query = query.where(column == value)
    if modified_since:
        query = query.where(Service.modified > modified_since)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(*SORTS[sort]).offset((page - 1) * size).limit(size))
    return total, list(rows)


def versions(session: Session, service_id: str) -> list[ServiceVersion]:
    """Every version of a record, oldest first (the newest has ``data`` None: see ``version``)."""
    get(session, service_id)
    query = (
        select(ServiceVersion)
        .where(ServiceVersion.service_id == service_id)
        .order_by(ServiceVersion.version)
    )
    return list(session.scalars(query))


def version(session: Session, service_id: str, number: int) -> dict[str, Any]:
    """One version with its full content."""
    if number > MAX_INTEGER:  # past the INTEGER column: the database would fail, not answer
        raise NotFound(f"service {service_id!r} has no version {number}")
    row = session.scalar(
        select(ServiceVersion).where(
            ServiceVersion.service_id == service_id, ServiceVersion.version == number
        )
    )
    if row is None:
        raise NotFound(f"service {service_id!r} has no version {number}")
    out = version_to_dict(row)
    out["data"] = row.data if row.data is not None else get(session, service_id).data
    return out


# -- shapes ---------------------------------------------------------------------------------------
def _identity(row: Service) -> dict[str, Any]:
    return {
        "id": row.id,
        "uri": row.uri,
        "identifier": row.identifier,
        "authority": row.authority,
        "level": row.level,
    }


def service_to_dict(
    row: Service, *, with_quality: bool = True, types: TypeIndex | None = None
) -> dict[str, Any]:
    """A record as the API returns it; exports and the index leave out the quality block
    (derived, and costly at a million records). With the node's ``types``, a linked record is
    shown in its effective form, ``inherited`` naming the fields that came from its type."""
    data, inherited = row.data, []
    if types is not None and row.type_id:
        data, inherited = types.effective(row.data, row.type_id)
    out = {
        **_identity(row),
        **data,
        "version": row.version,
        "created": as_utc(row.created).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
        "provenance": row.provenance,
    }
    if row.type_id:
        out["type"] = row.type_id
        out["type_link"] = {"method": row.type_link, "score": row.type_score}
        found = types.get(row.type_id) if types is not None else None
        if found is not None:
            out["type_link"].update(uri=found.uri, name=found.data["name"])
        out["inherited"] = inherited
    if row.review:
        out["review"] = row.review
    if with_quality:
        out["quality"] = quality(data)
    return out


def tombstone_to_dict(row: Service) -> dict[str, Any]:
    return {
        **_identity(row),
        "version": row.version,
        "deleted": True,
        "deleted_at": as_utc(row.deleted_at).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
    }


def version_to_dict(row: ServiceVersion) -> dict[str, Any]:
    return {
        "version": row.version,
        "action": row.action,
        "actor": row.actor,
        "at": as_utc(row.at).isoformat(),
        "content_hash": row.content_hash,
    }
