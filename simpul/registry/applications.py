"""Applications (aplikasi): publish, replace, retire (tombstone), read, list, history.

The same conventions as service records (``registry/services.py``): every write stores the new
state and a version row in one transaction; unchanged content writes nothing; a deleted
application answers 410 with its tombstone and comes back with its old id when published again.
An application belongs to one organization and links only that organization's services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from marshmallow import ValidationError
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from simpul.errors import (
    ConcurrentWrite,
    Conflict,
    Gone,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from simpul.registry.applinks import ServiceRefs
from simpul.registry.appschema import APP_SERVER_FIELDS, load_application
from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import (
    Application,
    ApplicationService,
    ApplicationVersion,
    Change,
    Service,
)
from simpul.registry.services import (
    MAX_INTEGER,
    OrgInfo,
    Outcome,
    content_hash,
    new_id,
    session_lookup,
)

SORTS = {
    "-modified": (Application.modified.desc(), Application.id),
    "modified": (Application.modified, Application.id),
    "identifier": (Application.organization_id, Application.identifier),
}
OrgLookup = Callable[[str], OrgInfo | Any | None]


class PreparedApp(NamedTuple):
    """An application that passed every check: its services resolved to ids of its owner."""

    data: dict[str, Any]
    content_hash: str
    provenance: dict[str, Any] | None = None
    identity: tuple[str, str] | None = None  # (id, URI) kept from its origin (federation)

    @property
    def key(self) -> tuple[str, str]:
        return self.data["organization"], self.data["identifier"]


# -- checking -------------------------------------------------------------------------------------
def prepare(
    raw: Any, lookup: OrgLookup, refs: ServiceRefs, default_organization: str | None = None
) -> PreparedApp:
    """Validate an application, resolve its owner, units and services; raise ValidationFailed."""
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(f"expected a JSON object, got {type(raw).__name__}")
    try:
        data = load_application({k: v for k, v in raw.items() if k not in APP_SERVER_FIELDS})
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None
    owner = data.get("organization") or default_organization
    if not owner:
        raise ValidationFailed.from_messages({"organization": "missing: which organization?"})
    if lookup(owner) is None:
        raise ValidationFailed.from_messages({"organization": f"unknown organization {owner!r}"})
    data["organization"] = owner
    problems = {
        f"{unit}.organization": f"unknown organization {data[unit]['organization']!r}"
        for unit in ("operator", "developer")
        if "organization" in data.get(unit, {}) and lookup(data[unit]["organization"]) is None
    }
    if data.get("services"):
        data["services"], unresolved = refs.resolve(owner, data["services"])
        problems.update(unresolved)
    if problems:
        raise ValidationFailed.from_messages(problems)
    return PreparedApp(data, content_hash(data))


# -- writing --------------------------------------------------------------------------------------
class _State(NamedTuple):
    id: str
    content_hash: str
    version: int
    deleted: bool


def _states(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], _State]:
    """The stored state of each (organization, identifier), locked until the transaction ends."""
    by_org: dict[str, list[str]] = {}
    for organization, identifier in keys:
        by_org.setdefault(organization, []).append(identifier)
    found: dict[tuple[str, str], _State] = {}
    table = Application
    for organization, identifiers in sorted(by_org.items()):
        query = (
            select(table.identifier, table.id, table.content_hash, table.version, table.deleted_at)
            .where(table.organization_id == organization, table.identifier.in_(identifiers))
            .order_by(table.identifier)
            .with_for_update()
        )
        for row in session.execute(query):
            found[(organization, row[0])] = _State(row[1], row[2], row[3], row[4] is not None)
    return found


def _freeze(session: Session, ids: list[str]) -> None:
    """Copy the current content into the version row that still points at it (``data`` NULL)."""
    versions = ApplicationVersion.__table__
    current = (
        select(Application.data)
        .where(Application.id == versions.c.application_id)
        .scalar_subquery()
    )
    session.execute(
        update(versions)
        .where(versions.c.application_id.in_(ids), versions.c.data.is_(None))
        .values(data=current)
    )


def _update_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    table = Application.__table__
    statement = update(table).where(
        table.c.id == bindparam("_id"), table.c.version == bindparam("_prior")
    )
    params = [{**{k: v for k, v in row.items() if k != "id"}, "_id": row["id"]} for row in rows]
    if session.execute(statement, params).rowcount != len(rows):
        raise ConcurrentWrite(
            "the application changed while this write was deciding; send it again"
        )


def _log(session: Session, entries: list[dict[str, Any]], actor: Actor, now: datetime) -> None:
    """Version rows and change feed rows (kind ``application``) of written applications."""
    if entries:
        session.execute(
            insert(ApplicationVersion.__table__),
            [{"data": None, **e, "actor": actor.name, "at": now} for e in entries],
        )
        changes = [
            {"service_id": e["application_id"], "version": e["version"], "action": e["action"]}
            for e in entries
        ]
        session.execute(
            insert(Change.__table__), [{**c, "kind": "application", "at": now} for c in changes]
        )


def _link(session: Session, links: dict[str, list[str]], replaced: list[str]) -> None:
    """Store the services of written applications (``replaced``: those that had links)."""
    table = ApplicationService.__table__
    if replaced:
        session.execute(delete(table).where(table.c.application_id.in_(replaced)))
    rows = [
        {"application_id": app_id, "service_id": service_id}
        for app_id, service_ids in links.items()
        for service_id in service_ids
    ]
    if rows:
        session.execute(insert(table), rows)


def _columns(prepared: PreparedApp, now: datetime, provenance: dict[str, Any]) -> dict[str, Any]:
    data = prepared.data
    return {
        "organization_id": data["organization"],
        "identifier": data["identifier"],
        "status": "active",
        "kind": data.get("kind"),
        "lifecycle": data.get("lifecycle"),
        "splp_status": data.get("splp", {}).get("status"),
        "data": data,
        "content_hash": prepared.content_hash,
        "modified": now,
        "deleted_at": None,
        "provenance": {
            **provenance,
            **(prepared.provenance or {}),
            "content_hash": prepared.content_hash,
        },
    }


def publish_many(
    session: Session,
    batch: Iterable[PreparedApp],
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
) -> list[tuple[str, Outcome]]:
    """Create, update or restore prepared applications with their service links; unchanged
    content writes nothing. Permission is the caller's to check."""
    batch = list(batch)
    states = _states(session, {p.key for p in batch})
    now = utcnow()
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    links: dict[str, list[str]] = {}
    log: list[dict[str, Any]] = []
    results: list[tuple[str, Outcome]] = []
    for prepared in batch:
        state = states.get(prepared.key)
        if state is not None and not state.deleted and state.content_hash == prepared.content_hash:
            results.append((state.id, Outcome.UNCHANGED))
            continue
        values = _columns(prepared, now, provenance)
        if state is None:
            app_id, version, outcome = new_id(), 1, Outcome.CREATED
            app_id, uri = prepared.identity or (app_id, f"{base_uri}/applications/{app_id}")
            inserts[app_id] = {
                **values,
                "id": app_id,
                "uri": uri,
                "created": now,
                "version": 1,
            }
        else:
            app_id, version = state.id, state.version + 1
            outcome = Outcome.RESTORED if state.deleted else Outcome.UPDATED
            pending = inserts.get(app_id) or updates.get(app_id)
            if pending is not None:  # twice in one batch
                pending.update(values, version=version)
            else:
                updates[app_id] = {
                    **values,
                    "id": app_id,
                    "version": version,
                    "_prior": version - 1,
                }
        links[app_id] = prepared.data.get("services", [])
        states[prepared.key] = _State(app_id, prepared.content_hash, version, False)
        log.append(
            {
                "application_id": app_id,
                "version": version,
                "action": outcome.value,
                "content_hash": prepared.content_hash,
            }
        )
        results.append((app_id, outcome))
    if inserts:
        session.execute(insert(Application.__table__), list(inserts.values()))
    if updates:
        _freeze(session, list(updates))
        _update_rows(session, list(updates.values()))
    _link(session, links, list(updates))
    _log(session, log, actor, now)
    return results


