"""An application's SPLP gateway API ids (``splp.apis``) checked against what the API-gateway
harvester found (``integration_apis``): an id no gateway harvest listed is flagged ``unknown``,
one the gateway no longer lists ``gone``. The ids are kept as the agency gave them (a gateway
harvest may come later), but they are never shown as fact: the flag is worked out on every read,
so it clears as soon as a gateway harvest finds the API.

While the node has no API-gateway source there is nothing to check against: ``checked`` is
false and nothing is flagged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.registry.models import HarvestSource, IntegrationApi

GATEWAY_TYPE = "api-gateway"


def _apis(record: dict[str, Any]) -> list[str]:
    splp = record.get("splp")
    apis = splp.get("apis") if isinstance(splp, dict) else None
    return [a for a in apis if isinstance(a, str)] if isinstance(apis, list) else []


def known_apis(session: Session, keys: set[str]) -> dict[str, str] | None:
    """Status of each of ``keys`` the gateway harvests hold (linked, unlinked, gone; a key
    live on one gateway counts as live); None when the node harvests no gateway."""
    has_gateway = session.scalar(
        select(HarvestSource.id).where(HarvestSource.type == GATEWAY_TYPE).limit(1)
    )
    if has_gateway is None:
        return None
    found: dict[str, str] = {}
    if keys:
        rows = session.execute(
            select(IntegrationApi.key, IntegrationApi.status).where(
                IntegrationApi.key.in_(sorted(keys))
            )
        )
        for key, status in rows:
            if found.get(key) in (None, "gone"):
                found[key] = status
    return found


def gateway_block(apis: list[str], known: dict[str, str] | None) -> dict[str, Any]:
    if known is None:
        return {"checked": False, "unknown": [], "gone": []}
    return {
        "checked": True,
        "unknown": [a for a in apis if a not in known],
        "gone": [a for a in apis if known.get(a) == "gone"],
    }


def with_quality(session: Session, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The application dicts with their ``quality`` block (the gateway ids checked)."""
    known = known_apis(session, {a for r in records for a in _apis(r)})
    out = []
    for record in records:
        block = gateway_block(_apis(record), known)
        flagged = [f"splp.apis: {a!r} unknown to the gateway" for a in block["unknown"]]
        flagged += [f"splp.apis: {a!r} gone from the gateway" for a in block["gone"]]
        out.append({**record, "quality": {"gateway_apis": block, "flags": flagged}})
    return out


def unknown_count(session: Session, records: list[dict[str, Any]]) -> int:
    """How many of ``records`` name a gateway id the gateway harvests do not list (live)."""
    return sum(
        1
        for r in with_quality(session, records)
        if r["quality"]["gateway_apis"]["unknown"] or r["quality"]["gateway_apis"]["gone"]
    )


def flagged_ids(session: Session, app_ids: list[str]) -> int:
    """How many of the applications ``app_ids`` name a gateway id that is unknown or gone
    (the job report's ``applications_gateway_flagged``)."""
    from simpul.registry.models import Application

    if not app_ids:
        return 0
    rows = session.scalars(select(Application).where(Application.id.in_(app_ids)))
    return unknown_count(session, [{"splp": (r.data or {}).get("splp")} for r in rows])
