"""The citizen pages over the test client: search with facets and the area picker without
JavaScript, service pages with schema.org JSON-LD, organization pages, languages and weight."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from simpul.registry.indexing import sync
from tests.conftest import service_record

PAGE_BUDGET = 150 * 1024  # bytes of HTML, CSS and JS per page, before images


def html(response) -> str:
    assert response.content_type.startswith("text/html"), response.content_type
    return response.get_data(as_text=True)


def test_home_lists_sectors_and_life_events(client, agencies):
    page = html(client.get("/"))
    assert 'lang="id"' in page
    assert "Temukan layanan publik" in page
    assert 'href="/search?life_event=kelahiran"' in page
    assert 'href="/search?sector=kesehatan"' in page
    assert "2 layanan" in page


def test_search_highlights_stemmed_matches_and_shows_facets(client, agencies):
    page = html(client.get("/search?q=kelahiran"))
    assert "1 layanan ditemukan" in page
    assert "Penerbitan Akta <mark>Kelahiran</mark>" in page
    assert f'href="/services/{agencies["akta"]["id"]}"' in page
    # facets are checkboxes a form submits: no JavaScript needed
    assert 'name="sector" value="kependudukan"' in page
    assert 'name="life_event" value="kelahiran"' in page


def test_facet_filters_narrow_the_results(client, agencies):
    both = html(client.get("/search"))
    assert "2 layanan ditemukan" in both
    health = html(client.get("/search?sector=kesehatan"))
    assert "1 layanan ditemukan" in health
    assert "Surat Keterangan Sehat" in health and "Akta Kelahiran" not in health
    assert re.search(r'value="kesehatan" checked', health)
    unknown = html(client.get("/search?sector=nonsense&level=mars"))
    assert "2 layanan ditemukan" in unknown  # unknown codes are dropped, not an error page


def test_area_picker_narrows_province_regency_without_javascript(client, agencies):
    province = html(client.get("/search?a1=75"))
    assert '<option value="75" selected>Gorontalo</option>' in province
    assert 'id="a2"' in province and "Kota Gorontalo" in province
    city = html(client.get("/search?a1=75&a2=75.71"))
    assert "1 layanan ditemukan" in city and "Akta Kelahiran" in city
    assert 'id="a3"' in city  # districts of the city are offered next
    village = html(client.get("/search?a1=75&a2=75.71&a3=75.71.01&a4=75.71.01.1001"))
    assert "1 layanan ditemukan" in village
    # a regency that is not in the chosen province is ignored, not trusted
    stale = html(client.get("/search?a1=75&a2=11.01"))
    assert "2 layanan ditemukan" in stale


def test_area_typed_by_name_resolves_to_the_best_match(client, agencies):
    page = html(client.get("/search?area_q=boalemo"))
    assert "1 layanan ditemukan" in page and "Surat Keterangan Sehat" in page
    assert '<option value="75.02" selected>' in page
    missing = html(client.get("/search?area_q=atlantis"))
    assert "Tidak ada wilayah bernama “atlantis”." in missing


def test_area_type_ahead_api(client):
    body = client.get("/api/v1/areas?q=gorontalo&size=3").get_json()
    assert [a["code"] for a in body["items"]] == ["75", "75.71", "75.01"]
    assert body["items"][1]["path"] == "Kota Gorontalo, Gorontalo"
    inside = client.get("/api/v1/areas?q=dulomo&within=75.71").get_json()["items"]
    assert {a["code"] for a in inside} == {"75.71.03.1010", "75.71.03.1014"}
    assert client.get("/api/v1/areas?q=x&within=99").status_code == 404
    assert client.get("/api/v1/areas").get_json()["code"] == "00"


def test_paging_links_keep_the_query(client, publisher, agencies):
    token = agencies["tokens"]["dinkes-boalemo"]
    for n in range(25):
        record = {"identifier": f"klinik-{n}", "name": {"id": f"Layanan Klinik {n}"}}
        assert publisher.publish(token, record).status_code == 201
    sync(publisher.registry, publisher.registry.search)
    first = html(client.get("/search?q=klinik"))
    assert "25 layanan ditemukan" in first
    assert 'href="/search?q=klinik&amp;page=2" rel="next"' in first
    second = html(client.get("/search?q=klinik&page=2"))
    assert second.count('<li>\n        <h3><a href="/services/') == 5
    assert 'aria-current="page">2<' in second


def test_service_page_lays_out_the_standard_and_embeds_schema_org(client, agencies):
    service = agencies["akta"]
    page = html(client.get(f"/services/{service['id']}", headers={"Accept": "text/html"}))
    for heading in (
        "Persyaratan",
        "Sistem, mekanisme dan prosedur",
        "Jangka waktu penyelesaian",
        "Biaya/tarif",
        "Produk pelayanan",
        "Penanganan pengaduan, saran dan masukan",
        "Dasar hukum",
        "Sarana, prasarana dan/atau fasilitas",
        "Kompetensi pelaksana",
        "Pengawasan internal",
        "Jumlah pelaksana",
        "Jaminan pelayanan",
        "Jaminan keamanan dan keselamatan pelayanan",
        "Evaluasi kinerja pelaksana",
    ):
        assert heading in page, heading
    assert '<ul class="checklist"><li>Fotokopi Kartu Keluarga</li></ul>' in page
    assert '<ol class="steps"><li>Pemohon mengisi formulir</li></ol>' in page
    assert "1 hari" in page and "Gratis" in page
    assert 'class="button" href="https://dukcapil.gorontalokota.go.id"' in page  # apply online
    assert "100% dari 14 komponen" in page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "GovernmentService"
    assert data["@id"] == service["uri"]
    assert data["provider"]["name"] == "Disdukcapil Kota Gorontalo"
    assert data["areaServed"][0]["name"] == "Kota Gorontalo"
    assert data["offers"]["price"] == 0
    assert {c["@type"] for c in data["availableChannel"]} == {"ServiceChannel"}
    for ext in ("ttl", "jsonld", "rdf", "nt"):
        assert f"/services/{service['id']}?format={ext}" in page


def test_format_links_give_rdf(client, agencies):
    service_id = agencies["akta"]["id"]
    turtle = client.get(f"/services/{service_id}?format=ttl")
    assert turtle.content_type.startswith("text/turtle")
    assert "cpsv:PublicService" in turtle.get_data(as_text=True)
    assert client.get(f"/services/{service_id}?format=json").get_json()["id"] == service_id
    assert client.get(f"/services/{service_id}?format=docx").status_code == 404


def test_a_sparse_service_says_what_is_not_stated(client, agencies):
    body = client.get("/api/v1/services?authority=dinkes-boalemo").get_json()
    page = html(client.get(f"/services/{body['items'][0]['id']}"))
    assert "Instansi belum menerbitkan persyaratannya." in page
    assert "tidak disebutkan" in page
    assert "SP4N-LAPOR!" in page  # every citizen can complain somewhere


def test_withdrawn_and_unknown_services_get_html_error_pages(client, publisher, agencies):
    token = agencies["tokens"]["disdukcapil-kota-gorontalo"]
    service_id = agencies["akta"]["id"]
    assert (
        client.delete(f"/api/v1/services/{service_id}", headers=publisher.auth(token)).status_code
        == 200
    )
    gone = client.get(f"/services/{service_id}", headers={"Accept": "text/html"})
    assert gone.status_code == 410 and "Layanan ini telah ditarik" in html(gone)
    missing = client.get("/services/nope", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "Halaman tidak ditemukan" in html(missing)
    # the API still answers problem+json at the same URI
    api = client.get("/services/nope", headers={"Accept": "application/json"})
    assert api.content_type == "application/problem+json"


def test_organization_page_shows_services_children_and_completeness(client, publisher, agencies):
    publisher.org("kota-gorontalo", area="75.71")
    with publisher.registry.db.transaction() as session:
        from simpul.registry.organizations import update_organization

        update_organization(
            session,
            "disdukcapil-kota-gorontalo",
            {
                "id": "disdukcapil-kota-gorontalo",
                "name": {"id": "Disdukcapil Kota Gorontalo"},
                "level": "kabkota",
                "area": "75.71",
                "parent": "kota-gorontalo",
            },
        )
    page = html(client.get("/organizations/disdukcapil-kota-gorontalo"))
    assert "Penerbitan Akta Kelahiran" in page
    assert "Kota Gorontalo (75.71)" in page
    assert "1 / 1" in page  # services with all 14 components
    assert 'href="/organizations/kota-gorontalo"' in page  # breadcrumb up
    parent = html(client.get("/organizations/kota-gorontalo"))
    assert 'href="/organizations/disdukcapil-kota-gorontalo"' in parent  # children
    assert client.get("/organizations/nope").status_code == 404


def test_organization_index_by_level_and_province(client, publisher, agencies):
    publisher.org("dinkes-aceh-besar", area="11.06")
    page = html(client.get("/organizations?level=kabkota"))
    assert "3 instansi" in page and "Dinkes Boalemo" in page
    gorontalo = html(client.get("/organizations?level=kabkota&area=75"))
    assert "2 instansi" in gorontalo and "Dinkes Aceh Besar" not in gorontalo
    assert '<option value="75" selected>Gorontalo</option>' in gorontalo
    assert "3 instansi" in html(client.get("/organizations?level=kabkota&area=nonsense"))
    assert "0 instansi" in html(client.get("/organizations?level=mars"))  # central: none here


def test_english_switch_is_remembered(client, agencies):
    english = client.get("/search?q=akta&lang=en")
    page = html(english)
    assert 'lang="en"' in page and "1 service found" in page
    assert "simpul_lang=en" in english.headers["Set-Cookie"]
    later = html(client.get(f"/services/{agencies['akta']['id']}"))
    assert "Requirements" in later and "Birth Certificate Issuance" in later
    assert "Processing time" in later and "1 day" in later
    back = html(client.get("/?lang=id"))
    assert 'lang="id"' in back and "Temukan layanan publik" in back
    # the switch links keep the page and drop only the old language
    assert 'href="/?lang=en"' in back


ASSET_TYPES = {"stylesheet": "text/css", "script": "text/javascript"}


def _assets(client, page: str) -> int:
    """The bytes of the stylesheets and scripts ``page`` loads, each fetched and checked."""
    found = [
        ("stylesheet", href) for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    ]
    found += [("script", src) for src in re.findall(r'<script[^>]* src="([^"]+)"', page)]
    assert "stylesheet" in {kind for kind, _ in found}, found
    total = 0
    for kind, url in found:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content_type.startswith(ASSET_TYPES[kind]), (url, response.content_type)
        assert response.data, url
        total += len(response.data)
    return total


def test_every_page_stays_under_the_weight_budget(client, agencies):
    service_id = agencies["akta"]["id"]
    for url in (
        "/",
        "/search?q=akta",
        "/search?a1=75&a2=75.71&a3=75.71.01",
        f"/services/{service_id}",
        "/organizations/disdukcapil-kota-gorontalo",
        "/audit",
        f"/services/{service_id}/history",
        "/laporan",
        "/laporan?area=75",
        "/laporan?area=95.06.03",  # the district with the most villages (108)
    ):
        response = client.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 200, url
        size = len(response.data) + _assets(client, html(response))
        assert size < PAGE_BUDGET, (url, size)


def test_pages_load_nothing_from_other_hosts(client, agencies):
    for url in ("/", "/search?q=akta", f"/services/{agencies['akta']['id']}", "/laporan"):
        page = html(client.get(url, headers={"Accept": "text/html"}))
        loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page)
        assert any(attr.endswith("portal.css") for attr in loaded), (url, loaded)
        for attr in loaded:
            assert attr.startswith("/"), (url, attr)


def test_english_names_are_found_and_shown(client, publisher, agencies):
    token = agencies["tokens"]["disdukcapil-kota-gorontalo"]
    record = service_record("kk", name={"id": "Penerbitan Kartu Keluarga", "en": "Family Card"})
    assert publisher.publish(token, record).status_code == 201
    sync(publisher.registry, publisher.registry.search)
    page = html(client.get("/search?q=family+card&lang=en"))
    assert "<mark>Family</mark> <mark>Card</mark>" in page


def test_portal_pages_carry_a_strict_content_security_policy(client, agencies):
    pages = ("/", f"/services/{agencies['akta']['id']}", "/publish/sign-in", "/audit", "/laporan")
    for url in pages:
        headers = client.get(url, headers={"Accept": "text/html"}).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"], url
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
    docs = client.get("/api/v1/docs").headers["Content-Security-Policy"]  # Swagger UI's own
    assert "'sha256-" in docs and "unsafe-inline" not in docs


def test_results_sort_by_name_or_newest(client, publisher, agencies, monkeypatch):
    from simpul.registry import db

    # the embedded index keeps modification times to the second: publish a minute later
    later = db.utcnow() + timedelta(minutes=1)
    monkeypatch.setattr(db, "clock", lambda: later)
    token = agencies["tokens"]["dinkes-boalemo"]
    record = {"identifier": "zz", "name": {"id": "Akta Zebra"}}
    published = publisher.publish(token, record)
    assert published.status_code == 201
    assert published.get_json()["modified"] == later.isoformat()
    sync(publisher.registry, publisher.registry.search)

    def names(url: str) -> list[str]:
        return re.findall(r'<h3><a href="/services/[^"]+">(.*?)</a></h3>', html(client.get(url)))

    by_name = names("/search?sort=name")
    assert by_name == sorted(by_name, key=str.lower)
    assert names("/search?sort=-modified")[0] == "Akta Zebra"
    page = html(client.get("/search?q=akta"))
    assert 'aria-current="true">paling sesuai<' in page
    assert 'href="/search?q=akta&amp;sort=-modified"' in page
    assert "paling sesuai" not in html(client.get("/search"))  # nothing to match without words
    assert "Akta" in html(client.get("/search?sort=bogus"))  # an unknown order is ignored


def test_organization_page_links_to_a_search_of_its_services(client, agencies):
    page = html(client.get("/organizations/dinkes-boalemo"))
    assert 'href="/search?authority=dinkes-boalemo"' in page
    found = html(client.get("/search?authority=dinkes-boalemo"))
    assert "1 layanan ditemukan" in found


def test_the_organization_uri_answers_rdf_and_json_too(client, agencies):
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    turtle = client.get("/organizations/dinkes-boalemo", headers={"Accept": "text/turtle"})
    assert turtle.content_type.startswith("text/turtle")
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    uri = URIRef("http://simpul.test/organizations/dinkes-boalemo")
    assert (uri, RDF.type, URIRef("http://data.europa.eu/m8g/PublicOrganisation")) in graph
    as_json = client.get("/organizations/dinkes-boalemo?format=json").get_json()
    assert as_json["id"] == "dinkes-boalemo" and as_json["level"] == "kabkota"
    jsonld = client.get("/organizations/dinkes-boalemo?format=jsonld")
    assert jsonld.content_type.startswith("application/ld+json")
    assert client.get("/organizations/nope", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/organizations/dinkes-boalemo?format=docx").status_code == 404


def test_browsers_get_error_pages_and_clients_problem_json(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    client = app.test_client()
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    missing = client.get("/no/such/page", headers=browser)
    assert missing.status_code == 404
    assert "Halaman tidak ditemukan" in missing.get_data(as_text=True)
    assert client.get("/no/such/page").content_type == "application/problem+json"
    assert client.get("/api/v1/nope", headers=browser).content_type == "application/problem+json"
    crashed = client.get("/boom", headers=browser)
    assert crashed.status_code == 500
    page = crashed.get_data(as_text=True)
    assert "Terjadi kesalahan" in page and "kaboom" not in page


def test_a_record_as_it_exists_is_shown_found_and_listed(client, publisher, agencies):
    """A Norwegian-only name of 620 characters and an online channel without its address: the
    service page shows the whole name, lists and titles a shortened one, search finds it."""
    token = agencies["tokens"]["dinkes-boalemo"]
    name = "Søknad om tillatelse til tiltak etter plan- og bygningsloven " * 10
    record = {
        "identifier": "byggesoknad",
        "name": {"nb": name},
        "channels": [{"type": "online", "name": {"id": "Aplikasi Mobile JKN"}}],
    }
    created = publisher.publish(token, record)
    assert created.status_code == 201, created.get_json()
    sid = created.get_json()["id"]
    sync(publisher.registry, publisher.registry.search)
    page = html(client.get(f"/services/{sid}", headers={"Accept": "text/html"}))
    assert f'<h1 id="service-title">{name.strip()}</h1>' in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Søknad om tillatelse" in title and len(title) < 300 and "…" in title
    assert "Aplikasi Mobile JKN" in page and "Ajukan secara daring" not in page  # no URL
    schema = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    assert schema["name"] == name.strip()
    found = html(client.get("/search?q=tiltak"))
    assert f'href="/services/{sid}"' in found
    hit = re.search(rf'href="/services/{sid}">(.*?)</a>', found, re.S).group(1)
    assert hit.startswith("Søknad om") and "<mark>" in hit
    assert len(re.sub("<[^>]+>", "", hit)) <= 160
    organization = html(client.get("/organizations/dinkes-boalemo"))
    assert "Søknad om tillatelse" in organization


@pytest.fixture
def demo_portal(registry):
    from simpul.demo import load_demo

    load_demo(registry)
    sync(registry, registry.search)
    return registry


def test_search_groups_by_type_until_an_area_is_chosen(client, demo_portal):
    grouped = client.get("/search?q=akta+kelahiran").get_data(as_text=True)
    assert grouped.count('href="/types/akta-kelahiran"') == 1  # one hit for the type
    assert "daerah lain juga menyediakannya" in grouped  # "and N other regions offer it"
    assert "type=akta-kelahiran" in grouped  # the search narrowed to the type
    local = client.get("/search?q=akta+kelahiran&area=75.03").get_data(as_text=True)
    assert 'href="/types/akta-kelahiran"' not in local
    assert "Bone Bolango" in local
    every = client.get("/search?q=akta+kelahiran&group=none").get_data(as_text=True)
    assert 'href="/types/' not in every
    narrowed = client.get("/search?q=akta+kelahiran&type=akta-kelahiran").get_data(as_text=True)
    assert 'href="/types/' not in narrowed  # one type chosen: its services, each
    assert "Jenis layanan" in narrowed  # the type facet
    english = client.get("/search?q=akta+kelahiran&lang=en").get_data(as_text=True)
    assert "other regions offer it" in english and "About this service type" in english
