"""What every API module shares: the blueprint class with Simpul's argument parser, JSON in and
out, paging and preconditions (``simpul.web.http`` has what the portal shares)."""

from __future__ import annotations

from typing import Any

import flask_smorest
import orjson
from flask import Response, request
from marshmallow import RAISE, Schema, fields, validate
from webargs.flaskparser import FlaskParser

from simpul.errors import InvalidInput, NotFound, UnsupportedMediaType, ValidationFailed
from simpul.nesting import check_depth
from simpul.web.api.problems import problem_response
from simpul.web.http import PROBLEM, json_response


class SimpulParser(FlaskParser):
    """webargs parser that raises Simpul's errors (problem+json with field paths) and rejects
    unknown query parameters instead of ignoring them."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            location = next(iter(messages))
            if location in ("query", "json", "headers", "view_args"):
                messages = messages[location]
        raise ValidationFailed.from_messages(messages)

    def _raw_load_json(self, req):
        try:
            document = super()._raw_load_json(req)
        except RecursionError:
            raise InvalidInput("the JSON body is nested too deeply to read") from None
        check_depth(document, "the JSON body")
        return document

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise InvalidInput(f"malformed JSON: {error}")

    def load_querystring(self, req, schema):
        """PostgreSQL text cannot hold NUL, so no query value may carry one."""
        nul = {key for key, value in req.args.items(multi=True) if "\x00" in key + value}
        if nul:
            raise ValidationFailed.from_messages(dict.fromkeys(sorted(nul), NUL))
        return super().load_querystring(req, schema)


NUL = "contains a NUL character"


def _nothing_with_nul() -> None:
    if "\x00" in request.path:
        raise NotFound("no resource has a NUL character in its path")


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = SimpulParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_nothing_with_nul)

    def problem(self, status: int, description: str | None = None):
        """Document a problem+json answer only the route knows of (409, 410, 412, 406, 503);
        the ones its declaration implies are added for every route (``api.problems``)."""
        response = problem_response(status, description)
        return self.alt_response(status, content_type=PROBLEM, **response)


def read_json() -> Any:
    """The request body as JSON, or a 4xx naming what is wrong and where."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(
            f"send the body as application/json (got {mimetype or 'no Content-Type'})"
        )
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    if not raw.strip():
        raise InvalidInput("the request body is empty; expected a JSON object")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    check_depth(document, "the JSON body")
    return document


def if_match() -> set[str] | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return {tag.strip() for tag in header.split(",") if tag.strip()}


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=500))


def page_response(total: int, items: list, page: int, size: int) -> Response:
    """``{"total", "page", "size", "items"}`` with RFC 8288 ``Link`` headers for next/prev."""
    links = []
    args = request.args.to_dict()
    base = request.base_url
    if page * size < total:
        links.append(_link(base, args, page + 1, "next"))
    if page > 1:
        links.append(_link(base, args, page - 1, "prev"))
    headers = {"Link": ", ".join(links)} if links else None
    body = {"total": total, "page": page, "size": size, "items": items}
    return json_response(body, headers=headers)


def _link(base: str, args: dict, page: int, rel: str) -> str:
    from urllib.parse import urlencode

    return f'<{base}?{urlencode({**args, "page": page})}>; rel="{rel}"'


BEARER = [{"bearerAuth": []}]
