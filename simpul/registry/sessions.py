"""Portal sessions kept on the server. The signed cookie alone cannot be withdrawn: a copy of it
would outlive sign-out. So the cookie carries a random secret, the database its SHA-256 with the
token it stands for and when it expires; every request looks the row up and sign-out deletes it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import ApiToken, Organization, PortalSession


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(db: Session, token_id: str, lifetime: timedelta) -> str:
    """A new session for ``token_id``; returns the secret for the cookie (stored only hashed).
    Expired sessions of every token are cleared on the way."""
    now = utcnow()
    db.execute(delete(PortalSession).where(PortalSession.expires < now))
    secret = secrets.token_urlsafe(32)
    db.add(PortalSession(id=_key(secret), token_id=token_id, created=now, expires=now + lifetime))
    db.flush()
    return secret


def session_actor(db: Session, secret: str) -> Actor | None:
    """Who a cookie's session stands for, or None once it was closed, expired or its token
    revoked."""
    row = db.get(PortalSession, _key(secret))
    if row is None or as_utc(row.expires) <= utcnow():
        return None
    token = db.get(ApiToken, row.token_id)
    if token is None or token.revoked_at is not None:
        return None
    area = None
    if token.role == "coordinator":  # its scope, as for the API (auth.authenticate)
        org = db.get(Organization, token.organization_id)
        area = org.area if org is not None else None
    return Actor(f"token:{token.id}", token.organization_id, token.role, area)


def close_session(db: Session, secret: str) -> None:
    db.execute(delete(PortalSession).where(PortalSession.id == _key(secret)))
