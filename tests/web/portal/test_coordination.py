"""The coordinator's workspace in the portal: the assessment form with every criterion and the
description of each level, problems beside their criterion with nothing stored, the result
with reasons and next steps; the agency's self-assessment from its publisher pages; the
roadmap board by status with filters and the gate each status waits on; Indonesian and
English."""

from __future__ import annotations

import pytest

from simpul.registry import roadmap
from tests.web.api.roadmap_helpers import CODES, setup
from tests.web.portal.conftest import csrf_of, sign_in


@pytest.fixture
def world(publisher, registry):
    with registry.db.transaction() as session:
        roadmap.seed(session)
    return setup(publisher)


def _token(world, who):
    return world["tokens"][who]["Authorization"].split()[1]


def _answers(csrf, level=4, evidence=True, **extra):
    data = {"csrf_token": csrf, **extra}
    for code in CODES:
        data[f"score-{code}"] = str(level)
        if evidence:
            data[f"evidence-{code}"] = "berita acara"
    return data


def test_the_form_shows_every_criterion_and_level(client, world):
    sign_in(client, _token(world, "provincial"))
    url = f"/publish/assess/service/{world['ids']['regency']}"
    html = client.get(url + "?lang=id").get_data(as_text=True)
    assert "Asesmen kesiapan integrasi" in html and "akan terverifikasi" in html
    assert html.count('type="radio"') == 6 * len(CODES)
    assert "Informasi layanan lengkap dan mutakhir" in html  # a level's description
    english = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Complete, up-to-date service information" in english


def test_a_missing_evidence_shows_beside_its_criterion_and_nothing_is_stored(client, world):
    sign_in(client, _token(world, "provincial"))
    url = f"/publish/assess/service/{world['ids']['regency']}"
    csrf = csrf_of(client.get(url).get_data(as_text=True))
    response = client.post(url, data=_answers(csrf, evidence=False))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-kapabilitas-layanan" class="invalid"' in html
    assert client.get("/api/v1/assessments").get_json()["total"] == 0


def test_a_verified_assessment_and_its_result(client, world):
    sign_in(client, _token(world, "provincial"))
    url = f"/publish/assess/service/{world['ids']['regency']}"
    csrf = csrf_of(client.get(url).get_data(as_text=True))
    answers = _answers(csrf) | {"score-koneksi-splp": "1", "evidence-koneksi-splp": ""}
    response = client.post(url, data=answers)
    assert response.status_code == 302 and "/publish/assessments/" in response.location
    page = client.get(response.location + "?lang=id").get_data(as_text=True)
    assert "Diverifikasi oleh koordinator" in page and "Langkah berikutnya" in page
    assert "tenant SPLP" in page  # the next level of the weak criterion
    stored = client.get("/api/v1/assessments").get_json()["items"][0]
    assert stored["verified"] is True and stored["scores"]["koneksi-splp"] == {"score": 1}


def test_the_agency_self_assesses_from_its_pages(client, world):
    sign_in(client, _token(world, "editor"))
    edit = client.get(f"/publish/services/{world['ids']['regency']}/edit?lang=en")
    assert f"/publish/assess/service/{world['ids']['regency']}" in edit.get_data(as_text=True)
    url = f"/publish/assess/service/{world['ids']['regency']}"
    html = client.get(url + "?lang=en").get_data(as_text=True)
    assert "self-assessment by the agency" in html
    response = client.post(url, data=_answers(csrf_of(html)))
    assert response.status_code == 302
    assert client.get("/api/v1/assessments?verified=false").get_json()["total"] == 1
    other = client.get(f"/publish/assess/service/{world['ids']['health']}")
    assert other.status_code == 403


def test_a_coordinator_outside_its_area_gets_no_form(client, world):
    sign_in(client, _token(world, "outside"))
    assert client.get(f"/publish/assess/service/{world['ids']['regency']}").status_code == 403


def test_the_board_by_status_with_filters_and_gates(client, world, registry):
    from simpul.registry import roadmap_board

    with registry.db.transaction() as session:
        roadmap_board.refresh(session)
    sign_in(client, _token(world, "national"))
    html = client.get("/publish/roadmap/2?lang=id").get_data(as_text=True)
    assert "Fase 2: provinsi dan kabupaten/kota" in html
    assert "Penerbitan Akta Kelahiran" in html and "Direncanakan" in html
    assert "Menunggu: asesmen terverifikasi" in html
    empty = client.get("/publish/roadmap/2?area=76&lang=en").get_data(as_text=True)
    assert "0 items" in empty and "Penerbitan Akta Kelahiran" not in empty
    phase3 = client.get("/publish/roadmap/3?lang=en").get_data(as_text=True)
    assert "Gate: a verified assessment of at least siap-bersyarat" in phase3
    by_sector = client.get("/publish/roadmap/1?sector=kesehatan&level=pusat&lang=en").get_data(
        as_text=True
    )
    assert "1 item" in by_sector
    index = client.get("/publish/roadmap?lang=en").get_data(as_text=True)
    assert "Phase 3: villages after an assessment" in index


def test_a_coordinator_moves_an_item_from_the_board_and_a_gate_is_named(client, world, registry):
    from simpul.registry import roadmap_board

    with registry.db.transaction() as session:
        roadmap_board.refresh(session)
    sign_in(client, _token(world, "provincial"))
    target = world["ids"]["regency"]
    url = "/publish/roadmap/2?lang=en"
    html = client.get(url).get_data(as_text=True)
    action = f"/publish/roadmap/2/items/{target}/move"
    assert action in html
    refused = client.post(action, data={"csrf_token": csrf_of(html), "to": "diases"})
    assert refused.status_code == 409
    assert "needs a verified assessment" in refused.get_data(as_text=True)
    moved = client.post(
        action, data={"csrf_token": csrf_of(html), "to": "tertunda", "reason": "anggaran"}
    )
    assert moved.status_code == 302
    item = client.get(f"/api/v1/roadmap/2/items/{target}").get_json()
    assert (item["status"], item["reason"]) == ("tertunda", "anggaran")


def test_an_editor_sees_no_move_and_cannot_move(client, world, registry):
    from simpul.registry import roadmap_board

    with registry.db.transaction() as session:
        roadmap_board.refresh(session)
    sign_in(client, _token(world, "editor"))
    target = world["ids"]["regency"]
    html = client.get("/publish/roadmap/2").get_data(as_text=True)
    assert "Penerbitan Akta Kelahiran" in html and "/move" not in html
    answer = client.post(
        f"/publish/roadmap/2/items/{target}/move",
        data={"csrf_token": csrf_of(html), "to": "tertunda", "reason": "x"},
    )
    assert answer.status_code == 403
