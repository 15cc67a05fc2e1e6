"""Request ids: every response carries ``X-Request-Id`` (the caller's own when it is a sane
token, else a new one), and every log line written while serving the request carries it too.
With ``SIMPUL_LOG_FORMAT=json`` the app also writes one access line per request (logger
``simpul.access``) in place of the server's text access log."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from simpul import logs
from simpul.config import Settings

HEADER = "X-Request-Id"
# what a proxy or a client may hand us: short, printable, nothing a log reader would misparse
SANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}$")
access = logging.getLogger("simpul.access")


def init_tracing(app: Flask, settings: Settings) -> None:
    """Call right after the app is made, before the other hooks."""
    app.config["SIMPUL_ACCESS_LOG"] = settings.log_format == "json"
    app.before_request(_begin)
    app.after_request(_end)
    app.teardown_request(_forget)


def incoming_id(value: str | None) -> str:
    """The caller's id when it is sane, else a new one."""
    if value and SANE.match(value):
        return value
    return uuid.uuid4().hex


def _begin() -> None:
    g.request_id = incoming_id(request.headers.get(HEADER))
    g.request_log = logs.request_id.set(g.request_id), time.perf_counter()


def _end(response: Response) -> Response:
    request_id = g.get("request_id") or incoming_id(None)
    response.headers[HEADER] = request_id
    begun = g.get("request_log")
    if begun is not None and app_logs_access():
        access.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "route": request.url_rule.rule if request.url_rule is not None else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - begun[1]) * 1000, 2),
                "client": request.remote_addr,
            },
        )
    return response


def app_logs_access() -> bool:
    from flask import current_app

    return bool(current_app.config.get("SIMPUL_ACCESS_LOG"))


def _forget(_exc: BaseException | None) -> None:
    begun = g.pop("request_log", None)
    if begun is not None:
        logs.request_id.reset(begun[0])
