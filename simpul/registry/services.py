"""Service records: publish, replace, retire (tombstone), read, list, history.

Every write stores the new state, a version row and a change row in one transaction, so the
history, the search outbox and the federation feed can never disagree with the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.errors import ValidationFailed
from simpul.reference.areas import NATIONAL, is_within
from simpul.registry import records
from simpul.registry.auth import Actor
from simpul.registry.models import Organization, Service, ServiceVersion
from simpul.registry.quality import chores, quality
from simpul.registry.quality import present as components_present
from simpul.registry.records import MAX_INTEGER as MAX_INTEGER  # callers import them from here
from simpul.registry.records import Outcome, content_hash
from simpul.registry.records import new_id as new_id
from simpul.registry.reportfilters import service_conditions
from simpul.registry.schemas import SERVER_FIELDS, SERVICE_SCHEMA

if TYPE_CHECKING:
    from simpul.registry.types import Link, TypeIndex

SORTS = {
    "-modified": (Service.modified.desc(), Service.id),
    "modified": (Service.modified, Service.id),
    "identifier": (Service.authority, Service.identifier),
}


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


def etag(row: Service) -> str:
    return records.etag(SERVICES, row)


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
def _columns(prepared: Prepared, now: datetime, provenance: dict[str, Any]) -> dict[str, Any]:
    data, link = prepared.data, prepared.link
    completeness = prepared.completeness
    return {
        "authority": data["authority"],
        "identifier": data["identifier"],
        "level": prepared.organization.level,
        "status": data["status"],
        "data": data,
        "content_hash": prepared.content_hash,
        "completeness": completeness if completeness is not None else components_present(data),
        "chores": chores(data),
        "type_id": link.type_id if link else None,
        "type_link": link.method if link else None,
        "type_score": link.score if link else None,
        "modified": now,
        "deleted_at": None,
        "provenance": records.merged_provenance(prepared, provenance),
    }


def _relinked(session: Session, written: dict, updated: list[str], actor: Actor) -> None:
    if updated:
        from simpul.registry.reviews import relinked

        relinked(session, updated, actor)  # another type, or none: the flag is resolved


def publish_many(
    session: Session,
    batch: Iterable[Prepared],
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
) -> list[tuple[str, Outcome]]:
    """Create, update or restore prepared records; unchanged content writes nothing.

    The one write path of API, bulk load, demo and harvests (``records.store``). Permission is
    the caller's to check. Returns (id, outcome) pairs."""
    return records.store(
        session,
        SERVICES,
        batch,
        actor,
        base_uri=base_uri,
        provenance=provenance,
        columns=_columns,
        after=_relinked,
    )


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
    stored = publish_many(session, [prepared], actor, base_uri=base_uri, provenance=provenance)
    return records.created(session, SERVICES, prepared, stored)


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
    row = records.locked(session, SERVICES, service_id, actor, if_match)
    if isinstance(raw, dict) and types is not None and types.get(row.type_id) is not None:
        from simpul.registry.types import returned

        raw = returned(raw, types.get(row.type_id).data)
        found = types.resolve(str(raw.get("type", "")))
        if row.type_link == "automatic" and found is not None and found.id == row.type_id:
            raw = {k: v for k, v in raw.items() if k != "type"}  # sent back as read
    prepared = prepare(raw, session_lookup(session), row.authority, types=types)
    records.check_identity(SERVICES, prepared.data, row)
    [(_, outcome)] = publish_many(
        session, [prepared], actor, base_uri=base_uri, provenance=provenance
    )
    return records.fresh(session, SERVICES, service_id), outcome


def retire(
    session: Session, service_id: str, actor: Actor, *, if_match: set[str] | None = None
) -> Service:
    """Delete a record, leaving a tombstone that other nodes and the history keep."""
    return records.retire(session, SERVICES, service_id, actor, if_match)


def retire_many(session: Session, service_ids: list[str], actor: Actor) -> list[str]:
    """Tombstone live records in bulk (harvest deletions); returns the ids that were live.
    Permission is the caller's to check."""
    return records.retire_many(session, SERVICES, service_ids, actor)


# -- reading --------------------------------------------------------------------------------------
def get(session: Session, service_id: str) -> Service:
    return records.get(session, SERVICES, service_id)


def get_live(session: Session, service_id: str, *, for_update: bool = False) -> Service:
    """The record, or 404/410. ``for_update``: locked until the transaction ends and read afresh
    (not from the session's identity map), for writes that decide on its version."""
    return records.get_live(session, SERVICES, service_id, for_update=for_update)


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
    return records.page(session, query, SORTS[sort], page, size)


def versions(session: Session, service_id: str) -> list[ServiceVersion]:
    """Every version of a record, oldest first (the newest has ``data`` None: see ``version``)."""
    return records.versions(session, SERVICES, service_id)


def version(session: Session, service_id: str, number: int) -> dict[str, Any]:
    """One version with its full content."""
    return records.version(session, SERVICES, service_id, number)


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
    out = records.record_dict(_identity(row), data, row)
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
    return records.tombstone_dict(_identity(row), row)


version_to_dict = records.version_to_dict
SERVICES = records.Kind(
    Service,
    ServiceVersion,
    key="service_id",
    noun="service",
    word="record",
    collection="services",
    owner="authority",
    owner_field="authority",
    feed="service",
    tombstone=tombstone_to_dict,
)
