"""Request ids on every response and in every log line of the request; JSON-lines logs."""

from __future__ import annotations

import io
import json
import logging

import pytest

from simpul.logs import JsonFormatter, RequestIdFilter, configure_logging
from tests.conftest import running_app


@pytest.fixture
def json_app(database_url, tmp_path):
    with running_app(database_url, tmp_path, log_format="json") as app:
        yield app


@pytest.fixture
def captured():
    """Lines the root logger writes, as the server's JSON handler writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/api/v1/codelists").headers["X-Request-Id"]
    second = client.get("/tidak-ada").headers["X-Request-Id"]  # a 404 too
    assert len(first) == 32 and int(first, 16) >= 0 and first != second


@pytest.mark.parametrize("sent", ["req-42", "8f14e45f-ceea-467a-9575-0c4e1a9c0d11", "a.b:c/d"])
def test_a_sane_incoming_request_id_is_kept(client, sent):
    assert (
        client.get("/health/live", headers={"X-Request-Id": sent}).headers["X-Request-Id"] == sent
    )


@pytest.mark.parametrize("sent", ["", "two words", "x" * 200, "-leading", "a\\tb", "<script>"])
def test_an_unsafe_incoming_request_id_is_replaced(client, sent):
    kept = client.get("/health/live", headers={"X-Request-Id": sent}).headers["X-Request-Id"]
    assert kept != sent and len(kept) == 32


def test_json_logs_carry_the_request_id_of_the_response(json_app, captured):
    client = json_app.test_client()
    answer = client.get("/api/v1/services/tidak-ada", headers={"X-Request-Id": "cari-1"})
    assert answer.status_code == 404
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "simpul.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "cari-1" == answer.headers["X-Request-Id"]
    assert line["route"] == "/api/v1/services/<service_id>" and line["status"] == 404
    assert line["method"] == "GET" and line["duration_ms"] >= 0 and line["level"] == "INFO"


def test_text_logs_write_no_access_line_of_their_own(client, captured):
    client.get("/api/v1/codelists")  # gunicorn's access log has the request id in text mode
    assert "simpul.access" not in captured.getvalue()


def test_a_log_line_outside_a_request_has_no_request_id(captured):
    logging.getLogger("simpul.test").warning("di luar permintaan")
    line = json.loads(captured.getvalue().splitlines()[-1])
    assert line["message"] == "di luar permintaan" and "request_id" not in line


def test_configure_logging_writes_json_lines_to_standard_error(capsys):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        configure_logging("INFO", "json")
        try:
            raise ValueError("rusak")
        except ValueError:
            logging.getLogger("simpul.test").exception("gagal")
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
    assert line["message"] == "gagal" and "ValueError: rusak" in line["exception"]
