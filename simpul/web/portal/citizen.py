"""Pages for citizens: the home page, search with facets and the area picker, service pages
and organization pages. Every page reads through the same core functions as the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from simpul.errors import Gone, NotFound, SearchUnavailable
from simpul.reference import codelists
from simpul.reference.areas import NATIONAL, ancestors, depth, load_areas, parent_code
from simpul.registry import organizations, services, stats
from simpul.search.base import build_query
from simpul.web.http import asked_format, json_response, negotiate, rdf_response, registry
from simpul.web.metrics import timed_search
from simpul.web.portal import views
from simpul.web.portal.i18n import url_with

bp = views.blueprint(
    "portal",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/portal",
)
FILTERS = ("level", "sector", "life_event", "authority", "channel", "type")
CHAIN = ("a1", "a2", "a3", "a4")  # the area picker: province, regency, district, village
PAGE_SIZE = 20
SORTS = {
    "relevance": _l("best match"),
    "-modified": _l("newest"),
    "name": _l("name"),
}
MAX_PAGE = 500


@bp.get("/")
def home():
    reg = registry()
    try:
        total = reg.search.count()
    except SearchUnavailable:
        total = None  # the page works without the count
    return views.page(
        "portal/home.html",
        total=total,
        sectors=codelists.SECTORS,
        life_events=codelists.LIFE_EVENTS,
    )


@bp.get("/search")
def search():
    """Full text, facets, area and paging, all as plain GET parameters (works without JS)."""
    q = request.args.get("q", "").strip()[:200]
    filters = {name: _codes(name) for name in FILTERS}
    area, area_note = chosen_area()
    page = views.page_number(MAX_PAGE)
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "relevance"
    group = _grouping(area, filters)
    query = build_query(
        q,
        filters=filters,
        area=area,
        sort=sort,
        page=page,
        size=PAGE_SIZE,
        vocabulary=registry().search.vocabulary(),
        group=group,
    )
    result = timed_search("search", lambda backend: backend.search(query))
    names = views.organization_names(
        {item["authority"] for item in result.items}
        | {f["value"] for f in result.facets.get("authority", [])}
    )
    kinds = views.type_names({f["value"] for f in result.facets.get("type", [])})
    return views.page(
        "portal/search.html",
        q=q,
        result=result,
        terms=frozenset(query.terms),
        filters=filters,
        facets=_facets(result.facets, filters, names, kinds),
        names=names,
        grouped=group is not None,
        found=result.total if result.matches is None else result.matches,
        keep={**{k: v for k, v in filters.items() if v}, **({"area": [area]} if area else {})},
        area=area,
        area_label=load_areas().path(area) if area else None,
        area_note=area_note,
        picker=area_picker(area),
        by_area=area_facet(result.facets, area),
        page=page,
        pages=min(views.page_count(result.total, PAGE_SIZE), MAX_PAGE),
        sort=query.sort,
        sorts=SORTS,
    )


def _grouping(area: str | None, filters: dict[str, list[str]]) -> str | None:
    """One hit per service type when no area is chosen ("and 513 other regions offer it"); the
    services of each when one is (``group=type`` or ``group=none`` say otherwise)."""
    asked = request.args.get("group")
    if asked in ("type", "none"):
        return "type" if asked == "type" else None
    return "type" if area is None and not filters.get("type") else None


def _codes(name: str) -> list[str]:
    known = views.FACET_CODES.get(name)
    values = [v for v in request.args.getlist(name) if v][:20]
    return [v for v in values if known is None or v in known]


def chosen_area() -> tuple[str | None, str | None]:
    """The area a search is narrowed to: the deepest consistent choice of the picker's selects,
    else the code given as ``area``, else the best match of the name typed in ``area_q``."""
    areas = load_areas()
    code = None
    for key in CHAIN:
        value = request.args.get(key)
        if not value or value not in areas or parent_code(value) != (code or NATIONAL):
            break
        code = value
    if code:
        return code, None
    given = request.args.get("area", "")
    if given in areas and given != NATIONAL:
        return given, None
    typed = request.args.get("area_q", "").strip()
    if typed:
        found = areas.find(typed, 1)
        if found:
            return found[0].code, None
        return None, _("No area is called “%(name)s”.", name=typed[:100])
    return None, None


def area_picker(area: str | None) -> list[dict[str, Any]]:
    """One select per level down to the chosen area's children: province, regency, ..."""
    areas = load_areas()
    chain = list(reversed(ancestors(area)))[1:] if area else []
    selects = []
    parent = NATIONAL
    for level, key in enumerate(CHAIN, start=1):
        options = areas.children(parent)
        if not options:
            break
        chosen = chain[level - 1] if level <= len(chain) else ""
        selects.append({"name": key, "level": level, "options": options, "chosen": chosen})
        if not chosen:
            break
        parent = chosen
    return selects


