"""What a harvest source may write: its own organization's subtree, nothing else.

A source acts for its organization (``source.organization``). Whoever controls the remote (another
Simpul node, a spreadsheet, a CKAN portal) may bring organizations and services only inside that
organization's subtree, at its level or below and inside its area. An organization elsewhere (a
sibling agency, a ministry, the organization's own parent) is never created under, changed or
published for; the remote's attempt is a per-record error in the job report, and the records
that depend on a refused organization are refused with it. Everything a remote says of an
organization passes the same schema as the API.

The rule does not depend on who registered the source: an administrator who wants a source to
bring everything registers it on the node's top organization, whose subtree is everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from simpul.errors import SimpulError, flatten_messages
from simpul.reference.areas import NATIONAL, is_within
from simpul.registry.models import Organization
from simpul.registry.schemas import ORGANIZATION_SCHEMA

LEVEL_ORDER = {"pusat": 0, "provinsi": 1, "kabkota": 2, "kecamatan": 3, "desa": 4}
FOLLOWED = ("name", "homepage", "uri")  # what a harvest may change of an organization it holds


def outside(owner: Any, level: str | None, area: str | None) -> str | None:
    """Why an organization of ``level`` and ``area`` lies outside the scope of ``owner`` (the
    source's organization), or None. ``owner`` has ``id``, ``level`` and ``area``."""
    if LEVEL_ORDER.get(level or "", 9) < LEVEL_ORDER.get(owner.level, 9):
        return f"level {level!r} is above {owner.id!r} ({owner.level})"
    jurisdiction = owner.area or NATIONAL
    if not is_within(area or NATIONAL, jurisdiction):
        return f"area {area or NATIONAL!r} lies outside {owner.id!r} ({jurisdiction})"
    return None


@dataclass
class Registered:
    """What registering a remote's organizations did."""

    added: int = 0
    changed: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # remote org key -> why


def _load(raw: dict[str, Any]) -> dict[str, Any]:
    """The remote's organization through the API's schema; ValueError says why not."""
    picked = {k: raw.get(k) for k in ("id", "name", "level", "area", "parent", *FOLLOWED[1:])}
    picked = {k: v for k, v in picked.items() if v is not None}
    try:
        return ORGANIZATION_SCHEMA.load(picked)
    except ValidationError as exc:
        problems = flatten_messages(exc.messages)
        raise ValueError("; ".join(f"{p['path']}: {p['message']}" for p in problems)) from None


def _key(raw: Any, index: int) -> str:
    org_id = raw.get("id") if isinstance(raw, dict) else None
    return org_id[:100] if isinstance(org_id, str) and org_id else f"organizations[{index}]"


def _rank(raw: Any) -> int:
    level = raw.get("level") if isinstance(raw, dict) else None
    return LEVEL_ORDER.get(level, 9) if isinstance(level, str) else 9


def register_organizations(session: Session, remote: list[Any], owner_id: str) -> Registered:
    """Register the organizations another node knows inside the source's subtree (keeping their
    ids; one whose parent is unknown here goes under the source's organization) and follow the
    name, homepage and URI of those already there."""
    from simpul.harvesters.importing import Organizations

    orgs = Organizations(session, owner_id)
    owner, subtree, known = orgs.info[owner_id], set(orgs.writable), set(orgs.info)
    done = Registered()
    for index, raw in sorted(enumerate(remote), key=lambda pair: _rank(pair[1])):
        key = _key(raw, index)
        try:
            if not isinstance(raw, dict):
                raise ValueError(f"expected an object, got {type(raw).__name__}")
            org_id = raw.get("id")
            if org_id == owner_id:
                continue  # the source's own organization is its editors' to change
            if isinstance(org_id, str) and org_id in known and org_id not in subtree:
                _mention(session.get(Organization, raw["id"]), raw, owner_id)
                continue
            data = _load(raw)
            if data["id"] in known:
                done.changed += _follow(session, data)
                continue
            _create(session, data, owner, subtree, known, done.refused)
            done.added += 1
        except (ValueError, SimpulError) as exc:
            why = exc.detail if isinstance(exc, SimpulError) else str(exc)
            done.refused[key] = f"organization {key!r} refused: {why}"
    return done


def _mention(row: Organization, raw: dict[str, Any], owner_id: str) -> None:
    """An organization outside the source's: naming it is fine, changing it is refused."""
    changed = [k for k in ("name", "homepage") if raw.get(k) and raw[k] != getattr(row, k)]
    uri = raw.get("uri")
    if uri and uri != row.uri and not str(uri).endswith(f"/organizations/{row.id}"):
        changed.append("uri")  # a node's default URI for an organization is no claim
    if changed:
        raise ValueError(
            f"it lies outside the organizations of {owner_id!r} (the source's organization and "
            f"those below it); its {', '.join(changed)} was not changed"
        )


def _follow(session: Session, data: dict[str, Any]) -> int:
    """An organization the source holds: follow its name, homepage and URI."""
    from simpul.registry.organizations import touch_services

    row = session.get(Organization, data["id"])
    changes = {k: data[k] for k in FOLLOWED if data.get(k)}
    if not any(getattr(row, k) != v for k, v in changes.items()):
        return 0
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    touch_services(session, row.id)
    return 1


def _create(
    session: Session,
    data: dict[str, Any],
    owner: Any,
    subtree: set[str],
    known: set[str],
    refused: dict[str, str],
) -> None:
    from simpul.registry.organizations import create_organization

    parent = data.get("parent")
    if parent in refused:
        raise ValueError(f"its parent {parent!r} was refused")
    if parent in known and parent not in subtree:
        raise ValueError(
            f"its parent {parent!r} lies outside the organizations of {owner.id!r} "
            "(the source's organization and those below it)"
        )
    problem = outside(owner, data.get("level"), data.get("area"))
    if problem:
        raise ValueError(f"{problem}: a source brings organizations only within its own")
    data = {**data, "parent": parent if parent in known else owner.id}
    with session.begin_nested():
        create_organization(session, data)
    subtree.add(data["id"])
    known.add(data["id"])
