"""The agencies' checklists on the audit pages: each task counted and listed with links to the
record and its editor, and an area's counts per child area and per agency; in Indonesian and
in English."""

from __future__ import annotations

from tests.conftest import service_record

OFFICE = "disdukcapil-kota-gorontalo"


def test_an_agencys_audit_page_lists_its_checklist(client, publisher, agencies):
    token = agencies["tokens"][OFFICE]
    record = service_record("tanpa-kanal", name={"id": "Izin Reklame"}, channels=[])
    created = publisher.publish(token, record).get_json()
    page = client.get(f"/audit/organizations/{OFFICE}").get_data(as_text=True)
    assert "Daftar periksa" in page and "Tanpa kanal yang dapat dijangkau" in page
    section = page.split('id="task-no-channels"')[1].split("</ul>")[0]
    assert f'href="/services/{created["id"]}"' in section
    assert f'href="/publish/services/{created["id"]}/edit"' in section
    assert "akta-kelahiran" not in section
    english = client.get(f"/audit/organizations/{OFFICE}?lang=en").get_data(as_text=True)
    assert "No reachable channel" in english and "No English name or description" in english


def test_a_coordinator_sees_counts_per_child_area_and_agency(client, agencies):
    page = client.get("/audit/checklists?area=75").get_data(as_text=True)
    assert "Per wilayah" in page and "Per instansi" in page
    assert 'href="/audit/checklists?area=75.02"' in page  # drill down to a regency
    assert f'href="/audit/organizations/{OFFICE}#checklist"' in page
    row = page.split('href="/audit/organizations/dinkes-boalemo#checklist"')[1].split("</tr>")[0]
    # its one service: nothing missing among channels or freshness
    assert [c.strip() for c in row.split("<td>")[1:4]] == ["1</td>", "0</td>", "0</td>"]
    national = client.get("/audit/checklists?lang=en").get_data(as_text=True)
    assert "Per area" in national and 'href="/audit/checklists?area=75"' in national


def test_a_bad_area_is_a_page_naming_the_field(client, agencies):
    response = client.get("/audit/checklists?area=99.99")
    assert response.status_code == 422 and "area" in response.get_data(as_text=True)
