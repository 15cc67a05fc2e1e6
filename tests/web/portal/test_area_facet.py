"""The area facet on the portal's search page: the children of the area searched with their
counts (the API's ``area`` facet), links that narrow the same search, the way back up, and the
national services apart; in Indonesian and English, without JavaScript."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from simpul.reference.areas import load_areas
from simpul.registry.indexing import sync

CHILD = re.compile(
    r'<li><a href="([^"]+)">([^<]+)</a> <span class="count">(\d+) (?:layanan|services?)</span>'
)


@pytest.fixture
def spread(publisher, agencies):
    """Beside the two regency services: a national one, a provincial one (in every regency of
    Gorontalo) and one in two districts of Kota Gorontalo (once in the city)."""
    publisher.org("kemendagri", level="pusat")
    publisher.org("pemprov-gorontalo", level="provinsi", area="75")
    city = agencies["tokens"]["disdukcapil-kota-gorontalo"]
    for org, token, identifier, areas in (
        ("kemendagri", publisher.token("kemendagri"), "ktp-nasional", ["00"]),
        ("pemprov-gorontalo", publisher.token("pemprov-gorontalo"), "izin-provinsi", ["75"]),
        ("disdukcapil-kota-gorontalo", city, "kk-dua-kecamatan", ["75.71.01", "75.71.02"]),
    ):
        record = {
            "identifier": identifier,
            "name": {"id": f"Layanan {identifier}"},
            "sectors": ["kependudukan"],
            "areas": areas,
        }
        assert publisher.publish(token, record).status_code == 201, org
    sync(publisher.registry, publisher.registry.search)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def children(page: str) -> dict[str, tuple[int, str]]:
    """The facet's links on a page: area name -> (count, href)."""
    section = page.split('id="by-area-title"', 1)[1].split("</section>", 1)[0]
    return {
        htmllib.unescape(name): (int(count), htmllib.unescape(href))
        for href, name, count in CHILD.findall(section)
    }


def api_facet(client, query: str) -> tuple[dict[str, int], int]:
    body = client.get(f"/api/v1/search?size=0&{query}").get_json()
    areas = load_areas()
    counts = {areas.get(b["value"]).name: b["count"] for b in body["facets"]["area"]}
    return counts, sum(b["count"] for b in body["facets"]["national"])


def args(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@pytest.mark.parametrize(
    "query", ["", "sector=kependudukan", "area=75", "a1=75&a2=75.71", "q=akta&area=75"]
)
def test_counts_are_the_api_facet_and_national_services_stand_apart(client, spread, query):
    page = page_of(client, f"/search?{query}")
    counts, national = api_facet(client, query.replace("a1=75&a2=75.71", "area=75.71"))
    assert counts  # every query here reaches some child area
    assert {name: count for name, (count, _) in children(page).items()} == counts
    assert f"Layanan nasional: {national}</p>" in page


def test_nation_lists_provinces_and_the_national_service_apart(client, spread):
    page = page_of(client, "/search")
    found = children(page)
    # 2 regency services, the provincial one, the one in two districts: 4 in the province;
    # the national service is in none of them, but counted apart
    assert found["Gorontalo"][0] == 4
    assert "Layanan nasional: 1" in page
    assert '<span aria-current="location">Seluruh Indonesia</span>' in page


def test_a_link_narrows_the_same_search_and_the_trail_leads_back(client, spread):
    start = page_of(client, "/search?q=layanan&sector=kependudukan&a1=75")
    count, href = children(start)["Kota Gorontalo"]
    assert args(href) == {"q": ["layanan"], "sector": ["kependudukan"], "area": ["75.71"]}
    city = page_of(client, href)
    found = re.search(r"(\d+) layanan ditemukan", city)
    assert int(found.group(1)) == count + 1  # the child's count and the national service
    assert "Kota Gorontalo, Gorontalo" in city  # the results heading names the area
    districts = children(city)
    # kk-dua-kecamatan counts once in each of its two districts, and in neither other one
    assert (
        districts["Kota Barat"][0] == districts["Kota Selatan"][0] == districts["Kota Utara"][0] + 1
    )
    trail = city.split('class="crumbs"', 1)[1].split("</ol>", 1)[0]
    links = [htmllib.unescape(h) for h in re.findall(r'<a href="([^"]+)">', trail)]
    assert [args(h).get("area") for h in links] == [None, ["75"]]  # nation, then the province
    assert all(args(h)["sector"] == ["kependudukan"] and "a1" not in args(h) for h in links)
    assert '<span aria-current="location">Kota Gorontalo</span>' in trail


def test_english_and_the_deepest_level(client, spread):
    page = page_of(client, "/search?area=75.71.01.1001&lang=en")
    assert "Services by area" in page and "National services: 1" in page
    assert 'class="area-counts"' not in page  # a village has no children
