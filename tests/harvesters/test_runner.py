"""The runner's rules, on a JSON source served over loopback: counts, unchanged skips, deletions
only after a complete pass, held deletions, returning records, duplicates, priorities."""

from __future__ import annotations

import orjson
import pytest

from simpul.harvesters.deletions import review_held
from tests.services.http import Response


def records(n, start=0, **extra):
    return [
        {
            "identifier": f"layanan-{i}",
            "name": {"id": f"Layanan Nomor {i}"},
            "description": {"id": f"Pelayanan ke-{i} di Kota Gorontalo."},
            **extra,
        }
        for i in range(start, start + n)
    ]


def serve(remote, items, path="/layanan"):
    remote.route(path, Response(orjson.dumps({"items": items})))
    return remote.url(path)


@pytest.fixture
def portal(harvests, remote):
    harvests.org()
    url = serve(remote, records(10))
    harvests.source("portal", "json", url, options={"key": "identifier"})
    return remote


def test_first_run_creates_and_second_changes_nothing(harvests, portal):
    job = harvests.run("portal")
    assert job.status == "finished"
    assert job.counts["created"] == 10
    live = harvests.live()
    assert set(live) == {f"layanan-{i}" for i in range(10)}
    provenance = live["layanan-3"]["provenance"]
    assert provenance["method"] == "harvest"
    assert provenance["source"] == "portal" and provenance["job"] == job.id
    assert provenance["original_key"] == "layanan-3"
    versions = {k: v["version"] for k, v in live.items()}

    again = harvests.run("portal")
    assert again.status == "finished"
    assert again.counts.get("unchanged") == 10
    assert not again.counts.get("created") and not again.counts.get("updated")
    assert {k: v["version"] for k, v in harvests.live().items()} == versions


def test_changed_record_is_updated(harvests, portal):
    harvests.run("portal")
    items = records(10)
    items[4]["description"] = {"id": "Deskripsi baru."}
    serve(portal, items)
    job = harvests.run("portal")
    assert job.counts["updated"] == 1 and job.counts["unchanged"] == 9
    assert harvests.live()["layanan-4"]["description"] == {"id": "Deskripsi baru."}
    assert harvests.live()["layanan-4"]["version"] == 2


def test_vanished_record_becomes_tombstone_and_returns_with_its_id(harvests, portal):
    harvests.run("portal")
    old_id = harvests.live()["layanan-9"]["id"]
    serve(portal, records(9))
    job = harvests.run("portal")
    assert job.counts["deleted"] == 1
    row = harvests.all_rows()["layanan-9"]
    assert row.deleted_at is not None  # a tombstone, not a hard delete
    serve(portal, records(10))
    back = harvests.run("portal")
    assert back.counts["restored"] == 1
    assert harvests.live()["layanan-9"]["id"] == old_id


def test_mass_vanishing_is_held_for_review(harvests, portal, registry):
    harvests.run("portal")
    serve(portal, records(5))  # half the records vanish at once
    job = harvests.run("portal")
    assert job.status == "finished"
    assert not job.counts.get("deleted")
    assert job.held_status == "held" and len(job.held) == 5
    assert "held for review" in job.message
    assert len(harvests.live()) == 10  # nothing deleted yet
    with registry.db.transaction() as session:
        review_held(session, job.id, apply=True)
    assert len(harvests.live()) == 5


def test_discarded_review_keeps_records(harvests, portal, registry):
    harvests.run("portal")
    serve(portal, records(5))
    job = harvests.run("portal")
    with registry.db.transaction() as session:
        review_held(session, job.id, apply=False)
    assert len(harvests.live()) == 10
    assert harvests.job(job.id).held_status == "discarded"


def test_failing_source_deletes_nothing(harvests, portal):
    harvests.run("portal")
    portal.route("/layanan", Response(b"<html>Bad Gateway</html>", "text/html", status=404))
    job = harvests.run("portal")
    assert job.status == "failed"
    assert "HTTP 404" in job.message
    assert "nothing was deleted" in job.message
    assert len(harvests.live()) == 10


def test_error_page_instead_of_json_deletes_nothing(harvests, portal):
    harvests.run("portal")
    portal.route("/layanan", Response(b"<html>maintenance</html>", "text/html"))
    job = harvests.run("portal")
    assert job.status == "failed"
    assert "not JSON" in job.message
    assert len(harvests.live()) == 10


