"""End to end in Debian's Chromium, driven by Playwright, against `simpul serve` on the demo
federation: search, suggestions, facets, the area picker, a service page, the language switch,
publisher sign-in, an edit with a validation error and the history diff. Every page is checked
with axe-core (no violation of any impact), at desktop width and at 360 px.

``SIMPUL_SCREENSHOTS=docs/screenshots`` (``make screenshots``) saves the main pages as PNG."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import need_service
from tests.services.serve import serve

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("SIMPUL_CHROMIUM", "/usr/bin/chromium")
# Chromium as root in a sandboxless container, with no calls home (the network is closed)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = os.environ.get("SIMPUL_SCREENSHOTS")


@pytest.fixture(scope="module")
def portal(tmp_path_factory, sqlite_template):
    """`simpul serve` on the demo federation, with a publisher token for Disdukcapil of
    Kota Gorontalo; the search index is drained before the first test."""
    folder = tmp_path_factory.mktemp("portal")
    shutil.copy(sqlite_template, folder / "simpul.db")
    env = {**os.environ, "SIMPUL_DATA_DIR": str(folder), "SIMPUL_SEARCH_SYNC_MS": "100"}
    env["SIMPUL_DATABASE_URL"] = f"sqlite:///{folder / 'simpul.db'}"
    cli = [sys.executable, "-m", "simpul.cli"]
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True, timeout=300)
    made = subprocess.run(
        [*cli, "tokens", "create", "--org", "disdukcapil-kota-gorontalo"],
        env=env, check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    coordinator = subprocess.run(
        [*cli, "tokens", "create", "--org", "pemprov-gorontalo", "--role", "coordinator"],
        env=env, check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    server = serve(env, "--no-harvest")
    try:
        base = server.base
        deadline = 200
        while requests.get(f"{base}/api/v1/search?size=0", timeout=5).json()["total"] < 170:
            deadline -= 1
            assert deadline, "the search index did not fill"
            __import__("time").sleep(0.3)
        yield {
            "base": base,
            "token": made.stdout.split()[-1],
            "coordinator": coordinator.stdout.split()[-1],
        }
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        need_service(f"Chromium ({CHROMIUM}, Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _tab(browser, portal, **options):
    """A page whose console errors (a script failing, a blocked resource, a breach of the
    content security policy) fail the test."""
    context = browser.new_context(base_url=portal["base"], **options)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    return context, tab, errors


@pytest.fixture
def page(browser, portal):
    context, tab, errors = _tab(browser, portal, viewport={"width": 1280, "height": 900})
    yield tab
    context.close()
    # a wrong token (401) and a refused form (422) answer so on purpose; the browser logs the
    # status of such a page, and nothing else may fail
    assert [e for e in errors if not re.search(r"status of (401|422)\b", e)] == []


@pytest.fixture
def phone(browser, portal):
    viewport = {"width": 360, "height": 740}
    context, tab, errors = _tab(browser, portal, viewport=viewport, is_mobile=True)
    yield tab
    context.close()
    assert errors == []


def accessible(page) -> None:
    """No axe-core violation at all (minor to critical) on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    assert not violations, "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def test_search_with_suggestions_highlights_and_facets(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    shot(page, "home")
    box = page.get_by_role("combobox", name="Cari layanan")
    box.press_sequentially("akta kel", delay=30)
    suggestions = page.get_by_role("listbox", name="Saran")
    suggestions.get_by_role("option").first.wait_for()
    assert "Akta Kelahiran" in suggestions.inner_text()
    box.press("Escape")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=akta"))
    heading = page.locator("#results-title")
    total = int(heading.inner_text().split()[0])
    assert total >= 6
    assert page.locator(".results mark").first.inner_text().lower() in ("akta", "kelahiran")
    accessible(page)
    # a facet applies as soon as it is ticked
    page.get_by_role("checkbox", name=re.compile(r"^Pemerintah Kabupaten.Kota")).check()
    page.wait_for_url(re.compile(r"level=kabkota"))
    narrowed = int(page.locator("#results-title").inner_text().split()[0])
    assert 0 < narrowed < total
    expect(
        page.get_by_role("checkbox", name=re.compile(r"^Pemerintah Kabupaten.Kota"))
    ).to_be_checked()
    shot(page, "search")


