"""Auditor and operator pages: completeness and SHACL per organization, harvest sources with
their last job and errors (from a real harvest of a loopback server), and history diffs."""

from __future__ import annotations

import orjson
import pytest

from simpul.harvesters.runner import harvest
from simpul.harvesters.sources import create_source
from tests.conftest import running_app
from tests.services.http import RemoteServer, Response


@pytest.fixture
def app(database_url, tmp_path):
    with running_app(database_url, tmp_path, harvest_allow_private=True) as app:
        yield app


def test_audit_summarises_completeness_per_organization(client, agencies):
    page = client.get("/audit").get_data(as_text=True)
    assert "1 dari 2 layanan memiliki ke-14 komponen standar pelayanan." in page
    assert 'href="/catalog.ttl"' in page and 'href="/ns/cpsv-ap-id/shapes.ttl"' in page
    assert 'href="/audit/organizations/dinkes-boalemo"' in page
    row = page.split('href="/organizations/dinkes-boalemo"')[1].split("</tr>")[0]
    assert "0%" in row  # no component of the standard


def test_organization_validation_report_in_plain_words(client, agencies):
    page = client.get("/audit/organizations/dinkes-boalemo").get_data(as_text=True)
    assert "Surat Keterangan Sehat" in page
    assert "Saran" in page
    assert "Persyaratan" in page  # the missing component, by its form label
    english = client.get("/audit/organizations/dinkes-boalemo?lang=en").get_data(as_text=True)
    assert "Suggestion" in english and "Requirements" in english


def test_sources_page_shows_the_last_job_and_its_errors(client, registry, agencies):
    remote = RemoteServer()
    try:
        items = [{"kode": "ok-1", "judul": "Layanan Baik"}, {"kode": "rusak", "judul": ""}]
        url = remote.route("/layanan", lambda request: Response(orjson.dumps(items)))
        with registry.db.transaction() as session:
            create_source(
                session,
                {
                    "id": "portal-boalemo",
                    "type": "json",
                    "url": url,
                    "organization": "dinkes-boalemo",
                    "options": {"key": "kode", "fields": {"identifier": "kode", "name": "judul"}},
                },
            )
        job = harvest(registry, "portal-boalemo")
    finally:
        remote.close()
    page = client.get("/audit/sources").get_data(as_text=True)
    assert "portal-boalemo" in page and url in page
    assert f'href="/audit/jobs/{job.id}"' in page
    assert f'href="/audit/jobs/{job.id}#errors">1<' in page
    report = client.get(f"/audit/jobs/{job.id}").get_data(as_text=True)
    assert "rusak" in report and "name" in report
    assert "Galat (1)" in report
    mine = client.get("/audit/sources?org=" + "disdukcapil-kota-gorontalo").get_data(as_text=True)
    assert "portal-boalemo" not in mine


def test_history_compares_any_two_versions(client, publisher, agencies):
    token = agencies["tokens"]["disdukcapil-kota-gorontalo"]
    service = agencies["akta"]
    record = {k: v for k, v in service.items() if k != "quality"}
    for text in ("Pencatatan kelahiran bayi.", "Pencatatan kelahiran bayi dan anak."):
        record["description"] = {"id": text}
        response = client.put(
            f"/api/v1/services/{service['id']}", json=record, headers=publisher.auth(token)
        )
        assert response.status_code == 200
    latest = client.get(f"/services/{service['id']}/history").get_data(as_text=True)
    assert "Perubahan dari versi 2 ke versi 3" in latest
    assert "bayi<ins> dan anak</ins>." in latest
    first = client.get(f"/services/{service['id']}/history?from=1&to=3").get_data(as_text=True)
    assert "description.en" in first and "(dihapus)" in first
    assert client.get(f"/services/{service['id']}/history?from=9").status_code == 422
    assert client.get("/services/nope/history").status_code == 404


