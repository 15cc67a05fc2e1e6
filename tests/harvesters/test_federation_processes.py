"""Federation with real processes: the four-level demonstration, and a child node killed in the
middle of a sync, then restarted."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, select

from simpul.demo.federation import DemoNode, _free_port, run
from simpul.harvesters.runner import harvest
from simpul.harvesters.sources import create_source
from simpul.registry.models import Service
from simpul.registry.organizations import create_organization
from tests.services.http import RemoteServer, Response


@pytest.mark.slow
def test_four_levels_as_processes(tmp_path):
    out = run(tmp_path)
    published, arrived = out["published"], out["arrived"]
    assert arrived["id"] == published["id"] and arrived["uri"] == published["uri"]
    assert arrived["provenance"]["chain"] == [
        "desa-langge",
        "kab-bone-bolango",
        "prov-gorontalo",
        "pusat",
    ]
    assert arrived["requirements"] == published["requirements"]


def village_node(tmp_path) -> DemoNode:
    child = DemoNode(
        "desa-langge",
        "desa",
        "75.03.01.2007",
        "pemdes-langge",
        "Desa Langge",
        tmp_path / "child",
        _free_port(),
    )
    child.folder.mkdir()
    return child


def fill(child: DemoNode, tmp_path, count: int) -> None:
    """A fresh village database with ``count`` services, through the CLI."""
    child.simpul("db", "upgrade")
    child.simpul(
        "orgs",
        "add",
        "--id",
        child.org,
        "--name",
        child.org_name,
        "--level",
        child.level,
        "--area",
        child.area,
    )
    lines = [
        f'{{"identifier": "layanan-{n}", "name": {{"id": "Layanan {n}"}}}}' for n in range(count)
    ]
    (tmp_path / "records.jsonl").write_text("\n".join(lines) + "\n")
    child.simpul("load", str(tmp_path / "records.jsonl"), "--org", child.org)


def follow(registry, child: DemoNode, **options) -> None:
    """The regency (this registry) harvests the village node."""
    with registry.db.transaction() as session:
        create_organization(
            session,
            {
                "id": "pemkab",
                "name": {"id": "Pemkab Bone Bolango"},
                "level": "kabkota",
                "area": "75.03",
            },
        )
        create_source(
            session,
            {
                "id": "desa",
                "type": "simpul",
                "url": child.base,
                "organization": "pemkab",
                "schedule": "manual",
                "options": options,
            },
        )


@pytest.mark.slow
def test_child_killed_mid_sync_then_restarted(tmp_path, registry):
    child = village_node(tmp_path)
    fill(child, tmp_path, 3000)
    child.start()
    follow(registry, child, limit=50, fetch={"retries": 1, "host_interval": 0.1})

    def held() -> int:
        with registry.db.session() as session:
            return session.scalar(select(func.count()).select_from(Service))

    result = {}
    worker = threading.Thread(target=lambda: result.update(job=harvest(registry, "desa")))
    worker.start()
    deadline = time.monotonic() + 60
    while held() < 300 and time.monotonic() < deadline:
        time.sleep(0.02)
    child.kill()  # SIGKILL to the server and its workers, mid-sync
    worker.join(60)
    first = result["job"]
    assert first.status == "incomplete" and 300 <= held() < 3000, (first.counts, held())
    assert not first.counts.get("deleted")
    child.start()  # same database, same port
    try:
        second = harvest(registry, "desa")
    finally:
        child.stop()
    assert second.status == "finished", second.message
    assert held() == 3000  # nothing lost, nothing twice
    assert second.counts["created"] + first.counts["created"] == 3000


@pytest.mark.slow
def test_child_restarted_with_an_empty_database(tmp_path, registry):
    child = village_node(tmp_path)
    fill(child, tmp_path, 20)
    follow(registry, child)
    child.start()
    try:
        assert harvest(registry, "desa").counts["created"] == 20
        child.stop()
        for path in child.folder.glob("simpul.db*"):
            path.unlink()  # the village node comes back with nothing but two records
        fill(child, tmp_path, 2)
        child.start()
        job = harvest(registry, "desa")
    finally:
        child.stop()
    assert job.counts["feed_restarted"] == 1
    assert job.held_status == "held" and len(job.held) == 18
    assert not job.counts.get("deleted")
    with registry.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Service)) == 20
    from simpul.harvesters.deletions import review_held

    with registry.db.transaction() as session:  # an operator confirms: the child starts over
        review_held(session, job.id, apply=True)
    with registry.db.session() as session:
        live = session.scalars(select(Service.identifier).where(Service.deleted_at.is_(None)))
        assert sorted(live) == ["layanan-0", "layanan-1"]  # back under new keys: kept


def test_a_demo_node_never_takes_another_process_on_its_port_for_itself(tmp_path):
    """The port was free when chosen; if another server took it before the node started, the
    node's start fails clearly instead of talking to the stranger as if it were the node."""
    stranger = RemoteServer()
    try:
        stranger.route("/api/v1/node", Response(json.dumps({"id": "someone-else"}).encode()))
        stranger.route("/health", Response(b"{}"))
        port = int(stranger.base.rsplit(":", 1)[1])
        node = DemoNode("desa-langge", "desa", "75.03.01.2007", "pemdes-langge", "Desa Langge",
                        tmp_path / "n", port)  # fmt: skip
        node.folder.mkdir()
        node.simpul("db", "upgrade")
        with pytest.raises(RuntimeError, match="did not start on port"):
            node.start()
    finally:
        node.stop()
        stranger.close()
