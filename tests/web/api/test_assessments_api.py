"""/api/v1/assessments: verified by a coordinator of the target's area, self-assessed by the
target's editor, scored against the shipped criteria set; bad input names the field and
stores nothing."""

from __future__ import annotations

import pytest

from tests.web.api.roadmap_helpers import CODES, assess, scores, setup


@pytest.fixture
def world(publisher):
    return setup(publisher)


def test_a_coordinator_of_the_area_records_a_verified_assessment(client, world):
    response = assess(client, world["tokens"]["provincial"], world["ids"]["regency"], level=4)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["verified"] is True and body["self_assessment"] is False
    assert body["criteria_set"] == "v1" and body["class"] == "siap" and body["score"] == 4.0
    assert body["organization"] == "disdukcapil-kota-gorontalo" and body["area"] == "75.71"
    assert body["reasons"] == [] and body["next_steps"] == []
    assert client.get(response.headers["Location"]).get_json()["id"] == body["id"]


def test_weak_criteria_are_the_reasons_and_their_next_level_the_next_steps(client, world):
    low = scores(4) | {"koneksi-splp": {"score": 1}, "hosting": {"score": 2}}
    body = client.post(
        "/api/v1/assessments",
        json={"target_type": "service", "target": world["ids"]["regency"], "scores": low},
        headers=world["tokens"]["national"],
    ).get_json()
    assert body["class"] == "siap-bersyarat", body
    assert [r["criterion"] for r in body["reasons"]] == ["koneksi-splp", "hosting"]
    step = body["next_steps"][0]
    assert step["score"] == 2 and "tenant SPLP" in step["description"]["id"]
    assert (
        assess(client, world["tokens"]["national"], world["ids"]["regency"], 1).get_json()["class"]
        == "belum-siap"
    )


def test_the_editor_self_assesses_its_own_records_only(client, world):
    own = assess(client, world["tokens"]["editor"], world["ids"]["regency"])
    assert own.status_code == 201 and own.get_json()["self_assessment"] is True
    other = assess(client, world["tokens"]["editor"], world["ids"]["health"])
    assert other.status_code == 403


def test_a_coordinator_outside_its_area_is_refused_and_nothing_is_stored(client, world):
    response = assess(client, world["tokens"]["outside"], world["ids"]["regency"])
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["path"] == "target"
    provincial = assess(client, world["tokens"]["provincial"], world["ids"]["health"])
    assert provincial.status_code == 403  # a central ministry is outside a province
    assert client.get("/api/v1/assessments").get_json()["total"] == 0


@pytest.mark.parametrize(
    "change, path",
    [
        ({"scores": scores(4) | {"nilai-gaib": {"score": 1}}}, "scores.nilai-gaib"),
        ({"scores": scores(4) | {"hosting": {"score": 6}}}, "scores.hosting.score"),
        ({"scores": scores(4, evidence=False)}, "scores.kapabilitas-layanan.evidence"),
        ({"scores": {CODES[0]: {"score": 1}}}, f"scores.{CODES[1]}"),
        ({"target": "tidak-ada"}, "target"),
        ({"target_type": "kantor"}, "target_type"),
        ({"criteria_set": "v9"}, "criteria_set"),
        ({"assessed_on": "2999-01-01"}, "assessed_on"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, world, change, path):
    body = {"target_type": "service", "target": world["ids"]["regency"], "scores": scores(4)}
    response = client.post(
        "/api/v1/assessments", json=body | change, headers=world["tokens"]["national"]
    )
    assert 400 <= response.status_code < 500, response.get_json()
    assert response.mimetype == "application/problem+json"
    if path:
        assert path in [e["path"] for e in response.get_json()["errors"]], response.get_json()
    assert client.get("/api/v1/assessments").get_json()["total"] == 0


def test_a_score_below_the_evidence_threshold_needs_none(client, world):
    body = {
        "target_type": "service",
        "target": world["ids"]["regency"],
        "scores": scores(1, evidence=False),
    }
    response = client.post("/api/v1/assessments", json=body, headers=world["tokens"]["national"])
    assert response.status_code == 201, response.get_json()


def test_filters_and_append_only(client, world):
    t = world["tokens"]
    assess(client, t["provincial"], world["ids"]["regency"])
    assess(client, t["editor"], world["ids"]["regency"], 2)
    assess(client, t["national"], world["ids"]["health"])
    listing = client.get(f"/api/v1/assessments?target={world['ids']['regency']}").get_json()
    assert listing["total"] == 2 and listing["items"][0]["self_assessment"] is True
    verified = client.get(
        f"/api/v1/assessments?target={world['ids']['regency']}&verified=true"
    ).get_json()
    assert [i["class"] for i in verified["items"]] == ["siap"]
    assert client.get("/api/v1/assessments?area=75").get_json()["total"] == 2
    assert client.get("/api/v1/assessments?organization=kemenkes").get_json()["total"] == 1
    first = listing["items"][0]["id"]
    for method in ("put", "patch", "delete"):
        answer = getattr(client, method)(f"/api/v1/assessments/{first}", headers=t["admin"])
        assert answer.status_code == 405


def test_an_application_is_assessed_like_a_service(client, publisher, world):
    from tests.conftest import application_record

    app = client.post(
        "/api/v1/applications",
        json=application_record(services=[world["ids"]["regency"]]),
        headers=world["tokens"]["editor"],
    ).get_json()
    response = assess(client, world["tokens"]["provincial"], app["id"], kind="application")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["target_type"] == "application"


def test_the_national_coordinator_publishes_a_new_criteria_set(client, world):
    sets = client.get("/api/v1/criteria-sets").get_json()
    assert sets["current"] == "v1"
    v1 = client.get("/api/v1/criteria-sets/v1").get_json()
    v2 = {**v1, "version": "v2", "criteria": v1["criteria"][:2]}
    refused = client.post("/api/v1/criteria-sets", json=v2, headers=world["tokens"]["provincial"])
    assert refused.status_code == 403
    bad = client.post(
        "/api/v1/criteria-sets",
        json={**v2, "classes": v1["classes"][:1]},
        headers=world["tokens"]["national"],
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "classes"
    made = client.post("/api/v1/criteria-sets", json=v2, headers=world["tokens"]["national"])
    assert made.status_code == 201, made.get_json()
    again = client.post("/api/v1/criteria-sets", json=v2, headers=world["tokens"]["national"])
    assert again.status_code == 409
    assert client.get("/api/v1/criteria-sets").get_json()["current"] == "v2"
    two = {c: {"score": 4, "evidence": "x"} for c in ("kapabilitas-layanan", "ketersediaan-api")}
    body = {"target_type": "service", "target": world["ids"]["regency"], "scores": two}
    recorded = client.post("/api/v1/assessments", json=body, headers=world["tokens"]["national"])
    assert recorded.status_code == 201 and recorded.get_json()["criteria_set"] == "v2"
    old = client.post(
        "/api/v1/assessments",
        json=body | {"criteria_set": "v1"},
        headers=world["tokens"]["national"],
    )
    assert old.status_code == 422  # v1 needs every one of its criteria
