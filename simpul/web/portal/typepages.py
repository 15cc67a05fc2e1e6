"""Pages of the national service types (jenis layanan): the list, and each type with the
comparison of its instances across the regions (``registry.comparison``), narrowed to an area.

Charts are inline SVG drawn on the server, each beside a table that says the same in text; the
pages need no JavaScript and load nothing from other hosts."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import format_decimal, ngettext
from flask_babel import lazy_gettext as _l

from simpul.errors import NotFound
from simpul.reference import codelists
from simpul.reference.areas import load_areas
from simpul.registry import comparison, types
from simpul.web.http import registry
from simpul.web.portal import views
from simpul.web.portal.citizen import area_picker, chosen_area

bp = views.blueprint("typepages", __name__)
FILTERS = {"kind": codelists.TYPE_KINDS, "sector": codelists.SECTORS, "level": codelists.LEVELS}
INSTANCES_PAGE = 50
# the 14 components of the service standard (registry.quality.COMPONENTS), for people
COMPONENT_NAMES = {
    "requirements": _l("Requirements"),
    "procedure": _l("Procedure"),
    "processing_time": _l("Processing time"),
    "cost": _l("Fee"),
    "outputs": _l("What the citizen receives"),
    "complaints": _l("How to complain"),
    "legal_basis": _l("Legal basis"),
    "management.facilities": _l("Facilities"),
    "management.staff_competence": _l("Staff competence"),
    "management.internal_supervision": _l("Internal supervision"),
    "management.staff_count": _l("Number of staff"),
    "management.service_guarantee": _l("Service guarantee"),
    "management.safety_guarantee": _l("Security and safety guarantee"),
    "management.performance_evaluation": _l("Performance evaluation"),
}


def type_index() -> Response:
    """The national list: name, kind, sectors, where it applies and is mandatory, instances."""
    chosen = {name: _code(name, codes) for name, codes in FILTERS.items()}
    with registry().db.session() as session:
        rows = types.list_types(session, **chosen)
        counts = types.instance_counts(session)
        items = [types.type_to_dict(row, counts.get(row.id, 0)) for row in rows]
    return views.page("portal/types.html", items=items, chosen=chosen, filters=FILTERS)


def _code(name: str, codes: dict) -> str | None:
    value = request.args.get(name)
    return value if value in codes else None


def type_page(type_id: str) -> Response:
    """A type and the comparison of its instances (the HTML form of the type's URI)."""
    area, area_note = chosen_area()
    page = views.page_number(10_000)
    try:
        with registry().db.session() as session:
            record = types.type_to_dict(types.get_type(session, type_id))
            result = comparison.compare(session, type_id, area=area, page=page, size=INSTANCES_PAGE)
    except NotFound as error:
        return views.error_page(error)
    response = views.page(
        "portal/type.html",
        record=record,
        result=result,
        area=area,
        area_note=area_note,
        area_label=load_areas().path(area) if area else None,
        picker=area_picker(area),
        page=page,
        pages=views.page_count(result["instances"]["total"], INSTANCES_PAGE),
        box=box_plot(result["processing_time"]),
        component_names=COMPONENT_NAMES,
    )
    response.headers["Vary"] = "Accept"
    return response


@bp.app_template_filter("days")
def days(value: float | None) -> str:
    """A processing time in days as '14 hari' / '14 days', or in hours under a day."""
    if value is None:
        return "–"
    if value == 0:
        return "0"
    if value < 1:
        hours = round(value * 24, 1)
        return ngettext("%(n)s hour", "%(n)s hours", _plural(hours), n=format_decimal(hours))
    whole = round(value, 1)
    return ngettext("%(n)s day", "%(n)s days", _plural(whole), n=format_decimal(whole))


def _plural(number: float) -> int:
    """gettext chooses plural forms by integers only: 1 is one, 1.5 is many."""
    return 1 if number == 1 else 2


@bp.app_template_filter("rupiah")
def rupiah(value: float | None) -> str:
    if value is None:
        return "–"
    return "Rp" + f"{value:,.0f}".replace(",", ".")


@bp.app_template_filter("percent")
def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def box_plot(spread: dict[str, Any], width: int = 600) -> dict[str, Any] | None:
    """Positions (0..width) of a box plot of a spread, on a scale from zero to its maximum:
    the box from Q1 to Q3, the median, whiskers to the extremes within the fences, outliers."""
    if not spread.get("count"):
        return None
    top = spread["max"] or 1

    def x(value: float) -> float:
        return round(20 + (width - 40) * value / top, 1)

    return {
        "width": width,
        "low": x(spread["whiskers"]["low"]),
        "high": x(spread["whiskers"]["high"]),
        "q1": x(spread["q1"]),
        "median": x(spread["median"]),
        "q3": x(spread["q3"]),
        "outliers": [x(o["value"]) for o in spread["outliers"]],
        "ticks": [(x(top * i / 4), top * i / 4) for i in range(5)],
    }
