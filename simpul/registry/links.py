"""The links of live records (homepages, channel URLs, legal basis and complaint URLs) and what
their checks said. The checking itself (HTTP) is the harvesters' business
(``harvesters/linkcheck.py``); this module collects the URLs, hands out those due and stores
each result. A link *fails* after ``FAILURES`` consecutive failures at least ``FAILING_FOR``
apart: one bad night of a server is not a broken link."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.orm import Session

from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Link, LinkRef, Organization, Service

FAILURES = 2
FAILING_FOR = timedelta(days=1)
CHUNK = 2000


class Ref(NamedTuple):
    url: str
    organization_id: str
    service_id: str | None
    field: str


class Result(NamedTuple):
    url: str
    ok: bool
    status: int | None
    error: str | None


def link_id(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def record_urls(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, URL) of every link a record carries."""
    if isinstance(data.get("homepage"), str):
        yield "homepage", data["homepage"]
    for i, channel in enumerate(data.get("channels") or []):
        if isinstance(channel, dict) and isinstance(channel.get("url"), str):
            yield f"channels[{i}].url", channel["url"]
    for i, basis in enumerate(data.get("legal_basis") or []):
        if isinstance(basis, dict) and isinstance(basis.get("url"), str):
            yield f"legal_basis[{i}].url", basis["url"]
    complaints = data.get("complaints")
    if isinstance(complaints, dict) and isinstance(complaints.get("url"), str):
        yield "complaints.url", complaints["url"]


def _refs(session: Session) -> Iterator[Ref]:
    for org_id, homepage in session.execute(
        select(Organization.id, Organization.homepage).where(Organization.homepage.is_not(None))
    ):
        yield Ref(homepage, org_id, None, "homepage")
    last = ""
    while True:  # keyset pages: a million records never sit in memory at once
        rows = session.execute(
            select(Service.id, Service.authority, Service.data)
            .where(Service.deleted_at.is_(None), Service.id > last)
            .order_by(Service.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        for service_id, authority, data in rows:
            for field, url in record_urls(data or {}):
                yield Ref(url, authority, service_id, field)
        last = rows[-1][0]


def refresh(session: Session) -> int:
    """Rebuild where every link appears from the live records; links no record carries any more
    are forgotten. Returns the number of distinct links."""
    session.execute(delete(LinkRef))
    known = set(session.scalars(select(Link.id)))
    seen: set[str] = set()
    links: list[dict[str, Any]] = []
    refs: list[dict[str, Any]] = []
    for ref in _refs(session):
        key = link_id(ref.url)
        if key not in known and key not in seen:
            links.append({"id": key, "url": ref.url, "failures": 0})
        seen.add(key)
        refs.append(
            {
                "link_id": key,
                "service_id": ref.service_id,
                "organization_id": ref.organization_id,
                "field": ref.field[:200],
            }
        )
        if len(refs) >= CHUNK:
            _flush(session, links, refs)
    _flush(session, links, refs)
    gone = known - seen
    for start in range(0, len(gone), CHUNK):
        session.execute(delete(Link).where(Link.id.in_(list(gone)[start : start + CHUNK])))
    return len(seen)


def _flush(session: Session, links: list, refs: list) -> None:
    for table, rows in ((Link, links), (LinkRef, refs)):
        if rows:
            session.execute(insert(table), rows)
            rows.clear()


def due(session: Session, older_than: timedelta, limit: int | None = None) -> list[str]:
    """URLs never checked or last checked before ``older_than`` ago, the oldest first."""
    cutoff = utcnow() - older_than
    query = (
        select(Link.url)
        .where((Link.checked_at.is_(None)) | (Link.checked_at < cutoff))
        .order_by(Link.checked_at.is_not(None), Link.checked_at, Link.id)
    )
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def record(session: Session, result: Result, now: datetime | None = None) -> None:
    """Store one check: a success clears the failures, a failure adds one."""
    now = now or utcnow()
    row = session.get(Link, link_id(result.url))
    if row is None:
        return  # forgotten while it was being checked
    values: dict[str, Any] = {"status": result.status, "checked_at": now}
    if result.ok:
        values |= {"error": None, "failures": 0, "failing_since": None, "ok_at": now}
    else:
        values |= {
            "error": (result.error or "")[:1000] or None,
            "failures": row.failures + 1,
            "failing_since": row.failing_since or now,
        }
    session.execute(update(Link).where(Link.id == row.id).values(**values))


def failing(now: datetime | None = None):
    """The condition on ``Link`` of a link that fails."""
    since = (now or utcnow()) - FAILING_FOR
    return and_(Link.failures >= FAILURES, Link.failing_since <= since)


def is_failing(row: Link, now: datetime | None = None) -> bool:
    since = as_utc(row.failing_since)
    return (
        row.failures >= FAILURES and since is not None and since <= (now or utcnow()) - FAILING_FOR
    )


def link_to_dict(row: Link, now: datetime | None = None) -> dict[str, Any]:
    return {
        "url": row.url,
        "status": row.status,
        "error": row.error,
        "checked_at": _iso(row.checked_at),
        "failures": row.failures,
        "failing_since": _iso(row.failing_since),
        "failing": is_failing(row, now),
    }


def _iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None
