"""Schemathesis against the app's own OpenAPI document: every documented operation, with valid
and with invalid input, anonymous and with an editor token, on SQLite and PostgreSQL. No answer
may be a server error, and every answer must be one the document promises (status code, content
type, headers, body schema). Each test has a fresh database (the ``app`` fixture), so what the
editor's writes leave behind stays in that test."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from simpul.harvesters.jobs import queue as queue_job
from simpul.harvesters.sources import create_source
from simpul.web.api.problems import PROBLEM
from tests.conftest import running_app

# bounded for the suite; SIMPUL_FUZZ_EXAMPLES=200 for a deeper run by hand
settings.register_profile(
    "openapi-fuzz",
    max_examples=int(os.environ.get("SIMPUL_FUZZ_EXAMPLES", "5")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ = settings(settings.get_profile("openapi-fuzz"))
ORG = "disdukcapil-kota-gorontalo"  # publish_one's organization
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def app(database_url, tmp_path):
    """The suite's app, with rate limits out of the fuzzer's way: it sends many wrong tokens
    from one address on purpose, and a client blocked by them would reach no operation (the
    limits themselves are tested in test_throttle.py)."""
    unlimited = "1000000/minute"
    with running_app(
        database_url, tmp_path, auth_failure_limit=unlimited, validate_rate_limit=unlimited
    ) as app:
        yield app


@pytest.fixture
def api_schema(app):
    # reproductions show every value (the tokens are the test's own)
    config = schemathesis.Config.from_dict(
        {"seed": 20240601, "output": {"sanitization": {"enabled": False}}}
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


def _operations(schema):
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(f"schemathesis cannot read an operation: {result.err()}")
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
    publisher.publish_one()  # so that lists and pages hold a record, a source and a job
    with publisher.registry.db.transaction() as session:
        source = {"id": "inventaris", "organization": ORG, "type": "spreadsheet"}
        create_source(session, source)
        queue_job(session, "inventaris", "full")
    headers = {}
    if who == "editor":
        headers = publisher.auth(publisher.token(ORG))
    failures = [
        failure
        for operation in _operations(api_schema)
        for mode in _modes(operation)
        if (failure := _failures(operation, mode, headers))
    ]
    assert not failures, f"{len(failures)} operations answer off the document:\n" + "\n".join(
        failures
    )


def test_document_is_valid_openapi_3_and_errors_are_problems(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemathesis.openapi.from_dict(document).validate()  # the OpenAPI 3.0 meta-schema
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "code", "detail"}
    assert "errors" in problem["properties"]
    responses = document["components"]["responses"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" not in operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    if "$ref" in response:
                        response = responses[response["$ref"].rsplit("/", 1)[1]]
                    assert PROBLEM in response["content"], (method, path, status)


# What the fuzzer found, pinned as plain examples (each was a 500).
@pytest.mark.parametrize(
    "url", ["/api/v1/services?authority=dinkes%00", "/api/v1/search?q=akta%00lahir"]
)
def test_a_nul_in_a_query_value_is_refused_naming_the_parameter(client, url):
    response = client.get(url)
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    problem = response.get_json()
    assert problem["errors"][0]["path"] in ("authority", "q")
    assert "NUL" in problem["detail"]


@pytest.mark.parametrize("url", ["/api/v1/services/abc%00", "/services/abc%00"])
def test_a_nul_in_a_path_names_nothing(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.content_type == PROBLEM


def test_a_version_number_past_the_column_is_not_found(publisher):
    record = publisher.publish_one()
    for number in (2**31, 2**63, 10**20):
        response = publisher.client.get(f"/api/v1/services/{record['id']}/versions/{number}")
        assert response.status_code == 404, number
        assert response.content_type == PROBLEM
    assert publisher.client.get(f"/api/v1/services/{record['id']}/versions/1").status_code == 200
