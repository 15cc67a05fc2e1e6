"""Service records: publish, replace, retire (tombstone), read, list, history.

Every write stores the new state, a version row and a change row in one transaction, so the
history, the search outbox and the federation feed can never disagree with the record.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from marshmallow import ValidationError
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from simpul.errors import Conflict, Gone, NotFound, PreconditionFailed, ValidationFailed
from simpul.registry.areas import NATIONAL, is_within
from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Change, Organization, Service, ServiceVersion
from simpul.registry.schemas import SERVER_FIELDS, SERVICE_SCHEMA

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


@dataclass(frozen=True)
class Prepared:
    """A record that passed every check and is ready to store."""

    data: dict[str, Any]
    content_hash: str
    organization: Organization

    @property
    def key(self) -> tuple[str, str]:
        return self.data["authority"], self.data["identifier"]


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def new_id() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode().lower()


def etag(row: Service) -> str:
    return f'"{row.version}-{row.content_hash[:12]}"'


# -- checking -------------------------------------------------------------------------------------
def prepare(
    raw: Any,
    lookup: Callable[[str], Organization | None],
    default_authority: str | None = None,
) -> Prepared:
    """Validate a published record and resolve its authority; raise ValidationFailed."""
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
    return Prepared(data, content_hash(data), org)


def session_lookup(session: Session) -> Callable[[str], Organization | None]:
    cache: dict[str, Organization | None] = {}

    def lookup(org_id: str) -> Organization | None:
        if org_id not in cache:
            cache[org_id] = session.get(Organization, org_id)
        return cache[org_id]

    return lookup


# -- writing --------------------------------------------------------------------------------------
def _record_change(
    session: Session, row: Service, action: Outcome, actor: Actor, now: datetime
) -> None:
    session.add(
        ServiceVersion(
            service_id=row.id,
            version=row.version,
            action=action.value,
            data=row.data,
            content_hash=row.content_hash,
            actor=actor.name,
            at=now,
        )
    )
    session.add(Change(service_id=row.id, version=row.version, action=action.value, at=now))


def _apply(
    session: Session,
    row: Service | None,
    prepared: Prepared,
    actor: Actor,
    base_uri: str,
    provenance: dict[str, Any],
    now: datetime,
) -> tuple[Service, Outcome]:
    """Create, update or restore ``row`` from ``prepared``; unchanged content writes nothing."""
    if row is not None and row.deleted_at is None and row.content_hash == prepared.content_hash:
        return row, Outcome.UNCHANGED
    data = prepared.data
    prov = {**provenance, "content_hash": prepared.content_hash}
    if row is None:
        service_id = new_id()
        row = Service(
            id=service_id,
            uri=f"{base_uri}/services/{service_id}",
            created=now,
            version=0,
        )
        session.add(row)
        outcome = Outcome.CREATED
    else:
        outcome = Outcome.RESTORED if row.deleted_at is not None else Outcome.UPDATED
    row.authority = data["authority"]
    row.identifier = data["identifier"]
    row.level = prepared.organization.level
    row.status = data["status"]
    row.data = data
    row.content_hash = prepared.content_hash
    row.version += 1
    row.modified = now
    row.deleted_at = None
    row.provenance = prov
    _record_change(session, row, outcome, actor, now)
    return row, outcome


def publish(
    session: Session,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
) -> tuple[Service, Outcome]:
    """Publish a new record. A tombstone with the same identifier comes back with its old id."""
    prepared = prepare(raw, session_lookup(session), actor.organization)
    actor.require_write(prepared.data["authority"])
    existing = _find(session, *prepared.key)
    if existing is not None and existing.deleted_at is None:
        raise Conflict(
            f"{prepared.data['authority']} already has a service {prepared.data['identifier']!r}"
            f" ({existing.id}); update it with PUT /api/v1/services/{existing.id}",
            existing=existing.id,
        )
    return _apply(session, existing, prepared, actor, base_uri, provenance, utcnow())


def replace(
    session: Session,
    service_id: str,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    if_match: set[str] | None = None,
) -> tuple[Service, Outcome]:
    row = get_live(session, service_id, for_update=True)
    actor.require_write(row.authority)
    _check_precondition(row, if_match)
    prepared = prepare(raw, session_lookup(session), row.authority)
    if prepared.data["authority"] != row.authority:
        raise ValidationFailed.from_messages(
            {"authority": f"a record cannot move from {row.authority!r} to another organization"}
        )
    if prepared.data["identifier"] != row.identifier:
        other = _find(session, *prepared.key)
        if other is not None:
            raise Conflict(f"identifier {prepared.data['identifier']!r} is taken by {other.id}")
    return _apply(session, row, prepared, actor, base_uri, provenance, utcnow())


def retire(
    session: Session, service_id: str, actor: Actor, *, if_match: set[str] | None = None
) -> Service:
    """Delete a record, leaving a tombstone that other nodes and the history keep."""
    row = get_live(session, service_id, for_update=True)
    actor.require_write(row.authority)
    _check_precondition(row, if_match)
    now = utcnow()
    row.version += 1
    row.deleted_at = now
    row.modified = now
    _record_change(session, row, Outcome.DELETED, actor, now)
    return row


def publish_many(
    session: Session,
    batch: Iterable[Prepared],
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
) -> list[tuple[Service, Outcome]]:
    """Create, update or restore many prepared records (bulk load, harvest): one query to find
    the existing rows, then one flush. Permission is checked per record by the caller."""
    batch = list(batch)
    keys = {p.key for p in batch}
    existing: dict[tuple[str, str], Service] = {}
    if keys:
        query = select(Service).where(tuple_(Service.authority, Service.identifier).in_(keys))
        existing = {(r.authority, r.identifier): r for r in session.scalars(query)}
    now = utcnow()
    results = []
    for prepared in batch:
        row, outcome = _apply(
            session, existing.get(prepared.key), prepared, actor, base_uri, provenance, now
        )
        existing[prepared.key] = row
        results.append((row, outcome))
    session.flush()
    return results


def _check_precondition(row: Service, if_match: set[str] | None) -> None:
    if if_match is None or "*" in if_match:
        return
    if etag(row) not in if_match:
        raise PreconditionFailed(
            f"the record changed since you read it (now version {row.version}); "
            "fetch it again and re-apply your edit",
            current_etag=etag(row),
        )


# -- reading --------------------------------------------------------------------------------------
def _find(session: Session, authority: str, identifier: str) -> Service | None:
    return session.scalar(
        select(Service).where(Service.authority == authority, Service.identifier == identifier)
    )


def get(session: Session, service_id: str) -> Service:
    row = session.get(Service, service_id)
    if row is None:
        raise NotFound(f"no service {service_id!r}")
    return row


def get_live(session: Session, service_id: str, *, for_update: bool = False) -> Service:
    row = session.get(Service, service_id, with_for_update=for_update)
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
) -> tuple[int, list[Service]]:
    """Live records only, straight from the database."""
    query = select(Service).where(Service.deleted_at.is_(None))
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
    get(session, service_id)
    query = (
        select(ServiceVersion)
        .where(ServiceVersion.service_id == service_id)
        .order_by(ServiceVersion.version)
    )
    return list(session.scalars(query))


def version(session: Session, service_id: str, number: int) -> ServiceVersion:
    row = session.scalar(
        select(ServiceVersion).where(
            ServiceVersion.service_id == service_id, ServiceVersion.version == number
        )
    )
    if row is None:
        raise NotFound(f"service {service_id!r} has no version {number}")
    return row


# -- shapes ---------------------------------------------------------------------------------------
def service_to_dict(row: Service) -> dict[str, Any]:
    return {
        "id": row.id,
        "uri": row.uri,
        "identifier": row.identifier,
        "authority": row.authority,
        "level": row.level,
        **row.data,
        "version": row.version,
        "created": as_utc(row.created).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
        "provenance": row.provenance,
    }


def tombstone_to_dict(row: Service) -> dict[str, Any]:
    return {
        "id": row.id,
        "uri": row.uri,
        "identifier": row.identifier,
        "authority": row.authority,
        "level": row.level,
        "version": row.version,
        "deleted": True,
        "deleted_at": as_utc(row.deleted_at).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
    }


def version_to_dict(row: ServiceVersion, *, with_data: bool = True) -> dict[str, Any]:
    out = {
        "version": row.version,
        "action": row.action,
        "actor": row.actor,
        "at": as_utc(row.at).isoformat(),
        "content_hash": row.content_hash,
    }
    if with_data:
        out["data"] = row.data
    return out
