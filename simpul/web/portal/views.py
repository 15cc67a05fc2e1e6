"""What the portal's pages share: rendering, error pages, labels of facets and code lists,
organization names and chains, completeness summaries and schema.org descriptions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext

from simpul.errors import SimpulError
from simpul.reference import codelists
from simpul.reference.languages import pick
from simpul.registry import organizations
from simpul.web.http import registry
from simpul.web.portal.i18n import text

FACET_CODES = {
    "level": codelists.LEVELS,
    "sector": codelists.SECTORS,
    "life_event": codelists.LIFE_EVENTS,
    "channel": codelists.CHANNEL_TYPES,
}
FACET_TITLES = {
    "level": lazy_gettext("Government level"),
    "sector": lazy_gettext("Sector"),
    "life_event": lazy_gettext("Life event"),
    "authority": lazy_gettext("Agency"),
    "channel": lazy_gettext("How to apply"),
    "type": lazy_gettext("Service type"),
}


# words of harvest reports (job states, held deletions, counts), shown in the page's language
HARVEST_WORDS = {
    "queued": lazy_gettext("queued"),
    "running": lazy_gettext("running"),
    "cancelling": lazy_gettext("cancelling"),
    "finished": lazy_gettext("finished"),
    "incomplete": lazy_gettext("incomplete"),
    "failed": lazy_gettext("failed"),
    "timed_out": lazy_gettext("timed out"),
    "interrupted": lazy_gettext("interrupted"),
    "cancelled": lazy_gettext("cancelled"),
    "held": lazy_gettext("waiting for review"),
    "applied": lazy_gettext("applied"),
    "discarded": lazy_gettext("discarded"),
    "seen": lazy_gettext("seen"),
    "created": lazy_gettext("created"),
    "updated": lazy_gettext("updated"),
    "unchanged": lazy_gettext("unchanged"),
    "deleted": lazy_gettext("withdrawn"),
    "restored": lazy_gettext("restored"),
    "errors": lazy_gettext("errors"),
    "fetch_errors": lazy_gettext("fetch errors"),
    "duplicates": lazy_gettext("duplicates"),
    "not_modified": lazy_gettext("not modified"),
    "shadowed": lazy_gettext("brought by another source"),
    "kept_unseen": lazy_gettext("kept though not seen"),
    "tombstones": lazy_gettext("withdrawals received"),
    "organizations_added": lazy_gettext("organizations added"),
    "organizations_changed": lazy_gettext("organizations updated"),
    "organizations_refused": lazy_gettext("organizations refused"),
    "applications_created": lazy_gettext("applications created"),
    "applications_updated": lazy_gettext("applications updated"),
    "applications_restored": lazy_gettext("applications restored"),
    "applications_unchanged": lazy_gettext("applications unchanged"),
    "applications_error": lazy_gettext("applications refused"),
}


def harvest_word(word: str) -> str:
    return str(HARVEST_WORDS.get(word, word))


def blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A blueprint of portal pages, with errors as pages (the app sets security headers)."""
    bp = Blueprint(name, import_name, **options)
    bp.register_error_handler(SimpulError, error_page)
    return bp


def page(template: str, status: int = 200, **context: Any) -> Response:
    html = render_template(template, codelists=codelists, **context)
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def page_number(maximum: int = 100_000) -> int:
    """The ``page`` query parameter, 1 when absent or not a number, capped at ``maximum``."""
    from simpul.web.portal.forms import whole_number

    number = whole_number(request.args.get("page", ""))
    return 1 if number is None else min(max(number, 1), maximum)


def page_count(total: int, size: int) -> int:
    """How many pages of ``size`` items hold ``total``."""
    return -(-total // size)


def error_page(error: SimpulError) -> Response:
    response = page("portal/error.html", status=error.status, error=error)
    response.headers.update(error.headers)
    return response


def facet_title(name: str) -> str:
    return str(FACET_TITLES[name])


def facet_label(name: str, value: str, names: dict[str, str]) -> str:
    if name in ("authority", "type"):
        return names.get(value, value)
    codes = FACET_CODES.get(name, {})
    return text(codes[value]) if value in codes else value


def type_names(ids: set[str]) -> dict[str, str]:
    """Service type id -> name in the page's language, for the given ids."""
    if not ids:
        return {}
    with registry().db.session() as session:
        index = registry().type_index(session)
    found = {type_id: index.get(type_id) for type_id in ids}
    return {type_id: text(info.data["name"]) for type_id, info in found.items() if info}


def organization_names(ids: set[str]) -> dict[str, str]:
    """Organization id -> name in the page's language, for the given ids."""
    if not ids:
        return {}
    with registry().db.session() as session:
        names = organizations.organization_names(session, ids)
    return {org_id: text(name) for org_id, name in names.items()}


def schema_org(record: dict[str, Any], org: dict[str, Any]) -> dict[str, Any]:
    """The record as a schema.org ``GovernmentService`` (JSON-LD embedded in its page)."""
    out: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "@id": record["uri"],
        "url": record["uri"],
        "identifier": record["identifier"],
        "name": pick(record["name"]),
        "inLanguage": record.get("languages", ["id"]),
        "dateModified": record["modified"],
        "provider": {
            "@type": "GovernmentOrganization",
            "@id": org["uri"],
            "name": pick(org["name"]),
        },
    }
    others = [t for lang, t in sorted(record["name"].items()) if t != out["name"]]
    if others:
        out["alternateName"] = others[0] if len(others) == 1 else others
    if record.get("description"):
        out["description"] = pick(record["description"])
    if record.get("sectors"):
        out["category"] = [codelists.SECTORS[s]["id"] for s in record["sectors"]]
    if record.get("audiences"):
        out["audience"] = [
            {"@type": "Audience", "audienceType": codelists.AUDIENCES[a]["id"]}
            for a in record["audiences"]
        ]
    out["areaServed"] = [_place(code) for code in record.get("areas", ["00"])[:50]]
    channels = [_channel(c) for c in record.get("channels", [])]
    if channels:
        out["availableChannel"] = channels
    if record.get("outputs"):
        out["serviceOutput"] = [{"@type": "Thing", "name": pick(o)} for o in record["outputs"]]
    if record.get("cost"):
        cost = record["cost"]
        out["offers"] = {
            "@type": "Offer",
            "price": cost["amount"],
            "priceCurrency": cost.get("currency", "IDR"),
        }
    if record.get("legal_basis"):
        out["isBasedOn"] = [
            {
                "@type": "Legislation",
                "name": law["title"],
                **({"url": law["url"]} if law.get("url") else {}),
            }
            for law in record["legal_basis"]
        ]
    return out


def _place(code: str) -> dict[str, Any]:
    from simpul.reference.areas import load_areas

    area = load_areas().get(code)
    name = area.name if area else code
    return {"@type": "AdministrativeArea", "name": name, "identifier": code}


def _channel(channel: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@type": "ServiceChannel",
        "name": pick(channel.get("name")) or codelists.CHANNEL_TYPES[channel["type"]]["id"],
    }
    if channel.get("url"):
        out["serviceUrl"] = channel["url"]
    if channel.get("phone"):
        out["servicePhone"] = {"@type": "ContactPoint", "telephone": channel["phone"]}
    if channel.get("address"):
        out["serviceLocation"] = {"@type": "Place", "address": channel["address"]}
    return out