def area_facet(raw: dict, area: str | None) -> dict[str, Any]:
    """The search's area facet as links: each child of the area searched (the provinces when
    none is) with its count, narrowing the same search to it; the way back up; and the national
    services apart, since they are in every child. A link names the area by ``area``, so the
    picker's choice and a typed name give way to it."""
    areas = load_areas()
    picked = dict.fromkeys((*CHAIN, "area_q"))
    trail = list(reversed(ancestors(area)))[1:] if area else []
    crumbs = [{"name": _("All of Indonesia"), "url": url_with(area=None, **picked)}]
    crumbs += [
        {"name": areas.get(code).name, "url": url_with(area=code, **picked)}
        for code in trail
        if code in areas
    ]
    children = [
        {
            "name": areas.get(b["value"]).name,
            "count": b["count"],
            "url": url_with(area=b["value"], **picked),
        }
        for b in raw.get("area", [])
        if b["value"] in areas
    ]
    national = sum(b["count"] for b in raw.get("national", []))
    return {"crumbs": crumbs, "children": children, "national": national}


def _facets(raw: dict, filters: dict, names: dict, kinds: dict) -> list[dict[str, Any]]:
    out = []
    for name in FILTERS:
        buckets = raw.get(name, [])
        chosen = set(filters.get(name, []))
        present = {b["value"] for b in buckets}
        buckets = buckets + [{"value": v, "count": 0} for v in chosen - present]
        out.append(
            {
                "name": name,
                "title": views.facet_title(name),
                "options": [
                    {
                        "value": b["value"],
                        "label": views.facet_label(
                            name, b["value"], kinds if name == "type" else names
                        ),
                        "count": b["count"],
                        "chosen": b["value"] in chosen,
                    }
                    for b in buckets
                ],
            }
        )
    return out


@bp.get("/organizations")
def organization_index():
    """Agencies by level, narrowed to a province (villages and districts number thousands)."""
    level = request.args.get("level")
    if level not in codelists.LEVELS:
        level = "pusat"
    province = request.args.get("area") or None
    if province not in {a.code for a in load_areas().children(NATIONAL)}:
        province = None
    page = views.page_number()
    with registry().db.session() as session:
        total, rows = organizations.list_organizations(
            session, level=level, area=province if level != "pusat" else None, page=page, size=50
        )
        items = [organizations.organization_to_dict(r, registry().base_uri) for r in rows]
    return views.page(
        "portal/organizations.html",
        items=items,
        total=total,
        level=level,
        province=province,
        provinces=load_areas().children(NATIONAL),
        page=page,
        pages=views.page_count(total, 50),
    )


@bp.get("/organizations/<org_id>")
def organization(org_id: str):
    """An agency: its services with their completeness, its children, its place in the tree.
    The organization's URI in the RDF: JSON or RDF by ``Accept`` (or ``?format=``)."""
    fmt = asked_format() or negotiate("html", html=True)
    if fmt not in (None, "html"):
        return organization_data(org_id, fmt)
    reg = registry()
    page = views.page_number()
    with reg.db.session() as session:
        row = organizations.get_organization(session, org_id)
        org = organizations.organization_to_dict(row, reg.base_uri)
        parents = organizations.organization_chain(session, row)
        _, children = organizations.list_organizations(session, parent=org_id, size=500)
        children = [organizations.organization_to_dict(c, reg.base_uri) for c in children]
        total, rows = services.list_services(
            session, authority=org_id, sort="identifier", page=page, size=50
        )
        items = [services.service_to_dict(r) for r in rows]
        summary = stats.completeness_summary(session, org_id)
    area = load_areas().get(org["area"]) if org.get("area") else None
    return views.page(
        "portal/organization.html",
        org=org,
        area=area,
        parents=parents,
        children=children,
        items=items,
        total=total,
        summary=summary,
        page=page,
        pages=views.page_count(total, 50),
    )


def organization_data(org_id: str, fmt: str) -> Response:
    """An organization as the API's JSON, or as CPSV-AP-ID RDF (``cv:PublicOrganisation``)."""
    from simpul.registry.catalog import organizations as described
    from simpul.vocab.cpsv_ap_id import organization_triples
    from simpul.vocab.writers import write_document

    reg = registry()
    with reg.db.session() as session:
        organizations.get_organization(session, org_id)  # 404 for an unknown id
        org = described(session, reg.base_uri, [org_id])[org_id]
    if fmt == "json":
        return json_response(org, headers={"Vary": "Accept"})
    return rdf_response(fmt, "".join(write_document(fmt, [list(organization_triples(org))])))


def service_page(service_id: str) -> Response:
    """The HTML form of a service URI: the 14 components laid out for a citizen."""
    reg = registry()
    try:
        with reg.db.session() as session:
            row = services.get_live(session, service_id)
            record = services.service_to_dict(row)
            authority = organizations.get_organization(session, row.authority)
            org = organizations.organization_to_dict(authority, reg.base_uri)
            parents = organizations.organization_chain(session, authority)
    except (NotFound, Gone) as error:
        return views.error_page(error)
    response = views.page(
        "portal/service.html",
        record=record,
        org=org,
        parents=parents,
        jsonld=views.schema_org(record, org),
        coverage=[load_areas().get(code) for code in record.get("areas", [])][:50],
        depth=depth,
    )
    response.headers["Vary"] = "Accept"
    return response
