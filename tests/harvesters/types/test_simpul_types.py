"""The national service types travel through the federation (issue 14): a province node follows
the national node's list (``types: true``), keeping its URIs and applying its versions, and a
record's automatic link made by a child is left to this node's own matcher. Real nodes on
loopback."""

from __future__ import annotations

import pytest

from simpul.errors import Forbidden
from simpul.harvesters.runner import harvest
from simpul.harvesters.sources import create_source, update_source
from simpul.registry import services, types
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.organizations import create_organization
from tests.services.node import Node

PUSAT = {"id": "kemenpan-rb", "name": {"id": "Kementerian PANRB"}, "level": "pusat"}
PROV = {"id": "prov-gorontalo", "name": {"id": "Provinsi Gorontalo"}, "level": "provinsi"}
PROV["area"] = "75"
KAB = {"id": "disdukcapil-bone-bolango", "name": {"id": "Disdukcapil Bone Bolango"}}
KAB |= {"level": "kabkota", "area": "75.03"}


def make_node(tmp_path, name, level, area, *orgs, **settings) -> Node:
    node = Node(
        tmp_path / name,
        node_id=name,
        node_level=level,
        node_area=area,
        harvest_allow_private=True,
        **settings,
    )
    with node.registry.db.transaction() as session:
        for org in orgs:
            create_organization(session, org)
    return node


def national_list(node: Node) -> None:
    reg = node.registry
    with reg.db.transaction() as session:
        types.load_types(
            session, types.national_list(), SYSTEM, base_uri=reg.base_uri, provenance={}
        )


def follow(node: Node, source_id: str, remote: Node, owner: str, **options) -> None:
    with node.registry.db.transaction() as session:
        create_source(
            session,
            {
                "id": source_id,
                "type": "simpul",
                "url": remote.base,
                "organization": owner,
                "schedule": "manual",
                "options": options,
            },
        )


def stored_type(node: Node, type_id: str):
    with node.registry.db.session() as session:
        row = types.get_type(session, type_id)
        session.expunge(row)
        return row


@pytest.fixture
def nodes(tmp_path):
    pusat = make_node(tmp_path, "pusat", "pusat", "00", PUSAT)
    prov = make_node(tmp_path, "provinsi", "provinsi", "75", PROV, type_auto_link="off")
    kab = make_node(tmp_path, "kabkota", "kabkota", "75.03", KAB)
    yield pusat, prov, kab
    for node in (pusat, prov, kab):
        node.close()


def test_a_province_reuses_the_national_list_with_its_uris_and_versions(nodes):
    pusat, prov, _ = nodes
    national_list(pusat)
    follow(prov, "nasional", pusat, "prov-gorontalo", types=True, records=False)
    job = harvest(prov.registry, "nasional")
    assert job.status == "finished", job.message
    assert job.counts["types_created"] >= 80 and not job.counts.get("created")
    here = stored_type(prov, "akta-kelahiran")
    assert here.uri == f"{pusat.base}/types/akta-kelahiran"
    assert here.provenance["method"] == "harvest" and here.provenance["source"] == "nasional"
    assert here.provenance["origin"]["version"] == 1
    # a functional change at the nation becomes a new version here, judged functional here
    reg = pusat.registry
    with reg.db.transaction() as session:
        changed = dict(types.get_type(session, "akta-kelahiran").data)
        changed["defaults"] = {**changed["defaults"], "processing_time": "P3D"}
        types.replace_type(session, "akta-kelahiran", changed, SYSTEM, base_uri="", provenance={})
        types.retire_type(
            session, "kartu-keluarga", SYSTEM, base_uri="", provenance={}, superseded_by="ktp-el"
        )
    again = harvest(prov.registry, "nasional")
    assert (again.counts["types_updated"], again.counts["types_retired"]) == (1, 1)
    here = stored_type(prov, "akta-kelahiran")
    assert (here.version, here.functional_version) == (2, 2)
    assert here.data["defaults"]["processing_time"] == "P3D"
    retired = stored_type(prov, "kartu-keluarga")
    assert retired.status == "retired" and retired.data["superseded_by"] == "ktp-el"
    quiet = harvest(prov.registry, "nasional")
    assert not any(k.startswith("types_") and k != "types_unchanged" for k in quiet.counts)


def test_only_an_administrator_or_national_coordinator_makes_a_source_carry_types(nodes):
    pusat, prov, _ = nodes
    editor = Actor("token:x", "prov-gorontalo", "editor")
    raw = {"id": "nasional", "type": "simpul", "url": pusat.base}
    raw |= {"organization": "prov-gorontalo", "options": {"types": True}}
    with prov.registry.db.transaction() as session, pytest.raises(Forbidden):
        create_source(session, raw, editor)
    with prov.registry.db.transaction() as session:
        create_source(session, {**raw, "options": {}}, editor)
    with prov.registry.db.transaction() as session, pytest.raises(Forbidden):
        update_source(session, "nasional", {"options": {"types": True}}, editor)


def _publish(node: Node, identifier: str, name: str, **fields) -> dict:
    reg = node.registry
    with reg.db.transaction() as session:
        record = {"identifier": identifier, "name": {"id": name}, "authority": KAB["id"], **fields}
        row, _ = services.publish(
            session,
            record,
            SYSTEM,
            base_uri=reg.base_uri,
            provenance=reg.provenance(SYSTEM, "api"),
            types=reg.type_index(session),
        )
        return services.service_to_dict(row)


def test_an_automatic_link_is_the_childs_guess_and_a_manual_one_the_agencys_choice(nodes):
    pusat, prov, kab = nodes
    national_list(pusat)
    national_list(kab)
    guessed = _publish(kab, "akta-online", "Pembuatan Akta Kelahiran Online")
    _publish(kab, "kk", "Layanan Dokumen Keluarga", type="kartu-keluarga")
    assert guessed["type_link"]["method"] == "automatic"
    follow(prov, "nasional", pusat, "prov-gorontalo", types=True, records=False)
    follow(prov, "kab", kab, "prov-gorontalo")
    assert harvest(prov.registry, "nasional").status == "finished"
    job = harvest(prov.registry, "kab")
    assert job.counts["created"] == 2, job.message
    with prov.registry.db.session() as session:
        index = prov.registry.type_index(session)
        arrived = {
            r.identifier: services.service_to_dict(r, types=index)
            for r in services.list_services(session, size=10)[1]
        }
    # this node links automatically never (type_auto_link off): the child's guess is dropped
    assert "type" not in arrived["akta-online"]
    assert arrived["kk"]["type"] == "kartu-keluarga"
    assert arrived["kk"]["type_link"]["method"] == "manual"
    assert arrived["kk"]["type_link"]["uri"] == f"{pusat.base}/types/kartu-keluarga"