def test_area_picker_by_select_and_by_type_ahead(page):
    page.goto("/search?q=akta+kelahiran")
    everywhere = int(page.locator("#results-title").inner_text().split()[0])
    page.get_by_label("Provinsi", exact=True).select_option("75")
    page.wait_for_url(re.compile(r"a1=75"))
    page.get_by_label("Kabupaten atau kota", exact=True).select_option("75.71")
    page.wait_for_url(re.compile(r"a2=75\.71"))
    city = int(page.locator("#results-title").inner_text().split()[0])
    assert 0 < city < everywhere
    assert "Kota Gorontalo" in page.locator("#results-title").inner_text()
    expect(page.get_by_label("Kecamatan", exact=True)).to_be_visible()  # districts come next
    # the area facet: the city's districts with counts, each a link narrowing the search
    facet = page.get_by_role("region", name="Layanan per wilayah")
    national = int(re.search(r"Layanan nasional: (\d+)", facet.inner_text()).group(1))
    district = facet.locator(".area-counts li").first
    count = int(district.locator(".count").inner_text().split()[0])
    name = district.get_by_role("link").inner_text()
    district.get_by_role("link").click()
    page.wait_for_url(re.compile(r"area=75\.71\.\d\d"))
    assert name in page.locator("#results-title").inner_text()
    assert int(page.locator("#results-title").inner_text().split()[0]) == count + national
    accessible(page)
    # type-ahead: any area by name, from anywhere in the tree
    page.goto("/search?q=akta+kelahiran")
    area = page.get_by_role("combobox", name="Atau ketik nama wilayah")
    area.press_sequentially("boalemo", delay=30)
    option = page.get_by_role("option", name=re.compile(r"^Kabupaten Boalemo"))
    option.click()
    page.wait_for_url(re.compile(r"area=75\.02"))
    assert "Kabupaten Boalemo" in page.locator("#results-title").inner_text()
    assert page.get_by_label("Kabupaten atau kota", exact=True).input_value() == "75.02"
    accessible(page)


