"""The filters the coverage figures link to: services of an area (by their authority's area),
stale or of an integration status; organizations expected to report, and whether they did."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased

from simpul.reference.areas import NATIONAL
from simpul.registry.db import utcnow
from simpul.registry.models import Organization, Service

STALE_DAYS = 365


def stale_cutoff(now=None):
    return (now or utcnow()) - timedelta(days=STALE_DAYS)


def within(column, area: str):
    return or_(column == area, column.startswith(area + ".", autoescape=True))


def service_conditions(
    *, area: str | None = None, stale: bool | None = None, integration: str | None = None
) -> list[Any]:
    where: list[Any] = []
    if area and area != NATIONAL:
        inside = select(Organization.id).where(within(Organization.area, area))
        where.append(Service.authority.in_(inside))
    if stale is not None:
        old = Service.modified < stale_cutoff()
        where.append(old if stale else ~old)
    if integration:
        where.append(Service.data["integration"]["status"].as_string() == integration)
    return where


def _reports(org):
    """The organization, or an office of it (same level and area), has a live active service."""
    office = aliased(Organization)
    offices = select(office.id).where(
        office.parent_id == org.id,
        office.level == org.level,
        func.coalesce(office.area, NATIONAL) == func.coalesce(org.area, NATIONAL),
    )
    return (
        exists()
        .where(
            Service.deleted_at.is_(None),
            Service.status == "active",
            or_(Service.authority == org.id, Service.authority.in_(offices.correlate(org))),
        )
        .correlate(org)
    )


def organization_conditions(
    *, expected: bool | None = None, reported: bool | None = None
) -> list[Any]:
    where: list[Any] = []
    if expected is not None:
        parent = aliased(Organization)
        is_office = exists().where(
            parent.id == Organization.parent_id,
            parent.level == Organization.level,
            func.coalesce(parent.area, NATIONAL) == func.coalesce(Organization.area, NATIONAL),
        )
        where.append(~is_office if expected else is_office)
    if reported is not None:
        where.append(_reports(Organization) if reported else ~_reports(Organization))
    return where
