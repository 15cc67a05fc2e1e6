"""What a source carries besides its services, around the pass over its records: the
organizations and service types its records name, registered before the pass (so that records
can be checked against them), and the applications and coordination workspace (assessments,
roadmap items, coverage snapshots of a child node) stored after it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpul.harvesters.base import SourceBroken
from simpul.harvesters.fetching import FetchError
from simpul.harvesters.trust import register_organizations as register_remote_organizations
from simpul.registry.typeops import mirror_types

if TYPE_CHECKING:
    from simpul.harvesters.runner import Run


def store_applications(run: Run) -> None:
    """The applications the source lists (spreadsheets), once its services are stored."""
    from simpul.harvesters.applications import store

    found = run.harvester.applications()
    run.seen_applications = {(run.spec.organization, raw.get("identifier")) for _, raw in found}
    if not found:
        return
    provenance = run.registry.provenance(run.actor, "harvest", source=run.source_id, job=run.job_id)
    if getattr(run.harvester, "feed", False):  # another node's: kept ids, its subtree
        from simpul.harvesters.appfederation import store_federated

        counts, problems = store_federated(
            run.registry.db,
            set(run.writable),
            found,
            actor=run.actor,
            base_uri=run.registry.base_uri,
            provenance=provenance,
        )
    else:
        counts, problems = store(
            run.registry.db,
            run.spec.organization,
            found,
            actor=run.actor,
            base_uri=run.registry.base_uri,
            provenance=provenance,
        )
    _account(run, counts, problems, "application")


def store_workspace(run: Run) -> None:
    """A child node's assessments, roadmap items and snapshots (``simpul`` sources)."""
    reader = getattr(run.harvester, "workspace", None)
    if reader is None or not run.spec.organization:
        return
    from simpul.harvesters.workfederation import store_snapshots, store_workspace

    provenance = run.registry.provenance(run.actor, "harvest", source=run.source_id, job=run.job_id)
    counts, problems = store_workspace(
        run.registry.db,
        set(getattr(run, "writable", ())),
        reader(),
        source_id=run.source_id,
        provenance=provenance,
    )
    more, refused = store_snapshots(
        run.registry.db,
        run.harvester,
        source_id=run.source_id,
        organization=run.spec.organization,
    )
    _account(run, counts | more, problems + refused, "workspace")


def register_organizations(run: Run) -> bool:
    """Organizations the remote's records name (other Simpul nodes), registered inside the
    source's organization (``trust``). False when the remote cannot say."""
    try:
        remote = run.harvester.organizations()
    except (FetchError, SourceBroken) as exc:
        run.broken = str(exc)
        run.error_now(None, "gather", str(exc))
        return False
    if not remote:
        return True
    if not isinstance(remote, list):
        remote = [remote]
    with run.registry.db.transaction() as session:
        done = register_remote_organizations(session, remote, run.spec.organization)
        run.load_organizations(session)
        run.orgs.refused = done.refused
        errors = [run.report.error(key, "organization", why) for key, why in done.refused.items()]
        run.counts["errors"] += len(errors)
        run.report.log(session, errors)
    for name, count in (
        ("organizations_added", done.added),
        ("organizations_changed", done.changed),
        ("organizations_refused", len(done.refused)),
    ):
        if count:
            run.counts[name] = count
    return True


def register_types(run: Run) -> bool:
    """The remote's service types (a ``simpul`` source with ``types``), stored before its
    records so that they link. False when the remote cannot say."""
    reader = getattr(run.harvester, "service_types", None)
    try:
        remote = reader() if reader is not None else None
    except (FetchError, SourceBroken) as exc:
        run.broken = str(exc)
        run.error_now(None, "gather", str(exc))
        return False
    if remote is None:
        return True
    provenance = run.registry.provenance(run.actor, "harvest", source=run.source_id, job=run.job_id)
    with run.registry.db.transaction() as session:
        done = mirror_types(
            session, remote, run.actor, base_uri=run.registry.base_uri, provenance=provenance
        )
        errors = [run.report.error(k, "service type", why) for k, why in done.errors.items()]
        run.report.log(session, errors)
    with run.registry.db.session() as session:
        run.load_organizations(session)
    run.counts["errors"] += len(errors)
    for action, count in done.counts.items():
        if count:
            run.counts[f"types_{action}"] = count
    return True


def _account(run: Run, counts: dict, problems: list, stage: str) -> None:
    """Add what a step stored to the job's counts, and log each refusal as a job error."""
    run.counts.update(counts)
    errors = [run.report.error(key, stage, why) for key, why in problems]
    run.counts["errors"] += len(errors)
    with run.registry.db.transaction() as session:
        run.report.log(session, errors)