def test_service_page(page):
    page.goto("/search?q=akta+kelahiran&a1=75&a2=75.71")
    page.locator(".results h3 a").first.click()
    page.wait_for_url(re.compile(r"/services/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Penerbitan Akta Kelahiran"
    apply = page.get_by_role("link", name="Ajukan secara daring")
    assert apply.get_attribute("href").startswith("https://")
    for section in ("Persyaratan", "Sistem, mekanisme dan prosedur", "Dasar hukum"):
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    data = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
    assert data["@type"] == "GovernmentService" and data["name"] == "Penerbitan Akta Kelahiran"
    accessible(page)
    shot(page, "service")


def test_language_switch(page):
    page.goto("/search?q=akta")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Find a service", level=1)).to_be_visible()
    assert "services found" in page.locator("#results-title").inner_text()
    page.locator(".results h3 a").first.click()
    expect(page.get_by_role("heading", name="Requirements")).to_be_visible()  # remembered
    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", name="Persyaratan")).to_be_visible()


def test_keyboard_users_skip_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke isi")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def test_publisher_signs_in_fails_validation_then_saves_and_reads_the_diff(page, portal):
    page.goto("/publish")
    page.wait_for_url(re.compile(r"/publish/sign-in"))
    accessible(page)
    page.get_by_label("Token").fill("spl_wrong_token")
    page.get_by_role("button", name="Masuk").click()
    assert page.get_by_role("alert").inner_text().startswith("Token ini tidak sah")
    page.get_by_label("Token").fill(portal["token"])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/publish$"))
    shot(page, "publisher-dashboard")
    row = page.get_by_role("row", name=re.compile("Penerbitan Akta Kelahiran"))
    row.get_by_role("link", name=re.compile("^Sunting")).click()
    page.wait_for_url(re.compile(r"/edit$"))
    accessible(page)
    page.get_by_label("Jangka waktu penyelesaian").fill("kapan-kapan")
    page.get_by_role("button", name="Simpan", exact=True).click()
    summary = page.get_by_role("alert")
    assert "Layanan tidak disimpan: 1 masalah" in summary.inner_text()
    shot(page, "publisher-validation")
    summary.get_by_role("link", name="Jangka waktu penyelesaian").click()
    field = page.get_by_label("Jangka waktu penyelesaian")
    assert field.evaluate(
        "el => el === document.activeElement || location.hash === '#processing_time'"
    )
    assert field.get_attribute("aria-invalid") == "true"
    accessible(page)
    field.fill("2 hari")
    page.get_by_role("button", name="Simpan", exact=True).click()
    page.wait_for_url(re.compile(r"saved=1"))
    assert page.get_by_role("status").first.inner_text().startswith("Tersimpan.")
    expect(
        page.get_by_role("heading", name="Pemeriksaan terhadap standar pelayanan")
    ).to_be_visible()
    page.get_by_role("link", name="Riwayat").first.click()
    page.wait_for_url(re.compile(r"/history"))
    diff = page.locator("#diff")
    assert "processing_time" in diff.inner_text()
    assert diff.locator("ins").first.inner_text() == "P2D"
    accessible(page)
    shot(page, "history")


def test_a_coordinator_assesses_from_the_roadmap_board(page, portal):
    page.goto("/publish/sign-in")
    page.get_by_label("Token").fill(portal["coordinator"])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/publish$"))
    page.goto("/publish/roadmap/2?area=75.71")
    expect(page.get_by_role("heading", name="Direncanakan")).to_be_visible()
    assert "Menunggu: asesmen terverifikasi" in page.locator("#status-direncanakan").inner_text()
    accessible(page)
    shot(page, "roadmap-board")
    page.locator("#status-direncanakan").get_by_role("link", name="Ases").first.click()
    page.wait_for_url(re.compile(r"/publish/assess/"))
    accessible(page)
    for fieldset in page.locator("fieldset[id^=f-]").all():
        fieldset.get_by_role("radio").nth(3).check()
    page.get_by_role("button", name="Simpan asesmen").click()
    summary = page.get_by_role("alert")
    assert "Asesmen tidak disimpan" in summary.inner_text()  # level 3 needs evidence
    accessible(page)
    for fieldset in page.locator("fieldset[id^=f-]").all():
        fieldset.get_by_label("Bukti", exact=True).fill("Berita acara verifikasi lapangan")
    page.get_by_role("button", name="Simpan asesmen").click()
    page.wait_for_url(re.compile(r"/publish/assessments/\d+"))
    assert "Diverifikasi oleh koordinator" in page.locator("main").inner_text()
    accessible(page)
    shot(page, "assessment")


def test_an_agency_declares_a_type_not_offered(page, portal):
    page.goto("/publish/sign-in")
    page.get_by_label("Token").fill(portal["token"])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/publish$"))
    page.locator("#content").get_by_role("link", name="Jenis layanan").click()
    page.wait_for_url(re.compile(r"/publish/types"))
    accessible(page)
    declare = page.get_by_role("link", name=re.compile("^Nyatakan tidak tersedia")).first
    declare.click()
    page.wait_for_url(re.compile(r"/declare"))
    accessible(page)
    page.get_by_role("button", name="Simpan pernyataan").click()
    assert "Pernyataan tidak disimpan" in page.get_by_role("alert").inner_text()
    accessible(page)
    page.get_by_label("Alasan (bahasa Indonesia)").fill("dilayani kecamatan")
    page.get_by_role("button", name="Simpan pernyataan").click()
    page.wait_for_url(re.compile(r"/publish/types\?org="))
    expect(page.get_by_text("dilayani kecamatan")).to_be_visible()
    shot(page, "publisher-types")


@pytest.mark.parametrize(
    "path",
    [
        "/audit/organizations/disdukcapil-kota-gorontalo",
        "/audit/sources",
        "/organizations",
        "/",
        "/search?q=akta+kelahiran&a1=75",
        "/organizations/disdukcapil-kota-gorontalo",
        "/audit",
        "/laporan?area=75",
    ],
)
def test_usable_at_360_pixels(phone, path):
    phone.goto(path)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path} scrolls sideways ({width}px)"
    accessible(phone)
    if path.startswith("/search"):
        shot(phone, "search-360px")


def test_service_page_at_360_pixels(phone):
    phone.goto("/search?q=akta+kelahiran")
    href = phone.locator(".results h3 a").first.get_attribute("href")
    phone.goto(href)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "service-360px")


