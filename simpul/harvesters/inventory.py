"""The integration inventory: APIs an API gateway (SPLP) publishes.

An API the mapping rule links to a service becomes an ``api`` channel of that service (a new
version of it, whoever publishes it; its provenance is kept and notes the contribution), and the
service's integration status becomes ``integrated``. An API no rule links stays in the inventory,
``unlinked``, for the integration team to assess. Because another source may rewrite a service
without the channel, every harvest re-applies the channels of the APIs linked to the records it
writes (``overlay``), and a vanished API takes its channel away again (``withdraw``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.registry import roadmap
from simpul.registry.auth import Actor
from simpul.registry.db import utcnow
from simpul.registry.models import IntegrationApi, Service
from simpul.registry.services import OrgInfo, Prepared, content_hash, publish_many


def api_channel(entry: dict[str, Any]) -> dict[str, Any]:
    channel: dict[str, Any] = {"type": "api", "url": entry["gateway_url"], "splp": True}
    label = entry["name"] + (f" {entry['version']}" if entry.get("version") else "")
    channel["name"] = {"id": label[:300]}
    if entry.get("description"):
        channel["description"] = {"id": entry["description"][:4000]}
    return channel


def merged(data: dict[str, Any], channels: list[dict[str, Any]]) -> dict[str, Any]:
    """The record with these API channels (replacing channels with the same URL) and its
    integration status set to integrated."""
    urls = {c["url"] for c in channels}
    kept = [c for c in data.get("channels", []) if c.get("url") not in urls]
    out = {**data, "channels": kept + channels}
    integration = dict(out.get("integration") or {})
    integration["status"] = "integrated"
    if not integration.get("splp_api"):
        integration["splp_api"] = channels[0]["name"]["id"][:500]
    out["integration"] = integration
    return out


def without(data: dict[str, Any], urls: set[str]) -> dict[str, Any]:
    out = {**data, "channels": [c for c in data.get("channels", []) if c.get("url") not in urls]}
    if not out["channels"]:
        del out["channels"]
    if not any(c.get("splp") for c in out.get("channels", [])) and out.get("integration"):
        integration = {**out["integration"], "status": "assessed"}
        integration.pop("splp_api", None)
        out["integration"] = integration
    return out


def upsert(session: Session, source_id: str, entry: dict[str, Any]) -> IntegrationApi:
    row = session.scalar(
        select(IntegrationApi).where(
            IntegrationApi.source_id == source_id, IntegrationApi.key == entry["key"]
        )
    )
    if row is None:
        row = IntegrationApi(source_id=source_id, key=entry["key"], status="unlinked")
        session.add(row)
    for field in (
        "name",
        "version",
        "context",
        "description",
        "provider",
        "gateway_url",
        "openapi_version",
        "link",
    ):
        setattr(row, field, entry.get(field))
    row.operations = entry.get("operations", 0)
    row.modified = utcnow()
    return row


def link(
    session: Session,
    row: IntegrationApi,
    entry: dict[str, Any],
    writable: dict[str, OrgInfo],
    actor: Actor,
    base_uri: str,
) -> tuple[str | None, str]:
    """Attach the API to the service its rule names, among the organizations the source may
    write for. Returns (service id, outcome or why it stays unlinked)."""
    identifier = entry.get("link")
    if not identifier or not entry.get("gateway_url"):
        row.status, row.service_authority, row.service_identifier = "unlinked", None, None
        why = "no mapping rule links it" if not identifier else "the gateway gives no URL"
        return None, f"unlinked: {why}"
    service = session.scalar(
        select(Service)
        .where(
            Service.identifier == identifier,
            Service.authority.in_(list(writable)),
            Service.deleted_at.is_(None),
        )
        .limit(1)
    )
    if service is None:
        row.status, row.service_authority, row.service_identifier = "unlinked", None, None
        return None, f"unlinked: no live service {identifier!r} of this source's organizations"
    row.status = "linked"
    row.service_authority, row.service_identifier = service.authority, service.identifier
    roadmap.api_linked(session, service.id, row.name)
    data = merged(service.data, [api_channel(entry)])
    if data == service.data:
        return service.id, "unchanged"
    provenance = {**service.provenance, "apis_from": entry["source"]}
    outcome = _republish(session, service, data, provenance, writable, actor, base_uri)
    return service.id, outcome.value


def overlay(session: Session, batch: list[Prepared]) -> list[Prepared]:
    """Re-apply the channels of linked APIs to records a harvest is about to write."""
    keys = {p.key for p in batch}
    if not keys:
        return batch
    identifiers = {identifier for _, identifier in keys}
    rows = session.execute(
        select(IntegrationApi).where(
            IntegrationApi.status == "linked",
            IntegrationApi.service_identifier.in_(identifiers),
        )
    ).scalars()
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        key = (row.service_authority, row.service_identifier)
        if key in keys:
            by_key.setdefault(key, []).append(api_channel(_entry(row)))
    if not by_key:
        return batch
    out = []
    for prepared in batch:
        channels = by_key.get(prepared.key)
        if channels:
            data = merged(prepared.data, channels)
            prepared = prepared._replace(data=data, content_hash=content_hash(data))
        out.append(prepared)
    return out


def withdraw(
    session: Session,
    source_id: str,
    keys: list[str],
    writable: dict[str, OrgInfo],
    actor: Actor,
    base_uri: str,
) -> int:
    """APIs gone from the gateway: out of the inventory, and their channels off the services."""
    rows = session.scalars(
        select(IntegrationApi).where(
            IntegrationApi.source_id == source_id, IntegrationApi.key.in_(keys)
        )
    ).all()
    changed = 0
    for row in rows:
        if row.status == "linked":
            service = session.scalar(
                select(Service).where(
                    Service.authority == row.service_authority,
                    Service.identifier == row.service_identifier,
                    Service.deleted_at.is_(None),
                )
            )
            if service is not None and service.authority in writable:
                data = without(service.data, {row.gateway_url})
                if data != service.data:
                    _republish(
                        session, service, data, service.provenance, writable, actor, base_uri
                    )
                    changed += 1
        was_linked = row.status == "linked"
        row.status, row.modified = "gone", utcnow()
        if was_linked:
            session.flush()
            roadmap.api_gone(session, row.service_authority, row.service_identifier, row.name)
    return changed


def _republish(session, service, data, provenance, writable, actor, base_uri):
    """A new version of someone's service with API channels changed; its provenance (who
    publishes it) is kept, so the record stays theirs."""
    prepared = Prepared(data, content_hash(data), writable[service.authority], provenance)
    [(_, outcome)] = publish_many(session, [prepared], actor, base_uri=base_uri, provenance={})
    return outcome


def _entry(row: IntegrationApi) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "version": row.version,
        "description": row.description,
        "gateway_url": row.gateway_url,
    }


def inventory_to_dict(row: IntegrationApi) -> dict[str, Any]:
    return {
        "source": row.source_id,
        "key": row.key,
        "name": row.name,
        "version": row.version,
        "context": row.context,
        "description": row.description,
        "provider": row.provider,
        "gateway_url": row.gateway_url,
        "operations": row.operations,
        "openapi_version": row.openapi_version,
        "status": row.status,
        "service": {"authority": row.service_authority, "identifier": row.service_identifier}
        if row.status == "linked"
        else None,
        "link": row.link,
        "modified": row.modified.isoformat() if row.modified else None,
    }


def list_inventory(
    session: Session, status: str | None = None, source: str | None = None
) -> list[IntegrationApi]:
    query = select(IntegrationApi).where(IntegrationApi.status != "gone")
    if status:
        query = query.where(IntegrationApi.status == status)
    if source:
        query = query.where(IntegrationApi.source_id == source)
    return list(session.scalars(query.order_by(IntegrationApi.source_id, IntegrationApi.name)))
