"""From a transformed remote record to a record ready to store, leniently.

A record published by hand must be right; a harvested one is imported with what can be used:
optional fields that break the rules are dropped and reported, areas outside the authority's
jurisdiction are dropped, and only a record without identity or name (in any language) is
rejected. What a record lacks (components of the standard, and the gaps of ``quality.gaps``
such as a name without Indonesian) is counted in the job's ``gaps``. When the
authority the remote names is not a registered organization, the source's organization holds
the record and the original authority is kept as given.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.errors import flatten_messages
from simpul.harvesters.base import RecordProblem, Transformed
from simpul.harvesters.mapping import identifier as make_identifier
from simpul.harvesters.mapping import slug
from simpul.harvesters.trust import outside
from simpul.reference.areas import NATIONAL, is_within
from simpul.reference.languages import pick
from simpul.registry.models import Organization
from simpul.registry.quality import gap_codes, missing
from simpul.registry.schemas import SERVER_FIELDS, SERVICE_SCHEMA, Url
from simpul.registry.services import OrgInfo, Prepared, content_hash, link_type
from simpul.registry.types import TypeIndex

IDENTITY = ("identifier", "name")
MAX_PASSES = 8
SERVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")  # fits services.id
URI_FIELD = Url(required=True)


class Organizations:
    """Every organization, and which of them a source may write for: its own organization and
    the organizations below it, at its level or below and inside its area (``trust``).
    ``refused`` holds the remote's organizations this run refused, and why."""

    def __init__(self, session: Session, owner: str):
        rows = session.execute(
            select(Organization.id, Organization.level, Organization.area, Organization.parent_id)
        ).all()
        self.info = {r.id: OrgInfo(r.id, r.level, r.area) for r in rows}
        children: dict[str, list[str]] = {}
        for r in rows:
            if r.parent_id:
                children.setdefault(r.parent_id, []).append(r.id)
        self.owner = owner
        self.types: TypeIndex | None = None  # the node's service types, set by the runner
        self.refused: dict[str, str] = {}
        self.writable = {owner}
        stack = [owner]
        while stack:
            for child in children.get(stack.pop(), []):
                info = self.info[child]
                if child not in self.writable and not outside(self.info[owner], *info[1:]):
                    self.writable.add(child)
                    stack.append(child)


class Checked:
    """A record ready to store, and the notes of what was dropped or is missing."""

    __slots__ = ("prepared", "notes", "gaps", "provenance")

    def __init__(self, prepared, notes: list[str], gaps: list[str], provenance=None):
        self.prepared, self.notes, self.gaps = prepared, notes, gaps
        self.provenance = provenance  # what the remote says of the record's travels


def check(transformed: Transformed, orgs: Organizations, key: str) -> Checked:
    """Validate leniently; raise RecordProblem when identity or name is missing or invalid,
    or when the record names an organization the source may not write for."""
    raw = {k: v for k, v in transformed.record.items() if k not in SERVER_FIELDS}
    notes = list(transformed.notes)
    if not raw.get("name"):
        raise RecordProblem("the record has no name (nama layanan)")
    raw["identifier"] = make_identifier(raw.get("identifier"), key)
    _check_identity(transformed.identity)
    org = _authority(raw, transformed, orgs, notes)
    data = _load(raw, notes)
    _fit_areas(data, org, notes)
    gaps = missing(data) + gap_codes(data)
    prepared = Prepared(data, content_hash(data), org, identity=transformed.identity)
    return Checked(_typed(prepared, orgs.types, notes), notes, gaps, transformed.provenance)


def _typed(prepared: Prepared, types: TypeIndex | None, notes: list[str]) -> Prepared:
    """Link the record to its service type; a type this node does not know, or one that does
    not apply at the record's level, is dropped with a note (the matcher may still link)."""
    data = prepared.data
    if "type" in data:
        level = prepared.organization.level
        problem = types.check(dict(data), level).get("type") if types else "types are not known"
        if problem:
            notes.append(f"type: {problem}")
            data = {k: v for k, v in data.items() if k != "type"}
            prepared = prepared._replace(data=data, content_hash=content_hash(data))
    return link_type(prepared, types)


