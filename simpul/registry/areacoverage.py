"""Coverage of an area: the figures of every Kemendagri area (``00``, the nation, down to a
village), precomputed so that a request reads one row and the rows of its children.

Two tables hold them. ``report_authorities`` has, per authority, the counts over its live active
services (how many, the sum of their completeness, how many are stale, how many per integration
status). It is refreshed incrementally: the authorities of the services in the change log after
the stored cursor are counted again, and all of them once a day (a record becomes stale by
ageing, without a write) or when the threshold changes. ``report_areas`` has the figures of
every area, rolled up in memory from the authorities, the organizations (expected to report:
``seeding.is_expected``), the applications by SPLP status and the pending review flags; only
the rows whose figures changed are written.

A read never counts everything again: when it finds the figures older than ``max_age`` seconds
(the API passes ``SIMPUL_COVERAGE_MAX_AGE``, default 30) it applies the changes logged since
(``ensure_fresh``), so a figure is never more than a minute behind a write. The full count of the
day (records that aged into ``stale``) runs off the request path: the worker
(``registry.coveragejobs``) runs it with the day's snapshot, and ``simpul report snapshot`` does
it by hand; the figures carry the time of that count (``counted``). The figures of an organization
count in its own area and every area above it; the central bodies (level ``pusat``, or no area)
count in the nation only, apart (``national``), never in a province.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from simpul.reference.areas import NATIONAL, ancestors, parent_code
from simpul.registry import typecounts
from simpul.registry.changes import visible_below
from simpul.registry.db import Database, as_utc, utcnow
from simpul.registry.models import (
    Application,
    Change,
    Organization,
    ReportArea,
    ReportAuthority,
    ReportState,
    Service,
)
from simpul.registry.reportfilters import stale_cutoff
from simpul.registry.reviews import PENDING
from simpul.registry.seeding import is_expected

log = logging.getLogger(__name__)
CHUNK = 500  # authorities per counting query
COUNTS = ("expected", "reported", "above_threshold", "services", "completeness", "stale")
COUNTS += ("reviews",)


# -- per authority -------------------------------------------------------------------------------
def _integration_status():
    return Service.data["integration"]["status"].as_string()


def count_authorities(session: Session, ids: list[str] | None, now: datetime) -> list[dict]:
    """The counts of the live active services of ``ids`` (every authority when None)."""
    live = [Service.deleted_at.is_(None), Service.status == "active"]
    if ids is not None:
        live.append(Service.authority.in_(ids))
    # a subquery, so that PostgreSQL groups by the status column (not two JSON paths)
    rows = select(
        Service.authority,
        _integration_status().label("status"),
        Service.completeness,
        case((Service.modified < stale_cutoff(now), 1), else_=0).label("stale"),
    ).where(*live)
    rows = rows.subquery()
    query = select(
        rows.c.authority,
        rows.c.status,
        func.count(),
        func.coalesce(func.sum(rows.c.completeness), 0),
        func.sum(rows.c.stale),
    ).group_by(rows.c.authority, rows.c.status)
    out: dict[str, dict] = {}
    for authority, status, n, complete, old in session.execute(query):
        row = out.setdefault(
            authority,
            {"organization_id": authority, "services": 0, "completeness": 0, "stale": 0}
            | {"integration": {}},
        )
        row["services"] += n
        row["completeness"] += int(complete or 0)
        row["stale"] += int(old or 0)
        key = status or "none"
        row["integration"][key] = row["integration"].get(key, 0) + n
    return list(out.values())


def _store_authorities(session: Session, ids: list[str] | None, now: datetime) -> None:
    if ids is None:
        session.execute(delete(ReportAuthority))
        rows = count_authorities(session, None, now)
        if rows:
            session.execute(insert(ReportAuthority), rows)
        return
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(delete(ReportAuthority).where(ReportAuthority.organization_id.in_(chunk)))
        rows = count_authorities(session, chunk, now)
        if rows:
            session.execute(insert(ReportAuthority), rows)


def _changed_authorities(session: Session, cursor: int, newest: int) -> list[str]:
    query = (
        select(Service.authority)
        .join(Change, Change.service_id == Service.id)
        .where(Change.seq > cursor, Change.seq <= newest)
        .distinct()
    )
    return sorted(session.scalars(query))


# -- the roll-up ---------------------------------------------------------------------------------
class _Orgs:
    """Every organization: where its figures count, and the body it reports through."""

    def __init__(self, session: Session):
        rows = session.execute(
            select(Organization.id, Organization.level, Organization.area, Organization.parent_id)
        ).all()
        self.rows = {r.id: r for r in rows}
        self.expected = {
            r.id for r in rows if is_expected(r.level, r.area, self._where(r.parent_id))
        }

    def _where(self, org_id: str | None) -> tuple[str, str | None] | None:
        row = self.rows.get(org_id) if org_id else None
        return (row.level, row.area) if row else None

    def chain(self, org_id: str) -> tuple[list[str], bool]:
        """The areas an organization's figures count in, and whether it is a central body."""
        row = self.rows.get(org_id)
        if row is None or row.level == "pusat" or not row.area or row.area == NATIONAL:
            return [NATIONAL], True
        return ancestors(row.area), False

    def body(self, org_id: str) -> str:
        seen = set()
        while org_id not in self.expected and org_id not in seen:
            seen.add(org_id)
            row = self.rows.get(org_id)
            if row is None or row.parent_id is None:
                break
            org_id = row.parent_id
        return org_id


