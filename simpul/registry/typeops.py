"""What the types API, the CLI and the federation do with service types beyond the core of
``registry.types``: finding types by name, a version with its diff to the one before, the
suggestions and the agency's confirm/reject of a record's type, and storing another node's list.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from simpul.errors import ValidationFailed
from simpul.registry import services, types
from simpul.registry.auth import Actor
from simpul.registry.models import Service, ServiceType

TYPE_STATUSES = ("active", "retired", "all")


# -- finding ---------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in _fold(text)).split()


def _names(data: Mapping[str, Any]) -> list[str]:
    alt = data.get("alt_names", {})
    return [data["id"], *data["name"].values(), *alt.get("id", ()), *alt.get("en", ())]


def matches(data: Mapping[str, Any], q: str) -> bool:
    """Every word of ``q`` starts a word of the type's id, names or alternative names (case and
    accents ignored): ``akta lahir`` finds *Penerbitan Akta Kelahiran* through *Akte Lahir*."""
    wanted = _words(q)
    for name in _names(data):
        words = _words(name)
        if all(any(w.startswith(part) for w in words) for part in wanted):
            return True
    return False


def find_types(
    session: Session,
    *,
    q: str | None = None,
    kind: str | None = None,
    sector: str | None = None,
    level: str | None = None,
    status: str = "active",
) -> list[ServiceType]:
    rows = types.list_types(
        session, kind=kind, sector=sector, level=level, status=None if status == "all" else status
    )
    return [r for r in rows if matches({"id": r.id, **r.data}, q)] if q else rows


def types_page(session: Session, page: int, size: int, **filters: Any) -> tuple[int, list[dict]]:
    """(total, a page of types with their instance counts)."""
    rows = find_types(session, **filters)
    counts = types.instance_counts(session)
    chosen = rows[(page - 1) * size : page * size]
    return len(rows), [types.type_to_dict(r, counts.get(r.id, 0)) for r in chosen]


# -- versions ------------------------------------------------------------------------------------
def _section(data: Mapping[str, Any], section: str) -> Any:
    head, _, component = section.partition(".")
    value = data.get(head)
    return value.get(component) if component and isinstance(value, dict) else value


def version_with_diff(session: Session, type_id: str, number: int) -> dict[str, Any]:
    """One version with its data and, section by section, what changed since the one before:
    whether that section is functional, its old and its new value."""
    row = types.type_version(session, type_id, number)
    out = types.type_version_to_dict(row, with_data=True)
    previous = types.type_version(session, type_id, number - 1) if number > 1 else None
    before = previous.data if previous is not None else {}
    out["previous"] = previous.version if previous is not None else None
    out["diff"] = [
        {
            "section": section,
            "functional": types.is_functional([section]),
            "old": _section(before, section) if section != "status" else _status(previous),
            "new": _section(row.data, section) if section != "status" else _status(row),
        }
        for section in row.changed
        if previous is not None
    ]
    return out


def _status(version) -> str | None:
    if version is None:
        return None
    return "retired" if version.action == "retired" else "active"


# -- a record's type: suggestions, confirm, reject -----------------------------------------------
def suggestions(session: Session, service_id: str, index: types.TypeIndex, limit: int = 5):
    """Ranked type suggestions for a live record, each with its score, reasons and the type's
    name and URI; and the record's current link."""
    row = services.get_live(session, service_id)
    found = index.suggest(row.data, row.level, limit)
    items = []
    for suggestion in found:
        info = index.get(suggestion.type_id)
        if info is None:
            continue
        items.append(
            {
                "type": suggestion.type_id,
                "uri": info.uri,
                "name": info.data["name"],
                "score": suggestion.score,
                "reasons": list(suggestion.reasons),
                "rejected": suggestion.type_id in row.data.get("type_rejected", ()),
            }
        )
    current = None
    if row.type_id:
        current = {"type": row.type_id, "method": row.type_link, "score": row.type_score}
    return {"service": row.id, "level": row.level, "current": current, "items": items}


class Decision(NamedTuple):
    action: str  # confirm or reject
    type_id: str


