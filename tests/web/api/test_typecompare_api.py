"""GET /api/v1/types/{id}/comparison: the comparison as JSON, narrowed by area and paged, and a
problem naming what is wrong for an unknown type, area or parameter."""

from __future__ import annotations

import pytest

from simpul.web.api.problems import PROBLEM
from tests.registry.test_comparison import publish_cities

URL = "/api/v1/types/akta-kelahiran/comparison"


@pytest.fixture
def cities(registry, publisher):
    return publish_cities(registry, publisher)


def test_the_comparison_names_the_slow_city(client, cities):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.get_json()
    assert body["type"]["id"] == "akta-kelahiran" and body["area"] is None
    assert body["count"] == 6
    slow = body["processing_time"]["outliers"][0]
    assert (slow["authority"], slow["value"]) == ("disdukcapil-makassar", 14)
    assert slow["uri"].endswith(f"/services/{cities['disdukcapil-makassar']}")
    assert body["requirements"]["single"][0]["asked_by"]["authority"] == "disdukcapil-pohuwato"


def test_an_area_and_a_page_narrow_it(client, cities):
    body = client.get(URL, query_string={"area": "75", "size": 2, "page": 3}).get_json()
    assert body["count"] == 5 and body["area"]["code"] == "75"
    assert body["instances"]["total"] == 5 and len(body["instances"]["items"]) == 1


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/types/no-such-type/comparison", 404, None),
        (f"{URL}?area=99.99", 422, "area"),
        (f"{URL}?area=gorontalo", 422, "area"),
        (f"{URL}?size=0", 422, "size"),
        (f"{URL}?sort=name", 422, "sort"),
    ],
)
def test_bad_requests_are_problems_naming_the_field(client, cities, url, status, field):
    response = client.get(url)
    assert response.status_code == status
    assert response.content_type == PROBLEM
    if field:
        assert response.get_json()["errors"][0]["path"] == field


def test_the_operation_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/types/{type_id}/comparison"]["get"]
    assert {"200", "404", "422"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {
        "area",
        "page",
        "size",
    }