def _blank() -> dict[str, Any]:
    return dict.fromkeys(COUNTS, 0) | {"integration": {}, "applications": {}}


def _add(figures: dict, key: str, n: int) -> None:
    figures[key] += n


def _add_map(figures: dict, key: str, counts: dict[str, int]) -> None:
    for name, n in counts.items():
        figures[key][name] = figures[key].get(name, 0) + n


def rollup(session: Session, threshold: int) -> dict[str, dict[str, Any]]:
    """Area code -> its figures; the nation's carry the central bodies' apart (``national``)."""
    orgs = _Orgs(session)
    areas: dict[str, dict] = defaultdict(_blank)
    national = _blank()

    def targets(org_id: str) -> list[dict]:
        chain, central = orgs.chain(org_id)
        found = [areas[code] for code in chain]
        return [*found, national] if central else found

    body_services: Counter = Counter()
    for row in session.scalars(select(ReportAuthority)):
        body_services[orgs.body(row.organization_id)] += row.services
        for figures in targets(row.organization_id):
            for key in ("services", "completeness", "stale"):
                _add(figures, key, getattr(row, key))
            _add_map(figures, "integration", row.integration)
    for org_id in orgs.expected:
        for figures in targets(org_id):
            _add(figures, "expected", 1)
            _add(figures, "reported", int(body_services[org_id] > 0))
            _add(figures, "above_threshold", int(body_services[org_id] >= threshold))
    for org_id, status, n in _applications(session):
        for figures in targets(org_id):
            _add_map(figures, "applications", {status or "none": n})
    for org_id, n in _reviews(session):
        for figures in targets(org_id):
            _add(figures, "reviews", n)
    areas[NATIONAL]["national"] = national
    return dict(areas)


def _applications(session: Session):
    query = (
        select(Application.organization_id, Application.splp_status, func.count())
        .where(Application.deleted_at.is_(None))
        .group_by(Application.organization_id, Application.splp_status)
    )
    return session.execute(query).all()


def _reviews(session: Session):
    query = (
        select(Service.authority, func.count())
        .where(Service.review_status.in_(PENDING), Service.deleted_at.is_(None))
        .group_by(Service.authority)
    )
    return session.execute(query).all()


def _store_areas(session: Session, figures: dict[str, dict]) -> int:
    """Write the rows whose figures changed; drop the areas that have none any more."""
    old = {row.area: row.figures for row in session.scalars(select(ReportArea))}
    gone = sorted(set(old) - set(figures))
    if gone:
        session.execute(delete(ReportArea).where(ReportArea.area.in_(gone)))
    changed = [code for code, value in figures.items() if old.get(code) != value]
    for start in range(0, len(changed), CHUNK):
        chunk = changed[start : start + CHUNK]
        session.execute(delete(ReportArea).where(ReportArea.area.in_(chunk)))
        session.execute(
            insert(ReportArea),
            [{"area": c, "parent": parent_code(c), "figures": figures[c]} for c in chunk],
        )
    return len(changed) + len(gone)


