"""What the API and the portal share over HTTP: the current registry, JSON, RDF and problem+json
responses, and content negotiation between HTML, JSON and the RDF formats.

Pages are the portal's: it registers its renderers here (``register_page``), so that the API can
answer a browser with a page without importing the portal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from flask import Flask, Response, current_app, request

from simpul.errors import NotAcceptable, NotFound, SimpulError
from simpul.reference.formats import BY_EXTENSION, BY_MEDIA_TYPE, RDF_FORMATS
from simpul.registry.context import Registry

PROBLEM = "application/problem+json"
RDF_TYPES = list(BY_MEDIA_TYPE)
# ``?format=`` for links that cannot set Accept: the RDF extensions, and json
FORMAT_PARAMETER = {**BY_EXTENSION, "json": "json"}
_PAGES = "simpul.pages"


def registry() -> Registry:
    return current_app.extensions["simpul"]


def fresh_counts() -> dict[str, Any]:
    """Apply the changes logged since the coverage figures and stored counts were refreshed,
    when they are older than ``SIMPUL_COVERAGE_MAX_AGE``; returns the refresh state."""
    from simpul.registry import areacoverage

    reg = registry()
    return areacoverage.ensure_fresh(
        reg.db, threshold=reg.settings.coverage_min_services, max_age=reg.settings.coverage_max_age
    )


def json_response(
    payload: Any,
    status: int = 200,
    headers: dict | None = None,
    content_type: str = "application/json",
) -> Response:
    body = b"" if status == 304 else orjson.dumps(payload)
    return Response(body, status=status, headers=headers, content_type=content_type)


def negotiate(default: str | None, *, html: bool = False) -> str | None:
    """The RDF format (writer name), 'json', 'html', or None for 'not acceptable'."""
    offered = (["text/html"] if html else []) + ["application/json", *RDF_TYPES]
    accept = request.accept_mimetypes
    if not accept or accept.best == "*/*":
        return default
    best = accept.best_match(offered)
    if best is None:
        return None
    if best == "text/html":
        return "html"
    if best == "application/json":
        return "json"
    return BY_MEDIA_TYPE[best]


def asked_format() -> str | None:
    """The format ``?format=`` names (None when absent); an unknown one is a 404."""
    asked = request.args.get("format")
    if asked is None:
        return None
    if asked not in FORMAT_PARAMETER:
        raise NotFound(f"no format {asked!r}; use ttl, nt, jsonld, rdf or json")
    return FORMAT_PARAMETER[asked]


def rdf_response(fmt: str, text: str) -> Response:
    media_type = RDF_FORMATS[fmt].media_type
    return Response(text, content_type=f"{media_type}; charset=utf-8", headers={"Vary": "Accept"})


def not_acceptable() -> Response:
    raise NotAcceptable(
        "cannot produce what Accept asks; offered: application/json, " + ", ".join(RDF_TYPES)
    )


def register_page(app: Flask, name: str, render: Callable[..., Response]) -> None:
    app.extensions.setdefault(_PAGES, {})[name] = render


def page(name: str) -> Callable[..., Response] | None:
    """The page renderer the portal registered as ``name`` ('service', 'error'), if any."""
    return current_app.extensions.get(_PAGES, {}).get(name)


def problem(error: SimpulError) -> Response:
    """An error as problem+json, or as a portal page for a browser outside the API."""
    error_page = page("error")
    if error_page is not None and _wants_page():
        return error_page(error)
    return json_response(
        error.to_problem(), error.status, headers=dict(error.headers), content_type=PROBLEM
    )


def _wants_page() -> bool:
    if request.path.startswith("/api/"):
        return False
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/html"]) == "text/html" and (
        accept["text/html"] > accept["application/json"]
    )
