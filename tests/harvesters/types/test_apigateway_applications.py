"""An application's SPLP gateway API ids are checked against what the API-gateway harvester
found: ids no gateway harvest listed are flagged unknown in the application's quality block
(kept as the agency gave them, not shown as fact), ids the gateway dropped are flagged gone, and
the flags clear as soon as a harvest finds the API. Without a gateway source nothing is checked.
"""

from __future__ import annotations

import io

from tests.harvesters.types.test_apigateway import Devportal, api, gateway  # noqa: F401
from tests.harvesters.types.test_spreadsheet import HEADINGS, ROWS
from tests.services.http import Response

FOUND = api(1)["id"]  # an API the gateway lists (linked to akta-kelahiran)
MISSING = "api-yang-tidak-ada"


def post_app(publisher, apis: list[str]) -> dict:
    record = {
        "identifier": "sipede",
        "name": {"id": "Sistem Pelayanan Desa"},
        "kind": "web",
        "splp": {"status": "terhubung", "apis": apis},
    }
    token = publisher.token("kota-gorontalo")
    response = publisher.client.post(
        "/api/v1/applications", json=record, headers=publisher.auth(token)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def gateway_block(client, app_id: str) -> dict:
    return client.get(f"/api/v1/applications/{app_id}").get_json()["quality"]["gateway_apis"]


def test_unknown_gateway_ids_are_flagged_until_a_harvest_finds_them(
    harvests,
    gateway,  # noqa: F811
    publisher,
    client,
):
    made = post_app(publisher, [FOUND, MISSING])
    assert made["splp"]["apis"] == [FOUND, MISSING]  # kept as given
    assert made["quality"]["gateway_apis"] == {  # the gateway was not harvested yet
        "checked": True,
        "unknown": [FOUND, MISSING],
        "gone": [],
    }
    assert harvests.run("splp").status == "finished"
    block = gateway_block(client, made["id"])
    assert block == {"checked": True, "unknown": [MISSING], "gone": []}
    listed = client.get("/api/v1/applications").get_json()["items"]
    assert listed[0]["quality"]["flags"] == [f"splp.apis: {MISSING!r} unknown to the gateway"]
    gateway.apis[:] = [a for a in gateway.apis if a["id"] != FOUND]
    assert harvests.run("splp").status == "finished"
    assert gateway_block(client, made["id"])["gone"] == [FOUND]


def test_a_conditional_read_notices_a_changed_gateway_check(
    harvests,
    gateway,  # noqa: F811
    publisher,
    client,
):
    """The stored record does not change when a harvest finds its API, its flags do: the ETag
    covers them, so If-None-Match never answers 304 over a stale flag."""
    made = post_app(publisher, [FOUND])
    first = client.get(f"/api/v1/applications/{made['id']}")
    tag = first.headers["ETag"]
    again = client.get(f"/api/v1/applications/{made['id']}", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert harvests.run("splp").status == "finished"
    after = client.get(f"/api/v1/applications/{made['id']}", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert after.get_json()["quality"]["flags"] == [] and after.get_json()["version"] == 1


def test_a_record_sent_back_as_read_keeps_its_flags_out_of_the_data(
    harvests,
    gateway,  # noqa: F811
    publisher,
    client,
):
    made = post_app(publisher, [MISSING])
    read = client.get(f"/api/v1/applications/{made['id']}")
    token = publisher.token("kota-gorontalo")
    headers = publisher.auth(token, **{"If-Match": read.headers["ETag"]})
    again = client.put(f"/api/v1/applications/{made['id']}", json=read.get_json(), headers=headers)
    assert again.status_code == 200, again.get_json()  # 'quality' is not part of the data
    assert "quality" not in again.get_json()["splp"] and again.get_json()["version"] == 1


def test_nothing_is_checked_without_a_gateway_source(harvests, publisher, client):
    harvests.org()
    made = post_app(publisher, [MISSING])
    assert made["quality"]["gateway_apis"] == {"checked": False, "unknown": [], "gone": []}
    assert made["quality"]["flags"] == []


def test_the_job_report_counts_applications_with_unknown_gateway_ids(
    harvests,
    gateway,  # noqa: F811
    remote,
):
    assert harvests.run("splp").status == "finished"
    headings = [*HEADINGS, "Nama Aplikasi", "Status SPLP", "ID API SPLP"]
    rows = [[*ROWS[0], "SIAK Terpusat", "terhubung", f"{FOUND}, {MISSING}"]]
    rows.append([*ROWS[2], "Si Legal", "terhubung", FOUND])
    out = io.StringIO()
    for row in [headings, *rows]:
        out.write(";".join('"' + str(c) + '"' for c in row) + "\r\n")
    url = remote.route("/standar.csv", Response(out.getvalue().encode(), "text/csv"))
    harvests.source("sp", "spreadsheet", url)
    job = harvests.run("sp")
    assert job.counts["applications_created"] == 2, job.counts
    assert job.counts["applications_gateway_flagged"] == 1  # SIAK names one unknown id


def test_an_application_with_unknown_gateway_ids_is_not_integrated(
    harvests,
    gateway,  # noqa: F811
    publisher,
    client,
):
    from simpul.registry import roadmap
    from tests.web.api.roadmap_helpers import assess

    with harvests.registry.db.transaction() as session:
        roadmap.seed(session)
    assert harvests.run("splp").status == "finished"
    made = post_app(publisher, [FOUND, MISSING])
    coordinator = publisher.auth(publisher.token("kota-gorontalo", "coordinator"))
    assert assess(client, coordinator, made["id"], 4, kind="application").status_code == 201
    items = f"/api/v1/roadmap/2/items/{made['id']}/transitions"
    for to in ("siap", "proses-integrasi"):
        assert client.post(items, json={"to": to}, headers=coordinator).status_code == 200
    refused = client.post(items, json={"to": "terintegrasi"}, headers=coordinator)
    assert refused.status_code == 409 and refused.get_json()["gate"] == "evidence"
    assert "gateway API ids" in refused.get_json()["detail"]
    read = client.get(f"/api/v1/applications/{made['id']}")
    fixed = {**read.get_json(), "splp": {"status": "terhubung", "apis": [FOUND]}}
    headers = publisher.auth(publisher.token("kota-gorontalo"))
    headers["If-Match"] = read.headers["ETag"]
    put = client.put(f"/api/v1/applications/{made['id']}", json=fixed, headers=headers)
    assert put.status_code == 200, put.get_json()
    moved = client.post(items, json={"to": "terintegrasi"}, headers=coordinator)
    assert moved.status_code == 200, moved.get_json()
