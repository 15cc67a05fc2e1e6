"""A child node's workspace, stored once its services and applications are (``simpul``
sources): readiness assessments and moved roadmap items from its change feed
(``registry.fedworkspace``), and its daily coverage snapshots (``registry.reportedsnapshots``).
"""

from __future__ import annotations

from typing import Any

from simpul.harvesters.base import SourceBroken
from simpul.harvesters.fetching import FetchError
from simpul.registry import fedworkspace, reportedsnapshots


def store_workspace(
    db,
    writable: set[str],
    found: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]],
    *,
    source_id: str,
    provenance: dict[str, Any],
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Counts and (key, problem) per refused record; one transaction."""

    def stamped(kind: str):
        return [(key, state, {**prov, **provenance}) for key, state, prov in found.get(kind, [])]

    with db.transaction() as session:
        counts, problems = fedworkspace.store_assessments(session, stamped("assessment"), writable)
        more, refused = fedworkspace.store_roadmap(session, stamped("roadmap"), writable, source_id)
        dropped = fedworkspace.drop_gone(session, source_id)
    counts |= more
    if dropped:
        counts["roadmap_deleted"] = dropped
    return counts, problems + refused


def store_snapshots(
    db, harvester, *, source_id: str, organization: str
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The child's daily snapshots since the newest day held (read again: it may be retaken);
    a child that cannot serve them is a problem of the job, not its end."""
    with db.session() as session:
        since = reportedsnapshots.last_day(session, source_id)
        within = reportedsnapshots.source_area(session, organization)
    try:
        found = harvester.snapshots(since.isoformat() if since else None)
    except (FetchError, SourceBroken) as exc:
        return {}, [("snapshots", str(exc))]
    if not found:
        return {}, []
    node = harvester.remote.get("id")
    with db.transaction() as session:
        return reportedsnapshots.store(session, source_id, node, found, within)
