"""The review notice in the editor (diff and two buttons, no JavaScript) and the pending flags
on the audit pages, in Indonesian and English."""

from __future__ import annotations

from tests.conftest import service_record
from tests.registry.test_reviews import _cheaper
from tests.registry.test_types import ORG, _replace, _save, _type
from tests.web.portal.conftest import csrf_of, sign_in


def _flagged(publisher) -> tuple[str, str]:
    publisher.org(ORG)
    _save(publisher.registry, _type())
    token = publisher.token(ORG)
    record = service_record(authority=ORG, type="akta-kelahiran", cost={"amount": 1000})
    created = publisher.publish(token, record)
    assert created.status_code == 201, created.get_json()
    _replace(publisher.registry, _cheaper())
    return created.get_json()["id"], token


def _press(client, service_id: str, action: str):
    page = client.get(f"/publish/services/{service_id}/edit").get_data(as_text=True)
    return client.post(
        f"/publish/services/{service_id}/review",
        data={"action": action, "csrf_token": csrf_of(page)},
    )


def test_the_editor_shows_the_diff_and_adopt_takes_the_new_texts(client, publisher):
    service_id, token = _flagged(publisher)
    sign_in(client, token)
    page = client.get(f"/publish/services/{service_id}/edit").get_data(as_text=True)
    assert "Jenis layanan nasional data ini berubah" in page
    english = client.get(f"/publish/services/{service_id}/edit?lang=en").get_data(as_text=True)
    assert "The national service type of this record changed" in english
    row = english.split('<th scope="row">Fee</th>')[1].split("</tr>")[0]
    assert "IDR 0" in row and "IDR 5.000" in row and "Its own text: IDR 1.000" in row
    assert 'name="action" value="adopt"' in english and "<script" not in english.split("review")[1]
    answer = _press(client, service_id, "adopt")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/edit")
    record = client.get(f"/api/v1/services/{service_id}").get_json()
    assert record["version"] == 2 and record["cost"]["amount"] == 5000
    after = client.get(f"/publish/services/{service_id}/edit").get_data(as_text=True)
    assert 'id="review"' not in after


def test_confirm_in_the_editor_and_a_refusal_comes_back_as_a_message(client, publisher):
    service_id, token = _flagged(publisher)
    sign_in(client, token)
    dashboard = client.get("/publish").get_data(as_text=True)
    assert f'href="/publish/services/{service_id}/edit#review"' in dashboard
    assert "Perlu ditinjau: jenis layanannya berubah" in dashboard
    assert _press(client, service_id, "confirm").status_code == 302
    assert client.get(f"/api/v1/services/{service_id}").get_json()["review"]["status"] == (
        "confirmed"
    )
    again = _press(client, service_id, "confirm")
    assert again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Tidak ada yang perlu ditinjau" in page
    assert "#review" not in client.get("/publish").get_data(as_text=True)


def test_the_audit_pages_count_and_list_the_flags(client, publisher):
    service_id, _ = _flagged(publisher)
    page = client.get(f"/audit/organizations/{ORG}").get_data(as_text=True)
    listed = page.split('id="reviews"')[1].split("</section>")[0]
    assert f'href="/services/{service_id}"' in listed and "jenis berubah" in listed
    index = client.get("/audit?lang=en").get_data(as_text=True)
    section = index.split('id="reviews"')[1]
    assert "1 service waits for its agency" in section
    assert f'href="/audit/organizations/{ORG}#reviews"' in section
