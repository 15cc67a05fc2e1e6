"""Simpul nodes harvesting each other through the change feed, over real HTTP on loopback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from simpul.harvesters.runner import harvest
from simpul.harvesters.sources import create_source
from simpul.registry.auth import SYSTEM
from simpul.registry.organizations import create_organization
from simpul.registry.services import (
    list_services,
    publish,
    replace,
    retire,
    service_to_dict,
)
from tests.data import TEST_DATA
from tests.services.node import Node

DESA = {
    "id": "desa-langge",
    "name": {"id": "Desa Langge"},
    "level": "desa",
    "area": "75.03.01.2007",
}
KAB = {
    "id": "kab-bone-bolango",
    "name": {"id": "Kabupaten Bone Bolango"},
    "level": "kabkota",
    "area": "75.03",
}
PROV = {
    "id": "prov-gorontalo",
    "name": {"id": "Provinsi Gorontalo"},
    "level": "provinsi",
    "area": "75",
}


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


def publish_at(node: Node, identifier: str, name: str, authority: str = "desa-langge"):
    reg = node.registry
    with reg.db.transaction() as session:
        record = {"identifier": identifier, "name": {"id": name}, "authority": authority}
        row, _ = publish(
            session, record, SYSTEM, base_uri=reg.base_uri, provenance=reg.provenance(SYSTEM, "api")
        )
        return service_to_dict(row)


def follow(node: Node, source_id: str, child: Node, owner: str, **fields) -> None:
    with node.registry.db.transaction() as session:
        create_source(
            session,
            {
                "id": source_id,
                "type": "simpul",
                "url": child.base,
                "organization": owner,
                "schedule": "manual",
                **fields,
            },
        )


def records(node: Node) -> dict[str, dict]:
    with node.registry.db.session() as session:
        _, rows = list_services(session, size=10_000)
        return {r.identifier: service_to_dict(r) for r in rows}


@pytest.fixture
def nodes(tmp_path):
    desa = make_node(tmp_path, "desa", "desa", "75.03.01.2007", DESA)
    kab = make_node(tmp_path, "kabkota", "kabkota", "75.03", KAB)
    prov = make_node(tmp_path, "provinsi", "provinsi", "75", PROV)
    yield desa, kab, prov
    for node in (desa, kab, prov):
        node.close()


def test_a_record_travels_up_with_its_identity_and_provenance(nodes):
    desa, kab, prov = nodes
    original = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    follow(kab, "desa", desa, "kab-bone-bolango")
    follow(prov, "kab", kab, "prov-gorontalo")
    job = harvest(kab.registry, "desa")
    assert job.status == "finished" and job.counts["created"] == 1, job.message
    assert job.counts["organizations_added"] == 1
    assert harvest(prov.registry, "kab").counts["created"] == 1
    arrived = records(prov)["surat-domisili"]
    assert arrived["id"] == original["id"] and arrived["uri"] == original["uri"]
    assert arrived["authority"] == "desa-langge"
    provenance = arrived["provenance"]
    assert provenance["chain"] == ["desa", "kabkota", "provinsi"]
    assert provenance["origin"]["node"] == "desa" and provenance["origin"]["version"] == 1


def test_updates_and_tombstones_follow_incrementally(nodes):
    desa, kab, _ = nodes
    first = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    publish_at(desa, "surat-usaha", "Surat Keterangan Usaha")
    follow(kab, "desa", desa, "kab-bone-bolango")
    harvest(kab.registry, "desa")
    reg = desa.registry
    with reg.db.transaction() as session:
        replace(
            session,
            first["id"],
            {"identifier": "surat-domisili", "name": {"id": "Surat Domisili (baru)"}},
            SYSTEM,
            base_uri=reg.base_uri,
            provenance=reg.provenance(SYSTEM, "api"),
        )
    job = harvest(kab.registry, "desa")
    assert job.mode == "incremental" and job.counts["updated"] == 1
    assert job.counts["seen"] == 1  # only what changed since the cursor
    assert records(kab)["surat-domisili"]["provenance"]["origin"]["version"] == 2
    with reg.db.transaction() as session:
        retire(session, first["id"], SYSTEM)
    job = harvest(kab.registry, "desa")
    assert job.counts["deleted"] == 1
    assert set(records(kab)) == {"surat-usaha"}
    again = harvest(kab.registry, "desa")
    assert again.counts.get("seen", 0) == 0 and not again.counts.get("deleted")


def test_nodes_harvesting_each_other_do_not_loop(nodes):
    desa, kab, _ = nodes
    publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    with desa.registry.db.transaction() as session:
        create_organization(session, KAB)
    follow(kab, "desa", desa, "kab-bone-bolango")
    follow(desa, "kab", kab, "kab-bone-bolango")
    harvest(kab.registry, "desa")
    job = harvest(desa.registry, "kab")
    assert job.counts.get("cycle") == 1 and not job.counts.get("created")
    assert len(records(desa)) == 1 and len(records(kab)) == 1
    assert harvest(kab.registry, "desa").counts.get("seen", 0) == 0


def test_two_paths_store_one_record_and_the_direct_copy_wins(nodes):
    desa, kab, prov = nodes
    record = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    follow(kab, "desa", desa, "kab-bone-bolango")
    follow(prov, "kab", kab, "prov-gorontalo")
    harvest(kab.registry, "desa")
    harvest(prov.registry, "kab")  # relayed first
    follow(prov, "desa-direct", desa, "prov-gorontalo")
    job = harvest(prov.registry, "desa-direct")
    assert job.status == "finished", job.message
    held = records(prov)
    assert len(held) == 1 and held["surat-domisili"]["id"] == record["id"]
    # same version by a shorter path: the direct copy is authoritative
    assert held["surat-domisili"]["provenance"]["chain"] == ["desa", "provinsi"]
    assert set(held["surat-domisili"]["provenance"]["sources"]) == {"kab", "desa-direct"}
    again = harvest(prov.registry, "kab")
    assert again.counts.get("seen", 0) == 0


def test_a_child_reset_never_deletes_en_masse(nodes):
    desa, kab, _ = nodes
    for n in range(5):
        publish_at(desa, f"layanan-{n}", f"Layanan {n}")
    follow(kab, "desa", desa, "kab-bone-bolango")
    harvest(kab.registry, "desa")
    with desa.registry.db.engine.begin() as conn:  # the village node starts over, empty
        for table in ("changes", "service_versions", "services"):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (fixed names)
    publish_at(desa, "layanan-baru", "Layanan Baru")
    job = harvest(kab.registry, "desa")
    assert job.counts.get("feed_restarted") == 1
    assert job.counts["created"] == 1
    assert job.held_status == "held" and not job.counts.get("deleted")
    assert len(records(kab)) == 6


def test_a_child_down_or_answering_an_error_page(nodes, remote):
    from tests.services.http import Response

    desa, kab, _ = nodes
    publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    follow(kab, "desa", desa, "kab-bone-bolango", options={"fetch": {"retries": 0}})
    harvest(kab.registry, "desa")
    desa.close()
    job = harvest(kab.registry, "desa")
    assert job.status == "failed" and "connection refused" in job.message
    assert len(records(kab)) == 1
    remote.route("/api/v1/node", Response(b"<html>502 Bad Gateway</html>", "text/html"))
    with kab.registry.db.transaction() as session:
        from simpul.harvesters.sources import update_source

        update_source(session, "desa", {"url": remote.base})
    job = harvest(kab.registry, "desa")
    assert job.status == "failed" and "not JSON" in job.message
    assert len(records(kab)) == 1


def test_federation_status_in_the_node_description_and_the_cli(nodes, tmp_path):
    from click.testing import CliRunner

    from simpul.cli import main

    desa, kab, _ = nodes
    for n in range(3):
        publish_at(desa, f"layanan-{n}", f"Layanan {n}")
    follow(kab, "desa", desa, "kab-bone-bolango")
    harvest(kab.registry, "desa")
    publish_at(desa, "layanan-baru", "Layanan Baru")  # not yet harvested
    body = kab.app.test_client().get("/api/v1/node").get_json()
    [child] = body["sources"]
    assert child["source"] == "desa" and child["node"]["id"] == "desa"
    assert child["lag"] == 0 and child["last_job"]["status"] == "finished"
    harvest(kab.registry, "desa")
    env = {
        "SIMPUL_DATABASE_URL": kab.registry.settings.database_url,
        "SIMPUL_DATA_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(main, ["federation", "status"], env=env)
    assert result.exit_code == 0
    assert result.output.startswith(f"desa\tdesa\t{desa.base}\tlag 0\tfinished\t")


def test_the_chain_is_exported_as_prov_o_and_conforms(nodes):
    from rdflib import Graph, URIRef
    from rdflib.namespace import PROV

    from simpul.vocab.shacl import validate

    desa, kab, prov = nodes
    record = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    follow(kab, "desa", desa, "kab-bone-bolango")
    follow(prov, "kab", kab, "prov-gorontalo")
    harvest(kab.registry, "desa")
    harvest(prov.registry, "kab")
    turtle = (
        prov.app.test_client()
        .get(f"/api/v1/services/{record['id']}", headers={"Accept": "text/turtle"})
        .get_data(as_text=True)
    )
    graph = Graph().parse(data=turtle, format="turtle")
    subject = URIRef(record["uri"])
    origin = graph.value(subject, PROV.wasAttributedTo)
    assert str(graph.value(origin, URIRef("http://purl.org/dc/terms/identifier"))) == "desa"
    hops = sorted(graph.objects(subject, PROV.wasInfluencedBy), key=str)
    assert [str(h).rsplit("#", 1)[1] for h in hops] == ["hop-2", "hop-3"]
    assert graph.value(URIRef(record["uri"] + "#hop-3"), PROV.wasInformedBy) == URIRef(
        record["uri"] + "#hop-2"
    )
    official = Graph().parse(TEST_DATA / "vocab/cpsv-ap-3.2.0/shacl/cpsv-ap-SHACL.ttl")
    assert validate(graph)["violations"] == 0
    assert validate(graph, [official])["violations"] == 0


def test_a_renamed_organization_reaches_the_parent(nodes):
    from simpul.registry.organizations import update_organization

    desa, kab, _ = nodes
    publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    follow(kab, "desa", desa, "kab-bone-bolango")
    harvest(kab.registry, "desa")
    with desa.registry.db.transaction() as session:
        update_organization(session, "desa-langge", {**DESA, "name": {"id": "Desa Langge Baru"}})
    job = harvest(kab.registry, "desa")
    assert job.counts["seen"] == 1  # the feed shows the organization's service as changed
    with kab.registry.db.session() as session:
        from simpul.registry.models import Organization

        assert session.get(Organization, "desa-langge").name == {"id": "Desa Langge Baru"}


def test_a_newer_version_wins_even_when_relayed(nodes):
    desa, kab, prov = nodes
    record = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    follow(prov, "desa-direct", desa, "prov-gorontalo")
    follow(kab, "desa", desa, "kab-bone-bolango")
    follow(prov, "kab", kab, "prov-gorontalo")
    harvest(prov.registry, "desa-direct")  # v1, directly
    reg = desa.registry
    with reg.db.transaction() as session:
        replace(
            session,
            record["id"],
            {"identifier": "surat-domisili", "name": {"id": "Domisili (versi 2)"}},
            SYSTEM,
            base_uri=reg.base_uri,
            provenance=reg.provenance(SYSTEM, "api"),
        )
    harvest(kab.registry, "desa")
    job = harvest(prov.registry, "kab")  # v2 arrives relayed first
    assert job.counts["updated"] == 1
    held = records(prov)["surat-domisili"]
    assert held["name"] == {"id": "Domisili (versi 2)"}
    assert held["provenance"]["origin"]["version"] == 2
    assert held["provenance"]["source"] == "kab"
    harvest(prov.registry, "desa-direct")  # the same v2 from nearer its origin takes over
    held = records(prov)["surat-domisili"]
    assert held["provenance"]["source"] == "desa-direct"
    assert held["provenance"]["chain"] == ["desa", "provinsi"]
    assert len(records(prov)) == 1