def publish(
    session: Session,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    lookup: OrgLookup | None = None,
) -> tuple[Application, Outcome]:
    """Publish a new application (a tombstone with the same identifier comes back); 409 when
    the owner already has a live one with that identifier."""
    lookup = lookup or session_lookup(session)
    prepared = prepare(raw, lookup, ServiceRefs(session), actor.organization)
    actor.require_write(prepared.data["organization"])
    [(app_id, outcome)] = publish_many(
        session, [prepared], actor, base_uri=base_uri, provenance=provenance
    )
    if outcome not in (Outcome.CREATED, Outcome.RESTORED):
        owner, identifier = prepared.key
        raise Conflict(
            f"{owner} already has an application {identifier!r} ({app_id}); "
            f"update it with PUT /api/v1/applications/{app_id}",
            existing=app_id,
        )
    return _fresh(session, app_id), outcome


def replace(
    session: Session,
    app_id: str,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    lookup: OrgLookup | None = None,
    if_match: set[str] | None = None,
) -> tuple[Application, Outcome]:
    lookup = lookup or session_lookup(session)
    row = get_live(session, app_id, for_update=True)
    actor.require_write(row.organization_id)
    _check_precondition(row, if_match)
    prepared = prepare(raw, lookup, ServiceRefs(session), row.organization_id)
    for key, stored in (("organization", row.organization_id), ("identifier", row.identifier)):
        if prepared.data[key] != stored:
            raise ValidationFailed.from_messages(
                {
                    key: f"the {key} of an application cannot change (it is {stored!r}); "
                    "publish a new application and delete this one instead"
                }
            )
    [(_, outcome)] = publish_many(
        session, [prepared], actor, base_uri=base_uri, provenance=provenance
    )
    return _fresh(session, app_id), outcome


