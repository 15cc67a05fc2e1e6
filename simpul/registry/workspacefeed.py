"""Assessments and roadmap items in the change feed (kinds ``assessment`` and ``roadmap``), so a
parent node receives the workspace of its children with the services and applications.

An assessment is append-only: one change (``created``, version 1) when it is recorded. A roadmap
item changes each time its status moves (``updated``, its version the number of moves so far);
items only materialised in their first status (``direncanakan``) carry no change, since every
node makes those itself from the records in scope. The feed serves each item as it is now (a
later change replaces an earlier one at the parent anyway).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from simpul.registry.db import utcnow
from simpul.registry.models import Assessment, Change, RoadmapHistory, RoadmapItem

KINDS = ("assessment", "roadmap")


def log_assessment(session: Session, row: Assessment) -> None:
    _log(session, "assessment", str(row.id), 1, "created")


def log_roadmap(session: Session, row: RoadmapItem) -> None:
    moves = session.scalar(
        select(func.count()).select_from(RoadmapHistory).where(RoadmapHistory.item_id == row.id)
    )
    _log(session, "roadmap", str(row.id), int(moves or 0), "updated")


def _log(session: Session, kind: str, key: str, version: int, action: str) -> None:
    session.execute(
        insert(Change.__table__),
        [{"service_id": key, "version": version, "action": action, "kind": kind, "at": utcnow()}],
    )


def assessment_states(session: Session, rows: list[Change]) -> dict[tuple[str, int], Any]:
    from simpul.registry.assessments import to_dict

    ids = [int(r.service_id) for r in rows if r.service_id.isdigit()]
    found = session.scalars(select(Assessment).where(Assessment.id.in_(ids))) if ids else []
    return {
        (str(a.id), 1): to_dict(a) | {"uri": a.origin_uri, "provenance": a.provenance}
        for a in found
    }


def roadmap_states(session: Session, rows: list[Change]) -> dict[tuple[str, int], Any]:
    from simpul.registry.roadmap import item_to_dict

    ids = [int(r.service_id) for r in rows if r.service_id.isdigit()]
    found = {
        str(i.id): i
        for i in (
            session.scalars(select(RoadmapItem).where(RoadmapItem.id.in_(ids))) if ids else []
        )
    }
    out: dict[tuple[str, int], Any] = {}
    for row in rows:
        item = found.get(row.service_id)
        if item is not None:
            out[(row.service_id, row.version)] = item_to_dict(session, item) | {
                "id": item.id,
                "provenance": item.provenance,
            }
    return out
