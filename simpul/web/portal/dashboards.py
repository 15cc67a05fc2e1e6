"""The coverage dashboard (``/laporan``, in English ``/reports``: one page, in the language the
portal chose): the children of an area as a sortable table and a tile grid coloured by the
share of organizations that reported, progress over time from the daily snapshots, the
integration funnel and burn-up of each roadmap phase, and the biggest gaps. Every figure links
to the records behind it; the charts are inline SVG with a table each; ``?print=1`` is the
same report without the site's navigation, for paper."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from flask import Response, request
from flask_babel import lazy_gettext as _l

from simpul.reference.areas import NATIONAL, ancestors, load_areas
from simpul.registry import dashboard
from simpul.registry.quality import COMPONENTS
from simpul.web.http import fresh_counts, registry
from simpul.web.portal import views
from simpul.web.portal.charts import TILE_BINS, Series, line_chart, steps, tile_class
from simpul.web.portal.coordination import STATUS_LABELS

bp = views.blueprint("dashboards", __name__)
COLUMNS = {
    "code": _l("Code"),
    "name": _l("Area"),
    "expected": _l("Expected to report"),
    "reported": _l("Reported"),
    "share": _l("Share reported"),
    "services": _l("Services"),
    "completeness": _l("Mean completeness"),
    "stale": _l("Not updated in 12 months"),
}
CHILD_LEVELS = {
    "nasional": _l("Provinces"),
    "provinsi": _l("Regencies and cities"),
    "kabkota": _l("Districts"),
    "kecamatan": _l("Villages"),
}


@bp.get("/laporan")
@bp.get("/reports")
def report() -> Response:
    reg = registry()
    state = fresh_counts()
    sort = request.args.get("sort") or "code"
    if sort.lstrip("-") not in dashboard.SORTS:
        sort = "code"
    with reg.db.session() as session:
        found = dashboard.dashboard(
            session,
            request.args.get("area") or None,
            threshold=state["threshold"],
            refreshed=state.get("refreshed"),
            sort=sort,
            max_age=reg.settings.coverage_max_age,
        )
    code = found["coverage"]["area"]["code"]
    drill = _drill_links(sort)
    for row in (*found["children"], *found["gaps"]["areas"]):
        row["href"] = drill(row["area"]["code"])
    return views.page(
        "portal/dashboard.html",
        d=found,
        c=found["coverage"],
        area=code,
        sort=sort,
        print_view=request.args.get("print") == "1",
        crumbs=[crumb | {"href": drill(crumb["code"])} for crumb in _crumbs(code)],
        columns=COLUMNS,
        child_level=CHILD_LEVELS.get(load_areas().get(code).level) if code else None,
        bins=_legend(),
        tile_class=tile_class,
        progress=_progress_chart(found["history"]["items"]),
        phases=[_burnup(p) for p in found["phases"]],
        status_labels=STATUS_LABELS,
        components=len(COMPONENTS),
        national=code == NATIONAL,
    )


def _drill_links(sort: str):
    """The page of another area, in the same sort (a page has hundreds of these links)."""
    keep = "" if sort == "code" else "&" + urlencode({"sort": sort})

    def href(code: str) -> str:
        if code == NATIONAL:
            return f"{request.path}?{keep[1:]}" if keep else request.path
        return f"{request.path}?area={quote(code)}{keep}"

    return href


def _crumbs(code: str) -> list[dict[str, str]]:
    areas = load_areas()
    chain = list(reversed(ancestors(code)))
    return [{"code": c, "name": areas.get(c).name} for c in chain if areas.get(c)]


def _legend() -> list[dict[str, Any]]:
    low, out = 0, []
    for bound, css in TILE_BINS:
        out.append({"css": css, "low": round(low * 100), "high": round(bound * 100)})
        low = bound
    return out


def _progress_chart(items: list[dict[str, Any]]):
    """Share of organizations reported and mean completeness, per snapshot day."""
    if not items:
        return None
    reported, complete = [], []
    for item in items:
        day = date.fromisoformat(item["day"])
        if item.get("expected"):
            reported.append((day, item.get("reported", 0) / item["expected"]))
        if item.get("services"):
            complete.append((day, item.get("completeness", 0) / item["services"] / len(COMPONENTS)))
    start, end = date.fromisoformat(items[0]["day"]), date.fromisoformat(items[-1]["day"])
    return line_chart(
        [
            Series(str(_l("Organizations reported")), "s1", reported),
            Series(str(_l("Mean completeness")), "s2", complete),
        ],
        start=start,
        end=end,
        top=1,
        percent=True,
    )


def _burnup(phase: dict[str, Any]) -> dict[str, Any]:
    """The phase with its burn-up chart: items integrated over the period, against the line
    from nothing at the start to each target."""
    start = date.fromisoformat(phase["period"]["start"])
    end = date.fromisoformat(phase["period"]["end"])
    today = date.fromisoformat(phase["today"])
    done = [(date.fromisoformat(p["day"]), p["integrated"]) for p in phase["burnup"]]
    last = max([end, *(d for d, _ in done)])
    targets = [(date.fromisoformat(t["date"]), t["integrated"]) for t in phase["targets"]]
    top = max([1, phase["total"], *(v for _, v in done), *(v for _, v in targets)])
    series = [Series(str(_l("Integrated")), "s1", steps(done, start, min(max(today, start), last)))]
    if targets:
        series.append(Series(str(_l("Target")), "target", [(start, 0), *targets], dashed=True))
    return phase | {"chart": line_chart(series, start=start, end=last, top=top)}