def test_editor_at_360_pixels(phone, portal):
    phone.goto("/publish/sign-in")
    phone.get_by_label("Token").fill(portal["token"])
    phone.get_by_role("button", name="Masuk").click()
    phone.wait_for_url(re.compile(r"/publish$"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.goto("/publish/services/new")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    accessible(phone)
    shot(phone, "editor-360px")


def test_the_basics_work_without_javascript(browser, portal):
    context, tab, errors = _tab(
        browser, portal, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        tab.goto("/")
        tab.get_by_role("combobox", name="Cari layanan").fill("akta kelahiran")
        tab.get_by_role("button", name="Cari", exact=True).click()
        tab.wait_for_url(re.compile(r"/search\?q=akta"))
        everywhere = int(tab.locator("#results-title").inner_text().split()[0])
        tab.get_by_label("Provinsi", exact=True).select_option("75")
        tab.get_by_role("checkbox", name=re.compile(r"^Administrasi Kependudukan")).check()
        tab.get_by_role("button", name="Terapkan saringan").click()
        tab.wait_for_url(re.compile(r"a1=75.*sector=kependudukan|sector=kependudukan.*a1=75"))
        narrowed = int(tab.locator("#results-title").inner_text().split()[0])
        assert 0 < narrowed < everywhere
        tab.get_by_label("Kabupaten atau kota", exact=True).select_option("75.71")
        tab.get_by_role("button", name="Terapkan saringan").click()
        tab.wait_for_url(re.compile(r"a2=75\.71"))
        assert "Kota Gorontalo" in tab.locator("#results-title").inner_text()
        tab.locator(".results h3 a").first.click()
        expect(tab.get_by_role("heading", name="Persyaratan")).to_be_visible()
    finally:
        context.close()


def test_suggestions_work_from_the_keyboard(page):
    page.goto("/")
    box = page.get_by_role("combobox", name="Cari layanan")
    box.press_sequentially("kartu kel", delay=30)
    # the options for the whole text (a slow machine may first show those of "kartu k")
    page.locator('[role=listbox][data-for="kartu kel"]').get_by_role("option").first.wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "q-suggestions-0"
    chosen = page.get_by_role("option").first.inner_text()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/services/"))
    assert page.get_by_role("heading", level=1).inner_text() == chosen


def test_api_docs_work_under_their_content_security_policy(browser, portal):
    """Swagger UI loads its assets and the spec, and renders, with no CSP breach logged (the
    browser's own favicon request is the one 404)."""
    context, tab, errors = _tab(browser, portal, viewport={"width": 1280, "height": 900})
    missing: list[str] = []
    tab.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    tab.goto("/api/v1/docs")
    tab.wait_for_selector(".swagger-ui .info .title")
    assert "Simpul" in tab.inner_text(".swagger-ui .info .title")
    tab.wait_for_selector(".opblock-tag")  # the operations, rendered from openapi.json
    context.close()
    assert all(url.endswith("/favicon.ico") for url in missing), missing
    assert [e for e in errors if "status of 404" not in e] == []


def test_service_types_and_the_comparison_of_a_type(page, phone):
    """From the list of types to a type's comparison, narrowed to a province by the picker
    (no script on these pages); accessible at desktop width and on a phone."""
    page.goto("/types?sector=kependudukan")
    page.get_by_role("link", name="Penerbitan Akta Kelahiran", exact=True).click()
    page.wait_for_url(re.compile(r"/types/akta-kelahiran"))
    expect(page.get_by_role("heading", name="Perbandingan antarwilayah")).to_be_visible()
    everywhere = page.locator("#comparison ~ p strong").first.inner_text()
    assert int(everywhere.split()[0]) >= 2
    assert page.locator("svg.boxplot").get_attribute("role") == "img"
    accessible(page)
    shot(page, "service-type")
    page.get_by_label("Provinsi", exact=True).select_option("75")
    page.get_by_role("button", name="Bandingkan").click()
    page.wait_for_url(re.compile(r"a1=75"))
    assert "Gorontalo" in page.locator("#comparison ~ p").first.inner_text()
    accessible(page)
    phone.goto("/types/akta-kelahiran")
    accessible(phone)
    phone.goto("/types")
    accessible(phone)


def test_a_publisher_adds_an_application_delivering_a_service(page, portal):
    """The application editor: sign in, add an application ticking one of the agency's
    services, then find it on /aplikasi and its page naming the service."""
    page.goto("/publish/sign-in")
    page.get_by_label("Token").fill(portal["token"])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/publish$"))
    page.locator("#content").get_by_role("link", name="Aplikasi", exact=True).click()
    page.wait_for_url(re.compile(r"/publish/applications"))
    accessible(page)
    page.get_by_role("link", name="Tambah aplikasi").click()
    page.wait_for_url(re.compile(r"/publish/applications/new"))
    accessible(page)
    page.get_by_label(re.compile(r"^Pengenal")).fill("si-akta-browser")
    page.get_by_label("Nama (bahasa Indonesia)").fill("Sistem Akta Daring")
    page.get_by_role("checkbox", name=re.compile("Penerbitan Akta Kelahiran")).check()
    page.get_by_role("button", name="Simpan", exact=True).click()
    page.wait_for_url(re.compile(r"/publish/applications/\w+/edit$"))
    assert page.get_by_role("status").first.inner_text().startswith("Tersimpan.")
    expect(
        page.get_by_role("checkbox", name=re.compile("Penerbitan Akta Kelahiran"))
    ).to_be_checked()
    accessible(page)
    page.goto("/aplikasi")
    page.get_by_role("link", name="Sistem Akta Daring").click()
    page.wait_for_url(re.compile(r"/aplikasi/\w+$"))
    expect(page.get_by_role("heading", name="Sistem Akta Daring", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Penerbitan Akta Kelahiran"))).to_be_visible()
    accessible(page)


def test_the_coverage_dashboard_drills_down_and_prints(page, portal):
    """/laporan: 38 province tiles coloured by coverage with a legend, a tile opens the
    province, the print media hide the navigation and the page prints to a PDF."""
    page.goto("/laporan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan cakupan: Seluruh Indonesia")
    tiles = page.locator(".coverage-tiles a.tile")
    expect(tiles).to_have_count(38)
    classes = {tiles.nth(i).get_attribute("class") for i in range(38)}
    assert classes <= {f"tile c{n}" for n in "01234x"} and len(classes) > 1
    gorontalo = page.locator(".coverage-tiles a.tile", has_text="Gorontalo")
    # the tile's colour is the legend's for its class (from the stylesheet, not inline)
    colour = gorontalo.evaluate("e => getComputedStyle(e).backgroundColor")
    swatch = page.locator(f".legend .{gorontalo.get_attribute('class').split()[-1]}")
    assert swatch.count() == 1
    assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == colour
    assert page.locator("svg[role=img] title").count() >= 1
    accessible(page)
    shot(page, "dashboard")
    gorontalo.click()
    page.wait_for_url(re.compile(r"/laporan\?area=75$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan cakupan: Gorontalo")
    expect(page.locator(".coverage-tiles a.tile", has_text="Kota Gorontalo")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Persentase melapor")).click()
    page.wait_for_url(re.compile(r"sort=share"))
    accessible(page)
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator(".downloads")).to_be_hidden()
    expect(page.locator(".report-filters")).to_contain_text("Gorontalo (75)")
    breaks = page.locator("#progress").evaluate("e => getComputedStyle(e).breakBefore")
    assert breaks == "page"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.emulate_media(media="screen")
    page.goto("/laporan?area=75&print=1")
    expect(page.locator("header.site")).to_be_hidden()  # the print view, on screen too
