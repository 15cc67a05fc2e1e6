"""One error hierarchy. Each class carries its HTTP status and a stable error code; the API renders
them all as ``application/problem+json`` and the CLI prints their message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SimpulError(Exception):
    status = 500
    code = "internal-error"
    title = "Internal error"
    headers: dict[str, str] = {}  # sent with the error response (e.g. Retry-After)

    def __init__(self, detail: str, *, errors: list[dict] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra

    def to_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://simpul.go.id/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body

    def __str__(self) -> str:
        if not self.errors:
            return self.detail
        lines = [self.detail] + [
            f"  {e['path'] or '(record)'}: {e['message']}" for e in self.errors
        ]
        return "\n".join(lines)


class ConfigError(SimpulError):
    code = "configuration-error"
    title = "Invalid configuration"


class InvalidInput(SimpulError):
    """The request cannot be read at all (malformed JSON, wrong media type...)."""

    status = 400
    code = "invalid-input"
    title = "Invalid input"


class ValidationFailed(SimpulError):
    """The request was read but its content breaks the record rules."""

    status = 422
    code = "validation-failed"
    title = "Validation failed"

    @classmethod
    def from_messages(cls, messages: Mapping | list | str, detail: str | None = None):
        errors = flatten_messages(messages)
        if detail is None:
            first = errors[0]
            where = first["path"] or "record"
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            detail = f"{where}: {first['message']}{more}"
        return cls(detail, errors=errors)


class Unauthorized(SimpulError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(SimpulError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class UnsupportedDatabase(SimpulError):
    """An operation this node's database does not offer (e.g. ``simpul backup`` on PostgreSQL,
    which has its own tools)."""

    status = 400
    code = "unsupported-database"
    title = "Not for this database"


class NotFound(SimpulError):
    status = 404
    code = "not-found"
    title = "Not found"


class NotAcceptable(SimpulError):
    status = 406
    code = "not-acceptable"
    title = "Not acceptable"


class Conflict(SimpulError):
    status = 409
    code = "conflict"
    title = "Conflict"


class ConcurrentWrite(Conflict):
    """Another write changed the same rows first; running the transaction again is safe."""

    code = "concurrent-write"


class Gone(SimpulError):
    status = 410
    code = "gone"
    title = "Gone"


class PreconditionFailed(SimpulError):
    status = 412
    code = "precondition-failed"
    title = "Precondition failed"


class PayloadTooLarge(SimpulError):
    status = 413
    code = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaType(SimpulError):
    status = 415
    code = "unsupported-media-type"
    title = "Unsupported media type"


class TooManyRequests(SimpulError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"


class SearchUnavailable(SimpulError):
    """The search server does not answer. Writes go on (the change log keeps them for the
    index); searches can be retried."""

    status = 503
    code = "search-unavailable"
    title = "Search unavailable"
    headers = {"Retry-After": "30"}


def flatten_messages(messages: Mapping | list | str, prefix: str = "") -> list[dict[str, str]]:
    """Turn marshmallow's nested error messages into ``[{"path": "channels[0].url", ...}]``."""
    out: list[dict[str, str]] = []
    if isinstance(messages, str):
        return [{"path": prefix, "message": messages}]
    if isinstance(messages, list):
        for item in messages:
            out.extend(flatten_messages(item, prefix))
        return out
    for key, value in messages.items():
        if key == "_schema":
            path = prefix
        elif isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            path = f"{prefix}[{key}]"
        elif prefix:
            path = f"{prefix}.{key}"
        else:
            path = str(key)
        out.extend(flatten_messages(value, path))
    return out


class DatabaseUnavailable(SimpulError):
    """The database does not answer (restarting, unreachable): nothing was stored, and the
    request can be sent again."""

    status = 503
    code = "database-unavailable"
    title = "Database unavailable"
    headers = {"Retry-After": "5"}