def test_a_publisher_queues_a_harvest_of_its_own_sources_only(client, registry, agencies):
    from tests.web.portal.conftest import csrf_of, sign_in

    with registry.db.transaction() as session:
        for source_id, org in (
            ("mine", "dinkes-boalemo"),
            ("theirs", "disdukcapil-kota-gorontalo"),
        ):
            create_source(
                session,
                {
                    "id": source_id,
                    "type": "ckan",
                    "url": "https://data.example.go.id",
                    "organization": org,
                },
            )
    assert "Panen sekarang" not in client.get("/audit/sources").get_data(as_text=True)
    sign_in(client, agencies["tokens"]["dinkes-boalemo"])
    page = client.get("/audit/sources").get_data(as_text=True)
    assert page.count("Panen sekarang") == 1
    queued = client.post("/publish/sources/mine/harvest", data={"csrf_token": csrf_of(page)})
    assert queued.status_code == 302
    job = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "diantrekan" in job and "Panen sudah diantrekan" in job
    assert "Batalkan panen" in job
    job_url = queued.headers["Location"]
    cancelled = client.post(
        job_url.replace("/audit/jobs/", "/publish/jobs/") + "/cancel",
        data={"csrf_token": csrf_of(job)},
        follow_redirects=True,
    )
    assert "dibatalkan" in cancelled.get_data(as_text=True)
    refused = client.post("/publish/sources/theirs/harvest", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 403


def test_held_deletions_are_reviewed_on_the_job_page(client, registry, agencies):
    """Half of a source's records vanish: the run holds the deletions; its organization
    withdraws them from the job page, and nobody else can."""
    from tests.web.portal.conftest import csrf_of, sign_in

    items = [{"kode": f"k{i}", "judul": f"Layanan Klinik {i}"} for i in range(6)]
    remote = RemoteServer()
    try:
        url = remote.route("/layanan", Response(orjson.dumps(items)))
        with registry.db.transaction() as session:
            create_source(
                session,
                {
                    "id": "klinik",
                    "type": "json",
                    "url": url,
                    "organization": "dinkes-boalemo",
                    "options": {"key": "kode", "fields": {"identifier": "kode", "name": "judul"}},
                },
            )
        assert harvest(registry, "klinik").counts["created"] == 6
        remote.route("/layanan", Response(orjson.dumps(items[:2])))
        job = harvest(registry, "klinik")
    finally:
        remote.close()
    assert job.held_status == "held"
    page = client.get(f"/audit/jobs/{job.id}").get_data(as_text=True)
    assert "Penghapusan yang ditahan untuk ditinjau: 4" in page
    assert "Tarik layanan-layanan ini" not in page  # signed out: read only

    sign_in(client, agencies["tokens"]["disdukcapil-kota-gorontalo"])
    page = client.get(f"/audit/jobs/{job.id}").get_data(as_text=True)
    assert "Tarik layanan-layanan ini" not in page  # another agency's source
    token = csrf_of(client.get("/publish").get_data(as_text=True))
    forged = client.post(
        f"/publish/jobs/{job.id}/held-deletions", data={"csrf_token": token, "action": "apply"}
    )
    assert forged.status_code == 403

    client.post("/publish/sign-out", data={"csrf_token": token})
    sign_in(client, agencies["tokens"]["dinkes-boalemo"])
    page = client.get(f"/audit/jobs/{job.id}").get_data(as_text=True)
    assert "Tarik layanan-layanan ini" in page
    done = client.post(
        f"/publish/jobs/{job.id}/held-deletions",
        data={"csrf_token": csrf_of(page), "action": "apply"},
        follow_redirects=True,
    )
    assert "sudah ditarik" in done.get_data(as_text=True)
    live = client.get("/api/v1/services?authority=dinkes-boalemo&size=100").get_json()
    assert sorted(s["identifier"] for s in live["items"]) == ["k0", "k1", "surat-sehat"]
    again = client.post(
        f"/publish/jobs/{job.id}/held-deletions",
        data={"csrf_token": csrf_of(page), "action": "apply"},
    )
    assert again.status_code == 409  # reviewed once only
