"""Declarations: what an organization says of a national service type it does not offer
itself, for the coverage grid (``registry.coverage``): ``not-offered`` with a reason ("dilayani
kecamatan", "bukan kewenangan"), or ``covered`` by another organization.

The organization's editors, the coordinators whose area covers it and administrators may
declare. A declaration is refused for a type the organization's unit already offers (a live
active record linked to it): the record says more than any declaration could.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.errors import Forbidden, NotFound, ValidationFailed
from simpul.registry.auth import Actor
from simpul.registry.coverage import UnitDetails, unit_of
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Organization, ServiceType, TypeDeclaration
from simpul.registry.organizations import get_organization, unknown_organization
from simpul.registry.schemas import LangText, String

DECLARATION_STATUSES = ("not-offered", "covered")


class DeclarationSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # what a GET shows (organization, type, actor, at) may be sent back

    status = String(required=True, validate=validate.OneOf(DECLARATION_STATUSES))
    reason = LangText(max_length=500, allow_none=True, require_id=True)  # shown to citizens
    covered_by = String(allow_none=True, validate=validate.Length(1, 100))


DECLARATION_SCHEMA = DeclarationSchema()


def may_declare(actor: Actor, org: Organization) -> bool:
    return actor.can_write(org.id) or actor.coordinates(org.area)


def require_declare(actor: Actor, org: Organization) -> None:
    if not may_declare(actor, org):
        raise Forbidden(
            f"a token of organization {actor.organization!r} cannot declare the types of "
            f"{org.id!r}; ask {org.id!r}, a coordinator of its area or an administrator"
        )


def _check(session: Session, org: Organization, type_id: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(f"expected a JSON object, got {type(raw).__name__}")
    try:
        data = DECLARATION_SCHEMA.load(raw)
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None
    problems: dict[str, str] = {}
    found = session.get(ServiceType, type_id)
    if found is None:
        problems["type"] = f"unknown service type {type_id!r}; see GET /api/v1/types"
    elif found.status != "active":
        problems["type"] = f"service type {type_id!r} is retired"
    elif org.level not in found.data.get("applies_to", ()):
        applies = ", ".join(found.data.get("applies_to", ()))
        problems["type"] = (
            f"service type {type_id!r} applies at {applies}, not at the {org.level} level "
            f"of {org.id!r}: there is nothing to declare"
        )
    if data["status"] == "not-offered":
        if not data.get("reason"):
            problems["reason"] = 'say why it is not offered, e.g. {"id": "dilayani kecamatan"}'
        if data.get("covered_by"):
            problems["covered_by"] = "only a 'covered' declaration names another organization"
    else:
        problems.update(_check_cover(session, org, data.get("covered_by")))
    if problems:
        raise ValidationFailed.from_messages(problems)
    return data


def _check_cover(session: Session, org: Organization, covered_by: str | None) -> dict[str, str]:
    if not covered_by:
        return {"covered_by": "name the organization that covers it (its id)"}
    if covered_by == org.id:
        return {"covered_by": "an organization cannot be covered by itself; declare it offered"}
    if session.get(Organization, covered_by) is None:
        return {"covered_by": unknown_organization(session, covered_by)}
    return {}


def _refuse_offered(session: Session, org: Organization, type_id: str) -> None:
    unit, _, central = unit_of(session, org)
    instances = UnitDetails.for_types(session, unit, [type_id], central).get(type_id)
    if instances:
        raise ValidationFailed.from_messages(
            {
                "status": f"{org.id!r} (or an office of its government) offers {type_id!r}: "
                f"record {instances[0]!r} is linked to it; retire that record or unlink it first"
            }
        )


def declare(session: Session, org_id: str, type_id: str, raw: Any, actor: Actor) -> TypeDeclaration:
    """Store (or replace) an organization's declaration on a type."""
    org = get_organization(session, org_id)
    require_declare(actor, org)
    data = _check(session, org, type_id, raw)
    _refuse_offered(session, org, type_id)
    row = session.get(TypeDeclaration, (org_id, type_id), with_for_update=True)
    if row is None:
        row = TypeDeclaration(organization_id=org_id, type_id=type_id)
        session.add(row)
    row.status = data["status"]
    row.reason = data.get("reason")
    row.covered_by = data.get("covered_by") if data["status"] == "covered" else None
    row.actor, row.at = actor.name, utcnow()
    session.flush()
    return row


def withdraw(session: Session, org_id: str, type_id: str, actor: Actor) -> TypeDeclaration:
    org = get_organization(session, org_id)
    require_declare(actor, org)
    row = session.get(TypeDeclaration, (org_id, type_id), with_for_update=True)
    if row is None:
        raise NotFound(f"{org_id!r} declared nothing on service type {type_id!r}")
    session.delete(row)
    session.flush()
    return row


def list_declarations(session: Session, org_id: str) -> list[TypeDeclaration]:
    get_organization(session, org_id)
    query = select(TypeDeclaration).where(TypeDeclaration.organization_id == org_id)
    return list(session.scalars(query.order_by(TypeDeclaration.type_id)))


def declaration_to_dict(row: TypeDeclaration) -> dict[str, Any]:
    return {
        "organization": row.organization_id,
        "type": row.type_id,
        "status": row.status,
        "reason": row.reason,
        "covered_by": row.covered_by,
        "actor": row.actor,
        "at": as_utc(row.at).isoformat(),
    }