def _authority(
    raw: dict[str, Any], transformed: Transformed, orgs: Organizations, notes: list[str]
) -> OrgInfo:
    named = raw.get("authority")
    if named is not None and not isinstance(named, str):
        raise RecordProblem(f"authority: expected an organization id, got {type(named).__name__}")
    if named in orgs.refused:
        raise RecordProblem(f"its authority was refused: {orgs.refused[named]}")
    if named in orgs.info:
        if named not in orgs.writable:
            raise RecordProblem(
                f"the record names the authority {named!r}, which is neither the source's "
                f"organization {orgs.owner!r} nor below it (at its level or below, inside "
                "its area)"
            )
        return orgs.info[named]
    original = transformed.authority or ({"name": {"id": str(named)}} if named else None)
    if original:
        raw["original_authority"] = original
        # Records of several foreign authorities are held by one organization: qualify their
        # identifiers so that two authorities' "surat-domisili" stay two records.
        raw["identifier"] = f"{_authority_slug(original, named)}.{raw['identifier']}"[:200]
        notes.append(
            f"authority {_label(original)!r} is not a registered organization; "
            f"held by {orgs.owner!r}"
        )
    raw["authority"] = orgs.owner
    return orgs.info[orgs.owner]


def _check_identity(identity: tuple[Any, Any] | None) -> None:
    """The id and URI a record keeps from its origin node become its id and URI here."""
    if identity is None:
        return
    service_id, uri = identity
    if not isinstance(service_id, str) or not SERVICE_ID.match(service_id):
        raise RecordProblem(f"id: {service_id!r} is not a Simpul service id")
    try:
        URI_FIELD.deserialize(uri)
    except ValidationError as exc:
        raise RecordProblem(f"uri: {'; '.join(exc.messages)}") from None
    if len(uri) > 500:  # the column's width
        raise RecordProblem("uri: longer than 500 characters")


def _authority_slug(original: dict[str, Any], named: Any) -> str:
    uri = original.get("uri") or ""
    candidates = (original.get("id"), named, uri.rstrip("/#").rsplit("/", 1)[-1], _label(original))
    for value in candidates:
        if value and slug(str(value)):
            return slug(str(value))[:60]
    return "lain"


def _label(original: dict[str, Any]) -> str:
    return pick(original.get("name")) or original.get("uri") or "?"


def _load(raw: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Load with the publish schema, dropping what breaks the rules, pass by pass."""
    for _ in range(MAX_PASSES):
        try:
            return SERVICE_SCHEMA.load(raw)
        except ValidationError as exc:
            messages = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
            for field in IDENTITY:
                if field in messages:
                    problem = "; ".join(
                        f"{e['path']}: {e['message']}" for e in flatten_messages(messages[field])
                    )
                    raise RecordProblem(f"{field}: {problem}") from None
            for field, message in messages.items():
                _drop(raw, field, message, notes)
    raise RecordProblem("the record still breaks the rules after dropping the invalid fields")


def _drop(raw: dict[str, Any], field: str, message: Any, notes: list[str]) -> None:
    value = raw.get(field)
    if (
        isinstance(value, list)
        and isinstance(message, dict)
        and all(isinstance(k, int) for k in message)
    ):
        for index in sorted(message, reverse=True):
            for e in flatten_messages(message[index]):
                path = f"{field}[{index}]" + (f".{e['path']}" if e["path"] else "")
                notes.append(f"dropped {path}: {e['message']}")
            del value[index]
        if not value:
            raw.pop(field, None)
        return
    for e in flatten_messages(message):
        path = field + (f".{e['path']}" if e["path"] else "")
        notes.append(f"dropped {path}: {e['message']}")
    raw.pop(field, None)


def _fit_areas(data: dict[str, Any], org: OrgInfo, notes: list[str]) -> None:
    jurisdiction = org.area or NATIONAL
    areas = data.get("areas") or []
    inside = [code for code in areas if is_within(code, jurisdiction)]
    for code in areas:
        if code not in inside:
            notes.append(f"dropped area {code!r}: outside {org.id!r} ({jurisdiction})")
    data["areas"] = inside or [jurisdiction]
