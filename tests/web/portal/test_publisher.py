"""The publisher's editor over the test client: sign-in with a token, CSRF, create, edit with
validation errors, SHACL report, optimistic locking, retire, and never another agency's record."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from simpul.web.portal.forms import record_to_form
from tests.web.portal.conftest import csrf_of, sign_in

DUKCAPIL = "disdukcapil-kota-gorontalo"


def form_of(client, url: str) -> MultiDict:
    """The editor's fields as a browser would submit them (values from the stored record)."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return page.get_data(as_text=True)


def submit(client, url: str, fields: dict | MultiDict, action: str = "save"):
    page = client.get(url).get_data(as_text=True)
    data = MultiDict(fields)
    data["csrf_token"] = csrf_of(page)
    etag = re.search(r'name="etag" value="([^"]+)"', page)
    if etag and "etag" not in data:
        data["etag"] = etag.group(1).replace("&#34;", '"')
    data["action"] = action
    return client.post(url, data=data)


def stored(client, service_id: str) -> dict:
    return client.get(f"/api/v1/services/{service_id}").get_json()


def test_sign_in_refuses_wrong_tokens_and_posts_without_csrf(client, agencies):
    page = client.get("/publish/sign-in")
    assert 'type="password"' in page.get_data(as_text=True)
    wrong = client.post(
        "/publish/sign-in",
        data={"token": "spl_nope_nope", "csrf_token": csrf_of(page.get_data(as_text=True))},
    )
    assert wrong.status_code == 401
    assert "Token ini tidak sah" in wrong.get_data(as_text=True)
    no_csrf = client.post("/publish/sign-in", data={"token": agencies["tokens"][DUKCAPIL]})
    assert no_csrf.status_code == 400
    assert "Formulir kedaluwarsa" in no_csrf.get_data(as_text=True)  # a page, not JSON
    assert client.get("/publish").status_code == 302  # still signed out


def test_sign_in_opens_the_dashboard_of_the_tokens_organization(client, agencies):
    response = sign_in(client, agencies["tokens"][DUKCAPIL])
    assert response.status_code == 302 and response.headers["Location"] == "/publish"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a session ends after a working day
    page = client.get("/publish").get_data(as_text=True)
    assert "Layanan Disdukcapil Kota Gorontalo" in page
    assert "Penerbitan Akta Kelahiran" in page
    assert agencies["tokens"][DUKCAPIL] not in page  # the token never comes back


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, agencies):
    token = agencies["tokens"][DUKCAPIL]
    edit = f"/publish/services/{agencies['akta']['id']}/edit"
    assert client.get(edit).headers["Location"].startswith("/publish/sign-in?next=")
    page = client.get(f"/publish/sign-in?next={edit}")
    back = client.post(
        f"/publish/sign-in?next={edit}",
        data={"token": token, "csrf_token": csrf_of(page.get_data(as_text=True))},
    )
    assert back.headers["Location"] == edit
    client.get("/")
    page = client.get("/publish/sign-in?next=//evil.example/")
    away = client.post(
        "/publish/sign-in?next=//evil.example/",
        data={"token": token, "csrf_token": csrf_of(page.get_data(as_text=True))},
    )
    assert away.headers["Location"] == "/publish"


