"""Lists as tables for spreadsheets (``simpul.tables`` writes them as CSV or XLSX): rows read
from the database in chunks, only the columns a table shows, never a whole record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.registry.catalog import CatalogFilter
from simpul.registry.db import as_utc
from simpul.registry.models import Organization, Service
from simpul.tables import Column, Table

READ_CHUNK = 2000  # rows fetched from the database at a time

SERVICE_COLUMNS = (
    Column("id", width=14),
    Column("identifier", width=28),
    Column("authority", width=28),
    Column("authority_name", width=40),
    Column("name_id", width=48),
    Column("name_en", width=48),
    Column("level", width=10),
    Column("areas", width=22),
    Column("sectors", width=24),
    Column("status", width=10),
    Column("integration_status", width=18),
    Column("completeness", "integer", width=13),  # components of the standard present, of 14
    Column("modified", "datetime", width=20),
    Column("uri", width=50),
)


def service_table(session: Session, where: CatalogFilter, *, status: str | None = None) -> Table:
    """Live services (by id) that ``where`` selects, one row per service; ``status`` narrows to
    active, inactive or planned records."""
    data = Service.data
    query = (
        select(
            Service.id,
            Service.identifier,
            Service.authority,
            Organization.name.label("authority_name"),
            data["name"].label("name"),
            Service.level,
            data["areas"].label("areas"),
            data["sectors"].label("sectors"),
            Service.status,
            data["integration"].label("integration"),
            Service.completeness,
            Service.modified,
            Service.uri,
        )
        .outerjoin(Organization, Organization.id == Service.authority)
        .order_by(Service.id)
    )
    query = where.apply(query)
    if status:
        query = query.where(Service.status == status)
    filters = {
        key: value
        for key, value in (
            ("authority", where.authority),
            ("level", where.level),
            ("area", where.area),
            ("status", status),
        )
        if value
    }
    return Table("Layanan", SERVICE_COLUMNS, _service_rows(session, query, where), filters)


def _service_rows(session: Session, query, where: CatalogFilter) -> Iterator[list[Any]]:
    for row in session.execute(query.execution_options(yield_per=READ_CHUNK)):
        areas = row.areas or []
        if where.area and not where.covers({"areas": areas}):
            continue
        name = row.name or {}
        integration = row.integration or {}
        yield [
            row.id,
            row.identifier,
            row.authority,
            (row.authority_name or {}).get("id"),
            name.get("id"),
            name.get("en"),
            row.level,
            areas,
            row.sectors or [],
            row.status,
            integration.get("status") if isinstance(integration, dict) else None,
            row.completeness,
            as_utc(row.modified),
            row.uri,
        ]
