"""The portal's pages of service types: the national list with its filters, and a type's page
with the comparison of its instances (charts with text beside them, no script), narrowed to an
area, in Indonesian and English."""

from __future__ import annotations

import re

import pytest

from simpul.registry import types
from simpul.registry.auth import SYSTEM
from tests.registry.test_comparison import publish_cities
from tests.web.portal.test_citizen import html


@pytest.fixture
def cities(registry, publisher):
    return publish_cities(registry, publisher)


@pytest.fixture
def national(registry, cities):
    """The shipped national list beside the test's own birth-certificate type."""
    with registry.db.transaction() as session:
        listed = [t for t in types.national_list() if t["id"] != "akta-kelahiran"]
        types.load_types(session, listed, SYSTEM, base_uri=registry.base_uri, provenance={})
    return cities


def test_the_list_shows_kind_levels_and_instances(client, national):
    page = html(client.get("/types"))
    assert 'href="/types/akta-kelahiran"' in page and 'href="/types/ktp-el"' in page
    row = re.search(r'<tr>\s*<td><a href="/types/akta-kelahiran">.*?</tr>', page, re.S).group(0)
    assert "Pencatatan" in row and "Pemerintah Kabupaten/Kota" in row
    assert re.search(r"<td>6</td>\s*</tr>", row)  # six instances
    assert 'href="/types"' in page  # in the site's navigation


def test_the_list_filters_by_kind_sector_and_level(client, national):
    village = html(client.get("/types?level=desa"))
    assert 'href="/types/akta-kelahiran"' not in village
    assert '<option value="desa" selected>' in village
    health = html(client.get("/types?sector=kesehatan&kind=permohonan"))
    assert 'href="/types/ktp-el"' not in health
    assert html(client.get("/types?kind=nonsense")).count("<tr>") > 80  # ignored, not an error


def test_the_type_page_compares_its_instances(client, cities):
    page = html(client.get("/types/akta-kelahiran"))
    assert "Penerbitan Akta Kelahiran" in page and "UU 24/2013" in page
    assert "6 layanan dengan jenis ini" in page
    # the slow city stands out, named, linking to its record
    assert "Tercepat: 1 hari (Disdukcapil Kota Gorontalo)" in page
    assert "Terlama: 14 hari (Disdukcapil Makassar)" in page
    assert f'href="/services/{cities["disdukcapil-makassar"]}"' in page
    assert "1 layanan menonjol" in page
    # requirements: most ask, one asks
    assert "Fotokopi Kartu Keluarga <strong>(paling banyak diminta)</strong>" in page
    assert re.search(r"Surat pengantar RT: hanya diminta oleh\s*<a", page)
    # every chart is an image with a text equivalent, and the page runs no script
    for chart in re.findall(r"<svg[^>]*role=\"img\"[^>]*>", page):
        label = re.search(r'aria-labelledby="([^"]+)"', chart).group(1)
        assert f'id="{label}"' in page
    assert "<script" not in page and "http://" not in page.replace("http://simpul.test", "")


def test_an_area_narrows_the_comparison(client, cities):
    page = html(client.get("/types/akta-kelahiran?a1=75"))
    assert "5 layanan dengan jenis ini" in page and "Gorontalo" in page
    assert "Disdukcapil Makassar" not in page
    empty = html(client.get("/types/akta-kelahiran?area=75.71.01"))
    assert "Belum ada layanan dengan jenis ini di wilayah ini." in empty
    typed = html(client.get("/types/akta-kelahiran?area_q=Makassar"))
    assert "1 layanan dengan jenis ini" in typed


def test_the_type_page_in_english(client, cities):
    page = html(client.get("/types/akta-kelahiran?lang=en"))
    assert "Comparison across regions" in page and "Birth certificate" in page
    assert "Slowest: 14 days" in page


def test_an_unknown_type_is_a_not_found_page(client):
    response = client.get("/types/no-such-type", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "no-such-type" in html(response)


def test_a_browser_gets_the_page_at_the_type_uri(client, cities):
    response = client.get(
        "/types/akta-kelahiran", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200 and "Vary" in response.headers
