"""API tokens and who may write what.

A token reads ``spl_<id>_<secret>``. Only a SHA-256 of the 256-bit random secret is stored (a slow
password hash buys nothing for secrets of that entropy); the id lets operators list and revoke
tokens without ever seeing them again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from simpul.reference import codelists
from simpul.reference.areas import NATIONAL, is_within
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import ApiToken, Organization

PREFIX = "spl"
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a token holder, or the operator at the command line (``system``)."""

    name: str
    organization: str | None
    role: str  # editor, coordinator, admin or system
    # A coordinator's scope: its organization's area ('00' or None: the nation).
    area: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "system")

    def coordinates(self, area: str | None) -> bool:
        """Whether this actor coordinates ``area`` (None: the nation): an administrator always,
        a coordinator inside its own area's subtree."""
        if self.is_admin:
            return True
        if self.role != "coordinator":
            return False
        return is_within(area or NATIONAL, self.area or NATIONAL)

    def require_coordinator(self, area: str | None = None) -> None:
        """403 unless this actor coordinates ``area`` (None: the nation)."""
        if not self.coordinates(area):
            scope = f"area {area!r}" if area not in (None, NATIONAL) else "the nation"
            raise Forbidden(
                f"this needs an administrator or a coordinator token whose area covers {scope}"
            )

    def can_write(self, authority: str) -> bool:
        return self.is_admin or self.organization == authority

    def require_write(self, authority: str) -> None:
        if not self.can_write(authority):
            raise Forbidden(
                f"a token of organization {self.organization!r} cannot write records of "
                f"{authority!r}; ask {authority!r} or an administrator"
            )

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("this needs an administrator token")


SYSTEM = Actor("system", None, "system")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, organization: str, role: str = "editor", label: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the plain text is returned once and never stored."""
    if role not in codelists.ROLES:
        raise ValidationFailed.from_messages(
            {"role": codelists.unknown_code_message(role, codelists.ROLES, "role")}
        )
    if session.get(Organization, organization) is None:
        raise NotFound(f"no organization {organization!r}")
    token_id = base64.b32encode(secrets.token_bytes(5)).decode().lower()
    secret = secrets.token_urlsafe(32)
    row = ApiToken(
        id=token_id,
        organization_id=organization,
        role=role,
        secret_hash=_hash(secret),
        label=label,
        created=utcnow(),
    )
    session.add(row)
    session.flush()
    return row, f"{PREFIX}_{token_id}_{secret}"


def authenticate(session: Session, header: str | None) -> Actor:
    """Resolve an ``Authorization`` header to an actor, or raise 401."""
    if not header:
        raise Unauthorized("this needs a token: send 'Authorization: Bearer <token>'")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use the Bearer scheme: 'Authorization: Bearer <token>'")
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise Unauthorized("malformed token: Simpul tokens look like 'spl_<id>_<secret>'")
    row = session.get(ApiToken, parts[1])
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(parts[2])):
        raise Unauthorized("invalid token")
    if row.revoked_at is not None:
        raise Unauthorized(f"token {row.id} was revoked")
    now = utcnow()
    if row.last_used is None or now - as_utc(row.last_used) > LAST_USED_RESOLUTION:
        row.last_used = now
    area = None
    if row.role == "coordinator":
        area = session.scalar(
            select(Organization.area).where(Organization.id == row.organization_id)
        )
    return Actor(f"token:{row.id}", row.organization_id, row.role, area)


def revoke_token(session: Session, token_id: str, actor: Actor = SYSTEM) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token {token_id!r}")
    if not (actor.is_admin or actor.organization == row.organization_id):
        raise Forbidden("only an administrator or the token's organization can revoke it")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def list_tokens(session: Session, organization: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.created)
    if organization:
        query = query.where(ApiToken.organization_id == organization)
    return list(session.scalars(query))


def token_to_dict(row: ApiToken) -> dict:
    return {
        "id": row.id,
        "organization": row.organization_id,
        "role": row.role,
        "label": row.label,
        "created": as_utc(row.created).isoformat(),
        "last_used": as_utc(row.last_used).isoformat() if row.last_used else None,
        "revoked": as_utc(row.revoked_at).isoformat() if row.revoked_at else None,
    }
