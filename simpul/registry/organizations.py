"""Organizations: the publishers (competent authorities) of services."""

from __future__ import annotations

import difflib
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from simpul.errors import Conflict, Forbidden, NotFound, ValidationFailed
from simpul.reference.areas import is_within
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Organization
from simpul.registry.reportfilters import organization_conditions
from simpul.registry.schemas import ORGANIZATION_SCHEMA

# Where an organization sits in government, and the identity other nodes and RDF exports know it
# by: the node operator's to set. Its editors change only the description (name, homepage).
OPERATOR_FIELDS = {"level": "level", "area": "area", "parent": "parent_id", "uri": "uri"}


def validate_organization(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages("expected a JSON object")
    try:
        return ORGANIZATION_SCHEMA.load(raw)
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None


def _check_parent(session: Session, data: dict[str, Any]) -> None:
    parent_id = data.get("parent")
    if not parent_id:
        return
    if parent_id == data["id"]:
        raise ValidationFailed.from_messages({"parent": "an organization cannot be its own parent"})
    parent = session.get(Organization, parent_id)
    if parent is None:
        raise ValidationFailed.from_messages({"parent": unknown_organization(session, parent_id)})
    area = data.get("area")
    if parent.area and area and not is_within(area, parent.area):
        raise ValidationFailed.from_messages(
            {"area": f"area {area!r} lies outside the parent's area {parent.area!r}"}
        )
    # Walk up to refuse cycles (possible on update).
    seen = {data["id"]}
    while parent is not None and parent.parent_id:
        if parent.parent_id in seen:
            raise ValidationFailed.from_messages({"parent": "this parent would create a cycle"})
        seen.add(parent.parent_id)
        parent = session.get(Organization, parent.parent_id)


def unknown_organization(session: Session, org_id: str) -> str:
    ids = list(session.scalars(select(Organization.id)))
    near = difflib.get_close_matches(org_id, ids, n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown organization {org_id!r}{hint}"


def create_organization(session: Session, raw: Any, actor: Actor = SYSTEM) -> Organization:
    actor.require_admin()
    data = validate_organization(raw)
    if session.get(Organization, data["id"]) is not None:
        raise Conflict(f"organization {data['id']!r} already exists")
    _check_parent(session, data)
    now = utcnow()
    row = Organization(
        id=data["id"],
        name=data["name"],
        level=data["level"],
        area=data.get("area"),
        parent_id=data.get("parent"),
        homepage=data.get("homepage"),
        uri=data.get("uri"),
        created=now,
        modified=now,
    )
    session.add(row)
    session.flush()
    return row


def update_organization(
    session: Session, org_id: str, raw: Any, actor: Actor = SYSTEM, *, base_uri: str = ""
) -> Organization:
    """Replace an organization's description. An editor of the organization may send its
    level, area, parent and uri unchanged (or leave them out) but not change them."""
    row = get_organization(session, org_id)
    if not (actor.is_admin or actor.organization == org_id):
        actor.require_admin()
    if isinstance(raw, dict):
        # what a GET shows, sent back: the server's own fields are not the client's to set
        raw = {k: v for k, v in raw.items() if k not in ("created", "modified")} | {"id": org_id}
        if raw.get("uri") and raw["uri"] == f"{base_uri}/organizations/{org_id}":
            raw["uri"] = row.uri  # the default a GET shows: not an identity of its own
        if not actor.is_admin:
            raw = _keep_operator_fields(row, raw)
    data = validate_organization(raw)
    _check_parent(session, data)
    row.name = data["name"]
    row.level = data["level"]
    row.area = data.get("area")
    row.parent_id = data.get("parent")
    row.homepage = data.get("homepage")
    row.uri = data.get("uri")
    row.modified = utcnow()
    session.flush()
    touch_services(session, org_id)
    return row


def _keep_operator_fields(row: Organization, raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with the operator's fields as stored; 403 naming each one it would change."""
    stored = {field: getattr(row, column) for field, column in OPERATOR_FIELDS.items()}
    changed = [f for f in OPERATOR_FIELDS if f in raw and raw[f] != stored[f]]
    if changed:
        raise Forbidden(
            f"an editor token may change the name and homepage of {row.id!r}, not its "
            f"{', '.join(changed)}: the level, area, parent and uri of an organization are the "
            "node operator's to change; ask an administrator",
            errors=[
                {"path": f, "message": f"only an administrator can change it (it is {stored[f]!r})"}
                for f in changed
            ],
        )
    return {**raw, **stored}


def touch_services(session: Session, org_id: str) -> int:
    """An organization changed: every live service it is the authority of shows up in the
    change feed (and reaches search and other nodes) as changed, at its current version."""
    from simpul.registry.models import Change, Service

    rows = session.execute(
        select(Service.id, Service.version).where(
            Service.authority == org_id, Service.deleted_at.is_(None)
        )
    ).all()
    if rows:
        now = utcnow()
        session.execute(
            insert(Change.__table__),
            [
                {"service_id": r.id, "version": r.version, "action": "updated", "at": now}
                for r in rows
            ],
        )
    return len(rows)


def get_organization(session: Session, org_id: str) -> Organization:
    row = session.get(Organization, org_id)
    if row is None:
        raise NotFound(f"no organization {org_id!r}")
    return row


def list_organizations(
    session: Session,
    *,
    level: str | None = None,
    parent: str | None = None,
    area: str | None = None,
    page: int = 1,
    size: int = 50,
    **report: Any,
) -> tuple[int, list[Organization]]:
    """``report``: the filters of ``reportfilters.organization_conditions``."""
    query = select(Organization).where(*organization_conditions(**report))
    if level:
        query = query.where(Organization.level == level)
    if parent:
        query = query.where(Organization.parent_id == parent)
    if area:
        query = query.where((Organization.area == area) | Organization.area.startswith(area + "."))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Organization.id).offset((page - 1) * size).limit(size))
    return total, list(rows)


def organization_names(session: Session, ids: set[str]) -> dict[str, dict[str, str]]:
    """Organization id -> its name in every language it has, for the given ids."""
    if not ids:
        return {}
    query = select(Organization.id, Organization.name).where(Organization.id.in_(sorted(ids)))
    return {row.id: row.name for row in session.execute(query)}


def organization_chain(session: Session, row: Organization) -> list[dict[str, Any]]:
    """The organizations above ``row`` (id and name), top first."""
    chain: list[dict[str, Any]] = []
    seen = {row.id}
    parent = row.parent_id
    while parent and parent not in seen:
        seen.add(parent)
        found = session.get(Organization, parent)
        if found is None:
            break
        chain.append({"id": found.id, "name": found.name})
        parent = found.parent_id
    return list(reversed(chain))


def organization_to_dict(row: Organization, base_uri: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "uri": row.uri or f"{base_uri}/organizations/{row.id}",
        "name": row.name,
        "level": row.level,
        "area": row.area,
        "parent": row.parent_id,
        "homepage": row.homepage,
        "created": as_utc(row.created).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
    }
