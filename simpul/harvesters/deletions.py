"""Deleting what vanished from a source: tombstones for its services, withdrawal of its APIs
from the integration inventory, and the review of deletions a job held back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from simpul.harvesters import inventory, jobs
from simpul.harvesters.appdeletions import HELD_PREFIX, apply_held
from simpul.harvesters.appdeletions import retire as retire_applications
from simpul.harvesters.appdeletions import vanished as vanished_applications
from simpul.harvesters.importing import Organizations
from simpul.harvesters.sources import get_source
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.models import HarvestJob, HarvestRecord, Service
from simpul.registry.services import OrgInfo, retire_many

if TYPE_CHECKING:
    from simpul.harvesters.runner import Run


def delete_vanished(
    session: Session,
    source_id: str,
    rows: Iterable,
    actor: Actor,
    writable: dict[str, OrgInfo],
    base_uri: str,
) -> int:
    """Tombstone the services of vanished records, unless another source still brings them or
    an agency took them over by hand; withdraw vanished APIs; mark the records gone. Returns
    how many services were retired."""
    rows = list(rows)
    service_ids = retirable(session, rows)
    retired: list[str] = []
    if service_ids:
        harvested = set(
            session.scalars(
                select(Service.id).where(
                    Service.id.in_(service_ids),
                    Service.provenance["method"].as_string() == "harvest",
                    Service.provenance["source"].as_string() == source_id,
                )
            )
        )
        retired = retire_many(session, sorted(harvested), actor)
    apis = [r.key for r in rows if r.status == "contrib"]
    if apis:
        inventory.withdraw(session, source_id, apis, writable, actor, base_uri)
    session.execute(
        update(HarvestRecord)
        .where(HarvestRecord.id.in_([r.id for r in rows]))
        .values(status="gone")
    )
    return len(retired)


def retirable(session: Session, rows: list) -> set[str]:
    """Services of vanished records that nothing else still brings: no other record of any
    source (this one included: a record may come back under a new key) holds them."""
    service_ids = {r.service_id for r in rows if r.service_id and r.status == "ok"}
    if not service_ids:
        return set()
    vanished = {r.id for r in rows}
    still_brought = set()
    for chunk in _chunks(sorted(service_ids), 500):
        query = select(HarvestRecord.id, HarvestRecord.service_id).where(
            HarvestRecord.service_id.in_(chunk),
            HarvestRecord.status.in_(("ok", "shadowed", "contrib")),
        )
        still_brought |= {sid for rid, sid in session.execute(query) if rid not in vanished}
    return service_ids - still_brought


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def review_held(
    session: Session, job_id: str, apply: bool, actor: Actor = SYSTEM, base_uri: str = ""
) -> HarvestJob:
    """Apply or discard the deletions a job held. Applying retires only the records that are
    still missing from the source (no later job saw them)."""
    job = jobs.get_job(session, job_id)
    source = get_source(session, job.source_id)
    actor.require_write(source.organization_id)
    if job.held_status != "held":
        raise jobs.IllegalTransition(f"job {job_id} has no deletions held for review")
    if not apply:
        return jobs.discard(session, job_id)
    rows = _live_records(session, source.id, HarvestRecord.seen_job_id < job.id)
    orgs = Organizations(session, source.organization_id)
    writable = {k: orgs.info[k] for k in orgs.writable}
    harvest_actor = Actor(f"harvest:{source.id}", source.organization_id, "system")
    deleted = delete_vanished(session, source.id, rows, harvest_actor, writable, base_uri)
    deleted += apply_held(session, source.id, job.id, job.held, harvest_actor)
    return jobs.apply(session, job_id, deleted)


# -- after a full pass ---------------------------------------------------------------------------
def _live_records(session: Session, source_id: str, unseen) -> list:
    """The source's records not gone that match ``unseen`` (not seen by a job)."""
    columns = (HarvestRecord.id, HarvestRecord.key, HarvestRecord.service_id, HarvestRecord.status)
    live = and_(HarvestRecord.source_id == source_id, HarvestRecord.status != "gone")
    return session.execute(select(*columns).where(live, unseen)).all()


def _unseen(run: Run, session: Session):
    return _live_records(session, run.source_id, HarvestRecord.seen_job_id != run.job_id)


def unseen_count(run: Run) -> int:
    """How many of the source's records the pass did not see (kept: the pass was incomplete)."""
    with run.registry.db.session() as session:
        return len(_unseen(run, session))


def settle_vanished(run: Run) -> None:
    """After a complete full pass: delete what vanished, or hold the deletions for review
    when too many vanished at once."""
    with run.registry.db.transaction() as session:
        rows = _unseen(run, session)
        apps, known_apps = _vanished_applications(run, session)
        if not rows and not apps:
            return
        share = max(len(rows) / max(run.known_before, 1), len(apps) / max(known_apps, 1))
        limit = float(run.spec.options.get("max_delete_share", run.settings.max_delete_share))
        if share > limit:
            held = retirable(session, rows)
            jobs.hold(session, run.job_id, [*sorted(held), *(HELD_PREFIX + a for a in apps)])
            run.counts["held"] = len(held) + len(apps)
            run.held_message = (
                f"{len(rows) + len(apps)} of {run.known_before + known_apps} records "
                f"({share:.0%}) vanished at once, more than the {limit:.0%} allowed: "
                "their deletion is held for review"
            )
            return
        if rows:
            run.counts["deleted"] += delete_vanished(
                session, run.source_id, rows, run.actor, run.writable, run.registry.base_uri
            )
        if apps:
            retired = retire_applications(session, run.source_id, apps, run.actor)
            run.counts["applications_deleted"] = retired


def _vanished_applications(run: Run, session: Session) -> tuple[list[str], int]:
    """Applications this source wrote that its pass no longer lists (not for change feeds,
    whose deletions come as tombstones)."""
    if getattr(run.harvester, "feed", False):
        return [], 0
    seen = getattr(run, "seen_applications", None)
    if seen is None:  # the applications were not read this run
        return [], 0
    return vanished_applications(session, run.source_id, seen)
