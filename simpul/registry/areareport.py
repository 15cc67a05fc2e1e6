"""Reading the coverage of an area (``GET /api/v1/coverage``): its figures from the rows
``areacoverage`` keeps, each with a link to the records behind it, and the same figures for
each child area (the Kemendagri list: a child nobody registered in shows zeros)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from simpul.reference.areas import NATIONAL, load_areas
from simpul.reference.codelists import INTEGRATION_STATUSES, SPLP_STATUSES
from simpul.registry.coverage import coverage_summary
from simpul.registry.coverage_units import check_area
from simpul.registry.models import ReportArea
from simpul.registry.quality import COMPONENTS
from simpul.tables import Column, Table

API = "/api/v1"


def _link(path: str, **query: Any) -> str:
    params = {k: v for k, v in query.items() if v is not None}
    return f"{API}{path}?{urlencode(params, safe='{}')}" if params else f"{API}{path}"


def links(area: str, *, national: bool = False) -> dict[str, str]:
    """The list behind each figure of ``area`` (``national``: the central bodies)."""
    where = {"level": "pusat"} if national else {"area": None if area == NATIONAL else area}
    return {
        "expected": _link("/organizations", expected="true", **where),
        "reported": _link("/organizations", expected="true", reported="true", **where),
        "not_reported": _link("/organizations", expected="true", reported="false", **where),
        "services": _link("/services", status="active", **where),
        "stale": _link("/services", status="active", stale="true", **where),
        "integration": _link("/services", status="active", integration="{status}", **where),
        # the applications list has no area filter yet (issue 15's lane): the whole list
        "applications": _link("/applications", splp_status="{status}"),
        "reviews": _link("/reviews", **where),
        "types": _link("/coverage/types", area=area),
    }


def present(raw: dict[str, Any] | None, area: str, *, national: bool = False) -> dict[str, Any]:
    """Stored figures as the API shows them: mean completeness as a share of the 14."""
    raw = raw or {}
    services = raw.get("services", 0)
    expected = raw.get("expected", 0)
    reported = raw.get("reported", 0)
    full = len(COMPONENTS)
    return {
        "organizations": {
            "expected": expected,
            "reported": reported,
            "not_reported": expected - reported,
            "above_threshold": raw.get("above_threshold", 0),
        },
        "services": services,
        "completeness": round(raw.get("completeness", 0) / services / full, 3)
        if services
        else None,
        "stale": raw.get("stale", 0),
        "integration": dict(sorted(raw.get("integration", {}).items())),
        "applications": dict(sorted(raw.get("applications", {}).items())),
        "reviews": raw.get("reviews", 0),
        "links": links(area, national=national),
    }


def _mandatory(session: Session, area: str) -> dict[str, int]:
    """Mandatory types: units where one is expected, offered, and gaps (from the type grid)."""
    totals = coverage_summary(session, area=area, stored=True)["totals"]
    return {"expected": totals["units"], "offered": totals["offered"], "gaps": totals["gaps"]}


def area_coverage(
    session: Session,
    area: str | None,
    *,
    threshold: int,
    refreshed: str | None,
    types: bool,
    counted: str | None = None,
) -> dict[str, Any]:
    """``refreshed``: when the figures last took in the logged changes; ``counted``: when they
    were last counted in full (records that aged into ``stale`` show from then)."""
    area = check_area(area)
    areas = load_areas()
    rows = {
        row.area: row.figures
        for row in session.scalars(
            select(ReportArea).where(or_(ReportArea.area == area, ReportArea.parent == area))
        )
    }
    own = rows.get(area) or {}
    found = areas.get(area)
    out: dict[str, Any] = {
        "area": {"code": area, "name": found.name if found else None},
        "threshold": threshold,
        "refreshed": refreshed,
        "counted": counted,
        **present(own, area),
    }
    if area == NATIONAL:
        out["national"] = present(own.get("national"), area, national=True)
    if types:
        out["types"] = _mandatory(session, area)
    out["children"] = [
        {
            "area": {"code": child.code, "name": child.name},
            **present(rows.get(child.code), child.code),
        }
        for child in areas.children(area)
    ]
    return out


COUNT_KEYS = ("expected", "reported", "not_reported", "above_threshold")


def coverage_table(result: dict[str, Any]) -> Table:
    """The area and each child area as spreadsheet rows (the area first; the nation's central
    bodies second, as ``00 nasional``)."""
    integration = [*INTEGRATION_STATUSES, "none"]
    splp = [*SPLP_STATUSES, "none"]
    columns = [Column("area", width=16), Column("name", width=32)]
    columns += [Column(key, "integer", 12) for key in COUNT_KEYS]
    columns += [Column("services", "integer", 10), Column("completeness", "number", 13)]
    columns += [Column("stale", "integer", 8), Column("reviews", "integer", 8)]
    columns += [Column(f"integration_{key}", "integer", 14) for key in integration]
    columns += [Column(f"applications_{key}", "integer", 14) for key in splp]

    def row(code: str, name: str | None, figures: dict[str, Any]) -> list[Any]:
        return [
            code,
            name,
            *(figures["organizations"][key] for key in COUNT_KEYS),
            figures["services"],
            figures["completeness"],
            figures["stale"],
            figures["reviews"],
            *(figures["integration"].get(key, 0) for key in integration),
            *(figures["applications"].get(key, 0) for key in splp),
        ]

    area = result["area"]
    rows = [row(area["code"], area["name"], result)]
    if "national" in result:
        rows.append(row(NATIONAL, "nasional", result["national"]))
    rows += [row(c["area"]["code"], c["area"]["name"], c) for c in result["children"]]
    filters = {"area": area["code"], "threshold": str(result["threshold"])}
    return Table("Cakupan", columns, rows, filters | {"refreshed": result["refreshed"] or ""})
