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
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from simpul.errors import ValidationFailed
from simpul.registry import records
from simpul.registry.applinks import ServiceRefs
from simpul.registry.appschema import APP_SERVER_FIELDS, load_application
from simpul.registry.auth import Actor
from simpul.registry.models import (
    Application,
    ApplicationService,
    ApplicationVersion,
    Service,
)
from simpul.registry.services import OrgInfo, Outcome, content_hash, session_lookup

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
def _link(session: Session, written: dict[str, Any], replaced: list[str], actor: Actor) -> None:
    """Store the services of written applications (``replaced``: those that had links)."""
    table = ApplicationService.__table__
    if replaced:
        session.execute(delete(table).where(table.c.application_id.in_(replaced)))
    rows = [
        {"application_id": app_id, "service_id": service_id}
        for app_id, prepared in written.items()
        for service_id in prepared.data.get("services", [])
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
        "provenance": records.merged_provenance(prepared, provenance),
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
    return records.store(
        session,
        APPLICATIONS,
        batch,
        actor,
        base_uri=base_uri,
        provenance=provenance,
        columns=_columns,
        after=_link,
    )


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
    stored = publish_many(session, [prepared], actor, base_uri=base_uri, provenance=provenance)
    return records.created(session, APPLICATIONS, prepared, stored)


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
    row = records.locked(session, APPLICATIONS, app_id, actor, if_match)
    prepared = prepare(raw, lookup, ServiceRefs(session), row.organization_id)
    records.check_identity(APPLICATIONS, prepared.data, row)
    [(_, outcome)] = publish_many(
        session, [prepared], actor, base_uri=base_uri, provenance=provenance
    )
    return records.fresh(session, APPLICATIONS, app_id), outcome


def retire(
    session: Session, app_id: str, actor: Actor, *, if_match: set[str] | None = None
) -> Application:
    """Delete an application, leaving a tombstone; its history and service links stay."""
    return records.retire(session, APPLICATIONS, app_id, actor, if_match)


def etag(row: Application, quality: dict | None = None) -> str:
    """With ``quality`` (the gateway check a read adds) once a gateway is checked, the tag
    changes when the check does, though the stored record did not."""
    checked = quality and (quality.get("flags") or quality["gateway_apis"].get("checked"))
    return records.etag(APPLICATIONS, row, quality if checked else None)


# -- reading --------------------------------------------------------------------------------------
def get(session: Session, app_id: str) -> Application:
    return records.get(session, APPLICATIONS, app_id)


def get_live(session: Session, app_id: str, *, for_update: bool = False) -> Application:
    return records.get_live(session, APPLICATIONS, app_id, for_update=for_update)


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
    return records.page(session, query, SORTS[sort], page, size)


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
    return records.versions(session, APPLICATIONS, app_id)


def version(session: Session, app_id: str, number: int) -> dict[str, Any]:
    return records.version(session, APPLICATIONS, app_id, number)


# -- shapes ---------------------------------------------------------------------------------------
def _identity(row: Application) -> dict[str, Any]:
    return {
        "id": row.id,
        "uri": row.uri,
        "identifier": row.identifier,
        "organization": row.organization_id,
    }


def application_to_dict(row: Application) -> dict[str, Any]:
    return records.record_dict(_identity(row), row.data, row)


def tombstone_to_dict(row: Application) -> dict[str, Any]:
    return records.tombstone_dict(_identity(row), row)


version_to_dict = records.version_to_dict
APPLICATIONS = records.Kind(
    Application,
    ApplicationVersion,
    key="application_id",
    noun="application",
    word="application",
    collection="applications",
    owner="organization_id",
    owner_field="organization",
    feed="application",
    tombstone=tombstone_to_dict,
    deleted_values={"status": "deleted"},
)
