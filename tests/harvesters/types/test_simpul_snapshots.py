"""Daily coverage snapshots travel up the federation over real HTTP on loopback: the parent
stores the child's figures as the child sent them (not recomputed), shows them beside its own
in the history, reads only the days it lacks, and refuses figures of an area outside the area
of the source's organization."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from simpul.harvesters.runner import harvest
from simpul.registry.models import HarvestError
from simpul.registry.organizations import create_organization
from simpul.registry.snapshots import take_snapshot
from tests.harvesters.types.test_simpul import DESA, KAB, PROV, follow, make_node, publish_at


@pytest.fixture
def nodes(tmp_path, database_url):
    """The three nodes (desa, kabkota, provinsi); the province on SQLite and on PostgreSQL."""
    desa = make_node(tmp_path, "desa", "desa", "75.03.01.2007", DESA)
    kab = make_node(tmp_path, "kabkota", "kabkota", "75.03", KAB)
    prov = make_node(tmp_path, "provinsi", "provinsi", "75", PROV, database_url=database_url)
    yield desa, kab, prov
    for node in (desa, kab, prov):
        node.close()


DAY1, DAY2 = date(2026, 11, 1), date(2026, 11, 2)


def history(node, area: str) -> dict:
    return node.app.test_client().get(f"/api/v1/coverage/history?area={area}").get_json()


def test_the_parent_holds_the_childs_history_as_sent(nodes):
    _, kab, prov = nodes
    publish_at(kab, "izin-usaha", "Izin Usaha", authority="kab-bone-bolango")
    take_snapshot(kab.registry.db, threshold=1, day=DAY1)
    publish_at(kab, "izin-reklame", "Izin Reklame", authority="kab-bone-bolango")
    take_snapshot(kab.registry.db, threshold=1, day=DAY2)
    follow(prov, "kab", kab, "prov-gorontalo")
    job = harvest(prov.registry, "kab")
    assert job.status == "finished", job.message
    served = kab.app.test_client().get("/api/v1/coverage/snapshots").get_json()
    assert served["area"] == "75.03"
    assert {i["area"] for i in served["items"]} == {"75.03"}  # its own area, not 75 nor 00
    assert job.counts["snapshots_stored"] == len(served["items"]) == 2
    body = history(prov, "75.03")
    assert body["items"] == []  # the province took no snapshot of its own
    [child] = body["nodes"]
    assert child["source"] == "kab" and child["node"] == "kabkota"
    assert [(i["day"], i["services"]) for i in child["items"]] == [
        ("2026-11-01", 1),
        ("2026-11-02", 2),
    ]
    take_snapshot(prov.registry.db, threshold=1, day=DAY2)  # the province's own, beside
    body = history(prov, "75.03")
    assert [i["day"] for i in body["items"]] == ["2026-11-02"] and len(body["nodes"]) == 1
    again = harvest(prov.registry, "kab")  # reads from the newest day held: unchanged
    assert again.counts["snapshots_unchanged"] == 1 and not again.counts.get("snapshots_stored")


def test_a_child_sends_no_figures_outside_its_area(nodes):
    desa, kab, prov = nodes
    with prov.registry.db.transaction() as session:
        create_organization(session, DESA)
    publish_at(kab, "izin-usaha", "Izin Usaha", authority="kab-bone-bolango")
    take_snapshot(kab.registry.db, threshold=1, day=DAY1)
    follow(prov, "kab", kab, "desa-langge")  # trusted for one village only
    job = harvest(prov.registry, "kab")
    assert not job.counts.get("snapshots_stored") and job.counts["errors"] >= 1
    assert history(prov, "75.03")["nodes"] == []
    messages = workspace_errors(prov, job.id)
    assert any("'75.03' lies outside '75.03.01.2007'" in m for m in messages), messages


def workspace_errors(node, job_id: str) -> list[str]:
    with node.registry.db.session() as session:
        query = select(HarvestError.message).where(
            HarvestError.job_id == job_id, HarvestError.stage == "workspace"
        )
        return list(session.scalars(query))
