"""Applications from another Simpul node's change feed (``simpul`` sources), stored after the
services of the same run: each keeps its id, URI and the chain of nodes it came through, and
links the services it delivers as they are stored here. A child writes only applications of
organizations inside the source organization's subtree (``trust``); a link to a service not
stored here is dropped (counted), the application kept."""

from __future__ import annotations

from typing import Any

from simpul.errors import Gone, NotFound, ValidationFailed
from simpul.harvesters.applications import describe
from simpul.registry import applications, gatewaycheck
from simpul.registry.applinks import ServiceRefs
from simpul.registry.appschema import APP_SERVER_FIELDS
from simpul.registry.auth import Actor


def _outside(owner: Any, writable: set[str]) -> str | None:
    if isinstance(owner, str) and owner in writable:
        return None
    return (
        f"organization: {owner!r} lies outside the source's organization: a child node "
        "writes applications of its own subtree only"
    )


def _prepare(state: dict[str, Any], found: dict[str, Any], lookup, refs: ServiceRefs, counts):
    owner = state["organization"]
    raw = {k: v for k, v in state.items() if k not in APP_SERVER_FIELDS}
    if raw.get("services"):
        ids, unresolved = refs.resolve(owner, [s for s in raw["services"] if isinstance(s, str)])
        raw["services"] = ids
        if unresolved:
            counts["application_links_dropped"] = counts.get("application_links_dropped", 0) + len(
                unresolved
            )
    prepared = applications.prepare(raw, lookup, refs, owner)
    return prepared._replace(
        identity=(state["id"], state["uri"]), provenance=found.get("provenance")
    )


def store_federated(
    db,
    writable: set[str],
    found: list[tuple[str, dict[str, Any]]],
    *,
    actor: Actor,
    base_uri: str,
    provenance: dict[str, Any],
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Publish and retire a child's applications; counts and (key, problem) per refused one.
    ``found``: (key, {"deleted", "state", "provenance"}) in feed order, one per application."""
    counts: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    with db.transaction() as session:
        lookup = applications.session_lookup(session)
        refs = ServiceRefs(session)
        batch, gone = [], []
        for key, item in found:
            state = item["state"]
            why = _outside(state.get("organization"), writable)
            if why:
                problems.append((key, why))
            elif item["deleted"]:
                gone.append(state["id"])
            else:
                try:
                    batch.append(_prepare(state, item, lookup, refs, counts))
                except ValidationFailed as exc:
                    problems.append((key, describe(exc)))
        results = applications.publish_many(
            session, batch, actor, base_uri=base_uri, provenance=provenance
        )
        flagged = gatewaycheck.flagged_ids(session, [app_id for app_id, _ in results])
        deleted = _retire(session, gone, writable, actor)
    for _, outcome in results:
        name = f"applications_{outcome.value}"
        counts[name] = counts.get(name, 0) + 1
    if flagged:  # gateway ids no gateway harvest lists: kept, flagged in quality
        counts["applications_gateway_flagged"] = flagged
    if deleted:
        counts["applications_deleted"] = counts.get("applications_deleted", 0) + deleted
    if problems:
        counts["applications_error"] = len(problems)
    return counts, problems


def _retire(session, ids: list[str], writable: set[str], actor: Actor) -> int:
    """Tombstone the applications the child deleted, those of the subtree that are here."""
    deleted = 0
    for app_id in ids:
        try:
            row = applications.get_live(session, app_id)
        except (NotFound, Gone):
            continue
        if row.organization_id in writable:
            applications.retire(session, app_id, actor)
            deleted += 1
    return deleted
