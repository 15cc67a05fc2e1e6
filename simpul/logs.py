"""Logging for the server and the worker: plain text, or JSON lines (``SIMPUL_LOG_FORMAT=json``)
that a log collector reads without parsing rules. Each line of a request carries its request id
(the ``X-Request-Id`` the response carries), so one request's lines can be found among many
processes'."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

# the id of the request this thread serves (the web layer sets and resets it)
request_id: ContextVar[str | None] = ContextVar("simpul_request_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the fields a
    caller passed in ``extra`` (``simpul.access`` passes the request's method, route, status and
    duration); a traceback as one string."""

    BASE = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self.BASE and not key.startswith("_"):
                line[key] = value
        if record.request_id == "-":
            line.pop("request_id")
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """The root logger writes to standard error in ``fmt`` (text or json) from ``level`` up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
