"""Deleting what vanished: tombstones only for what nothing else still brings."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from simpul.harvesters.deletions import delete_vanished, retirable
from simpul.harvesters.importing import Organizations
from simpul.registry.auth import Actor
from simpul.registry.models import HarvestRecord
from tests.services.http import Response

OPTIONS = {"fields": {"identifier": "id", "name": "nama"}}


def _rows(session, source_id):
    query = select(
        HarvestRecord.id, HarvestRecord.key, HarvestRecord.service_id, HarvestRecord.status
    ).where(HarvestRecord.source_id == source_id)
    return {r.key: r for r in session.execute(query)}


def test_a_service_another_source_still_brings_is_not_retired(registry, harvests, remote):
    harvests.org()
    both = {"id": "akta", "nama": "Akta", "authority": "kota-gorontalo"}
    remote.route("/a", Response(orjson.dumps([both, {"id": "ktp", "nama": "KTP"}])))
    remote.route("/b", Response(orjson.dumps([both])))
    harvests.source("a", "json", remote.url("/a"), options=OPTIONS, priority=1)
    harvests.source("b", "json", remote.url("/b"), options=OPTIONS)
    harvests.run("a"), harvests.run("b")
    with registry.db.transaction() as session:
        rows = list(_rows(session, "a").values())
        assert retirable(session, rows) == {_rows(session, "a")["ktp"].service_id}
        orgs = Organizations(session, "kota-gorontalo")
        writable = {k: orgs.info[k] for k in orgs.writable}
        actor = Actor("harvest:a", "kota-gorontalo", "system")
        assert delete_vanished(session, "a", rows, actor, writable, registry.base_uri) == 1
        assert {r.status for r in _rows(session, "a").values()} == {"gone"}
    live = harvests.live()
    assert "akta" in live and "ktp" not in live