def retire(
    session: Session, app_id: str, actor: Actor, *, if_match: set[str] | None = None
) -> Application:
    """Delete an application, leaving a tombstone; its history and service links stay."""
    row = get_live(session, app_id, for_update=True)
    actor.require_write(row.organization_id)
    _check_precondition(row, if_match)
    now = utcnow()
    _freeze(session, [row.id])
    update_ = {"id": row.id, "_prior": row.version, "version": row.version + 1}
    _update_rows(session, [{**update_, "deleted_at": now, "modified": now, "status": "deleted"}])
    entry = {
        "application_id": row.id,
        "version": row.version + 1,
        "action": Outcome.DELETED.value,
        "content_hash": row.content_hash,
    }
    _log(session, [entry], actor, now)
    return _fresh(session, row.id)


def _fresh(session: Session, app_id: str) -> Application:
    return session.get(Application, app_id, populate_existing=True)


def etag(row: Application) -> str:
    return f'"{row.version}-{row.content_hash[:12]}"'


def _check_precondition(row: Application, if_match: set[str] | None) -> None:
    if if_match is None or "*" in if_match:
        return
    if etag(row) not in if_match:
        raise PreconditionFailed(
            f"the application changed since you read it (now version {row.version}); "
            "fetch it again and re-apply your edit",
            current_etag=etag(row),
        )


# -- reading --------------------------------------------------------------------------------------
def get(session: Session, app_id: str) -> Application:
    row = session.get(Application, app_id)
    if row is None:
        raise NotFound(f"no application {app_id!r}")
    return row


def get_live(session: Session, app_id: str, *, for_update: bool = False) -> Application:
    row = session.get(Application, app_id, with_for_update=for_update, populate_existing=for_update)
    if row is None:
        raise NotFound(f"no application {app_id!r}")
    if row.deleted_at is not None:
        raise Gone(f"application {app_id!r} was deleted", tombstone=tombstone_to_dict(row))
    return row


def list_applications(
    session: Session,
    *,
    organization: str | None = None,
    kind: str | None = None,
    lifecycle: str | None = None,
    splp_status: str | None = None,
    service: str | None = None,
    sort: str = "-modified",
    page: int = 1,
    size: int = 50,
) -> tuple[int, list[Application]]:
    """Live applications, straight from the database; ``service``: those delivering it."""
    query = select(Application).where(Application.deleted_at.is_(None))
    for column, value in (
        (Application.organization_id, organization),
        (Application.kind, kind),
        (Application.lifecycle, lifecycle),
        (Application.splp_status, splp_status),
    ):
        if value:
            query = query.where(column == value)
    if service:
        linked = select(ApplicationService.application_id).where(
            ApplicationService.service_id == service
        )
        query = query.where(Application.id.in_(linked))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(*SORTS[sort]).offset((page - 1) * size).limit(size))
    return total, list(rows)


def of_service(session: Session, service_id: str) -> list[Application]:
    """The live applications that deliver a live service (404/410 as the service)."""
    from simpul.registry import services

    services.get_live(session, service_id)
    _, rows = list_applications(session, service=service_id, sort="identifier", size=1000)
    return rows


def service_names(session: Session, service_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Identifier and name of each live service, for pages that show an application's links."""
    if not service_ids:
        return {}
    query = select(Service.id, Service.identifier, Service.data["name"]).where(
        Service.id.in_(service_ids), Service.deleted_at.is_(None)
    )
    return {row[0]: {"identifier": row[1], "name": row[2]} for row in session.execute(query)}


def versions(session: Session, app_id: str) -> list[ApplicationVersion]:
    get(session, app_id)
    query = (
        select(ApplicationVersion)
        .where(ApplicationVersion.application_id == app_id)
        .order_by(ApplicationVersion.version)
    )
    return list(session.scalars(query))


def version(session: Session, app_id: str, number: int) -> dict[str, Any]:
    if number > MAX_INTEGER:
        raise NotFound(f"application {app_id!r} has no version {number}")
    row = session.scalar(
        select(ApplicationVersion).where(
            ApplicationVersion.application_id == app_id, ApplicationVersion.version == number
        )
    )
    if row is None:
        raise NotFound(f"application {app_id!r} has no version {number}")
    out = version_to_dict(row)
    out["data"] = row.data if row.data is not None else get(session, app_id).data
    return out


# -- shapes ---------------------------------------------------------------------------------------
def _identity(row: Application) -> dict[str, Any]:
    return {
        "id": row.id,
        "uri": row.uri,
        "identifier": row.identifier,
        "organization": row.organization_id,
    }


def application_to_dict(row: Application) -> dict[str, Any]:
    return {
        **_identity(row),
        **row.data,
        "version": row.version,
        "created": as_utc(row.created).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
        "provenance": row.provenance,
    }


def tombstone_to_dict(row: Application) -> dict[str, Any]:
    return {
        **_identity(row),
        "version": row.version,
        "deleted": True,
        "deleted_at": as_utc(row.deleted_at).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
    }


def version_to_dict(row: ApplicationVersion) -> dict[str, Any]:
    return {
        "version": row.version,
        "action": row.action,
        "actor": row.actor,
        "at": as_utc(row.at).isoformat(),
        "content_hash": row.content_hash,
    }
