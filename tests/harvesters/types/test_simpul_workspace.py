"""Readiness assessments and roadmap items travel up the federation (kinds ``assessment`` and
``roadmap`` of the change feed), over real HTTP on loopback: with their provenance, through two
hops, never overwriting what the parent's coordinator wrote, only for the child's subtree,
leaving the board when their service is deleted, and unchanged on a second run."""

from __future__ import annotations

import pytest
import rdflib
from sqlalchemy import delete, update

from simpul.harvesters.runner import harvest
from simpul.registry import assessments, roadmap
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.models import Assessment, Change, RoadmapHistory, RoadmapItem
from simpul.registry.organizations import create_organization
from simpul.registry.services import retire
from tests.harvesters.types.test_simpul import DESA, KAB, PROV, follow, make_node, publish_at
from tests.harvesters.types.test_simpul_snapshots import workspace_errors
from tests.services.node import Node
from tests.web.api.roadmap_helpers import scores


@pytest.fixture
def nodes(tmp_path, database_url):
    """The three nodes (desa, kabkota, provinsi); the province on SQLite and on PostgreSQL."""
    desa = make_node(tmp_path, "desa", "desa", "75.03.01.2007", DESA)
    kab = make_node(tmp_path, "kabkota", "kabkota", "75.03", KAB)
    prov = make_node(tmp_path, "provinsi", "provinsi", "75", PROV, database_url=database_url)
    yield desa, kab, prov
    for node in (desa, kab, prov):
        node.close()


KAB_COORDINATOR = Actor("koordinator-kab", "kab-bone-bolango", "coordinator", "75.03")
PROV_COORDINATOR = Actor("koordinator-prov", "prov-gorontalo", "coordinator", "75")
PHASE = "3"  # villages, gated by a verified assessment


def assess_at(node: Node, target: str, actor: Actor, level: int = 4) -> dict:
    with node.registry.db.transaction() as session:
        raw = {"target_type": "service", "target": target, "scores": scores(level)}
        return assessments.to_dict(assessments.record(session, raw, actor))


def seed(*nodes: Node) -> None:
    for node in nodes:
        with node.registry.db.transaction() as session:
            roadmap.seed(session)


def item_at(node: Node, target: str) -> dict | None:
    with node.registry.db.session() as session:
        try:
            row = roadmap.item(session, PHASE, target, create=False)
        except Exception:
            return None
        return roadmap.item_to_dict(session, row)


def assessments_at(node: Node, target: str) -> list[dict]:
    with node.registry.db.session() as session:
        _, rows = assessments.list_assessments(session, target=target)
        return [assessments.to_dict(r) for r in rows]


def village_to_province(desa: Node, kab: Node, prov: Node) -> dict:
    """The chain village -> regency -> province, one village service published and harvested
    by the regency (not yet by the province)."""
    seed(kab, prov)
    service = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    follow(kab, "desa", desa, "kab-bone-bolango")
    follow(prov, "kab", kab, "prov-gorontalo")
    harvest(kab.registry, "desa")
    return service


def test_assessments_and_items_travel_up_with_provenance(nodes):
    desa, kab, prov = nodes
    service = village_to_province(desa, kab, prov)
    made = assess_at(kab, service["id"], KAB_COORDINATOR)  # the regency assesses its village
    assert item_at(kab, service["id"])["status"] == "diases"
    job = harvest(prov.registry, "kab")
    assert job.status == "finished", job.message
    assert job.counts["assessments_created"] == 1 and job.counts["roadmap_created"] == 1
    [arrived] = assessments_at(prov, service["id"])
    assert arrived["class"] == made["class"] and arrived["verified"] is True
    assert arrived["area"] == "75.03.01.2007" and arrived["assessor"] == "koordinator-kab"
    origin = arrived["provenance"]["origin"]
    assert origin == {
        "node": "kabkota",
        "uri": f"{kab.base}/api/v1/assessments/{made['id']}",
        "at": made["at"],
    }
    assert arrived["provenance"]["chain"] == ["kabkota", "provinsi"]
    assert arrived["provenance"]["source"] == "kab"
    item = item_at(prov, service["id"])
    assert item["status"] == "diases" and item["provenance"]["origin"]["node"] == "kabkota"
    assert [h["to"] for h in item["history"]] == ["diases"]
    with prov.registry.db.session() as session:  # the child's verified assessment gates here
        latest = assessments.latest_verified(session, [service["id"]])
    assert latest[service["id"]].origin_uri == origin["uri"]
    again = harvest(prov.registry, "kab")
    assert not again.counts.get("assessments_created") and not again.counts.get("roadmap_created")
    assert not again.counts.get("roadmap_updated")
    full = harvest(prov.registry, "kab", mode="full")  # the whole feed again: nothing new
    assert full.counts["assessments_unchanged"] == 1 and full.counts["roadmap_unchanged"] == 1
    assert len(assessments_at(prov, service["id"])) == 1


