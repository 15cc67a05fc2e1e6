"""Applications read from the database for the RDF writers, as plain dicts with the URIs of
the live services they deliver (``service_uris``), like ``catalog.py`` reads services."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.reference.areas import ancestors
from simpul.reference.namespaces import DCAT, cv
from simpul.registry.applications import application_to_dict
from simpul.registry.models import Application, ApplicationService, Service
from simpul.vocab.applications import application_triples, channel_stub, is_data_service
from simpul.vocab.terms import Triple

BATCH = 500


def _service_uris(session: Session, app_ids: list[str]) -> dict[str, list[str]]:
    query = (
        select(ApplicationService.application_id, Service.uri)
        .join(Service, Service.id == ApplicationService.service_id)
        .where(ApplicationService.application_id.in_(app_ids), Service.deleted_at.is_(None))
        .order_by(ApplicationService.application_id, Service.uri)
    )
    out: dict[str, list[str]] = {}
    for app_id, uri in session.execute(query):
        out.setdefault(app_id, []).append(uri)
    return out


def _owner_matches(where, org: dict[str, Any] | None) -> bool:
    """The catalog's level and area filters, applied to the application's owner."""
    if org is None:
        return False
    if where.level and org["level"] != where.level:
        return False
    if where.area:
        area = org.get("area") or "00"
        return area in ancestors(where.area) or area.startswith(where.area + ".")
    return True


def application_records(
    session: Session, where, orgs: dict[str, dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Live applications under the catalog's filters (``authority`` is the owner), in id order,
    each with ``service_uris``. A paged catalog (Hydra) carries services only."""
    if where.page is not None:
        return
    table = Application.__table__
    query = select(table).where(table.c.deleted_at.is_(None)).order_by(table.c.id)
    if where.authority:
        query = query.where(table.c.organization_id == where.authority)
    if where.modified_since:
        query = query.where(table.c.modified > where.modified_since)
    result = session.execute(query.execution_options(yield_per=BATCH))
    for rows in result.partitions(BATCH):
        kept = [row for row in rows if _owner_matches(where, orgs.get(row.organization_id))]
        if not kept:
            continue
        links = _service_uris(session, [row.id for row in kept])
        for row in kept:
            yield {**application_to_dict(row), "service_uris": links.get(row.id, [])}


def application_blocks(
    records: Iterable[dict[str, Any]], orgs: dict[str, dict[str, Any]], catalog: str, shared
) -> Iterator[list[Triple]]:
    """Each application's triples with the shared nodes not yet described (``SharedNodes``);
    one that offers an interface is a ``dcat:service`` of the catalog."""
    uris = {org_id: org["uri"] for org_id, org in orgs.items()}
    for record in records:
        triples, refs = application_triples(record, uris[record["organization"]], uris)
        if is_data_service(record):
            triples.append((catalog, DCAT + "service", record["uri"]))
        yield triples + shared.triples(refs)


def channels_of_service(
    session: Session, service: dict[str, Any], owner_uri: str
) -> tuple[list[Triple], set[str]]:
    """The applications a service is delivered through, for the service's own document:
    ``cv:hasChannel`` to each, described briefly (the full description is at its URI). An
    application links only its owner's services, so the owner is the service's."""
    query = (
        select(Application.__table__)
        .join(ApplicationService, ApplicationService.application_id == Application.id)
        .where(ApplicationService.service_id == service["id"], Application.deleted_at.is_(None))
        .order_by(Application.id)
    )
    out: list[Triple] = []
    refs: set[str] = set()
    for row in session.execute(query):
        out.append((service["uri"], cv.hasChannel, row.uri))
        triples, found = channel_stub(application_to_dict(row), owner_uri)
        out += triples
        refs |= found
    return out, refs


def application_document(session: Session, fmt: str, base_uri: str, app_id: str) -> str:
    """One live application at its URI, in an RDF format (404/410 as the API)."""
    from simpul.registry.applications import get_live
    from simpul.registry.catalog import organizations
    from simpul.vocab.export import SharedNodes
    from simpul.vocab.writers import write_document

    row = get_live(session, app_id)
    record = {**application_to_dict(row), "service_uris": _service_uris(session, [row.id])}
    record["service_uris"] = record["service_uris"].get(row.id, [])
    units = [record.get(u, {}).get("organization") for u in ("operator", "developer")]
    orgs = organizations(session, base_uri, [row.organization_id, *filter(None, units)])
    shared = SharedNodes(orgs)
    blocks = list(application_blocks([record], orgs, f"{base_uri}/catalog", shared))
    return "".join(write_document(fmt, blocks))
