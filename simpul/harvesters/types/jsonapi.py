"""``json``: generic JSON REST APIs of regional portals.

A declarative mapping names, with JMESPath expressions, where the records of a page are, each
record's stable key, URI and modification time, and where each Simpul field comes from. The
common pagination styles are followed: page numbers, offsets, cursors and next links (in the
body or in an RFC 8288 ``Link`` header). Without a field mapping, records are read as Simpul
records as they are (a portal that already speaks Simpul's format).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import jmespath
import orjson
import requests.utils
from jmespath.exceptions import JMESPathError
from marshmallow import Schema, ValidationError, validate, validates
from marshmallow import fields as mf

from simpul.harvesters.base import (
    CommonOptions,
    Harvester,
    Item,
    RecordProblem,
    SourceBroken,
    Transformed,
    json_original,
    loads_json,
    named,
)
from simpul.harvesters.fetching import Fetched
from simpul.harvesters.mapping import FLAT_FIELDS, record_from_fields

STYLES = ("none", "page", "offset", "cursor", "next")
LIST_KEYS = ("items", "data", "results", "records", "services", "layanan", "list", "result")


def _expression(value: str) -> None:
    try:
        jmespath.compile(value)
    except JMESPathError as exc:
        raise ValidationError(f"not a JMESPath expression: {exc}") from None


class Expression(mf.String):
    def __init__(self, **kwargs):
        super().__init__(validate=_expression, **kwargs)


class PaginationOptions(Schema):
    style = mf.String(load_default="none", validate=validate.OneOf(STYLES))
    param = mf.String()  # page / offset / cursor query parameter
    size_param = mf.String()
    size = mf.Integer(load_default=100, validate=validate.Range(1, 10_000))
    start = mf.Integer()  # first page number (1) or offset (0)
    cursor_path = Expression()  # where the next cursor is in a page
    next_path = Expression()  # where the next link is (else the Link header)
    max_pages = mf.Integer(load_default=100_000, validate=validate.Range(1, 10_000_000))


class JsonOptions(CommonOptions):
    items = Expression()
    key = Expression(load_default="id")
    uri = Expression()
    modified = Expression()
    fields = mf.Dict(keys=mf.String(), values=Expression(), load_default=dict)
    language = mf.String(load_default="id", validate=validate.Regexp(r"^[a-z]{2,3}$"))
    params = mf.Dict(keys=mf.String(), values=mf.String(), load_default=dict)
    since_param = mf.String()  # query parameter for "modified since" (incremental runs)
    pagination = mf.Nested(PaginationOptions, load_default=lambda: PaginationOptions().load({}))

    @validates("fields")
    def _known(self, value, **kwargs):
        unknown = sorted(set(value) - set(FLAT_FIELDS))
        if unknown:
            raise ValidationError(
                f"unknown field(s) {', '.join(unknown)}; known: {', '.join(FLAT_FIELDS)}"
            )


def parse_json(fetched: Fetched) -> Any:
    try:
        return orjson.loads(fetched.content)
    except orjson.JSONDecodeError as exc:
        raise SourceBroken(
            f"{fetched.url}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


class JsonMapping:
    """Compiled expressions of a JSON mapping (shared with the CKAN type)."""

    def __init__(self, options: dict[str, Any], defaults: dict[str, str] | None = None):
        self.items = jmespath.compile(options["items"]) if options.get("items") else None
        self.key = jmespath.compile(options.get("key") or "id")
        self.uri = jmespath.compile(options["uri"]) if options.get("uri") else None
        self.modified = jmespath.compile(options["modified"]) if options.get("modified") else None
        merged = {**(defaults or {}), **options.get("fields", {})}
        self.fields = {name: jmespath.compile(expr) for name, expr in merged.items() if expr}
        self.language = options.get("language", "id")

    def records(self, page: Any, url: str) -> list[Any]:
        if self.items is not None:
            found = self.items.search(page)
        elif isinstance(page, list):
            found = page
        else:
            found = next(
                (
                    page[k]
                    for k in LIST_KEYS
                    if isinstance(page, dict) and isinstance(page.get(k), list)
                ),
                None,
            )
        if not isinstance(found, list):
            raise SourceBroken(f"{url}: no list of records found in the page (set 'items')")
        return found

    def key_of(self, record: Any) -> str:
        key = self.key.search(record) if isinstance(record, dict) else None
        if key is None or key == "":
            return "sha256:" + hashlib.sha256(json_original(record)).hexdigest()
        return str(key)

    def item(self, record: Any) -> Item:
        original = json_original(record)
        key = self.key_of(record)
        uri = self.uri.search(record) if self.uri else None
        modified = self.modified.search(record) if self.modified else None
        return Item(
            str(key),
            original,
            "application/json",
            uri=str(uri) if uri else None,
            modified=str(modified) if modified else None,
            parsed=record,
        )

    def transform(self, item: Item) -> Transformed:
        record = loads_json(item)
        if not isinstance(record, dict):
            raise RecordProblem(f"expected a JSON object, got {type(record).__name__}")
        if not self.fields:
            authority = record.get("original_authority")
            return named(Transformed(dict(record), authority=authority))
        values = {name: expr.search(record) for name, expr in self.fields.items()}
        values.setdefault("identifier", item.key)
        raw, authority, notes = record_from_fields(values, self.language)
        return named(Transformed(raw, notes, authority))


class JsonHarvester(Harvester):
    name = "json"
    title = "JSON REST API"
    Options = JsonOptions
    mapping_version = "1"

    def __init__(self, source, fetcher):
        super().__init__(source, fetcher)
        self.mapping = JsonMapping(self.options)
        self.incremental = bool(self.options.get("since_param"))

    def gather(self, since: str | None) -> Iterator[Item]:
        params = dict(self.options["params"])
        if since and self.options.get("since_param"):
            params[self.options["since_param"]] = since
        for page in self.pages(self.source.url, params):
            for record in self.mapping.records(page.body, page.url):
                yield self.mapping.item(record)

    def pages(self, url: str, params: dict[str, Any]) -> Iterator[_Page]:
        paging = self.options["pagination"]
        style = paging["style"]
        size = paging["size"]
        if style in ("page", "offset"):
            position = paging.get("start", 1 if style == "page" else 0)
            param = paging.get("param", style)
        else:
            position, param = None, paging.get("param", "cursor")
        previous: set[str] | None = None
        for number in range(paging["max_pages"]):
            query = dict(params)
            if style in ("page", "offset"):
                query[param] = position
                if paging.get("size_param"):
                    query[paging["size_param"]] = size
            elif style == "cursor" and position is not None:
                query[param] = position
            fetched = self.fetcher.get(url, params=query, accept="application/json")
            body = parse_json(fetched)
            records = self.mapping.records(body, fetched.url)
            keys = {self.mapping.key_of(r) for r in records}
            if records and previous is not None and keys == previous:
                raise SourceBroken(
                    f"{fetched.url}: the server ignores paging (page {number + 1} repeats the "
                    "previous page)"
                )
            previous = keys
            yield _Page(fetched.url, body)
            if style == "none" or not records:
                return
            if style == "page":
                if len(records) < size:
                    return
                position += 1
            elif style == "offset":
                if len(records) < size:
                    return
                position += len(records)
            elif style == "cursor":
                position = jmespath.search(paging.get("cursor_path", "next_cursor"), body)
                if not position:
                    return
            else:  # next link
                url = self._next_link(fetched, body, paging)
                params = {}
                if not url:
                    return
        raise SourceBroken(f"{url}: more than {paging['max_pages']} pages; raise max_pages")

    @staticmethod
    def _next_link(fetched: Fetched, body: Any, paging: dict[str, Any]) -> str | None:
        if paging.get("next_path"):
            link = jmespath.search(paging["next_path"], body)
        else:
            link = None
            for entry in requests.utils.parse_header_links(fetched.headers.get("Link", "")):
                if entry.get("rel") == "next":
                    link = entry.get("url")
        return urljoin(fetched.url, link) if link else None

    def transform(self, item: Item) -> Transformed:
        return self.mapping.transform(item)


class _Page:
    __slots__ = ("url", "body")

    def __init__(self, url: str, body: Any):
        self.url, self.body = url, body
