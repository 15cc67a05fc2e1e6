"""Applications that vanished from a harvested source (a spreadsheet's "Aplikasi" rows): the
applications this source wrote that its full pass no longer lists are tombstoned, under the
rule services follow (held for review when too much vanishes at once). An application an agency
took over by hand (its provenance is no longer this source's) is never touched."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.errors import Gone, NotFound
from simpul.registry import applications
from simpul.registry.auth import Actor
from simpul.registry.models import Application

HELD_PREFIX = "application:"  # a held application among a job's held service ids


def _harvested(session: Session, source_id: str):
    query = select(
        Application.id, Application.organization_id, Application.identifier, Application.provenance
    ).where(
        Application.deleted_at.is_(None),
        Application.provenance["method"].as_string() == "harvest",
        Application.provenance["source"].as_string() == source_id,
    )
    return session.execute(query).all()


def vanished(session: Session, source_id: str, seen: set[tuple[str, str]]) -> tuple[list[str], int]:
    """(ids of the source's applications its pass did not list, how many it holds)."""
    rows = _harvested(session, source_id)
    gone = sorted(r.id for r in rows if (r.organization_id, r.identifier) not in seen)
    return gone, len(rows)


def retire(session: Session, source_id: str, ids: list[str], actor: Actor) -> int:
    """Tombstone those of ``ids`` this source still holds; how many."""
    still = {r.id for r in _harvested(session, source_id)}
    count = 0
    for app_id in ids:
        if app_id not in still:
            continue
        try:
            applications.retire(session, app_id, actor)
        except (NotFound, Gone):
            continue
        count += 1
    return count


def held_ids(held: list[str] | None) -> list[str]:
    return [h.removeprefix(HELD_PREFIX) for h in held or [] if h.startswith(HELD_PREFIX)]


def apply_held(session: Session, source_id: str, job_id: str, held, actor: Actor) -> int:
    """Retire the applications a job held, unless a later job of the source wrote them again."""
    ids = set(held_ids(held))
    later = {
        r.id
        for r in _harvested(session, source_id)
        if r.id in ids and str((r.provenance or {}).get("job") or "") > job_id
    }
    return retire(session, source_id, sorted(ids - later), actor)
