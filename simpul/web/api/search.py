"""/api/v1/search and /api/v1/suggest: what portals call as citizens type."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from simpul.errors import ValidationFailed
from simpul.reference import codelists
from simpul.reference.areas import load_areas
from simpul.reference.languages import pick
from simpul.search.base import FACETS, GROUPS, SORTS, build_query
from simpul.search.highlight import mark
from simpul.web.api.common import Blueprint
from simpul.web.http import json_response, registry
from simpul.web.metrics import timed_search

blp = Blueprint("search", __name__, url_prefix="/api/v1", description="Search")


def _many(codes=None, **kwargs):
    inner = fields.String(validate=validate.OneOf(list(codes))) if codes else fields.String()
    return fields.List(inner, **kwargs)


class SearchArgs(Schema):
    q = fields.String(validate=validate.Length(max=200))
    level = _many(codelists.LEVELS)
    sector = _many(codelists.SECTORS)
    life_event = _many(codelists.LIFE_EVENTS)
    authority = _many()
    channel = _many(codelists.CHANNEL_TYPES)
    integration = _many(codelists.INTEGRATION_STATUSES)
    type = _many(metadata={"description": "National service type ids (GET /api/v1/types)"})
    area = fields.String(metadata={"description": "Kemendagri code: services that reach it"})
    group = fields.String(
        validate=validate.OneOf(GROUPS),
        metadata={
            "description": "type: one hit per service type (its instance covering `area` "
            "first), with the number of its other matching instances; records without a type "
            "appear as themselves"
        },
    )
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))
    size = fields.Integer(load_default=20, validate=validate.Range(min=0, max=100))


class SuggestArgs(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=100))
    size = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


class FacetValue(Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True)


def _buckets(description: str | None = None) -> fields.List:
    metadata = {"description": description} if description else {}
    return fields.List(fields.Nested(FacetValue), required=True, metadata=metadata)


AREA_FACET = (
    "services per child area of `area` (no area: per province), each counted once in every "
    "child it covers (one covering the whole of `area` in each child); national services are "
    "apart, in `national`, so a child's count plus the national count is the total of the "
    "same search with `area` set to that child"
)


class Facets(Schema):
    level = _buckets()
    sector = _buckets()
    life_event = _buckets()
    authority = _buckets()
    channel = _buckets()
    integration = _buckets()
    type = _buckets()
    area = _buckets(AREA_FACET)
    national = _buckets("the matching national services (area 00), one bucket or none")


class SearchResult(Schema):
    total = fields.Integer(
        required=True, metadata={"description": "with `group`: the number of groups"}
    )
    matches = fields.Integer(metadata={"description": "with `group`: the services that match"})
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(
        fields.Dict(), required=True, metadata={"description": "with highlight.name marked"}
    )
    facets = fields.Nested(Facets, required=True)


class Suggestions(Schema):
    items = fields.List(fields.Raw(), required=True)


UNAVAILABLE = "The search server does not answer; try again after Retry-After seconds"


@blp.route("/search")
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchResult, description="total, items (with highlighted names), facets")
@blp.problem(503, UNAVAILABLE)
def search(args):
    """Full text in Indonesian (stems, synonyms, abbreviations, typos) and English, with filters
    and facets. ``area`` finds the services that reach an area: national, provincial, regency,
    district and village services. Without ``q`` the filters alone select."""
    area = args.get("area")
    if area and area not in load_areas():
        raise ValidationFailed.from_messages({"area": load_areas().check(area)})
    filters = {k: args.get(k, []) for k in FACETS}
    size = args["size"]
    query = build_query(
        args.get("q"),
        filters=filters,
        area=area,
        sort=args["sort"],
        page=args["page"],
        size=max(size, 1),
        vocabulary=registry().search.vocabulary(),
        group=args.get("group"),
    )
    result = timed_search("search", lambda backend: backend.search(query))
    items = [] if size == 0 else [_highlighted(item, query.terms) for item in result.items]
    body = {
        "total": result.total,
        "page": args["page"],
        "size": size,
        "items": [_linked(item, args) for item in items],
        "facets": result.facets,
    }
    if result.matches is not None:
        body["matches"] = result.matches
    return json_response(body)


def _linked(item: dict, args: dict) -> dict:
    """A grouped hit links to its type and to the same search narrowed to that type."""
    group = item.get("group")
    if not group:
        return item
    narrowed = {k: v for k, v in args.items() if k not in ("group", "page", "type")}
    links = {
        "type": f"/types/{group['type']}",
        "search": url_for("search.search", **narrowed, type=group["type"]),
    }
    return {**item, "group": {**group, "links": links}}


def _highlighted(item: dict, terms: tuple[str, ...]) -> dict:
    return {**item, "highlight": {"name": mark(pick(item["name"]), frozenset(terms))}}


@blp.route("/suggest")
@blp.arguments(SuggestArgs, location="query")
@blp.response(200, Suggestions, description="Service names completing what was typed")
@blp.problem(503, UNAVAILABLE)
def suggest(args):
    items = timed_search("suggest", lambda backend: backend.suggest(args["q"], args["size"]))
    return json_response({"items": items})
