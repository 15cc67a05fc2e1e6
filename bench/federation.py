"""Federation benchmarks: a parent node's initial sync from a child node served by a real
``simpul serve`` process on loopback, and an incremental sync of 1,000 changes.

Baseline in the same run: the bulk load that filled the child (the fastest way in)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import orjson

from simpul.demo.federation import DemoNode, _free_port


def _child(ctx, count: int) -> tuple[DemoNode, float]:
    """A child node filled by ``simpul load``, always from scratch (also with a kept
    ``--workdir``), so that the load, the baseline, is measured in every run."""
    folder = ctx.workdir / f"fed-child-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    node = DemoNode(
        "child", "pusat", "00", "kementerian-sintetis", "Kementerian Sintetis", folder, _free_port()
    )
    folder.mkdir(parents=True)
    node.simpul("db", "upgrade")
    node.simpul("orgs", "add", "--id", node.org, "--name", node.org_name, "--level", "pusat")
    path = folder / "records.jsonl"
    with ctx.records.open("rb") as src, path.open("wb") as dst:
        for number, line in enumerate(src):
            if number == count:
                break
            dst.write(line)
    start = time.perf_counter()
    node.simpul("load", str(path), "--org", node.org)
    return node, count / (time.perf_counter() - start)


def _parent(ctx, child: DemoNode):
    from simpul.config import load_settings
    from simpul.harvesters.sources import create_source
    from simpul.registry.context import Registry
    from simpul.registry.organizations import create_organization

    path = ctx.workdir / "fed-parent.db"
    for stale in ctx.workdir.glob("fed-parent.db*"):
        stale.unlink()
    registry = Registry(
        load_settings(
            {
                "database_url": f"sqlite:///{path}",
                "harvest_allow_private": True,
                "node_id": "parent",
                "data_dir": str(ctx.workdir),
            },
            environ={},
        )
    )
    registry.db.upgrade()
    with registry.db.transaction() as session:
        create_organization(
            session, {"id": "pusat-data", "name": {"id": "Pusat Data"}, "level": "pusat"}
        )
        create_source(
            session,
            {
                "id": "child",
                "type": "simpul",
                "url": child.base,
                "organization": "pusat-data",
                "schedule": "manual",
                "options": {"limit": 1000},
            },
        )
    return registry


def federation_sync(ctx) -> dict:
    from simpul.harvesters.runner import harvest

    count = ctx.count
    child, load_rate = _child(ctx, count)
    child.start()
    try:
        parent = _parent(ctx, child)
        start = time.perf_counter()
        job = harvest(parent, "child")
        initial = time.perf_counter() - start
        assert job.status == "finished" and job.counts["created"] == count, job.counts
        changed = _change_at_child(child, 1000)
        start = time.perf_counter()
        job = harvest(parent, "child")
        incremental = time.perf_counter() - start
        assert job.counts["updated"] == changed, job.counts
        parent.close()
    finally:
        child.stop()
    out = {
        "records": count,
        "initial_seconds": round(initial, 2),
        "initial_records_per_s": round(count / initial),
        "incremental_changes": changed,
        "incremental_seconds": round(incremental, 2),
    }
    out["baseline_bulk_load_records_per_s"] = round(load_rate)
    out["ratio_to_bulk_load"] = round(count / initial / load_rate, 3)
    return out


def _change_at_child(child: DemoNode, n: int) -> int:
    """Change n records at the child with ``simpul load`` (new descriptions)."""
    from simpul.config import load_settings
    from simpul.registry.context import Registry
    from simpul.registry.services import list_services

    reg = Registry(load_settings({"data_dir": str(child.folder)}, environ={}))
    with reg.db.session() as session:
        _, rows = list_services(session, size=n)
        lines = []
        for row in rows:
            record = {**row.data, "description": {"id": f"Diubah {time.time_ns()}"}}
            lines.append(orjson.dumps(record))
    reg.close()
    path = Path(child.folder) / "changes.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    child.simpul("load", str(path), "--org", child.org)
    return len(lines)
