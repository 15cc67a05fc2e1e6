"""A child node's review flags reach its parent through the change feed (issue 14): the
parent's copy carries the child's flag and its resolution, and the parent's own change of the
same type does not flag records that belong to the child."""

from __future__ import annotations

from simpul.harvesters.runner import harvest
from simpul.registry import reviews, services, types
from simpul.registry.auth import SYSTEM
from tests.harvesters.types.test_simpul import DESA, KAB, follow, make_node

KIND = {
    "id": "surat-domisili",
    "name": {"id": "Surat Keterangan Domisili"},
    "kind": "permohonan",
    "applies_to": ["desa"],
    "defaults": {"cost": {"amount": 0, "currency": "IDR"}},
}


def _write_type(node, cost: int | None = None) -> None:
    reg, data = node.registry, dict(KIND)
    with reg.db.transaction() as session:
        if cost is None:
            types.create_type(session, data, SYSTEM, base_uri=reg.base_uri, provenance={})
        else:
            data["defaults"] = {"cost": {"amount": cost, "currency": "IDR"}}
            types.replace_type(session, KIND["id"], data, SYSTEM, base_uri="", provenance={})


def _review(node, service_id: str):
    with node.registry.db.session() as session:
        row = services.get(session, service_id)
        return row.review_status, (row.review or {}).get("status")


def test_a_childs_flag_and_its_resolution_reach_the_parent(tmp_path):
    desa = make_node(tmp_path, "desa", "desa", "75.03.01.2007", DESA)
    kab = make_node(tmp_path, "kabkota", "kabkota", "75.03", KAB)
    try:
        for node in (desa, kab):
            _write_type(node)
        reg = desa.registry
        with reg.db.transaction() as session:
            record = {
                "identifier": "domisili",
                "name": {"id": "Surat Domisili"},
                "type": KIND["id"],
            }
            row, _ = services.publish(
                session,
                {**record, "authority": "desa-langge"},
                SYSTEM,
                base_uri=reg.base_uri,
                provenance={},
                types=reg.type_index(session),
            )
            service_id = row.id
        follow(kab, "desa", desa, "kab-bone-bolango")
        assert harvest(kab.registry, "desa").counts["created"] == 1
        _write_type(kab, 3000)  # the parent's own change: the child's record is the child's
        assert _review(kab, service_id) == (None, None)
        _write_type(desa, 5000)
        job = harvest(kab.registry, "desa")
        assert job.status == "finished", job.message
        assert _review(kab, service_id) == ("type-changed", "type-changed")
        with kab.registry.db.session() as session:
            counts = reviews.pending_counts(session, area="75.03")
        assert counts["total"] == 1 and counts["by_organization"][0]["organization"] == DESA["id"]
        with reg.db.transaction() as session:
            reviews.resolve(
                session,
                service_id,
                {"action": "confirm"},
                SYSTEM,
                base_uri=reg.base_uri,
                provenance={},
                types=reg.type_index(session),
            )
        harvest(kab.registry, "desa")
        assert _review(kab, service_id) == (None, "confirmed")
    finally:
        desa.close()
        kab.close()
