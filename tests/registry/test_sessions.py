"""Portal sessions kept on the server: the cookie's secret is stored only hashed, a session stands
for its token until it is closed, expires or its token is revoked, and expired rows are cleared."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from simpul.registry.auth import create_token, revoke_token
from simpul.registry.models import PortalSession
from simpul.registry.sessions import close_session, open_session, session_actor

HOUR = timedelta(hours=1)


@pytest.fixture
def token_id(registry, publisher):
    publisher.org("disdukcapil-kota-gorontalo")
    with registry.db.transaction() as session:
        token, _ = create_token(session, "disdukcapil-kota-gorontalo", "editor")
        return token.id


def _open(registry, token_id, lifetime=HOUR) -> str:
    with registry.db.transaction() as session:
        return open_session(session, token_id, lifetime)


def _actor(registry, secret):
    with registry.db.session() as session:
        return session_actor(session, secret)


def _rows(registry) -> list[PortalSession]:
    with registry.db.session() as session:
        return list(session.scalars(select(PortalSession)))


def test_the_secret_is_stored_only_as_its_hash(registry, token_id):
    secret = _open(registry, token_id)
    assert len(secret) >= 40  # 32 random bytes, URL-safe
    [row] = _rows(registry)
    assert row.id == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.id, row.token_id}
    assert row.token_id == token_id


def test_a_session_stands_for_its_token(registry, token_id):
    secret = _open(registry, token_id)
    actor = _actor(registry, secret)
    assert actor is not None
    assert actor.name == f"token:{token_id}"
    assert actor.organization == "disdukcapil-kota-gorontalo"
    assert actor.role == "editor"


def test_each_sign_in_gets_its_own_secret(registry, token_id):
    first, second = _open(registry, token_id), _open(registry, token_id)
    assert first != second
    assert len(_rows(registry)) == 2


def test_an_unknown_or_forged_secret_stands_for_no_one(registry, token_id):
    secret = _open(registry, token_id)
    assert _actor(registry, "not-a-session") is None
    assert _actor(registry, hashlib.sha256(secret.encode()).hexdigest()) is None  # the stored hash


def test_closing_a_session_withdraws_every_copy_of_the_cookie(registry, token_id):
    kept, closed = _open(registry, token_id), _open(registry, token_id)
    with registry.db.transaction() as session:
        close_session(session, closed)
    assert _actor(registry, closed) is None
    assert _actor(registry, kept) is not None  # other sign-ins stay
    with registry.db.transaction() as session:
        close_session(session, closed)  # closing twice is harmless


def test_an_expired_session_stands_for_no_one_and_is_cleared_later(registry, token_id):
    old = _open(registry, token_id, lifetime=timedelta(seconds=-1))
    assert _actor(registry, old) is None
    assert len(_rows(registry)) == 1
    fresh = _open(registry, token_id)  # opening any session clears the expired ones
    assert [row.id for row in _rows(registry)] == [hashlib.sha256(fresh.encode()).hexdigest()]


def test_a_session_ends_at_its_expiry(registry, token_id):
    secret = _open(registry, token_id)
    with registry.db.transaction() as session:
        session.execute(update(PortalSession).values(expires=PortalSession.created))
    assert _actor(registry, secret) is None


def test_revoking_the_token_ends_its_sessions(registry, token_id):
    secret = _open(registry, token_id)
    with registry.db.transaction() as session:
        revoke_token(session, token_id)
    assert _actor(registry, secret) is None
