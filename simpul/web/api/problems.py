"""The OpenAPI side of errors: one ``Problem`` schema (RFC 9457 ``application/problem+json``, as
``SimpulError.to_problem`` writes it) and the error answers of every operation. What an operation
declares says most of what it can answer: a path parameter can name nothing (404), a token can be
missing or lack rights (401, 403), a body can be unreadable, too large, of the wrong type or break
the rules (400, 413, 415, 422), query arguments can be invalid (422). ``Blueprint.problem`` adds
what only the route knows (409, 410, 412, 406, 503)."""

from __future__ import annotations

from http import HTTPStatus

import flask_smorest
from apispec import BasePlugin
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields

from simpul.web.http import PROBLEM

RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


class FieldErrorSchema(Schema):
    path = fields.String(
        required=True,
        metadata={"description": "where, e.g. 'channels[0].url'; empty for the whole record"},
    )
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """An error (RFC 9457). Every error of the API, a server error included, has this form."""

    class Meta:
        unknown = INCLUDE  # some problems carry more (tombstone, current_etag, line, column...)

    type = fields.String(
        required=True, metadata={"description": "https://simpul.go.id/problems/{code}"}
    )
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(
        required=True, metadata={"description": "stable error code, e.g. 'validation-failed'"}
    )
    detail = fields.String(required=True, metadata={"description": "what went wrong, for people"})
    errors = fields.List(
        fields.Nested(FieldErrorSchema),
        metadata={"description": "one entry per field that breaks a rule"},
    )


def problem_response(status: int, description: str | None = None) -> dict:
    """A response object (before apispec resolves its schema) for an error status."""
    response: dict = {
        "description": description or HTTPStatus(status).phrase,
        "schema": ProblemSchema,
    }
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


def implied_statuses(path: str, operation: dict) -> set[int]:
    # 429: a client that sent too many wrong credentials is refused on every operation while
    # it keeps sending an Authorization header (simpul.web.throttle)
    statuses = {429}
    if "{" in path:
        statuses.add(404)
    if operation.get("security"):
        statuses |= {401, 403}
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    if any(p.get("in") == "query" for p in operation.get("parameters", []) if "in" in p):
        statuses.add(422)
    return statuses


class ProblemResponses(BasePlugin):
    """Adds to each operation the error answers its declaration implies (see the module doc)."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            documented = {str(code) for code in responses}
            for status in sorted(implied_statuses(path or "", operation)):
                if str(status) not in documented:
                    responses[str(status)] = HTTPStatus(status).name


class Api(flask_smorest.Api):
    """flask-smorest's Api with errors documented as Simpul sends them: problem+json, no
    catch-all ``default`` (each operation lists the statuses it really answers)."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app=None, **kwargs):
        kwargs.setdefault("spec_kwargs", {}).setdefault("extra_plugins", [ProblemResponses()])
        super().__init__(app, **kwargs)

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            if status >= 400:
                response = problem_response(status)
                prepare_response(response, self.spec, PROBLEM)
                self.spec.components.response(status.name, response, lazy=True)