def test_two_hops_keep_the_first_origin(nodes):
    desa, kab, prov = nodes
    seed(desa, kab, prov)
    service = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    with desa.registry.db.transaction() as session:
        create_organization(session, {**KAB})  # the village's own coordinator
    local = Actor("koordinator-desa", "kab-bone-bolango", "coordinator", "75.03")
    made = assess_at(desa, service["id"], local, level=2)
    follow(kab, "desa", desa, "kab-bone-bolango")
    follow(prov, "kab", kab, "prov-gorontalo")
    assert harvest(kab.registry, "desa").counts["assessments_created"] == 1
    assert harvest(prov.registry, "kab").counts["assessments_created"] == 1
    [arrived] = assessments_at(prov, service["id"])
    assert arrived["provenance"]["origin"]["uri"] == f"{desa.base}/api/v1/assessments/{made['id']}"
    assert arrived["provenance"]["chain"] == ["desa", "kabkota", "provinsi"]
    assert item_at(prov, service["id"])["provenance"]["origin"]["node"] == "desa"


def test_the_parent_coordinators_word_is_never_overwritten(nodes):
    desa, kab, prov = nodes
    service = village_to_province(desa, kab, prov)
    harvest(prov.registry, "kab")
    own = assess_at(prov, service["id"], PROV_COORDINATOR, level=1)  # the province's own
    assert item_at(prov, service["id"])["status"] == "diases"
    with prov.registry.db.transaction() as session:  # the province postpones it
        roadmap.move(
            session, PHASE, service["id"], {"to": "tertunda", "reason": "anggaran"}, SYSTEM
        )
    assess_at(kab, service["id"], KAB_COORDINATOR, level=5)  # the regency finds it ready
    with kab.registry.db.transaction() as session:
        roadmap.move(session, PHASE, service["id"], {"to": "siap"}, SYSTEM)
    job = harvest(prov.registry, "kab")
    assert job.counts["assessments_created"] == 1 and job.counts["roadmap_kept_here"] == 1
    item = item_at(prov, service["id"])
    assert item["status"] == "tertunda" and item["provenance"] is None
    with prov.registry.db.session() as session:  # gates use the province's own assessment
        latest = assessments.latest_verified(session, [service["id"]])
    assert latest[service["id"]].id == own["id"]


def test_a_child_sends_nothing_outside_its_subtree(nodes):
    desa, kab, prov = nodes
    seed(kab, prov)
    outside = {"id": "kab-gorontalo", "name": {"id": "Kabupaten Gorontalo"}, "level": "kabkota"}
    with kab.registry.db.transaction() as session:
        create_organization(session, {**outside, "area": "75.01"})
    service = publish_at(kab, "izin-usaha", "Izin Usaha", authority="kab-gorontalo")
    assess_at(kab, service["id"], SYSTEM)
    with prov.registry.db.transaction() as session:
        create_organization(session, {**outside, "area": "75.01"})
        create_organization(session, KAB)
    follow(prov, "kab", kab, "kab-bone-bolango")  # trusted for Bone Bolango only
    job = harvest(prov.registry, "kab")
    assert not job.counts.get("assessments_created") and job.counts["errors"] >= 1
    assert assessments_at(prov, service["id"]) == []
    messages = workspace_errors(prov, job.id)
    assert any("'kab-gorontalo' lies outside" in m for m in messages), messages


