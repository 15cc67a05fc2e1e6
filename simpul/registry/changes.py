"""The change feed other nodes harvest: every create, update and delete, in commit order, from an
opaque, resumable cursor."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from simpul.errors import InvalidInput
from simpul.registry.db import as_utc
from simpul.registry.models import Change, Service, ServiceVersion
from simpul.registry.services import service_to_dict, tombstone_to_dict

PREFIX = "c1:"


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith(PREFIX):
            raise ValueError
        seq = int(raw.removeprefix(PREFIX))
        if seq < 0:
            raise ValueError
        return seq
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            f"invalid cursor {cursor!r}: pass the 'next' value of an earlier page, or no cursor "
            "to start at the beginning"
        ) from None


def visible_below(session: Session) -> Any:
    """PostgreSQL: changes of transactions older than every one still running (so a change
    committing late is never skipped); SQLite serializes writers, so every committed change."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.scalar(text("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint"))


KINDS = ("service", "application", "assessment", "roadmap")


def list_changes(
    session: Session, since: str | None, limit: int, kinds: tuple[str, ...] = ("service",)
) -> dict[str, Any]:
    """A page of changes of the ``kinds`` asked for; services only by default, so harvesters
    that predate applications never see one (the cursor still counts every change)."""
    after = decode_cursor(since)
    query = select(Change).where(Change.seq > after, Change.kind.in_(kinds))
    query = query.order_by(Change.seq).limit(limit + 1)
    horizon = visible_below(session)
    if horizon is not None:
        query = query.where(Change.txid < horizon)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    records = {"service": _states(session, [r for r in rows if r.kind == "service"])}
    if len(records["service"]) < len(rows):
        records |= _other_states(session, rows)
    items = [
        _item(change, records.get(change.kind, {}).get((change.service_id, change.version)))
        for change in rows
    ]
    last = rows[-1].seq if rows else after
    return {"items": items, "next": encode_cursor(last), "more": more}


def _other_states(session: Session, rows: list[Change]) -> dict[str, dict]:
    """The states of the changes that are not services, by kind (ids of different kinds may
    be equal: assessments and roadmap items are numbered)."""
    from simpul.registry.appchanges import application_states
    from simpul.registry.workspacefeed import assessment_states, roadmap_states

    out: dict[str, dict] = {}
    for kind, states in (
        ("application", application_states),
        ("assessment", assessment_states),
        ("roadmap", roadmap_states),
    ):
        of_kind = [r for r in rows if r.kind == kind]
        if of_kind:
            out[kind] = states(session, of_kind)
    return out


def _states(session: Session, rows: list[Change]) -> dict[tuple[str, int], dict[str, Any]]:
    """The record as it was at each change's version."""
    if not rows:
        return {}
    ids = {row.service_id for row in rows}
    current = {s.id: s for s in session.scalars(select(Service).where(Service.id.in_(ids)))}
    history = session.execute(
        select(ServiceVersion.service_id, ServiceVersion.version, ServiceVersion.data).where(
            ServiceVersion.service_id.in_(ids), ServiceVersion.data.is_not(None)
        )
    )
    frozen = {(sid, version): data for sid, version, data in history}
    out = {}
    for row in rows:
        service = current[row.service_id]
        if row.action == "deleted":
            out[(row.service_id, row.version)] = tombstone_to_dict(service) | {
                "version": row.version
            }
            continue
        data = frozen.get((row.service_id, row.version))
        if data is None:  # the record's current content
            out[(row.service_id, row.version)] = service_to_dict(service)
        else:  # an older version: its own content, as it read then
            out[(row.service_id, row.version)] = {
                "id": service.id,
                "uri": service.uri,
                "level": service.level,
                **data,
                "version": row.version,
                "modified": as_utc(row.at).isoformat(),
            }
    return out


def _item(change: Change, state: dict[str, Any] | None) -> dict[str, Any]:
    item = {
        "cursor": encode_cursor(change.seq),
        "action": change.action,
        "kind": change.kind,
        "id": change.service_id,
        "version": change.version,
        "at": as_utc(change.at).isoformat(),
    }
    key = "tombstone" if change.action == "deleted" else "record"
    item[key] = state
    return item


def latest_cursor(session: Session) -> str:
    return encode_cursor(session.scalar(select(func.max(Change.seq))) or 0)
