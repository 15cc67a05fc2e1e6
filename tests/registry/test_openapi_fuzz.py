"""Schemathesis against the app's own OpenAPI document: every documented operation, with valid
and with invalid input, anonymous and with an editor token, on SQLite and PostgreSQL. No answer
may be a server error, and every answer must be one the document promises (status code, content
type, headers, body schema). Each test has a fresh database (the ``app`` fixture), so what the
editor's writes leave behind stays in that test."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

settings.register_profile(
    "openapi-fuzz",
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ = settings(settings.get_profile("openapi-fuzz"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app):
    # reproductions show every value (the tokens are the test's own)
    config = schemathesis.Config.from_dict(
        {"seed": 20240601, "output": {"sanitization": {"enabled": False}}}
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def _modes(operation) -> list[GenerationMode]:
    """Invalid input too where there is any to send: a query, a body or a typed path part
    (a string in a path can only be valid)."""
    typed_path = any(
        p.definition.get("schema", {}).get("type") != "string" for p in operation.path_parameters
    )
    if len(operation.query) or len(operation.body) or typed_path:
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def _failures(operation, mode: GenerationMode, headers: dict) -> str | None:
    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # nothing invalid to send after all
        return None
    except (Exception, FailureGroup) as exc:  # one operation's failures hide no other's
        return f"=== {operation.label} ({mode.value})\n{exc}"
    return None


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_api_answers_as_documented(api_schema, publisher, who):
    publisher.publish_one()
    headers = {}
    if who == "editor":
        headers = publisher.auth(publisher.token("disdukcapil-kota-gorontalo"))
    failures = [
        failure
        for operation in _operations(api_schema)
        for mode in _modes(operation)
        if (failure := _failures(operation, mode, headers))
    ]
    assert not failures, f"{len(failures)} operations answer off the document:\n" + "\n".join(
        failures
    )