# -- refreshing ----------------------------------------------------------------------------------
def _state(session: Session) -> dict[str, Any]:
    row = session.get(ReportState, "coverage")
    return dict(row.value) if row else {}


def _signature(session: Session) -> list:
    """What the roll-up reads besides the authorities' counts: when it is unchanged and no
    change was logged, the figures are unchanged too."""
    orgs = session.execute(select(func.count(), func.max(Organization.modified))).one()
    apps = session.execute(select(func.count(), func.max(Application.modified))).one()
    reviews = session.scalar(
        select(func.count()).where(
            and_(Service.review_status.in_(PENDING), Service.deleted_at.is_(None))
        )
    )
    return [orgs[0], str(as_utc(orgs[1])), apps[0], str(as_utc(apps[1])), reviews]


def refresh(
    db: Database, *, threshold: int, full: bool = False, daily: bool = True
) -> dict[str, Any]:
    """Bring the figures up to date; returns the new state. ``daily``: count everything again
    when the last full count was not today (never on a request). Safe to run from several
    processes: a writer that loses the race leaves the figures to the winner."""
    now = utcnow()
    try:
        with db.transaction() as session:
            return _refresh(session, threshold, full, now, daily)
    except (IntegrityError, DBAPIError) as exc:  # another process refreshed at the same moment
        with db.session() as session:
            state = _state(session)
        if not state:
            raise
        log.info("coverage refresh left to another process: %s", exc.__class__.__name__)
        return state


def _refresh(
    session: Session, threshold: int, full: bool, now: datetime, daily: bool
) -> dict[str, Any]:
    state = _state(session)
    newest = session.scalar(select(func.max(Change.seq))) or 0
    today = now.date().isoformat()
    full = full or (daily and state.get("day") != today)
    cursor = state.get("cursor", 0)
    if full:
        _store_authorities(session, None, now)
        typecounts.store(session, None, now)
    else:  # with no figures yet: every authority with a logged change
        ids = _changed_authorities(session, cursor, newest) if newest > cursor else []
        _store_authorities(session, ids, now)
        moved = typecounts.moved_organizations(session, _orgs_modified(state))
        typecounts.store(session, sorted({*ids, *moved}), now)
    signature = _signature(session)
    changed = newest != state.get("cursor") or signature != state.get("signature")
    if full or changed or state.get("threshold") != threshold:  # the threshold: roll-up only
        _store_areas(session, rollup(session, threshold))
    counted = now.isoformat() if full else state.get("counted")
    day, settled = (today if full else state.get("day")), _settled(session, newest)
    state = {"cursor": settled if full else max(cursor, settled), "day": day, "counted": counted}
    state |= {"threshold": threshold, "signature": signature, "refreshed": now.isoformat()}
    session.merge(ReportState(key="coverage", value=state))
    return state


def _settled(session: Session, newest: int) -> int:
    """The cursor to keep: PostgreSQL numbers a change when it is written, not when it commits,
    so the changes of transactions still open (a harvest batch) must stay after it to be
    counted once they commit; the changes committed after them are counted now and again then."""
    horizon = visible_below(session)
    if horizon is None:
        return newest
    return session.scalar(select(func.max(Change.seq)).where(Change.txid < horizon)) or 0


def _orgs_modified(state: dict[str, Any]) -> datetime | None:
    """The newest organization change the last refresh saw (``_signature``)."""
    found = (state.get("signature") or [None, None])[1]
    return None if found in (None, "None") else datetime.fromisoformat(found)


def ensure_fresh(db: Database, *, threshold: int, max_age: float) -> dict[str, Any]:
    """The refresh state, refreshing first when it is older than ``max_age`` seconds."""
    with db.session() as session:
        state = _state(session)
    refreshed = state.get("refreshed")
    age = (utcnow() - datetime.fromisoformat(refreshed)).total_seconds() if refreshed else None
    if age is None or age >= max_age or state.get("threshold") != threshold:
        state = refresh(db, threshold=threshold, daily=False)
    return state


def due(db: Database) -> bool:
    """Whether today's full count has not run yet."""
    with db.session() as session:
        return _state(session).get("day") != utcnow().date().isoformat()
