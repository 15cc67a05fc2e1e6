"""/api/v1/roadmap: seeded phases, items made on demand or by refresh, transitions by the
table and the gates (a refused move names its gate), coordinator scope, and the board."""

from __future__ import annotations

import pytest

from simpul.registry import roadmap, roadmap_board
from tests.web.api.roadmap_helpers import assess, setup


@pytest.fixture
def world(publisher, registry):
    with registry.db.transaction() as session:
        roadmap.seed(session)
    return setup(publisher)


def _move(client, headers, phase, target, to, **extra):
    url = f"/api/v1/roadmap/{phase}/items/{target}/transitions"
    return client.post(url, json={"to": to, **extra}, headers=headers)


def test_the_seeded_phases(client, world):
    phases = client.get("/api/v1/roadmap").get_json()["items"]
    assert [p["id"] for p in phases] == ["1", "2", "3"]
    assert phases[0]["scope"] == {
        "levels": ["pusat"],
        "sectors": ["pendidikan", "kesehatan", "sosial", "kepolisian"],
    }
    assert phases[2]["gate"] == {"min_class": "siap-bersyarat"}


def test_items_follow_the_scope_of_each_phase(client, world):
    ids = world["ids"]
    assert client.get(f"/api/v1/roadmap/1/items/{ids['health']}").status_code == 200
    assert client.get(f"/api/v1/roadmap/1/items/{ids['licence']}").status_code == 404
    assert client.get(f"/api/v1/roadmap/2/items/{ids['regency']}").get_json()["area"] == "75.71"
    assert client.get(f"/api/v1/roadmap/3/items/{ids['village']}").status_code == 200
    assert client.get(f"/api/v1/roadmap/3/items/{ids['regency']}").status_code == 404


def test_the_path_to_integrated_with_gates_and_history(client, world):
    t, target = world["tokens"], world["ids"]["regency"]
    refused = _move(client, t["provincial"], "2", target, "diases")
    assert refused.status_code == 409 and refused.get_json()["gate"] == "assessment"
    assess(client, t["editor"], target, 5)  # a self-assessment opens no gate
    assert _move(client, t["provincial"], "2", target, "diases").get_json()["gate"] == "assessment"
    assess(client, t["provincial"], target, 1)  # verified, belum siap: moves it to diases
    item = client.get(f"/api/v1/roadmap/2/items/{target}").get_json()
    assert item["status"] == "diases" and "belum-siap" in item["history"][0]["note"]
    assert _move(client, t["provincial"], "2", target, "siap").get_json()["gate"] == "readiness"
    assess(client, t["provincial"], target, 3)
    assert _move(client, t["provincial"], "2", target, "siap").status_code == 200
    assert _move(client, t["provincial"], "2", target, "proses-integrasi").status_code == 200
    evidence = _move(client, t["provincial"], "2", target, "terintegrasi")
    assert evidence.status_code == 409 and evidence.get_json()["gate"] == "evidence"
    skip = _move(client, t["provincial"], "2", target, "direncanakan")
    assert skip.status_code == 409 and skip.get_json()["gate"] == "transition"
    item = client.get(f"/api/v1/roadmap/2/items/{target}").get_json()
    assert [(h["from"], h["to"]) for h in item["history"]] == [
        ("direncanakan", "diases"),
        ("diases", "siap"),
        ("siap", "proses-integrasi"),
    ]
    assert item["history"][1]["by"].startswith("token:")


def test_phase_three_needs_a_verified_assessment_of_at_least_siap_bersyarat(client, world):
    t, village = world["tokens"], world["ids"]["village"]
    assess(client, t["provincial"], village, 1)
    postponed = _move(client, t["provincial"], "3", village, "tertunda", reason="tunggu jaringan")
    assert postponed.get_json()["reason"] == "tunggu jaringan"
    refused = _move(client, t["provincial"], "3", village, "proses-integrasi")
    assert refused.status_code == 409 and refused.get_json()["gate"] == "phase-gate"
    assert (
        "phase 3 needs a verified assessment of at least siap-bersyarat"
        in (refused.get_json()["detail"])
    )
    assess(client, t["village"], village, 5)  # the village's own word is not enough
    assert _move(client, t["provincial"], "3", village, "proses-integrasi").status_code == 409
    assess(client, t["provincial"], village, 3)
    assert _move(client, t["provincial"], "3", village, "proses-integrasi").status_code == 200


