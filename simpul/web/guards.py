"""What every response and request of the app shares, whatever blueprint serves it: numbers in
URL paths that every database can hold, security headers on every response, and input nested
too deeply for a parser refused as such."""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map

from simpul.errors import InvalidInput, SimpulError
from simpul.registry.services import MAX_INTEGER

# the smallest integer column type of SQLite and PostgreSQL (INTEGER): the core's own bound
MAX_PATH_INTEGER = MAX_INTEGER

# portal pages load only their own scripts, styles and data; nothing may frame them
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)
# JSON, RDF and every other data answer: nothing to run, nothing to frame
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI: its own assets and spec from this site; its one inline script allowed by hash
DOCS_CSP = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)
DOCS_PATH = "/api/v1/docs"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


class BoundedInteger(IntegerConverter):
    """``<int:...>`` path parts, bounded to what an integer column holds. A larger number is a
    404 that says why, not a database error."""

    def __init__(self, map: Map, fixed_digits: int = 0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, MAX_PATH_INTEGER if max is None else max, signed)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(self.max)) or int(value) > self.max:
            raise NotFound(
                f"{value[:40]} is out of range: numbers in this path go up to {self.max}"
            )
        return super().to_python(value)


def init_guards(app: Flask) -> None:
    """Call right after the app is made, before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedInteger
    app.after_request(secure_headers)
    app.register_error_handler(RecursionError, _too_deep)


def secure_headers(response: Response) -> Response:
    """Every response: no MIME sniffing, a Content-Security-Policy fit for what it carries."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype != "text/html":
        headers.setdefault("Content-Security-Policy", DATA_CSP)
        return response
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.path.rstrip("/") == DOCS_PATH and not response.is_streamed:
        headers.setdefault("Content-Security-Policy", docs_csp(response.get_data()))
    headers.setdefault("Content-Security-Policy", PAGE_CSP)
    return response


def docs_csp(html: bytes) -> str:
    """The docs page's policy, allowing exactly the inline scripts the page carries."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
        for body in INLINE_SCRIPT.findall(html)
    )
    return DOCS_CSP.format(hashes=hashes)


def _too_deep(exc: RecursionError):
    from simpul.web.http import problem

    error: SimpulError = InvalidInput("the input is nested too deeply to be read")
    return problem(error)