def test_create_a_service_in_the_form(client, agencies):
    sign_in(client, agencies["tokens"][DUKCAPIL])
    fields = {
        "identifier": "kia",
        "name.id": "Penerbitan Kartu Identitas Anak",
        "name.en": "Child Identity Card",
        "requirements": "Akta kelahiran\n- Kartu Keluarga\n",
        "procedure": "1. Isi formulir\n2. Serahkan berkas",
        "processing_time": "3 hari",
        "cost.amount": "0",
        "sectors": "kependudukan",
        "channels[0].type": "loket",
        "channels[0].address": "Kantor Disdukcapil",
        "legal_basis": "Permendagri 2/2016 | https://peraturan.go.id/permendagri-2-2016",
        "status": "active",
    }
    response = submit(client, "/publish/services/new", fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    service_id = re.search(r"/publish/services/([^/]+)/edit", response.headers["Location"]).group(1)
    record = stored(client, service_id)
    assert record["authority"] == DUKCAPIL
    assert record["requirements"] == [{"id": "Akta kelahiran"}, {"id": "Kartu Keluarga"}]
    assert record["procedure"] == [{"id": "Isi formulir"}, {"id": "Serahkan berkas"}]
    assert record["processing_time"] == "P3D"
    assert record["cost"] == {"amount": 0, "currency": "IDR"}
    assert record["legal_basis"][0]["url"] == "https://peraturan.go.id/permendagri-2-2016"
    assert record["provenance"]["method"] == "portal"
    assert record["provenance"]["actor"].startswith("token:")
    saved = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tersimpan." in saved
    assert "Pemeriksaan terhadap standar pelayanan" in saved  # the SHACL report, in words
    assert "Saran" in saved and "Pengawasan internal" in saved  # a missing component named


def test_a_validation_error_keeps_the_input_names_the_fields_and_stores_nothing(client, agencies):
    sign_in(client, agencies["tokens"][DUKCAPIL])
    service_id = agencies["akta"]["id"]
    url = f"/publish/services/{service_id}/edit"
    before = stored(client, service_id)
    fields = record_to_form(before)
    fields["processing_time"] = "kapan-kapan"
    fields["channels[0].url"] = "bukan alamat"
    fields["name.id"] = "Akta Kelahiran (baru)"
    response = submit(client, url, fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Layanan tidak disimpan: 2 masalah" in page
    assert 'href="#processing_time"' in page and 'href="#channels-0-url"' in page
    assert "Jangka waktu tidak dikenali: tulis misalnya “14 hari”" in page
    assert "Bukan alamat web: tulis lengkap" in page
    assert 'id="processing_time" name="processing_time" value="kapan-kapan"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Akta Kelahiran (baru)"' in page  # what was typed stays
    assert stored(client, service_id)["version"] == before["version"]


def test_an_edit_keeps_what_the_form_does_not_show_and_shows_in_history(client, agencies):
    sign_in(client, agencies["tokens"][DUKCAPIL])
    service_id = agencies["akta"]["id"]
    before = stored(client, service_id)
    fields = record_to_form(before)
    fields["requirements"] = "Fotokopi Kartu Keluarga\nSurat keterangan lahir"
    fields["cost.amount"] = "Rp 10.000"
    response = submit(client, f"/publish/services/{service_id}/edit", fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    after = stored(client, service_id)
    assert after["version"] == before["version"] + 1
    assert after["cost"]["amount"] == 10000
    assert after["requirements"][1] == {"id": "Surat keterangan lahir"}
    for kept in ("integration", "languages", "channels", "management", "complaints"):
        assert after[kept] == before[kept], kept
    history = client.get(f"/services/{service_id}/history").get_data(as_text=True)
    assert "requirements[1].id" in history
    assert "<ins>Surat keterangan lahir</ins>" in history
    assert "cost.amount" in history and "<del>0</del><ins>10000</ins>" in history


def test_check_without_saving_shows_the_report_and_stores_nothing(client, agencies):
    sign_in(client, agencies["tokens"][DUKCAPIL])
    service_id = agencies["akta"]["id"]
    before = stored(client, service_id)
    fields = record_to_form(before)
    fields["name.id"] = "Nama baru"
    response = submit(client, f"/publish/services/{service_id}/edit", fields, action="check")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hanya diperiksa: belum ada yang disimpan." in page
    assert "Data ini sesuai dengan bentuk CPSV-AP-ID." in page
    assert stored(client, service_id)["version"] == before["version"]


def test_a_record_changed_meanwhile_is_not_overwritten(client, publisher, agencies):
    token = agencies["tokens"][DUKCAPIL]
    sign_in(client, token)
    service_id = agencies["akta"]["id"]
    url = f"/publish/services/{service_id}/edit"
    page = client.get(url).get_data(as_text=True)
    old_etag = re.search(r'name="etag" value="([^"]+)"', page).group(1).replace("&#34;", '"')
    record = stored(client, service_id)
    changed = {k: v for k, v in record.items() if k not in ("quality",)}
    changed["keywords"] = ["diubah lewat API"]
    assert (
        client.put(
            f"/api/v1/services/{service_id}", json=changed, headers=publisher.auth(token)
        ).status_code
        == 200
    )
    fields = record_to_form(record)
    fields["etag"] = old_etag
    response = submit(client, url, fields)
    assert response.status_code == 412
    assert "Seseorang menyimpan layanan ini saat Anda menyuntingnya" in response.get_data(
        as_text=True
    )
    assert stored(client, service_id)["keywords"] == ["diubah lewat API"]


def test_an_agency_cannot_edit_or_retire_another_agencys_service(client, agencies):
    sign_in(client, agencies["tokens"]["dinkes-boalemo"])
    service_id = agencies["akta"]["id"]
    assert client.get(f"/publish/services/{service_id}/edit").status_code == 403
    page = client.get("/publish/services/new").get_data(as_text=True)
    forged = client.post(
        f"/publish/services/{service_id}/edit",
        data={"csrf_token": csrf_of(page), "identifier": "akta-kelahiran", "name.id": "Diretas"},
    )
    assert forged.status_code == 403
    retire = client.post(
        f"/publish/services/{service_id}/retire", data={"csrf_token": csrf_of(page)}
    )
    assert retire.status_code == 403
    # an editor's form cannot name another authority either
    sneaky = client.post(
        "/publish/services/new",
        data={
            "csrf_token": csrf_of(page),
            "identifier": "x",
            "name.id": "X",
            "authority": DUKCAPIL,
        },
    )
    assert sneaky.status_code == 302
    new_id = re.search(r"/publish/services/([^/]+)/edit", sneaky.headers["Location"]).group(1)
    assert stored(client, new_id)["authority"] == "dinkes-boalemo"
    assert stored(client, service_id)["name"]["id"] == "Penerbitan Akta Kelahiran"


def test_retire_asks_first_then_leaves_a_tombstone(client, agencies):
    sign_in(client, agencies["tokens"][DUKCAPIL])
    service_id = agencies["akta"]["id"]
    confirm = client.get(f"/publish/services/{service_id}/retire").get_data(as_text=True)
    assert "Tarik “Penerbitan Akta Kelahiran”?" in confirm
    response = client.post(
        f"/publish/services/{service_id}/retire", data={"csrf_token": csrf_of(confirm)}
    )
    assert response.status_code == 302
    assert client.get(f"/api/v1/services/{service_id}").status_code == 410
    assert "telah ditarik" in client.get("/publish").get_data(as_text=True)


def test_a_record_changed_meanwhile_is_not_withdrawn_unseen(client, publisher, agencies):
    token = agencies["tokens"][DUKCAPIL]
    sign_in(client, token)
    service_id = agencies["akta"]["id"]
    url = f"/publish/services/{service_id}/retire"
    confirm = client.get(url).get_data(as_text=True)
    read_at = re.search(r'name="etag" value="([^"]+)"', confirm).group(1).replace("&#34;", '"')
    changed = {k: v for k, v in stored(client, service_id).items() if k != "quality"}
    changed["keywords"] = ["diubah lewat API"]
    api = f"/api/v1/services/{service_id}"
    assert client.put(api, json=changed, headers=publisher.auth(token)).status_code == 200

    response = client.post(url, data={"csrf_token": csrf_of(confirm), "etag": read_at})

    assert response.status_code == 302 and response.headers["Location"] == url
    assert stored(client, service_id)["keywords"] == ["diubah lewat API"]  # still live
    again = client.get(url).get_data(as_text=True)
    assert "Seseorang baru saja mengubah layanan ini" in again
    assert read_at.replace('"', "&#34;") not in again  # the form now holds the new version


def test_a_revoked_token_ends_the_session(client, publisher, agencies):
    token = agencies["tokens"][DUKCAPIL]
    sign_in(client, token)
    assert client.get("/publish").status_code == 200
    token_id = token.split("_")[1]
    assert (
        client.delete(f"/api/v1/tokens/{token_id}", headers=publisher.auth(token)).status_code
        == 200
    )
    ended = client.get("/publish")
    assert ended.status_code == 302 and "/publish/sign-in" in ended.headers["Location"]


def test_sign_out(client, agencies):
    sign_in(client, agencies["tokens"][DUKCAPIL])
    page = client.get("/publish").get_data(as_text=True)
    out = client.post(
        "/publish/sign-out", data={"csrf_token": csrf_of(page)}, follow_redirects=True
    )
    assert "Anda telah keluar." in out.get_data(as_text=True)
    ended = client.get("/publish")
    assert ended.status_code == 302 and "/publish/sign-in" in ended.headers["Location"]


def test_an_admin_publishes_for_any_organization(client, publisher, agencies):
    publisher.org("kominfo", level="pusat")
    admin = publisher.token("kominfo", role="admin")
    sign_in(client, admin)
    page = client.get("/publish/services/new").get_data(as_text=True)
    assert '<select id="authority" name="authority"' in page
    other = client.get("/publish?org=dinkes-boalemo").get_data(as_text=True)
    assert "Surat Keterangan Sehat" in other and '<select id="org" name="org">' in other
    response = submit(
        client,
        "/publish/services/new",
        {"identifier": "sehat", "name.id": "Layanan Sehat", "authority": "dinkes-boalemo"},
    )
    assert response.status_code == 302
    listing = client.get("/api/v1/services?authority=dinkes-boalemo&identifier=sehat").get_json()
    assert listing["total"] == 1


def test_the_form_takes_a_channel_without_its_address_and_keeps_a_foreign_name(
    client, publisher, agencies
):
    token = agencies["tokens"][DUKCAPIL]
    sign_in(client, token)
    fields = {
        "identifier": "jkn",
        "name.id": "Pendaftaran Peserta JKN",
        "channels[0].type": "online",
        "channels[0].name.id": "Aplikasi Mobile JKN",
        "channels[1].type": "telepon",
        "channels[1].name.id": "Care Center 165",
        "status": "active",
    }
    response = submit(client, "/publish/services/new", fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    service_id = re.search(r"/publish/services/([^/]+)/edit", response.headers["Location"]).group(1)
    record = stored(client, service_id)
    assert record["channels"] == [
        {"type": "online", "name": {"id": "Aplikasi Mobile JKN"}},
        {"type": "telepon", "name": {"id": "Care Center 165"}},
    ]
    assert [g["field"] for g in record["quality"]["gaps"]] == [
        "channels[0].url",
        "channels[1].phone",
    ]
    foreign = {"identifier": "byggesoknad", "name": {"nb": "Byggesøknad"}}
    sid = publisher.publish(token, foreign).get_json()["id"]
    url = f"/publish/services/{sid}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Byggesøknad" in page
    assert 'id="name-id" name="name.id" value="" required' not in page  # not forced on it
    fields = record_to_form(stored(client, sid))
    fields["keywords"] = "bangunan"
    response = submit(client, url, fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert stored(client, sid)["name"] == {"nb": "Byggesøknad"}
    assert stored(client, sid)["keywords"] == ["bangunan"]