def read_decision(raw: Any, index: types.TypeIndex) -> Decision:
    """``{"confirm": id}`` or ``{"reject": id}`` (an id or a type URI), else 422 naming why."""
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages("expected a JSON object: {'confirm': id}")
    given = [k for k in ("confirm", "reject") if k in raw]
    extra = sorted(set(raw) - {"confirm", "reject"})
    if extra:
        raise ValidationFailed.from_messages(dict.fromkeys(extra, "unknown field"))
    if len(given) != 1:
        raise ValidationFailed.from_messages(
            "give exactly one of 'confirm' or 'reject', with a service type id"
        )
    key = given[0]
    ref = raw[key]
    found = index.resolve(ref) if isinstance(ref, str) and ref else None
    if found is None:
        raise ValidationFailed.from_messages(
            {key: f"unknown service type {ref!r}; see GET /api/v1/types"}
        )
    return Decision(key, found.id)


def decide_type(
    session: Session,
    service_id: str,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    index: types.TypeIndex,
) -> Service:
    """The agency's answer to a suggestion or an automatic link: ``confirm`` makes the type the
    record's own (a manual link), ``reject`` adds it to ``type_rejected`` and drops the link to
    it. Either is a new version of the record (unchanged when it already says so)."""
    row = services.get_live(session, service_id, for_update=True)
    actor.require_write(row.authority)
    decision = read_decision(raw, index)
    data = dict(row.data)
    rejected = [t for t in data.get("type_rejected", ()) if t != decision.type_id]
    if decision.action == "confirm":
        data["type"] = decision.type_id
    else:
        rejected.append(decision.type_id)
        if data.get("type") == decision.type_id:
            del data["type"]
    data["type_rejected"] = rejected
    if not rejected:
        del data["type_rejected"]
    prepared = services.prepare(data, services.session_lookup(session), row.authority, types=index)
    services.publish_many(session, [prepared], actor, base_uri=base_uri, provenance=provenance)
    session.expire(row)
    return services.get_live(session, service_id)


# -- another node's list -------------------------------------------------------------------------
class Mirrored(NamedTuple):
    counts: dict[str, int]
    errors: dict[str, str]  # type id (or position) -> why it was not stored


def mirror_types(
    session: Session,
    remote: Iterable[Any],
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
) -> Mirrored:
    """Store another node's types as they are there (``GET /api/v1/types?status=all``): their
    URIs, their status, a new version here when their content changed (functional or not,
    decided here). A type that breaks the rules is skipped and named; the others are stored."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "retired": 0, "restored": 0}
    errors: dict[str, str] = {}
    pending = []
    for position, item in enumerate(remote, 1):
        key = item.get("id") if isinstance(item, dict) else None
        key = key if isinstance(key, str) and key else f"#{position}"
        try:
            data = types.validate_type(item)
        except ValidationFailed as exc:
            errors[key] = str(exc)
            continue
        uri = item.get("uri") if isinstance(item.get("uri"), str) else None
        pending.append((data, uri, item.get("status") == "retired", _origin(item)))
    while pending:  # successors first, so that ``superseded_by`` always names a stored type
        ready = [p for p in pending if _successor_known(session, p[0], pending)]
        if not ready:
            for data, *_ in pending:
                errors[data["id"]] = f"superseded_by: unknown type {data['superseded_by']!r}"
            break
        for data, uri, retired, origin in ready:
            change = _mirror_one(session, data, uri, retired, actor, base_uri, provenance, origin)
            counts[change.action] += 1
        pending = [p for p in pending if p not in ready]
    return Mirrored(counts, errors)


def _origin(item: Mapping[str, Any]) -> dict[str, Any]:
    version = item.get("version")
    return {"uri": item.get("uri"), "version": version if type(version) is int else None}


def _successor_known(session: Session, data: Mapping[str, Any], pending: list) -> bool:
    successor = data.get("superseded_by")
    if not successor or successor == data["id"]:
        return True
    waiting = {p[0]["id"] for p in pending}
    return successor not in waiting and session.get(ServiceType, successor) is not None


def _mirror_one(session, data, uri, retired, actor, base_uri, provenance, origin):
    change = types.save_type(
        session,
        data,
        actor,
        base_uri=base_uri,
        provenance={**provenance, "origin": origin},
        uri=uri,
        retire=retired,
    )
    if uri and change.row.uri != uri:  # the national URI, one for the concept everywhere
        change.row.uri = uri
    return change