def test_a_reason_is_required_and_bad_moves_store_nothing(client, world):
    t, target = world["tokens"], world["ids"]["regency"]
    missing = _move(client, t["provincial"], "2", target, "tidak-dapat-diintegrasikan")
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["path"] == "reason"
    unknown = _move(client, t["provincial"], "2", target, "selesai")
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["path"] == "to"
    assert client.get(f"/api/v1/roadmap/2/items/{target}").get_json()["history"] == []


def test_only_coordinators_of_the_area_move_items(client, world):
    t, target = world["tokens"], world["ids"]["regency"]
    for who in ("editor", "outside"):
        answer = _move(client, t[who], "2", target, "tertunda", reason="x")
        assert answer.status_code == 403, who
    assert _move(client, t["national"], "2", target, "tertunda", reason="x").status_code == 200
    assert _move(client, t["provincial"], "2", target, "direncanakan").status_code == 200


def test_only_the_national_coordinator_defines_phases(client, world):
    phase = client.get("/api/v1/roadmap/3").get_json()
    new = {k: phase[k] for k in ("number", "name", "scope", "period")} | {"id": "4", "number": 4}
    assert (
        client.post("/api/v1/roadmap", json=new, headers=world["tokens"]["provincial"]).status_code
        == 403
    )
    bad = client.post(
        "/api/v1/roadmap",
        json=new | {"scope": {"levels": ["dusun"]}},
        headers=world["tokens"]["national"],
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"].startswith("scope.levels")
    made = client.post("/api/v1/roadmap", json=new, headers=world["tokens"]["national"])
    assert made.status_code == 201, made.get_json()
    assert (
        client.post("/api/v1/roadmap", json=new, headers=world["tokens"]["national"]).status_code
        == 409
    )
    changed = client.put(
        "/api/v1/roadmap/4",
        json=new | {"gate": {"min_class": "siap"}},
        headers=world["tokens"]["national"],
    )
    assert changed.get_json()["gate"] == {"min_class": "siap"}


def test_refresh_and_the_board(client, registry, world):
    with registry.db.transaction() as session:
        made = roadmap_board.refresh(session)
    assert made == {"1": 1, "2": 1, "3": 1}
    with registry.db.transaction() as session:
        assert roadmap_board.refresh(session) == {"1": 0, "2": 0, "3": 0}
    t = world["tokens"]
    assess(client, t["provincial"], world["ids"]["regency"], 4)
    board = client.get("/api/v1/roadmap/2/board?area=75").get_json()
    columns = {c["status"]: c for c in board["columns"]}
    assert board["total"] == 1 and columns["diases"]["count"] == 1
    card = columns["diases"]["items"][0]
    assert card["waits_on"] == "readiness" and card["gate_met"] is True
    assert card["name"]["id"] == "Penerbitan Akta Kelahiran"
    assert client.get("/api/v1/roadmap/2/board?area=76").get_json()["total"] == 0
    assert client.get("/api/v1/roadmap/2/board?sector=kesehatan").get_json()["total"] == 0
    assert client.get("/api/v1/roadmap/1/board?sector=kesehatan").get_json()["total"] == 1
    assert client.get("/api/v1/roadmap/2/board?level=provinsi").get_json()["total"] == 0
    assert client.get("/api/v1/roadmap/9/board").status_code == 404


def test_an_application_is_integrated_only_once_connected_to_splp(client, world):
    from tests.conftest import application_record

    t = world["tokens"]
    record = application_record(services=[world["ids"]["regency"]], splp={"status": "terdaftar"})
    app = client.post("/api/v1/applications", json=record, headers=t["editor"]).get_json()
    assess(client, t["provincial"], app["id"], 4, kind="application")
    for to in ("siap", "proses-integrasi"):
        assert _move(client, t["provincial"], "2", app["id"], to).status_code == 200
    refused = _move(client, t["provincial"], "2", app["id"], "terintegrasi")
    assert refused.status_code == 409 and refused.get_json()["gate"] == "evidence"
    record["splp"] = {"status": "terhubung"}
    client.put(f"/api/v1/applications/{app['id']}", json=record, headers=t["editor"])
    moved = _move(client, t["provincial"], "2", app["id"], "terintegrasi")
    assert moved.status_code == 200 and moved.get_json()["target_type"] == "application"