def test_bad_record_does_not_stop_the_others(harvests, remote):
    harvests.org()
    items = records(5)
    items[1] = {"identifier": "tanpa-nama"}  # no name: rejected
    items[2]["channels"] = [{"type": "situs"}]  # broken optional field: dropped, imported
    items[4]["channels"] = [{"type": "online"}]  # no URL: kept as it is, a gap
    items[3]["processing_time"] = "tiga hari"  # invalid duration: dropped, imported
    harvests.source("p", "json", serve(remote, items), options={"key": "identifier"})
    job = harvests.run("p")
    assert job.status == "finished"
    assert job.counts["created"] == 4 and job.counts["errors"] == 1
    errors = harvests.errors(job.id)
    assert ("tanpa-nama", "transform", "the record has no name (nama layanan)") in errors
    notes = [e for e in errors if e[1] == "note"]
    assert any("channels" in e[2] and e[0] == "layanan-2" for e in notes)
    assert any("processing_time" in e[2] and e[0] == "layanan-3" for e in notes)
    live = harvests.live()
    assert "channels" not in live["layanan-2"]
    assert live["layanan-2"]["quality"]["completeness"] == 0.0
    assert job.gaps["requirements"] == 4
    assert live["layanan-4"]["channels"] == [{"type": "online"}]
    assert job.gaps["channel-without-address"] == 1


def test_unknown_authority_is_held_by_the_source_organization(harvests, remote, client):
    harvests.org()
    items = records(1, authority="dinas-entah-mana")
    harvests.source("p", "json", serve(remote, items), options={"key": "identifier"})
    job = harvests.run("p")
    assert job.counts["created"] == 1
    record = harvests.live()["dinas-entah-mana.layanan-0"]
    assert record["authority"] == "kota-gorontalo"
    assert record["original_authority"] == {"name": {"id": "dinas-entah-mana"}}
    rdf = client.get(
        f"/api/v1/services/{record['id']}", headers={"Accept": "application/n-triples"}
    ).get_data(as_text=True)
    assert "cpsv-ap-id#heldBy> <http://simpul.test/organizations/kota-gorontalo>" in rdf
    assert '"dinas-entah-mana"@id' in rdf


def test_authority_outside_the_source_organization_is_refused(harvests, remote):
    harvests.org()
    harvests.org("kab-bone-bolango", area="75.03")
    items = records(1, authority="kab-bone-bolango")
    harvests.source("p", "json", serve(remote, items), options={"key": "identifier"})
    job = harvests.run("p")
    assert job.counts["errors"] == 1
    assert "neither the source's organization" in harvests.errors(job.id)[0][2]
    assert harvests.live() == {}


def test_same_service_from_two_sources_is_one_record_and_priority_decides(harvests, remote):
    harvests.org()
    low = serve(remote, records(2), "/low")
    high_items = records(2)
    high_items[0]["description"] = {"id": "Versi portal utama."}
    high = serve(remote, high_items, "/high")
    harvests.source("low", "json", low, options={"key": "identifier"}, priority=0)
    harvests.source("high", "json", high, options={"key": "identifier"}, priority=10)
    harvests.run("high")
    job = harvests.run("low")
    assert job.counts["shadowed"] == 2
    live = harvests.live()
    assert len(live) == 2
    assert live["layanan-0"]["description"] == {"id": "Versi portal utama."}
    assert set(live["layanan-0"]["provenance"]["sources"]) == {"high", "low"}
    assert live["layanan-0"]["provenance"]["source"] == "high"


def test_a_hand_published_record_is_not_overwritten(harvests, remote, publisher):
    harvests.org()
    token = publisher.token("kota-gorontalo")
    mine = {"identifier": "layanan-0", "name": {"id": "Ditulis tangan"}}
    assert publisher.publish(token, mine).status_code == 201
    harvests.source("p", "json", serve(remote, records(1)), options={"key": "identifier"})
    job = harvests.run("p")
    assert job.counts["shadowed"] == 1
    assert harvests.live()["layanan-0"]["name"] == {"id": "Ditulis tangan"}


def test_repeated_keys_in_one_run_are_counted_once(harvests, remote):
    harvests.org()
    items = records(3) + records(3)
    harvests.source("p", "json", serve(remote, items), options={"key": "identifier"})
    job = harvests.run("p")
    assert job.counts["created"] == 3 and job.counts["duplicates"] == 3


def test_retransform_applies_a_mapping_fix_without_fetching(harvests, remote, registry):
    harvests.org()
    items = [{"kode": f"k{i}", "judul": f"Layanan {i}", "ket": "Uraian"} for i in range(3)]
    url = serve(remote, items)
    harvests.source(
        "p", "json", url, options={"key": "kode", "fields": {"identifier": "kode", "name": "judul"}}
    )
    harvests.run("p")
    assert "description" not in harvests.live()["k1"]
    from simpul.harvesters.sources import update_source

    with registry.db.transaction() as session:
        update_source(
            session,
            "p",
            {
                "options": {
                    "key": "kode",
                    "fields": {"identifier": "kode", "name": "judul", "description": "ket"},
                }
            },
        )
    before = len(remote.requests)
    job = harvests.run("p", "retransform")
    assert len(remote.requests) == before  # nothing fetched
    assert job.status == "finished" and job.counts["updated"] == 3
    assert harvests.live()["k1"]["description"] == {"id": "Uraian"}


