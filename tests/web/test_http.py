"""The HTTP helpers the API and the portal share: content negotiation, ``?format=``, and the
JSON, RDF and problem+json responses with their headers."""

from __future__ import annotations

import orjson
import pytest
from flask import Flask, Response

from simpul.errors import InvalidInput, NotAcceptable, NotFound, TooManyRequests
from simpul.web import http


@pytest.fixture
def bare() -> Flask:
    """An app of its own, without the registry: the helpers need only a request."""
    return Flask(__name__)


def negotiated(bare: Flask, accept: str | None, default="json", html=False) -> str | None:
    headers = {} if accept is None else {"Accept": accept}
    with bare.test_request_context("/", headers=headers):
        return http.negotiate(default, html=html)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "ttl"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdfxml"),
        ("application/json", "json"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdfxml"),
        ("application/json;q=0.1, text/turtle", "ttl"),
    ],
)
def test_accept_picks_the_format_the_client_prefers(bare, accept, expected):
    assert negotiated(bare, accept) == expected


@pytest.mark.parametrize("accept", [None, "*/*"])
def test_no_preference_gets_the_default(bare, accept):
    assert negotiated(bare, accept, default="ttl") == "ttl"
    assert negotiated(bare, accept, default=None) is None


def test_a_format_not_offered_is_not_acceptable(bare):
    assert negotiated(bare, "image/png") is None
    assert negotiated(bare, "text/csv, application/pdf") is None


def test_html_is_offered_only_where_pages_exist(bare):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert negotiated(bare, browser, html=True) == "html"
    assert negotiated(bare, "text/html", html=False) is None
    assert negotiated(bare, "text/html, application/json;q=0.5", html=False) == "json"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ttl", "ttl"), ("nt", "nt"), ("jsonld", "jsonld"), ("rdf", "rdfxml"), ("json", "json")],
)
def test_format_parameter_names_a_format_by_its_extension(bare, value, expected):
    with bare.test_request_context(f"/?format={value}"):
        assert http.asked_format() == expected


def test_no_format_parameter_leaves_it_to_accept(bare):
    with bare.test_request_context("/", headers={"Accept": "text/turtle"}):
        assert http.asked_format() is None


def test_an_unknown_format_parameter_is_a_404_listing_the_known_ones(bare):
    with bare.test_request_context("/?format=turtle"), pytest.raises(NotFound) as raised:
        http.asked_format()
    assert "'turtle'" in raised.value.detail
    for known in ("ttl", "nt", "jsonld", "rdf", "json"):
        assert known in raised.value.detail


def test_not_acceptable_is_a_406_naming_what_is_offered(bare):
    with pytest.raises(NotAcceptable) as raised:
        http.not_acceptable()
    assert raised.value.status == 406
    for offered in ("application/json", "text/turtle", "application/ld+json"):
        assert offered in raised.value.detail


def test_json_response_serialises_with_its_status_type_and_headers():
    payload = {"name": {"id": "Penerbitan Akta Kelahiran"}, "total": 3}
    response = http.json_response(payload, 201, headers={"ETag": '"v1"'})
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert response.headers["ETag"] == '"v1"'
    assert orjson.loads(response.get_data()) == payload


def test_a_304_has_no_body():
    response = http.json_response({"ignored": True}, 304)
    assert response.status_code == 304
    assert response.get_data() == b""


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
    ],
)
def test_rdf_response_carries_its_media_type_charset_and_vary(fmt, media_type):
    text = '<http://simpul.test/a> <http://simpul.test/b> "Akta" .'
    response = http.rdf_response(fmt, text)
    assert response.mimetype == media_type
    assert response.mimetype_params == {"charset": "utf-8"}
    assert response.headers["Vary"] == "Accept"
    assert response.get_data(as_text=True) == text


def test_problem_is_problem_json_with_the_error_status_code_and_headers(bare):
    error = TooManyRequests("slow down")
    error.headers = {"Retry-After": "7"}
    with bare.test_request_context("/api/v1/services"):
        response = http.problem(error)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "7"
    body = response.get_json(force=True)
    assert body["code"] == "too-many-requests"
    assert body["status"] == 429
    assert body["detail"] == "slow down"


def test_problem_names_the_fields_at_fault(bare):
    error = InvalidInput("bad record", errors=[{"path": "name.id", "message": "required"}])
    with bare.test_request_context("/api/v1/services"):
        body = http.problem(error).get_json(force=True)
    assert body["errors"] == [{"path": "name.id", "message": "required"}]


def _error_page(error):
    return Response(f"<h1>{error.status}</h1>", status=error.status, mimetype="text/html")


@pytest.mark.parametrize(
    ("path", "accept", "expected"),
    [
        ("/layanan/x", "text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("/layanan/x", "application/json", "application/problem+json"),
        ("/layanan/x", "*/*", "application/problem+json"),
        ("/layanan/x", "text/html;q=0.5, application/json", "application/problem+json"),
        ("/api/v1/services/x", "text/html", "application/problem+json"),
    ],
)
def test_a_browser_outside_the_api_gets_the_error_page(bare, path, accept, expected):
    http.register_page(bare, "error", _error_page)
    with bare.test_request_context(path, headers={"Accept": accept}):
        response = http.problem(NotFound("no such service"))
    assert response.status_code == 404
    assert response.mimetype == expected


def test_without_a_registered_error_page_a_browser_gets_problem_json(bare):
    with bare.test_request_context("/layanan/x", headers={"Accept": "text/html"}):
        response = http.problem(NotFound("no such service"))
    assert response.mimetype == "application/problem+json"


def test_pages_are_found_by_the_name_they_were_registered_under(bare):
    with bare.app_context():
        assert http.page("service") is None
    http.register_page(bare, "service", _error_page)
    with bare.app_context():
        assert http.page("service") is _error_page
        assert http.page("error") is None


def test_registry_is_the_apps_own(app):
    with app.app_context():
        assert http.registry() is app.extensions["simpul"]
