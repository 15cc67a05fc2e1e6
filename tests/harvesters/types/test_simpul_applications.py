"""Applications travel up the federation like services, over real HTTP on loopback: with their
id, URI and the chain of nodes, linking the services as stored at the parent; updates and
tombstones follow; a child writes only applications of its own subtree; the change feed stays
services-only for harvesters that do not ask for applications."""

from __future__ import annotations

from simpul.harvesters.runner import harvest
from simpul.registry import applications
from simpul.registry.auth import SYSTEM
from simpul.registry.organizations import create_organization
from tests.harvesters.types import test_simpul
from tests.harvesters.types.test_simpul import follow, publish_at
from tests.services.node import Node

nodes = test_simpul.nodes  # the three nodes (desa, kabkota, provinsi) as a fixture here
OUTSIDE = {"id": "kab-gorontalo", "name": {"id": "Kabupaten Gorontalo"}, "level": "kabkota"}


def app_at(node: Node, identifier: str, services: list[str], owner="desa-langge", **fields):
    reg = node.registry
    raw = {
        "identifier": identifier,
        "name": {"id": f"Aplikasi {identifier}"},
        "organization": owner,
        "kind": "web",
        "services": services,
        **fields,
    }
    with reg.db.transaction() as session:
        row, _ = applications.publish(
            session, raw, SYSTEM, base_uri=reg.base_uri, provenance=reg.provenance(SYSTEM, "api")
        )
        return applications.application_to_dict(row)


def apps(node: Node) -> dict[str, dict]:
    with node.registry.db.session() as session:
        _, rows = applications.list_applications(session, size=1000)
        return {r.identifier: applications.application_to_dict(r) for r in rows}


def test_an_application_travels_up_with_its_identity_and_links(nodes):
    desa, kab, prov = nodes
    service = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    original = app_at(desa, "sipede", [service["identifier"]])
    follow(kab, "desa", desa, "kab-bone-bolango")
    follow(prov, "kab", kab, "prov-gorontalo")
    job = harvest(kab.registry, "desa")
    assert job.status == "finished" and job.counts["applications_created"] == 1, job.message
    assert harvest(prov.registry, "kab").counts["applications_created"] == 1
    arrived = apps(prov)["sipede"]
    assert arrived["id"] == original["id"] and arrived["uri"] == original["uri"]
    assert arrived["organization"] == "desa-langge"
    assert arrived["services"] == [service["id"]]  # the service as stored at the parent
    assert arrived["provenance"]["chain"] == ["desa", "kabkota", "provinsi"]
    assert arrived["provenance"]["origin"]["node"] == "desa"
    with prov.registry.db.session() as session:
        linked = applications.of_service(session, service["id"])
    assert [a.id for a in linked] == [original["id"]]


def test_updates_and_tombstones_of_applications_follow(nodes):
    desa, kab, _ = nodes
    service = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    made = app_at(desa, "sipede", [service["id"]])
    follow(kab, "desa", desa, "kab-bone-bolango")
    harvest(kab.registry, "desa")
    reg = desa.registry
    with reg.db.transaction() as session:
        raw = {**{k: made[k] for k in ("identifier", "name", "organization", "services")}}
        applications.replace(
            session,
            made["id"],
            {**raw, "lifecycle": "dihentikan"},
            SYSTEM,
            base_uri=reg.base_uri,
            provenance=reg.provenance(SYSTEM, "api"),
        )
    job = harvest(kab.registry, "desa")
    assert job.counts["applications_updated"] == 1, job.counts
    assert apps(kab)["sipede"]["lifecycle"] == "dihentikan"
    with reg.db.transaction() as session:
        applications.retire(session, made["id"], SYSTEM)
    job = harvest(kab.registry, "desa")
    assert job.counts["applications_deleted"] == 1, job.counts
    assert apps(kab) == {}
    assert not harvest(kab.registry, "desa").counts.get("applications_deleted")


def test_a_child_writes_no_application_outside_its_subtree(nodes):
    desa, kab, _ = nodes
    with desa.registry.db.transaction() as session:
        create_organization(session, {**OUTSIDE, "area": "75.01"})
    app_at(desa, "sipede", [])
    app_at(desa, "simpeg", [], owner="kab-gorontalo")
    follow(kab, "desa", desa, "kab-bone-bolango")
    job = harvest(kab.registry, "desa")
    assert job.counts["applications_created"] == 1
    assert job.counts["applications_error"] == 1
    assert set(apps(kab)) == {"sipede"}


def test_the_feed_lists_applications_only_when_asked(nodes):
    desa, _, _ = nodes
    service = publish_at(desa, "surat-domisili", "Surat Keterangan Domisili")
    app_at(desa, "sipede", [service["id"]])
    client = desa.app.test_client()
    plain = client.get("/api/v1/changes").get_json()
    assert [i["kind"] for i in plain["items"]] == ["service"]  # older harvesters: services
    both = client.get("/api/v1/changes?kinds=service,application").get_json()
    assert [i["kind"] for i in both["items"]] == ["service", "application"]
    assert both["items"][1]["record"]["identifier"] == "sipede"
    only = client.get("/api/v1/changes?kinds=application").get_json()
    assert len(only["items"]) == 1 and only["next"] == both["next"]
    bad = client.get("/api/v1/changes?kinds=organization")  # roadmap is a kind since 0015
    assert bad.status_code in (400, 422) and "kinds" in bad.get_data(as_text=True)