def test_job_report_over_the_api(harvests, portal, client, publisher):
    token = publisher.token("kota-gorontalo")
    queued = client.post("/api/v1/sources/portal/harvest", headers=publisher.auth(token))
    assert queued.status_code == 202
    job_id = queued.get_json()["id"]
    assert queued.get_json()["status"] == "queued"
    again = client.post("/api/v1/sources/portal/harvest", headers=publisher.auth(token))
    assert again.get_json()["id"] == job_id  # one active job per source
    from simpul.harvesters.worker import run_cycle

    report = run_cycle(harvests.registry)
    assert report.ran == 1 and report.finished == 1
    body = client.get(f"/api/v1/harvest-jobs/{job_id}").get_json()
    assert body["status"] == "finished" and body["counts"]["created"] == 10
    assert body["errors"]["total"] == 0
    source = client.get("/api/v1/sources/portal").get_json()
    assert source["last_job"]["id"] == job_id


REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON services WHEN NEW.identifier = 'layanan-3' "
        "BEGIN SELECT RAISE(ABORT, 'refused by policy'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.identifier = "
        "'layanan-3' THEN RAISE EXCEPTION 'refused by policy'; END IF; RETURN NEW; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON services FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


def test_a_record_the_database_refuses_is_isolated(harvests, remote, registry):
    """A real refusal: a trigger rejects one service; the rest of its batch is stored."""
    from sqlalchemy import text

    harvests.org()
    harvests.source("p", "json", serve(remote, records(5)), options={"key": "identifier"})
    with registry.db.engine.begin() as conn:
        for statement in REFUSE[registry.db.dialect]:
            conn.execute(text(statement))
    job = harvests.run("p")
    assert job.status == "finished"
    assert job.counts["created"] == 4 and job.counts["errors"] == 1
    [(key, stage, message)] = harvests.errors(job.id)
    assert key == "layanan-3" and stage == "import" and "refused by policy" in message
    assert set(harvests.live()) == {"layanan-0", "layanan-1", "layanan-2", "layanan-4"}


def test_nul_characters_are_refused_like_any_invalid_text(harvests, remote):
    harvests.org()
    items = records(3)
    items[1]["description"] = {"id": "rusak\u0000teks"}
    items[2]["name"] = {"id": "nama\u0000rusak"}
    harvests.source("p", "json", serve(remote, items), options={"key": "identifier"})
    job = harvests.run("p")
    assert job.counts["created"] == 2 and job.counts["errors"] == 1
    assert "description" not in harvests.live()["layanan-1"]


def test_cancelling_a_queued_and_a_running_job(harvests, remote, client, publisher):
    import threading
    import time

    from simpul.harvesters.jobs import cancel as cancel_job
    from simpul.harvesters.jobs import queue as queue_job

    harvests.org()
    token = publisher.token("kota-gorontalo")
    items = records(60)

    def slow_page(request):
        page = int(request.query.get("page", 1))
        return Response(orjson.dumps({"items": items[(page - 1) * 5 : page * 5]}), delay=0.25)

    url = remote.route("/lambat", slow_page)
    harvests.source(
        "p", "json", url, options={"key": "identifier", "pagination": {"style": "page", "size": 5}}
    )
    queued = client.post("/api/v1/sources/p/harvest", headers=publisher.auth(token)).get_json()
    cancelled = client.post(
        f"/api/v1/harvest-jobs/{queued['id']}/cancel", headers=publisher.auth(token)
    ).get_json()
    assert cancelled["status"] == "cancelled"
    with harvests.registry.db.transaction() as session:
        job, _ = queue_job(session, "p")
        job_id = job.id
    from simpul.harvesters.runner import run_job

    worker = threading.Thread(target=run_job, args=(harvests.registry, job_id))
    worker.start()
    deadline = time.monotonic() + 30
    while harvests.job(job_id).status != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    with harvests.registry.db.transaction() as session:
        assert cancel_job(session, job_id).status == "cancelling"
    worker.join(30)
    ended = harvests.job(job_id)
    assert ended.status == "cancelled" and ended.finished is not None
    assert ended.counts.get("seen", 0) < 60 and not ended.counts.get("deleted")
    assert "cancel" in ended.message
    again = client.post(f"/api/v1/harvest-jobs/{job_id}/cancel", headers=publisher.auth(token))
    assert again.status_code == 409
