"""Review flags: when the nation changes a type, the records that instantiate it are reviewed.

A functional new version of a type (``types.TypeChange.functional``) or its retirement flags
every live record linked to it, in bulk (one UPDATE per group of records that knew the same
type version): ``services.review`` holds the flag, ``services.review_status`` its status, and a
``flagged`` change row per record tells the change feed (so a parent node sees the flag).

The record's agency resolves the flag: ``adopt`` takes over the new texts (its own copies of
the changed components are dropped, so it inherits them; a retired type's records are relinked
to its successor), ``confirm`` says the record is right as it is (no new version; who, when and
against which type version is kept in ``review``). Editing the record does not resolve it;
linking it to another type or unlinking it does.

Records copied from another Simpul node are not flagged here: their flag is their origin's,
carried by the change feed (``mirror``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from simpul.errors import ValidationFailed
from simpul.reference.areas import NATIONAL, depth
from simpul.registry.auth import Actor
from simpul.registry.db import utcnow
from simpul.registry.models import (
    Change,
    HarvestRecord,
    HarvestSource,
    Organization,
    Service,
    ServiceType,
    ServiceTypeVersion,
    Timestamp,
)
from simpul.registry.quality import present as components_present

PENDING = ("type-changed", "type-retired")
ACTIONS = ("adopt", "confirm")
FLAGGED, REVIEWED = "flagged", "reviewed"  # change feed actions (the record's version stays)
STATUSES = (*PENDING, "adopted", "confirmed", "relinked", "unlinked")
CARRIED = {
    **dict.fromkeys(("status", "type", "since", "superseded_by", "flagged", "by", "at"), str),
    **dict.fromkeys(("type_version", "from_version"), int),
    **dict.fromkeys(("changed", "dropped"), list),
    "relinked_to": str,
}


# -- flagging ------------------------------------------------------------------------------------
def flag_type_change(session: Session, change: Any) -> int:
    """Flag the live records linked to a type after a functional change or its retirement
    (``change``: a ``types.TypeChange``); returns how many were flagged."""
    row: ServiceType = change.row
    if not change.functional or change.action in ("created", "unchanged"):
        return 0
    now = utcnow()
    status = "type-retired" if row.status == "retired" else "type-changed"
    linked = and_(Service.type_id == row.id, Service.deleted_at.is_(None), ~_mirrored())
    session.execute(
        insert(Change.__table__).from_select(
            ["service_id", "version", "action", "at"],
            select(Service.id, Service.version, literal(FLAGGED), literal(now, Timestamp)).where(
                linked
            ),
        )
    )
    flagged = 0
    for known, pending in _known_versions(session, linked, row.version - 1):
        flag = {
            "status": status,
            "type": row.id,
            "since": now.isoformat(),
            "type_version": row.version,
            "from_version": known,
            "changed": _changed(session, row, known),
            "superseded_by": row.data.get("superseded_by") if status == "type-retired" else None,
        }
        which = _pending_from(known) if pending else Service.review_status.is_(None) | ~_pending()
        result = session.execute(
            update(Service)
            .where(linked, which)
            .values(review=flag, review_status=status)
            .execution_options(synchronize_session=False)
        )
        flagged += result.rowcount
    return flagged


def _mirrored():
    """The service's copy came from another Simpul node (that node flags it). An anti-join on
    the indexed ``harvest_records.service_id``: cheap however many records were harvested."""
    return exists().where(
        HarvestRecord.service_id == Service.id,
        HarvestSource.id == HarvestRecord.source_id,
        HarvestSource.type == "simpul",
    )


def _pending():
    return Service.review_status.in_(PENDING)


def _pending_from(version: int):
    return and_(_pending(), Service.review["from_version"].as_integer() == version)


def _known_versions(session: Session, linked, previous: int) -> list[tuple[int, bool]]:
    """The type versions the linked records knew: a pending flag keeps the version it was
    raised against; every other record knew the version before this change."""
    query = select(Service.review["from_version"].as_integer()).where(linked, _pending()).distinct()
    pending = [(v if v is not None else previous, True) for v in session.scalars(query)]
    return [*pending, (previous, False)]


def _changed(session: Session, row: ServiceType, known: int) -> list[str]:
    from simpul.registry.types import changed_sections

    old = _type_data(session, row.id, known)
    changed = changed_sections(old, row.data)
    old_status = "retired" if old.get("_status") == "retired" else "active"
    if old_status != row.status:
        changed.append("status")
    return [c for c in changed if c != "_status"]


def _type_data(session: Session, type_id: str, version: int | None) -> dict[str, Any]:
    """The type as it was at ``version`` (``_status``: retired when that version retired it)."""
    found = session.execute(
        select(ServiceTypeVersion.data, ServiceTypeVersion.action).where(
            ServiceTypeVersion.type_id == type_id, ServiceTypeVersion.version == version
        )
    ).first()
    if found is None:
        return {}
    data, action = found
    return {**data, "_status": "retired"} if action == "retired" else dict(data)


# -- the diff ------------------------------------------------------------------------------------
def review_of(session: Session, row: Service) -> dict[str, Any]:
    """The record's flag (or last resolution) and the type's diff, section by section, between
    the version the record knew and the current one."""
    review = row.review
    out: dict[str, Any] = {
        "id": row.id,
        "type": row.type_id,
        "pending": row.review_status in PENDING,
        "review": review,
        "sections": [],
    }
    if not review or not out["pending"]:
        return out
    type_row = session.get(ServiceType, review.get("type") or row.type_id)
    if type_row is None:
        return out
    out["type_status"], out["type_version"] = type_row.status, type_row.version
    old = _type_data(session, type_row.id, review.get("from_version"))
    out["sections"] = sections(old, type_row, row.data)
    return out


def sections(old: dict[str, Any], type_row: ServiceType, record: dict[str, Any]) -> list[dict]:
    from simpul.registry.types import FUNCTIONAL, changed_sections

    new = type_row.data
    out = []
    for section in changed_sections(old, new):
        if section == "_status":
            continue
        entry = {
            "section": section,
            "functional": section.split(".", 1)[0] in FUNCTIONAL,
            "old": _at(old, section),
            "new": _at(new, section),
        }
        component = _component(section)
        if component:
            entry["component"] = component
            entry["record"] = "own" if record.get(component) else "inherits"
            if record.get(component):
                entry["own"] = record[component]
        out.append(entry)
    was = "retired" if old.get("_status") == "retired" else "active"
    if old and was != type_row.status:
        out.append({"section": "status", "functional": True, "old": was, "new": type_row.status})
    return out


def _at(data: dict[str, Any], section: str) -> Any:
    head, _, component = section.partition(".")
    value = data.get(head)
    return value.get(component) if component and isinstance(value, dict) else value


def _component(section: str) -> str | None:
    if section.startswith("defaults."):
        return section.split(".", 1)[1]
    return section if section == "legal_basis" else None


# -- resolving -----------------------------------------------------------------------------------
def parse_action(raw: Any) -> str:
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(
            {"action": f"send a JSON object with action {' or '.join(ACTIONS)}"}
        )
    action = raw.get("action")
    if action not in ACTIONS:
        raise ValidationFailed.from_messages(
            {"action": f"unknown action {action!r}; use one of: {', '.join(ACTIONS)}"}
        )
    extra = sorted(set(raw) - {"action"})
    if extra:
        raise ValidationFailed.from_messages(dict.fromkeys(extra, "unknown field"))
    return action


def resolve(
    session: Session,
    service_id: str,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    types: Any,
) -> Service:
    """Resolve the record's pending flag (``types``: the node's ``TypeIndex``)."""
    from simpul.registry import records, services

    row = services.get_live(session, service_id, for_update=True)
    actor.require_write(row.authority)
    action = parse_action(raw)
    if row.review_status not in PENDING or not row.review:
        raise ValidationFailed.from_messages(
            {"action": "nothing to resolve: the record has no pending review"}
        )
    flag = dict(row.review)
    type_row = session.get(ServiceType, flag.get("type") or row.type_id)
    resolution: dict[str, Any] = {}
    written = False
    if action == "adopt":
        if type_row is None or type_row.status == "retired":
            data, resolution = _relink(row, flag, type_row, types)
        else:
            data, resolution = _adopt(session, row, flag, type_row)
        written = _publish(session, row, data, actor, base_uri, provenance, types)
    now = utcnow()
    done = {
        "status": "adopted" if action == "adopt" else "confirmed",
        "type": flag.get("type"),
        "type_version": type_row.version if type_row is not None else flag.get("type_version"),
        "from_version": flag.get("from_version"),
        "flagged": flag.get("status"),
        "since": flag.get("since"),
        "by": actor.name,
        "at": now.isoformat(),
        **resolution,
    }
    _record(session, service_id, done, log=not written, now=now)
    return records.fresh(session, services.SERVICES, service_id)


def _adopt(session, row, flag, type_row) -> tuple[Any, dict]:
    """Drop the record's own copies of the components the type changed (where the type now
    has a default), so the record inherits the new texts."""
    from simpul.registry.types import changed_sections

    old = _type_data(session, type_row.id, flag.get("from_version"))
    defaults = {**type_row.data.get("defaults", {})}
    if type_row.data.get("legal_basis"):
        defaults["legal_basis"] = type_row.data["legal_basis"]
    changed = {_component(s) for s in changed_sections(old, type_row.data)} - {None}
    drop = sorted(c for c in changed if c in defaults and c in row.data)
    data = {k: v for k, v in row.data.items() if k not in drop}
    return (data if drop else None), {"dropped": drop}


def _relink(row, flag, type_row, types) -> tuple[Any, dict]:
    """A retired type: link the record to its successor when that applies at its level."""
    successor = flag.get("superseded_by") or (
        type_row.data.get("superseded_by") if type_row else None
    )
    found = types.get(successor) if successor else None
    if (
        found is None
        or found.status != "active"
        or row.level not in found.data.get("applies_to", ())
    ):
        why = (
            f"its successor {successor!r} does not apply at the {row.level} level"
            if successor
            else "it has no successor"
        )
        raise ValidationFailed.from_messages(
            {
                "action": f"cannot adopt: the type {flag.get('type')!r} was retired and {why}; "
                "pick another type for the record (PUT it with 'type') or unlink it "
                "(PUT it without 'type'), or confirm it as it is"
            }
        )
    return {**row.data, "type": found.id}, {"relinked_to": found.id}


def _publish(session, row, data, actor, base_uri, provenance, types) -> bool:
    """Write the adopted content as a new version of the record; False when nothing changed.
    An automatic link stays automatic (the matcher is not asked again)."""
    if data is None:
        return False
    from simpul.registry import services
    from simpul.registry.types import Link

    prepared = services.prepare(data, services.session_lookup(session), row.authority, types=types)
    if "type" not in prepared.data:
        shown, _ = types.effective(prepared.data, row.type_id)
        prepared = prepared._replace(
            link=Link(row.type_id, row.type_link, row.type_score),
            completeness=components_present(shown),
        )
    [(_, outcome)] = services.publish_many(
        session, [prepared], actor, base_uri=base_uri, provenance=provenance
    )
    return outcome is not services.Outcome.UNCHANGED


def _record(session: Session, service_id: str, review: dict, *, log: bool, now) -> None:
    session.execute(
        update(Service)
        .where(Service.id == service_id)
        .values(review=review, review_status=None)
        .execution_options(synchronize_session=False)
    )
    if log:
        session.execute(
            insert(Change.__table__).from_select(
                ["service_id", "version", "action", "at"],
                select(
                    Service.id, Service.version, literal(REVIEWED), literal(now, Timestamp)
                ).where(Service.id == service_id),
            )
        )


def relinked(session: Session, service_ids: list[str], actor: Actor) -> None:
    """After writes (any entry path): a pending flag about a type its record no longer links to
    is resolved, since the agency picked another type or unlinked the record. An edit alone
    leaves the flag. One indexed query per batch; usually nothing to do."""
    rows = session.execute(
        select(Service.id, Service.type_id, Service.review).where(
            Service.id.in_(service_ids), _pending()
        )
    ).all()
    now = utcnow()
    for service_id, type_id, review in rows:
        if not review or type_id == review.get("type"):
            continue
        done = {
            **{k: review.get(k) for k in ("type", "type_version", "from_version", "since")},
            "status": "relinked" if type_id else "unlinked",
            "flagged": review.get("status"),
            "relinked_to": type_id,
            "by": actor.name,
            "at": now.isoformat(),
        }
        _record(session, service_id, done, log=False, now=now)


def mirror(session: Session, reviews: dict[str, dict | None]) -> None:
    """Copies of another node's records carry their origin's flag, pending or resolved
    (``carried``: as its change feed shows it)."""
    for service_id, review in reviews.items():
        status = review.get("status") if review else None
        session.execute(
            update(Service)
            .where(Service.id == service_id)
            .values(review=review or None, review_status=status if status in PENDING else None)
            .execution_options(synchronize_session=False)
        )


def carried(state: Any) -> dict[str, Any] | None:
    """The ``review`` of a record in another node's change feed, kept to the fields and types
    Simpul writes (the remote is not trusted to send anything else)."""
    review = state.get("review") if isinstance(state, dict) else None
    if not isinstance(review, dict) or review.get("status") not in STATUSES:
        return None
    out: dict[str, Any] = {}
    for key, kind in CARRIED.items():
        value = review.get(key)
        if kind is int and type(value) is int and 0 <= value <= 2**31 - 1:
            out[key] = value
        elif kind is str and isinstance(value, str):
            out[key] = value[:200]
        elif kind is list and isinstance(value, list):
            out[key] = [v[:100] for v in value[:50] if isinstance(v, str)]
    return out


# -- counts --------------------------------------------------------------------------------------
def pending_counts(
    session: Session,
    *,
    area: str | None = None,
    organization: str | None = None,
    page: int = 1,
    size: int = 50,
) -> dict[str, Any]:
    """Pending flags per organization and per child area of ``area``, and the flagged records."""
    where = [_pending(), Service.deleted_at.is_(None)]
    if organization:
        where.append(Service.authority == organization)
    if area and area != NATIONAL:
        where.append(or_(Organization.area == area, Organization.area.like(f"{area}.%")))
    base = select(Service).join(Organization, Organization.id == Service.authority).where(*where)
    per_org = session.execute(
        base.with_only_columns(Service.authority, Organization.area, func.count())
        .group_by(Service.authority, Organization.area)
        .order_by(Service.authority)
    ).all()
    per_status = session.execute(
        base.with_only_columns(Service.review_status, func.count()).group_by(Service.review_status)
    ).all()
    rows = session.scalars(
        base.order_by(Service.authority, Service.identifier).offset((page - 1) * size).limit(size)
    )
    return {
        "total": sum(n for _, _, n in per_org),
        "page": page,
        "size": size,
        "by_status": {status: n for status, n in per_status},
        "by_organization": [{"organization": o, "area": a, "count": n} for o, a, n in per_org],
        "by_area": _by_child_area(per_org, area or NATIONAL),
        "items": [_item(r) for r in rows],
    }


def _by_child_area(per_org: list, area: str) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    below = depth(area) + 1
    for _, code, n in per_org:
        code = code or NATIONAL
        child = ".".join(code.split(".")[:below]) if depth(code) >= below else code
        counts[child] = counts.get(child, 0) + n
    return [{"area": code, "count": n} for code, n in sorted(counts.items())]


def _item(row: Service) -> dict[str, Any]:
    return {
        "id": row.id,
        "uri": row.uri,
        "authority": row.authority,
        "identifier": row.identifier,
        "name": row.data.get("name"),
        "type": row.type_id,
        "review": row.review,
    }
