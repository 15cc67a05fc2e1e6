"""The figures of the coverage dashboard (``/laporan``): an area's coverage with its children
sorted, its history from the daily snapshots, the integration funnel and burn-up of each
roadmap phase, and the biggest gaps. Everything is read from the precomputed aggregates
(``report_areas``, ``report_snapshots``) and from grouped queries: a page costs a fixed
number of queries however many children the area has (514 regencies, 7,285 districts)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from simpul.reference.areas import NATIONAL
from simpul.registry import areareport, snapshots
from simpul.registry.coverage import coverage_summary
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import RoadmapHistory, RoadmapItem, RoadmapPhase
from simpul.registry.roadmap import STATUSES

INTEGRATED = "terintegrasi"
# the funnel: the statuses an item passes on its way to integration, in order
FUNNEL = ("direncanakan", "diases", "siap", "proses-integrasi", INTEGRATED)
ASIDE = tuple(s for s in STATUSES if s not in FUNNEL)  # postponed, cannot be integrated
SORTS = ("code", "name", "expected", "reported", "share", "services", "completeness", "stale")
HISTORY_DAYS = 365
GAPS = 10


def share(figures: dict[str, Any]) -> float | None:
    """Organizations reported / expected (None when nobody is expected there)."""
    counts = figures["organizations"]
    return counts["reported"] / counts["expected"] if counts["expected"] else None


def sort_key(sort: str):
    """The key of a child row for ``sort`` (``code`` when unknown); rows without a value
    (no organization expected, no service) come last either way."""
    field = sort if sort in SORTS else "code"

    def value(row: dict[str, Any]):
        if field == "code":
            return row["area"]["code"]
        if field == "name":
            return row["area"]["name"].casefold()
        if field in ("expected", "reported"):
            return row["organizations"][field]
        if field == "share":
            return row["share"]
        return row[field]

    return value


def sort_children(children: list[dict[str, Any]], sort: str | None) -> list[dict[str, Any]]:
    """``sort`` is a field of ``SORTS``, descending when prefixed with ``-``."""
    sort = sort or "code"
    descending = sort.startswith("-")
    key = sort_key(sort.lstrip("-"))
    known = [c for c in children if key(c) is not None]
    unknown = [c for c in children if key(c) is None]
    return sorted(known, key=key, reverse=descending) + unknown


def dashboard(
    session: Session,
    area: str | None,
    *,
    threshold: int,
    refreshed: str | None,
    sort: str | None = None,
    today: date | None = None,
    max_age: float = 0,
) -> dict[str, Any]:
    """Everything the dashboard shows for ``area`` (the nation when None). The mandatory
    types' grid, the one costly read (a grouped query over the services with a type), is
    kept up to ``max_age`` seconds, as the other figures are."""
    today = today or utcnow().date()
    result = areareport.area_coverage(
        session, area, threshold=threshold, refreshed=refreshed, types=False
    )
    code = result["area"]["code"]
    result["share"] = share(result)
    for child in result["children"]:
        child["share"] = share(child)
    summary = _type_summary(session, code, max_age)
    result["types"] = {
        "expected": summary["totals"]["units"],
        "offered": summary["totals"]["offered"],
        "gaps": summary["totals"]["gaps"],
    }
    return {
        "coverage": result,
        "children": sort_children(result["children"], sort),
        "history": snapshots.history(session, code, today - timedelta(days=HISTORY_DAYS), today),
        "phases": phase_progress(session, code, today),
        "gaps": {
            "areas": _lowest_share(result["children"]),
            "types": _type_gaps(summary["items"]),
        },
    }


_SUMMARIES: OrderedDict[tuple[str, str], tuple[float, dict[str, Any]]] = OrderedDict()
SUMMARIES_KEPT = 64
_LOCK = threading.Lock()


def _type_summary(session: Session, area: str, max_age: float) -> dict[str, Any]:
    key = (str(session.get_bind().url), area)
    now = time.monotonic()
    with _LOCK:
        found = _SUMMARIES.get(key)
    if found and now - found[0] < max_age:
        return found[1]
    summary = coverage_summary(session, area=area, stored=True)
    if max_age > 0:
        with _LOCK:
            _SUMMARIES[key] = (now, summary)
            _SUMMARIES.move_to_end(key)
            while len(_SUMMARIES) > SUMMARIES_KEPT:
                _SUMMARIES.popitem(last=False)
    return summary


def _lowest_share(children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [c for c in children if c["share"] is not None and c["share"] < 1]
    return sorted(rows, key=lambda c: (c["share"], c["area"]["code"]))[:GAPS]


def _type_gaps(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [i for i in items if i["counts"]["gaps"]]
    rows.sort(key=lambda i: (-i["counts"]["gaps"], i["type"]["id"]))
    return rows[:GAPS]


# -- the roadmap ---------------------------------------------------------------------------------
def _within(area: str) -> list:
    if area == NATIONAL:
        return []
    # the area and everything below it: dotted codes of digits sort between 'a' and 'a/'
    return [RoadmapItem.area >= area, RoadmapItem.area < area + "/"]


def phase_progress(session: Session, area: str, today: date) -> list[dict[str, Any]]:
    """Each phase with its items per status (the funnel) and its burn-up: the items
    integrated at the end of each day an item entered or left integration, from the history
    of moves (two grouped queries for all phases)."""
    phases = list(session.scalars(select(RoadmapPhase).order_by(RoadmapPhase.number)))
    if not phases:
        return []
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    query = (
        select(RoadmapItem.phase_id, RoadmapItem.status, func.count())
        .where(*_within(area))
        .group_by(RoadmapItem.phase_id, RoadmapItem.status)
    )
    for phase_id, status, n in session.execute(query):
        counts[phase_id][status] = n
    moves = _integration_moves(session, area)
    return [_phase(row, counts[row.id], moves.get(row.id, {}), area, today) for row in phases]


def _integration_moves(session: Session, area: str) -> dict[str, dict[date, int]]:
    """Phase -> day -> items integrated that day minus items that left integration."""
    query = (
        select(RoadmapItem.phase_id, RoadmapHistory.at, RoadmapHistory.to_status)
        .join(RoadmapItem, RoadmapItem.id == RoadmapHistory.item_id)
        .where(
            or_(RoadmapHistory.to_status == INTEGRATED, RoadmapHistory.from_status == INTEGRATED),
            *_within(area),
        )
    )
    out: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for phase_id, at, to in session.execute(query):
        out[phase_id][as_utc(at).date()] += 1 if to == INTEGRATED else -1
    return out


def _phase(row: RoadmapPhase, counts: dict[str, int], moves: dict[date, int], area, today):
    data = row.data
    total = sum(counts.values())
    # an item that is integrated has passed every step before it: the funnel counts, per
    # step, the items that reached it at least (postponed items sit outside the funnel)
    reached, running = {}, 0
    for status in reversed(FUNNEL):
        running += counts.get(status, 0)
        reached[status] = running
    burnup, integrated = [], 0
    for day in sorted(moves):
        integrated += moves[day]
        burnup.append({"day": day.isoformat(), "integrated": integrated})
    # a phase's targets are national: an area's burn-up has none to meet
    targets = (data.get("targets") or []) if area == NATIONAL else []
    return {
        "id": row.id,
        "number": row.number,
        "name": data["name"],
        "period": data["period"],
        "targets": targets,
        "total": total,
        "statuses": {s: counts.get(s, 0) for s in STATUSES},
        "funnel": [{"status": s, "count": counts.get(s, 0), "reached": reached[s]} for s in FUNNEL],
        "aside": [{"status": s, "count": counts.get(s, 0)} for s in ASIDE],
        "integrated": counts.get(INTEGRATED, 0),
        "burnup": burnup,
        "today": today.isoformat(),
    }
