"""Input that used to crash the server answers a 4xx naming what is wrong: JSON or RDF nested
too deeply for a parser, and integers larger than a database column holds, in every route."""

from __future__ import annotations

import pytest

from simpul.nesting import MAX_DEPTH, check_depth
from simpul.web.guards import MAX_PATH_INTEGER

PROBLEM = "application/problem+json"
HUGE = "9" * 25  # beyond 64 bits


def deep_jsonld(levels: int) -> bytes:
    return (
        '{"@id": "http://x.example/a", "http://x.example/p": ' * levels + '"v"' + "}" * levels
    ).encode()


def deep_list(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def assert_problem(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == PROBLEM
    body = response.get_json()
    for word in words:
        assert word in body["detail"], body
    return body


def test_check_depth_counts_levels_without_recursing():
    check_depth(orjson_loads(deep_list(MAX_DEPTH)))
    check_depth("a string") or check_depth(7)
    with pytest.raises(Exception, match="nested more than 64 levels"):
        check_depth(orjson_loads(deep_list(MAX_DEPTH + 1)))


def orjson_loads(raw: bytes):
    import orjson

    return orjson.loads(raw)


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 500, 1000])
def test_deep_jsonld_to_validate_is_a_400(client, levels):
    response = client.post(
        "/api/v1/validate", data=deep_jsonld(levels), content_type="application/ld+json"
    )
    assert_problem(response, 400, "nested")
    deeper = client.post(
        "/api/v1/validate", data=deep_list(100_000), content_type="application/ld+json"
    )
    assert_problem(deeper, 400, "depth limit exceeded")  # orjson's own limit names it


@pytest.mark.parametrize("opening", ["[ <http://x.example/p> ", "( "])
def test_deep_turtle_to_validate_is_a_400(client, opening):
    closing = " ]" if opening.startswith("[") else " )"
    body = (
        "<http://x.example/a> <http://x.example/p> "
        + opening * 3000
        + '"v"'
        + closing * 3000
        + " ."
    )
    response = client.post("/api/v1/validate", data=body, content_type="text/turtle")
    assert_problem(response, 400, "nested too deeply")


def test_deep_json_bodies_are_a_400_everywhere(client, publisher):
    token = publisher.token(publisher.org("disdukcapil-kota-gorontalo"))
    headers = publisher.auth(token)
    for levels in (MAX_DEPTH + 1, 1000):
        body = b'{"identifier": "x", "name": ' + deep_list(levels) + b"}"
        for method, url in [
            ("post", "/api/v1/services"),
            ("post", "/api/v1/validate"),
            ("post", "/api/v1/organizations/disdukcapil-kota-gorontalo/tokens"),  # webargs
        ]:
            response = getattr(client, method)(
                url, data=body, content_type="application/json", headers=headers
            )
            assert_problem(response, 400, "nested")
    assert client.get("/api/v1/services").get_json()["total"] == 0


@pytest.mark.parametrize("number", [HUGE, str(2**63), str(MAX_PATH_INTEGER + 1)])
def test_version_numbers_beyond_a_column_are_a_404_naming_the_range(client, publisher, number):
    created = publisher.publish_one()
    response = client.get(f"/api/v1/services/{created['id']}/versions/{number}")
    assert_problem(response, 404, "out of range", str(MAX_PATH_INTEGER))
    largest = client.get(f"/api/v1/services/{created['id']}/versions/{MAX_PATH_INTEGER}")
    assert_problem(largest, 404)  # in range: simply no such version


def _integer_parameters(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "delete"):
                continue
            for param in item.get("parameters", []) + operation.get("parameters", []):
                if param.get("schema", {}).get("type") == "integer":
                    yield path, method, param


def test_every_integer_parameter_is_bounded(client):
    found = list(_integer_parameters(client))
    assert {p["name"] for _, _, p in found} >= {"page", "size", "number", "limit"}
    for path, _method, param in found:
        assert param["schema"].get("maximum", 2**63) <= MAX_PATH_INTEGER, (path, param)


def test_every_integer_parameter_refuses_huge_numbers(client):
    for path, method, param in _integer_parameters(client):
        for value in (HUGE, str(2**63), "²", "1" * 5000):
            url = path.replace("{" + param["name"] + "}", value)
            url = url.replace("{", "").replace("}", "")  # other path parts: some name
            query = {param["name"]: value} if param["in"] == "query" else None
            response = getattr(client, method)(url, query_string=query)
            assert 400 <= response.status_code < 500, (url, param["name"], value)
            assert response.mimetype == PROBLEM, (url, response.mimetype)


@pytest.mark.parametrize("value", [HUGE, "²", "1" * 5000, "-1", "x"])
def test_portal_numbers_never_crash(client, publisher, value):
    created = publisher.publish_one()
    assert client.get(f"/search?page={value}").status_code == 200
    assert client.get(f"/audit/sources?page={value}").status_code == 200
    history = client.get(
        f"/services/{created['id']}/history?from={value}", headers={"Accept": "text/html"}
    )
    assert history.status_code == 422
    assert "choose a version from 1 to 1" in history.get_data(as_text=True)
