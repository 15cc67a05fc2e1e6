"""Applications in the portal: the list and page of each in Indonesian and English, and the
publisher's editor (create with linked services, a problem shown beside its field with nothing
stored, edit under the ETag read, another agency refused)."""

from __future__ import annotations

from tests.conftest import application_record
from tests.web.portal.conftest import csrf_of, sign_in

ORG = "disdukcapil-kota-gorontalo"


def _publish(publisher, agencies, **fields):
    token = agencies["tokens"][ORG]
    record = application_record(services=[agencies["akta"]["id"]], **fields)
    response = publisher.client.post(
        "/api/v1/applications", json=record, headers=publisher.auth(token)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_list_and_page_in_both_languages(client, publisher, agencies):
    app = _publish(publisher, agencies)
    _publish(publisher, agencies, identifier="lain", kind="mobile", name={"id": "Aplikasi Lain"})
    listing = client.get("/aplikasi?kind=web").get_data(as_text=True)
    assert "Sistem Informasi Kependudukan" in listing and "Aplikasi Lain" not in listing
    assert "Aplikasi web" in listing and "Terdaftar di SPLP" in listing
    english = client.get("/applications?lang=en").get_data(as_text=True)
    assert "Web application" in english and "Aplikasi Lain" in english
    page = client.get(f"/aplikasi/{app['id']}?lang=id").get_data(as_text=True)
    assert "Layanan yang diberikan" in page
    assert f'href="/services/{agencies["akta"]["id"]}"' in page
    assert "Pusat data daerah" in page and "dukcapil-akta-v1" in page
    assert client.get(f"/applications/{app['id']}?lang=en").status_code == 200
    publisher.client.delete(
        f"/api/v1/applications/{app['id']}",
        headers=publisher.auth(agencies["tokens"][ORG]),
    )
    assert client.get(f"/aplikasi/{app['id']}").status_code == 410


def _form(client, url: str) -> tuple[str, str]:
    html = client.get(url).get_data(as_text=True)
    return html, csrf_of(html)


def test_editor_creates_links_and_edits(client, publisher, agencies):
    sign_in(client, agencies["tokens"][ORG])
    html, csrf = _form(client, "/publish/applications/new")
    assert agencies["akta"]["identifier"] in html  # its own services to tick
    fields = {
        "csrf_token": csrf,
        "identifier": "sidukcapil",
        "name_id": "Sistem Informasi Dukcapil",
        "kind": "web",
        "lifecycle": "digunakan",
        "services": agencies["akta"]["id"],
        "splp_status": "terhubung",
        "splp_apis": "akta-v1\nakta-v2",
        "security_level": "tinggi",
        "last_audit": "2025-03-01",
        "documents": "Manual | https://example.go.id/manual.pdf",
    }
    saved = client.post("/publish/applications/new", data=fields)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    stored = client.get("/api/v1/applications").get_json()["items"][0]
    assert stored["services"] == [agencies["akta"]["id"]]
    assert stored["splp"] == {"status": "terhubung", "apis": ["akta-v1", "akta-v2"]}
    assert stored["documents"] == [{"title": "Manual", "url": "https://example.go.id/manual.pdf"}]

    edit_url = saved.headers["Location"]
    html, csrf = _form(client, edit_url)
    assert 'value="Sistem Informasi Dukcapil"' in html
    changed = client.post(
        edit_url,
        data={**fields, "csrf_token": csrf, "lifecycle": "dihentikan", "etag": '"1-stale"'},
    )
    assert changed.status_code == 412  # changed meanwhile: the form comes back, nothing stored
    html, csrf = _form(client, edit_url)
    changed = client.post(edit_url, data={**fields, "csrf_token": csrf, "lifecycle": "dihentikan"})
    assert changed.status_code == 302
    assert client.get(f"/api/v1/applications/{stored['id']}").get_json()["version"] == 2


def test_a_bad_field_comes_back_beside_it_and_nothing_is_stored(client, agencies):
    sign_in(client, agencies["tokens"][ORG])
    _, csrf = _form(client, "/publish/applications/new")
    fields = {"csrf_token": csrf, "identifier": "x", "name_id": "X", "url": "bukan alamat"}
    answer = client.post("/publish/applications/new", data=fields)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="f-url"' in html and 'aria-invalid="true"' in html
    assert client.get("/api/v1/applications").get_json()["total"] == 0


def test_another_agency_cannot_edit(client, publisher, agencies):
    app = _publish(publisher, agencies)
    sign_in(client, agencies["tokens"]["dinkes-boalemo"])
    assert client.get(f"/publish/applications/{app['id']}/edit").status_code == 403
    assert client.get("/publish/applications/new").status_code == 200
