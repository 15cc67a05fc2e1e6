"""National service types (jenis layanan): the reference list local services instantiate.

A type is a versioned record owned by the node's national coordinator. A service links to one
with its ``type`` field (the agency's choice, ``manual``) or through the matcher (``automatic``).
Shown and exported, a linked record is its *effective* form (``effective``): the components the
type defines and the record leaves empty are inherited, and kind, sectors and life events come
from the type, as Finland's PTV does with its general descriptions.

A new version is *functional* when something a citizen meets changes: a component's default
text, the legal basis, the kind, or where the type applies or is mandatory. Names, descriptions
and keywords are not (compared section by section, as Flanders' LPDC does).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, NamedTuple

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from simpul.errors import Conflict, Gone, ValidationFailed
from simpul.reference import codelists
from simpul.registry import records
from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import Service, ServiceType, ServiceTypeVersion
from simpul.registry.records import content_hash
from simpul.registry.schemas import SERVICE_TYPE_SCHEMA, TYPE_COMPONENTS

# Sections whose change makes a new version functional (linked records are then reviewed).
FUNCTIONAL = ("defaults", "legal_basis", "kind", "applies_to", "mandatory_at")
# Sections a service takes from its type: always (kind), merged with its own (codes), or when it
# leaves them empty (the components and the legal basis).
FROM_TYPE = ("kind",)
MERGED = ("sectors", "life_events", "audiences")
DEFAULTED = (*TYPE_COMPONENTS, "legal_basis")
NATIONAL_LIST = "service-types-id.jsonl"


class TypeInfo(NamedTuple):
    """What linking and showing records need of a type (one per type, held in memory)."""

    id: str
    uri: str
    status: str
    version: int
    functional_version: int
    data: dict[str, Any]

    @property
    def defaults(self) -> dict[str, Any]:
        return {**self.data.get("defaults", {}), **_legal(self.data)}


class Link(NamedTuple):
    """A record's link to its type: ``manual`` (the record's own ``type``) or ``automatic``."""

    type_id: str
    method: str
    score: float | None = None


def _legal(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"legal_basis": data["legal_basis"]} if data.get("legal_basis") else {}


# -- the index: every type of the node, in memory ------------------------------------------------
class TypeIndex:
    """The node's types by id and URI, with the checks and links a record needs. Built from the
    database by ``load_index``; cheap to share between threads (read only)."""

    def __init__(self, types: Iterable[TypeInfo], auto_link: float | None = None):
        self.types = {t.id: t for t in types}
        self._by_uri = {t.uri: t for t in self.types.values()}
        self.auto_link = auto_link
        self._matcher = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.types)

    def __getstate__(self) -> dict[str, Any]:  # sent to bulk-load worker processes
        return {"types": list(self.types.values()), "auto_link": self.auto_link}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["types"], state["auto_link"])

    def get(self, type_id: str | None) -> TypeInfo | None:
        return self.types.get(type_id) if type_id else None

    def resolve(self, ref: str) -> TypeInfo | None:
        """A type by id, by its URI, or by any URI ending ``/types/{id}`` (another node's)."""
        if ref in self.types:
            return self.types[ref]
        if ref in self._by_uri:
            return self._by_uri[ref]
        head, sep, tail = ref.rstrip("/").rpartition("/types/")
        return self.types.get(tail) if sep and head.startswith(("http://", "https://")) else None

    def check(self, data: dict[str, Any], level: str) -> dict[str, str]:
        """Normalise ``data["type"]`` to an id; problems by field (empty when it fits)."""
        ref = data.get("type")
        if ref is None:
            return {}
        found = self.resolve(ref)
        if found is None:
            return {"type": f"unknown service type {ref!r}; see GET /api/v1/types"}
        if found.status != "active":
            successor = found.data.get("superseded_by")
            hint = f"; it is superseded by {successor!r}" if successor else ""
            return {"type": f"service type {found.id!r} is retired{hint}"}
        applies = found.data.get("applies_to", ())
        if level not in applies:
            return {
                "type": f"service type {found.id!r} applies at {', '.join(applies)}, "
                f"not at the {level} level of this record's organization"
            }
        data["type"] = found.id
        return {}

    def link(self, data: Mapping[str, Any], level: str) -> Link | None:
        """The record's own type, else the matcher's best above the auto-link threshold."""
        if data.get("type"):
            return Link(data["type"], "manual")
        if not self.auto_link or not self.types:
            return None
        best = self.matcher().best(data, level, self.auto_link)
        if best is None or best.type_id in data.get("type_rejected", ()):
            return None
        return Link(best.type_id, "automatic", round(best.score, 4))

    def suggest(self, data: Mapping[str, Any], level: str | None, limit: int = 5) -> list:
        return self.matcher().suggest(data, level, limit) if self.types else []

    def matcher(self):
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    from simpul.registry.typematch import TypeMatcher

                    active = [
                        {"id": t.id, **t.data} for t in self.types.values() if t.status == "active"
                    ]
                    self._matcher = TypeMatcher.from_types(active)
        return self._matcher

    def effective(self, data: dict[str, Any], type_id: str | None) -> tuple[dict, list[str]]:
        found = self.get(type_id)
        return effective(data, found.data) if found else (data, [])


_cache: dict[tuple, tuple[tuple, TypeIndex]] = {}
_cache_lock = threading.Lock()


def load_index(session: Session, auto_link: float | None = None) -> TypeIndex:
    """The node's types, rebuilt only when they changed (one small query otherwise), so every
    request and batch sees the coordinator's latest list, whichever process wrote it."""
    stamp = tuple(
        session.execute(
            select(func.count(), func.max(ServiceType.modified), func.sum(ServiceType.version))
        ).one()
    )
    key = (str(session.get_bind().url), auto_link)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    rows = session.execute(
        select(
            ServiceType.id,
            ServiceType.uri,
            ServiceType.status,
            ServiceType.version,
            ServiceType.functional_version,
            ServiceType.data,
        )
    )
    index = TypeIndex((TypeInfo(*row) for row in rows), auto_link)
    with _cache_lock:
        _cache[key] = (stamp, index)
    return index


# -- the effective record ------------------------------------------------------------------------
def effective(data: dict[str, Any], type_data: Mapping[str, Any]) -> tuple[dict, list[str]]:
    """A linked record as shown and exported, and the fields that came from its type."""
    out = dict(data)
    inherited: list[str] = []
    for key in FROM_TYPE:
        if type_data.get(key):
            out[key] = type_data[key]
            inherited.append(key)
    for key in MERGED:
        extra = [c for c in type_data.get(key, ()) if c not in out.get(key, ())]
        if extra:
            out[key] = [*out.get(key, ()), *extra]
            inherited.append(key)
    defaults = {**type_data.get("defaults", {}), **_legal(type_data)}
    for key in DEFAULTED:
        if key in defaults and not out.get(key):
            out[key] = defaults[key]
            inherited.append(key)
    return out, inherited


def strip_inherited(data: dict[str, Any], type_data: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the components a record holds exactly as its type's defaults: a record fetched in
    its effective form and sent back keeps inheriting them instead of freezing a copy."""
    defaults = {**type_data.get("defaults", {}), **_legal(type_data)}
    return {k: v for k, v in data.items() if k not in defaults or defaults[k] != v}


def returned(raw: dict[str, Any], type_data: Mapping[str, Any]) -> dict[str, Any]:
    """A record sent back as it was read (effective form, ``inherited`` listing what came from
    the type): the inherited components still equal to the type's are dropped again, so an
    edit of one field does not freeze copies of the others."""
    listed = raw.get("inherited")
    if not isinstance(listed, list):
        return raw
    defaults = {**type_data.get("defaults", {}), **_legal(type_data)}
    drop = {k for k in listed if k in defaults and raw.get(k) == defaults[k]}
    return {k: v for k, v in raw.items() if k not in drop}


# -- writing types -------------------------------------------------------------------------------
class TypeChange(NamedTuple):
    """What a new version of a type changed: the sections, and whether that is functional."""

    row: ServiceType
    action: str  # created, updated, retired, restored, unchanged
    changed: list[str]
    functional: bool


def validate_type(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(f"expected a JSON object, got {type(raw).__name__}")
    server = {"uri", "version", "status", "created", "modified", "retired_at", "provenance"}
    server |= {"functional_version", "instances"}
    try:
        return SERVICE_TYPE_SCHEMA.load({k: v for k, v in raw.items() if k not in server})
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None


def changed_sections(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Top-level sections that differ; the defaults section by component (``defaults.cost``)."""
    changed = []
    for key in sorted(set(old) | set(new)):
        if key == "defaults":
            a, b = old.get(key, {}), new.get(key, {})
            changed += [f"defaults.{c}" for c in sorted(set(a) | set(b)) if a.get(c) != b.get(c)]
        elif old.get(key) != new.get(key):
            changed.append(key)
    return changed


def is_functional(changed: Iterable[str]) -> bool:
    return any(c.split(".", 1)[0] in FUNCTIONAL for c in changed)


def type_etag(row: ServiceType) -> str:
    return records.etag(TYPES, row)


def save_type(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    uri: str | None = None,
    retire: bool = False,
) -> TypeChange:
    """Create or update one validated type (``retire``: and retire it). Permission is the
    caller's to check. Unchanged content writes nothing."""
    _check_successor(session, data)
    row = session.get(ServiceType, data["id"], with_for_update=True, populate_existing=True)
    digest = content_hash(data)
    now = utcnow()
    status = "retired" if retire else "active"
    if row is None:
        row = ServiceType(
            id=data["id"],
            uri=uri or f"{base_uri}/types/{data['id']}",
            status=status,
            data=data,
            content_hash=digest,
            version=1,
            functional_version=1,
            created=now,
            modified=now,
            retired_at=now if retire else None,
            provenance=provenance,
        )
        session.add(row)
        change = TypeChange(row, "created", sorted(data), True)
    else:
        if row.content_hash == digest and row.status == status:
            return TypeChange(row, "unchanged", [], False)
        changed = changed_sections(row.data, data)
        if row.status != status:
            changed.append("status")
        functional = is_functional(changed) or row.status != status
        action = "updated"
        if row.status != status:
            action = "retired" if retire else "restored"
        row.data, row.content_hash, row.status = data, digest, status
        row.version += 1
        row.modified, row.provenance = now, provenance
        row.retired_at = now if retire else None
        if functional:
            row.functional_version = row.version
        change = TypeChange(row, action, changed, functional)
    session.add(
        ServiceTypeVersion(
            type_id=row.id,
            version=row.version,
            action=change.action,
            data=data,
            content_hash=digest,
            functional=change.functional,
            changed=change.changed,
            actor=actor.name,
            at=now,
        )
    )
    session.flush()
    if change.functional and change.action != "created":
        from simpul.registry.reviews import flag_type_change

        flag_type_change(session, change)  # the linked records are reviewed
    return change


def _check_successor(session: Session, data: dict[str, Any]) -> None:
    successor = data.get("superseded_by")
    if successor and session.get(ServiceType, successor) is None:
        raise ValidationFailed.from_messages(
            {"superseded_by": f"unknown service type {successor!r}"}
        )


def create_type(
    session: Session, raw: Any, actor: Actor, *, base_uri: str, provenance: dict[str, Any]
) -> TypeChange:
    actor.require_coordinator()
    data = validate_type(raw)
    if session.get(ServiceType, data["id"]) is not None:
        raise Conflict(
            f"service type {data['id']!r} exists; update it with PUT /api/v1/types/{data['id']}",
            existing=data["id"],
        )
    return save_type(session, data, actor, base_uri=base_uri, provenance=provenance)


def replace_type(
    session: Session,
    type_id: str,
    raw: Any,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    if_match: set[str] | None = None,
) -> TypeChange:
    actor.require_coordinator()
    row = get_type(session, type_id, for_update=True)
    _precondition(row, if_match)
    data = validate_type(raw)
    if data["id"] != type_id:
        raise ValidationFailed.from_messages(
            {"id": f"the id of a type cannot change (it is {type_id!r})"}
        )
    return save_type(session, data, actor, base_uri=base_uri, provenance=provenance)


def retire_type(
    session: Session,
    type_id: str,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    if_match: set[str] | None = None,
    superseded_by: str | None = None,
) -> TypeChange:
    """Retire a type (its linked records are then flagged for review); it stays readable."""
    actor.require_coordinator()
    row = get_type(session, type_id, for_update=True)
    _precondition(row, if_match)
    data = dict(row.data)
    if superseded_by:
        if superseded_by == type_id:
            raise ValidationFailed.from_messages(
                {"superseded_by": "a type cannot be superseded by itself"}
            )
        data["superseded_by"] = superseded_by
    return save_type(
        session, data, actor, base_uri=base_uri, provenance=provenance, uri=row.uri, retire=True
    )


def delete_type(
    session: Session,
    type_id: str,
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
    if_match: set[str] | None = None,
) -> TypeChange:
    """A type without instances is retired; one with instances is refused (retire it)."""
    actor.require_coordinator()
    count = instance_count(session, type_id)
    if count:
        raise Conflict(
            f"service type {type_id!r} has {count} linked record(s); retire it instead "
            f"(POST /api/v1/types/{type_id}/retire) so their agencies are asked to review",
            instances=count,
        )
    return retire_type(
        session, type_id, actor, base_uri=base_uri, provenance=provenance, if_match=if_match
    )


def load_types(
    session: Session,
    records: Iterable[Any],
    actor: Actor,
    *,
    base_uri: str,
    provenance: dict[str, Any],
) -> dict[str, int]:
    """Bulk create or update (JSON Lines, spreadsheets, the shipped list). All or nothing: a
    bad record raises ValidationFailed naming its line, and nothing is stored."""
    actor.require_coordinator()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "retired": 0, "restored": 0}
    checked = []
    for number, raw in enumerate(records, 1):
        try:
            checked.append(validate_type(raw))
        except ValidationFailed as exc:
            raise ValidationFailed(f"record {number}: {exc.detail}", errors=exc.errors) from None
    ids = [d["id"] for d in checked]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValidationFailed.from_messages({"id": f"given more than once: {', '.join(twice)}"})
    for data in sorted(checked, key=lambda d: bool(d.get("superseded_by"))):
        change = save_type(session, data, actor, base_uri=base_uri, provenance=provenance)
        counts[change.action] += 1
    return counts


def national_list() -> list[dict[str, Any]]:
    """The national list of service types that ships with Simpul."""
    text = resources.files("simpul.reference").joinpath("data", NATIONAL_LIST).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# -- reading -------------------------------------------------------------------------------------
def get_type(session: Session, type_id: str, *, for_update: bool = False) -> ServiceType:
    return records.get(session, TYPES, type_id, for_update=for_update)


def get_active_type(session: Session, type_id: str) -> ServiceType:
    """The type, or 404, or 410 once retired (with its successor, if any)."""
    return records.get_live(session, TYPES, type_id)


def _retired(row: ServiceType) -> Gone | None:
    if row.status != "retired":
        return None
    successor = row.data.get("superseded_by")
    return Gone(
        f"service type {row.id!r} was retired"
        + (f"; it is superseded by {successor!r}" if successor else ""),
        superseded_by=successor,
        tombstone=type_to_dict(row),  # not ``type``: a problem's ``type`` is its URI
    )


def list_types(
    session: Session,
    *,
    kind: str | None = None,
    sector: str | None = None,
    level: str | None = None,
    status: str | None = "active",
) -> list[ServiceType]:
    """Types in id order; the list is small (hundreds), so codes are filtered in Python."""
    query = select(ServiceType).order_by(ServiceType.id)
    if status:
        query = query.where(ServiceType.status == status)
    rows = list(session.scalars(query))
    return [
        r
        for r in rows
        if (not kind or r.data.get("kind") == kind)
        and (not sector or sector in r.data.get("sectors", ()))
        and (not level or level in r.data.get("applies_to", ()))
    ]


def type_versions(session: Session, type_id: str) -> list[ServiceTypeVersion]:
    return records.versions(session, TYPES, type_id)


def type_version(session: Session, type_id: str, number: int) -> ServiceTypeVersion:
    return records.version_row(session, TYPES, type_id, number)


def instance_count(session: Session, type_id: str) -> int:
    query = select(func.count()).where(Service.type_id == type_id, Service.deleted_at.is_(None))
    return session.scalar(query) or 0


def instance_counts(session: Session) -> dict[str, int]:
    query = (
        select(Service.type_id, func.count())
        .where(Service.type_id.is_not(None), Service.deleted_at.is_(None))
        .group_by(Service.type_id)
    )
    return dict(session.execute(query).all())


def _precondition(row: ServiceType, if_match: set[str] | None) -> None:
    records.check_precondition(TYPES, row, if_match)


# -- shapes --------------------------------------------------------------------------------------
def type_to_dict(row: ServiceType, instances: int | None = None) -> dict[str, Any]:
    out = {
        "id": row.id,
        "uri": row.uri,
        **row.data,
        "status": row.status,
        "version": row.version,
        "functional_version": row.functional_version,
        "created": as_utc(row.created).isoformat(),
        "modified": as_utc(row.modified).isoformat(),
        "provenance": row.provenance,
    }
    if row.retired_at is not None:
        out["retired_at"] = as_utc(row.retired_at).isoformat()
    if instances is not None:
        out["instances"] = instances
    return out


def type_version_to_dict(row: ServiceTypeVersion, *, with_data: bool = False) -> dict[str, Any]:
    out = {
        "version": row.version,
        "action": row.action,
        "functional": row.functional,
        "changed": row.changed,
        "actor": row.actor,
        "at": as_utc(row.at).isoformat(),
        "content_hash": row.content_hash,
    }
    if with_data:
        out["data"] = row.data
    return out


TYPES = records.Kind(
    ServiceType,
    ServiceTypeVersion,
    key="type_id",
    noun="service type",
    word="type",
    collection="types",
    etag_prefix="t",
    refetch="fetch it again",
    retired=_retired,
)


def kind_label(kind: str | None, lang: str = "id") -> str | None:
    labels = codelists.TYPE_KINDS.get(kind or "")
    return labels.get(lang, labels["id"]) if labels else None
