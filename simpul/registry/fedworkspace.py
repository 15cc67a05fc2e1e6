"""A child node's readiness assessments and roadmap items, stored at the parent (``simpul``
sources; the harvester reads them from the child's change feed, kinds ``assessment`` and
``roadmap``).

- Provenance: each keeps where it came from (origin node, its URI there, the chain of nodes, the
  source and job); assessments are matched by their URI at the origin, roadmap items by phase
  and target (ids of services and applications are kept up the federation).
- Trust: only records of organizations in the source's subtree (``writable``); the area is this
  node's area of the organization, never the child's word.
- The parent's own word wins: a roadmap item this node's coordinator (or evidence here) moved is
  never overwritten, and gates prefer this node's own verified assessment
  (``assessments.latest_verified``).
- Deletions: a child's roadmap items leave the board when their target is deleted here (its
  tombstone came through the same feed); assessments are append-only, kept as history as at
  the child.
- Idempotent: an assessment already here, or an item whose status and history are unchanged,
  writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from simpul.reference.areas import NATIONAL
from simpul.registry import workspacefeed
from simpul.registry.criteria import CLASSES, ensure_shipped
from simpul.registry.db import utcnow
from simpul.registry.models import (
    Application,
    Assessment,
    CriteriaSet,
    Organization,
    RoadmapHistory,
    RoadmapItem,
    RoadmapPhase,
    Service,
)
from simpul.registry.roadmap import STATUSES, WITH_REASON, sectors_key

Found = tuple[str, dict[str, Any], dict[str, Any]]  # (key, state, provenance)


class Refused(Exception):
    """The field and why: the record is refused, the rest of the batch goes on."""


class NoTarget(Exception):
    """The item's service or application is not live here (never stored, or deleted since):
    skipped and counted, not an error."""


def _text(state: dict[str, Any], key: str, limit: int, *, required: bool = True) -> str | None:
    value = state.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise Refused(f"{key}: a text of at most {limit} characters")
    return value


def _area(session: Session, organization: Any, writable: set[str]) -> str:
    if not isinstance(organization, str) or organization not in writable:
        raise Refused(
            f"organization: {organization!r} lies outside the source's organization: a child "
            "node sends the workspace of its own subtree only"
        )
    area = session.scalar(select(Organization.area).where(Organization.id == organization))
    return area or NATIONAL


# -- assessments ----------------------------------------------------------------------------------
def _target(session: Session, state: dict[str, Any]):
    """The service or application (live or deleted) the record is about, which must belong to
    the organization the child names: a child cannot assess or plan another's record."""
    if state.get("target_type") not in ("service", "application"):
        raise Refused("target_type: service or application")
    target_id = _text(state, "target", 32)
    model = Service if state["target_type"] == "service" else Application
    found = session.get(model, target_id)
    if found is None:
        raise NoTarget(target_id)
    owner = found.authority if model is Service else found.organization_id
    if owner != state.get("organization"):
        raise Refused(
            f"target: {target_id!r} belongs to {owner!r} here, not {state.get('organization')!r}"
        )
    return found


def _assessment(session: Session, state: dict[str, Any], writable: set[str]) -> dict[str, Any]:
    area = _area(session, state.get("organization"), writable)
    _target(session, state)
    version = _text(state, "criteria_set", 40)
    ensure_shipped(session)
    if session.get(CriteriaSet, version) is None:
        raise Refused(f"criteria_set: {version!r} is not a criteria set of this node")
    score = state.get("score")
    if type(score) not in (int, float) or not 0 <= score <= 5 or state.get("class") not in CLASSES:
        raise Refused(f"score, class: a score from 0 to 5 and one of {', '.join(CLASSES)}")
    if not isinstance(state.get("scores"), dict) or not isinstance(state.get("verified"), bool):
        raise Refused("scores, verified: the scores by criterion and whether it was verified")
    assessed_on = _text(state, "assessed_on", 10)
    try:
        dt.date.fromisoformat(assessed_on)
    except ValueError:
        raise Refused("assessed_on: an ISO date") from None
    return {
        "target_type": state["target_type"],
        "target_id": _text(state, "target", 32),
        "organization_id": state["organization"],
        "area": area,
        "criteria_version": version,
        "scores": state["scores"],
        "score": float(score),
        "result": state["class"],
        "verified": state["verified"],
        "actor": _text(state, "assessor", 200),
        "assessor_organization": _text(state, "assessor_organization", 100, required=False),
        "assessed_on": assessed_on,
        "note": _text(state, "note", 4000, required=False),
    }


