"""Lists as tables for spreadsheets (``simpul.tables`` writes them as CSV or XLSX): rows read
from the database in chunks, only the columns a table shows, never a whole record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Text, cast, func, null, select
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
    query = select(
        Service.id,
        Service.identifier,
        Service.authority,
        cast(Service.data, Text).label("data"),  # parsed once with orjson: faster than JSON paths
        Service.level,
        Service.status,
        Service.completeness,
        Service.modified,
        Service.uri,
    ).order_by(Service.id)
    query = _live(query, where)
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
    rows = _service_rows(session, query, where, _authority_names(session, where))
    return Table("Layanan", SERVICE_COLUMNS, rows, filters)


def _authority_names(session: Session, where: CatalogFilter) -> dict[str, str]:
    """The Indonesian name of every organization that is the authority of a live service."""
    authorities = where.apply(select(Service.authority).distinct())
    query = select(Organization.id, Organization.name).where(Organization.id.in_(authorities))
    return {row.id: (row.name or {}).get("id") for row in session.execute(query)}


def _live(query, where: CatalogFilter):
    """``where``'s conditions, with "live" written so that no index answers it: SQLite would
    otherwise read the rows through the ``deleted_at`` index and sort every one of them, whole
    record included, in a temporary B-tree before the first row came out (10 times slower at
    100,000 rows, and the temporary tree grows with the list); this way the primary key gives
    the order."""
    query = query.where(func.coalesce(Service.deleted_at, null()).is_(None))
    if where.authority:
        query = query.where(Service.authority == where.authority)
    if where.level:
        query = query.where(Service.level == where.level)
    if where.modified_since:
        query = query.where(Service.modified > where.modified_since)
    return query


def _chunks(session: Session, query) -> Iterator[tuple]:
    """The rows in id order, ``READ_CHUNK`` at a time, each chunk a query of its own from the
    last id (on PostgreSQL an index range scan; no cursor held open between chunks), read as
    plain tuples (the ORM's result handling cost as much as the reading)."""
    connection = session.connection()
    last = ""
    while True:
        rows = connection.execute(query.where(Service.id > last).limit(READ_CHUNK)).all()
        yield from rows
        if len(rows) < READ_CHUNK:
            return
        last = rows[-1][0]


def _service_rows(
    session: Session, query, where: CatalogFilter, names: dict[str, str]
) -> Iterator[list[Any]]:
    covers = where.covers
    for key, identifier, authority, raw, level, status, completeness, modified, uri in _chunks(
        session, query
    ):
        data = orjson.loads(raw)
        areas = data.get("areas") or []
        if where.area and not covers({"areas": areas}):
            continue
        name = data.get("name") or {}
        integration = data.get("integration")
        yield [
            key,
            identifier,
            authority,
            names.get(authority),
            name.get("id"),
            name.get("en"),
            level,
            "; ".join(areas),
            "; ".join(data.get("sectors") or ()),
            status,
            integration.get("status") if isinstance(integration, dict) else None,
            completeness,
            as_utc(modified),
            uri,
        ]