def test_items_leave_the_board_when_their_service_is_deleted(nodes):
    desa, kab, prov = nodes
    service = village_to_province(desa, kab, prov)
    assess_at(kab, service["id"], KAB_COORDINATOR)
    harvest(prov.registry, "kab")
    assert item_at(prov, service["id"]) is not None
    with desa.registry.db.transaction() as session:
        retire(session, service["id"], SYSTEM)
    harvest(kab.registry, "desa")
    job = harvest(prov.registry, "kab")
    assert job.counts["deleted"] == 1 and job.counts["roadmap_deleted"] == 1
    assert item_at(prov, service["id"]) is None
    assert len(assessments_at(prov, service["id"])) == 1  # history stays, as at the child
    full = harvest(prov.registry, "kab", mode="full")  # read again: the item is not made again
    assert full.counts["roadmap_no_target"] == 1 and not full.counts.get("errors")
    assert item_at(prov, service["id"]) is None


def test_the_feed_lists_the_workspace_only_when_asked(nodes):
    desa, kab, _ = nodes
    seed(kab)
    service = publish_at(kab, "izin-usaha", "Izin Usaha", authority="kab-bone-bolango")
    assess_at(kab, service["id"], KAB_COORDINATOR)
    client = kab.app.test_client()
    plain = client.get("/api/v1/changes").get_json()
    assert {i["kind"] for i in plain["items"]} == {"service"}
    asked = client.get("/api/v1/changes?kinds=assessment,roadmap").get_json()
    assert sorted(i["kind"] for i in asked["items"]) == ["assessment", "roadmap"]
    assert client.get("/api/v1/node").get_json()["changes"]["kinds"][-2:] == [
        "assessment",
        "roadmap",
    ]


def test_the_feed_as_turtle_leaves_the_workspace_out(nodes):
    _, kab, _ = nodes
    seed(kab)
    service = publish_at(kab, "izin-usaha", "Izin Usaha", authority="kab-bone-bolango")
    assess_at(kab, service["id"], KAB_COORDINATOR)
    client = kab.app.test_client()
    turtle = client.get(
        "/api/v1/changes?kinds=service,assessment,roadmap", headers={"Accept": "text/turtle"}
    )
    assert turtle.status_code == 200  # was a 500: a roadmap item has no URI
    graph = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    members = list(graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/hydra/core#member")))
    assert len(members) == 1  # the service's change only


def test_a_child_reset_numbers_its_assessments_anew(nodes):
    _, kab, prov = nodes
    seed(kab, prov)
    service = publish_at(kab, "izin-usaha", "Izin Usaha", authority="kab-bone-bolango")
    with prov.registry.db.transaction() as session:
        create_organization(session, KAB)
    follow(prov, "kab", kab, "kab-bone-bolango")
    first = assess_at(kab, service["id"], KAB_COORDINATOR, level=4)
    assert harvest(prov.registry, "kab").counts["assessments_created"] == 1
    with kab.registry.db.transaction() as session:  # the regency starts over: ids from 1 again
        for model in (RoadmapHistory, RoadmapItem, Assessment, Change):
            session.execute(delete(model))
    again = assess_at(kab, service["id"], KAB_COORDINATOR, level=1)
    assert again["id"] == first["id"] and again["at"] != first["at"]
    job = harvest(prov.registry, "kab")
    assert job.counts["feed_restarted"] == 1 and job.counts["assessments_created"] == 1
    assert [a["class"] for a in assessments_at(prov, service["id"])] == [
        again["class"],
        first["class"],
    ]


def test_a_child_cannot_assess_a_record_of_another_organization(nodes):
    _, kab, prov = nodes
    seed(kab, prov)
    outside = {"id": "kab-gorontalo", "name": {"id": "Kabupaten Gorontalo"}, "level": "kabkota"}
    with prov.registry.db.transaction() as session:
        create_organization(session, {**outside, "area": "75.01"})
        create_organization(session, KAB)
    theirs = publish_at(prov, "izin-usaha", "Izin Usaha", authority="kab-gorontalo")
    own = publish_at(kab, "izin-reklame", "Izin Reklame", authority="kab-bone-bolango")
    assess_at(kab, own["id"], KAB_COORDINATOR)
    with kab.registry.db.transaction() as session:  # a child that lies about the target
        session.execute(update(Assessment).values(target_id=theirs["id"]))
    follow(prov, "kab", kab, "kab-bone-bolango")
    job = harvest(prov.registry, "kab")
    assert not job.counts.get("assessments_created")
    assert assessments_at(prov, theirs["id"]) == []
    messages = workspace_errors(prov, job.id)
    assert any("belongs to 'kab-gorontalo' here" in m for m in messages), messages