def store_assessments(
    session: Session, found: list[Found], writable: set[str]
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Add the child's assessments not here yet; counts and (key, problem) per refused one."""
    counts: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for uri, state, provenance in found:
        if _held(session, uri, provenance):
            _count(counts, "assessments_unchanged")
            continue
        try:
            values = _assessment(session, state, writable)
        except Refused as why:
            problems.append((uri, str(why)))
            continue
        except NoTarget:
            _count(counts, "assessments_no_target")
            continue
        row = Assessment(**values, at=utcnow(), origin_uri=uri, provenance=provenance)
        session.add(row)
        session.flush()
        workspacefeed.log_assessment(session, row)
        _count(counts, "assessments_created")
    return counts, problems


def _held(session: Session, uri: str, provenance: dict[str, Any]) -> bool:
    """Whether the assessment is here: same URI at the origin and recorded at the same time
    there (a child whose database was reset numbers its assessments anew)."""
    at = (provenance.get("origin") or {}).get("at")
    held = session.scalars(select(Assessment.provenance).where(Assessment.origin_uri == uri))
    return any(((p or {}).get("origin") or {}).get("at") == at for p in held)


# -- roadmap items --------------------------------------------------------------------------------
def _history(state: dict[str, Any]) -> list[dict[str, Any]]:
    history = state.get("history")
    if not isinstance(history, list) or len(history) > 1000:
        raise Refused("history: a list of at most 1000 moves")
    out = []
    for move in history:
        if not isinstance(move, dict) or move.get("to") not in STATUSES:
            raise Refused(f"history: each move names its status, one of {', '.join(STATUSES)}")
        try:
            at = dt.datetime.fromisoformat(move.get("at"))
        except (TypeError, ValueError):
            raise Refused("history: each move has its time (ISO 8601)") from None
        out.append(
            {
                "at": at if at.tzinfo else at.replace(tzinfo=dt.UTC),
                "actor": str(move.get("by") or "")[:200],
                "from_status": move.get("from") if move.get("from") in STATUSES else None,
                "to_status": move["to"],
                "note": move.get("note") if isinstance(move.get("note"), str) else None,
            }
        )
    return out


def _item_values(session: Session, state: dict[str, Any], writable: set[str]) -> dict[str, Any]:
    area = _area(session, state.get("organization"), writable)
    phase = _text(state, "phase", 40)
    if session.get(RoadmapPhase, phase) is None:
        raise Refused(f"phase: {phase!r} is not a roadmap phase of this node")
    status = state.get("status")
    if status not in STATUSES:
        raise Refused(f"status: one of {', '.join(STATUSES)}")
    target = _target(session, state)
    if target.deleted_at is not None:
        raise NoTarget(target.id)
    sectors = state.get("sectors")
    sectors = [s for s in sectors if isinstance(s, str)] if isinstance(sectors, list) else []
    return {
        "phase_id": phase,
        "target_type": state["target_type"],
        "target_id": target.id,
        "organization_id": state["organization"],
        "area": area,
        "level": _text(state, "level", 12),
        "sectors": sectors_key(sectors),
        "status": status,
        "reason": _text(state, "reason", 4000, required=False) if status in WITH_REASON else None,
    }


def _digest(values: dict[str, Any], history: list[dict[str, Any]]) -> str:
    body = json.dumps([values, history], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def store_roadmap(
    session: Session, found: list[Found], writable: set[str], source_id: str
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Mirror the child's moved roadmap items; counts and (key, problem) per refused one."""
    counts: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for key, state, provenance in found:
        try:
            values = _item_values(session, state, writable)
            history = _history(state)
        except Refused as why:
            problems.append((key, str(why)))
            continue
        except NoTarget:
            _count(counts, "roadmap_no_target")
            continue
        _count(counts, _mirror(session, values, history, provenance, source_id))
    return counts, problems


def _mirror(session, values, history, provenance, source_id: str) -> str:
    row = session.scalar(
        select(RoadmapItem).where(
            RoadmapItem.phase_id == values["phase_id"],
            RoadmapItem.target_type == values["target_type"],
            RoadmapItem.target_id == values["target_id"],
        )
    )
    digest = _digest(values, history)
    if row is not None and not _childs(session, row, source_id):
        return "roadmap_kept_here"  # this node's coordinator or evidence moved it
    if row is not None and (row.provenance or {}).get("digest") == digest:
        return "roadmap_unchanged"
    made = row is None
    if made:
        row = RoadmapItem(**values, modified=utcnow())
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.modified = utcnow()
        session.execute(delete(RoadmapHistory).where(RoadmapHistory.item_id == row.id))
    row.provenance = {**provenance, "digest": digest}
    session.flush()
    session.add_all(RoadmapHistory(item_id=row.id, **move) for move in history)
    session.flush()
    workspacefeed.log_roadmap(session, row)
    return "roadmap_created" if made else "roadmap_updated"


def _childs(session: Session, row: RoadmapItem, source_id: str) -> bool:
    """Whether the child may write the item: it is this source's, or only materialised here
    (never moved)."""
    if row.provenance is not None:
        return row.provenance.get("source") == source_id
    moved = session.scalar(
        select(RoadmapHistory.id).where(RoadmapHistory.item_id == row.id).limit(1)
    )
    return moved is None


def drop_gone(session: Session, source_id: str) -> int:
    """Remove the source's roadmap items whose service or application is deleted here."""
    rows = session.scalars(
        select(RoadmapItem).where(RoadmapItem.provenance["source"].as_string() == source_id)
    ).all()
    gone = [row for row in rows if not _live(session, row)]
    for row in gone:
        session.execute(delete(RoadmapHistory).where(RoadmapHistory.item_id == row.id))
        session.delete(row)
    session.flush()
    return len(gone)


def _live(session: Session, row: RoadmapItem) -> bool:
    model = Service if row.target_type == "service" else Application
    target = session.get(model, row.target_id)
    return target is not None and target.deleted_at is None


def _count(counts: dict[str, int], name: str) -> None:
    counts[name] = counts.get(name, 0) + 1
