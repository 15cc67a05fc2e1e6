"""Seeding the organizations expected to report (issue 16): the governments of the Kemendagri
areas and the central ministries and agencies, kept and matched with what the node has."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from simpul.errors import InvalidInput
from simpul.harvesters.runner import harvest
from simpul.reference.government import central_organizations
from simpul.registry.models import Change, Organization
from simpul.registry.organizations import create_organization
from simpul.registry.seeding import apply_seed, list_expected, plan_seed
from tests.harvesters.types.test_simpul import follow, make_node, publish_at, records


def seed(registry, levels: str, scope: str = "00") -> int:
    with registry.db.session() as session:
        plan = plan_seed(session, levels.split(","), scope)
    return apply_seed(registry.db, plan, chunk=100)


def orgs(registry) -> dict[str, Organization]:
    with registry.db.session() as session:
        return {row.id: row for row in session.scalars(select(Organization))}


def add(registry, *rows: dict) -> None:
    with registry.db.transaction() as session:
        for row in rows:
            create_organization(session, row)


def test_every_province_and_regency_gets_its_government_named_from_the_area_list(registry):
    assert seed(registry, "provinsi,kabkota") == 38 + 514
    got = orgs(registry)
    prov, kab, kota = got["pemprov-gorontalo"], got["pemkab-gorontalo"], got["pemkot-gorontalo"]
    assert prov.name == {
        "id": "Pemerintah Provinsi Gorontalo",
        "en": "Provincial Government of Gorontalo",
    }
    assert (prov.level, prov.area, prov.parent_id) == ("provinsi", "75", None)
    assert kab.name["id"] == "Pemerintah Kabupaten Gorontalo"
    assert kota.name == {"id": "Pemerintah Kota Gorontalo", "en": "Government of Gorontalo City"}
    assert (kota.area, kota.parent_id) == ("75.71", "pemprov-gorontalo")
    assert got["pemkot-jakarta-pusat"].name["id"] == "Pemerintah Kota Administrasi Jakarta Pusat"


def test_a_second_run_creates_and_changes_nothing(registry):
    seed(registry, "provinsi,kabkota")
    before = {k: (v.name, v.parent_id, v.modified) for k, v in orgs(registry).items()}
    with registry.db.session() as session:
        plan = plan_seed(session, ["provinsi", "kabkota"])
    assert plan.changes == 0
    assert [len(level.kept) for level in plan.levels] == [38, 514]
    assert apply_seed(registry.db, plan) == 0
    after = {k: (v.name, v.parent_id, v.modified) for k, v in orgs(registry).items()}
    assert after == before


def test_the_governments_a_node_has_are_kept_under_their_own_ids_and_offices_are_not(registry):
    province = {"id": "gorontalo", "name": {"id": "Provinsi Gorontalo"}, "level": "provinsi"}
    add(
        registry,
        province | {"area": "75"},
        # an office of the province: same level, same area as its parent, so not the government
        {
            "id": "dinkes-prov",
            "name": {"id": "Dinas Kesehatan"},
            "level": "provinsi",
            "area": "75",
            "parent": "gorontalo",
        },
        # an office registered without its government: nobody to report through yet
        {"id": "dinkes-boalemo", "name": {"id": "Dinkes"}, "level": "kabkota", "area": "75.02"},
    )
    seed(registry, "provinsi,kabkota", "75")
    got = orgs(registry)
    assert "pemprov-gorontalo" not in got and got["gorontalo"].name == province["name"]
    assert got["pemkot-gorontalo"].parent_id == "gorontalo"
    assert "pemkab-boalemo" not in got  # dinkes-boalemo counts as its government until fixed
    with registry.db.session() as session:
        expected = {row.id for row in list_expected(session)}
    assert "dinkes-prov" not in expected and {"gorontalo", "pemkot-gorontalo"} <= expected


def test_two_governments_of_one_area_are_reported_and_the_first_kept(registry):
    add(
        registry,
        {"id": "a-gov", "name": {"id": "A"}, "level": "provinsi", "area": "75"},
        {"id": "b-gov", "name": {"id": "B"}, "level": "provinsi", "area": "75"},
    )
    with registry.db.session() as session:
        plan = plan_seed(session, ["provinsi"], "75")
    assert plan.levels[0].kept == {"75": "a-gov"}
    assert plan.levels[0].ambiguous == {"75": ["a-gov", "b-gov"]}


def test_a_node_seeds_within_its_area_and_nothing_above_it(registry):
    assert seed(registry, "provinsi,kabkota", "75.71") == 1
    kota = orgs(registry)["pemkot-gorontalo"]
    assert kota.parent_id is None  # its province lies outside the node's area


def test_villages_go_under_their_district_or_else_their_regency(registry):
    seed(registry, "provinsi,kabkota", "75")
    seed(registry, "kecamatan", "75.71")
    seed(registry, "desa", "75")
    got = orgs(registry)
    dembe = got["kelurahan-dembe-i-7571011001"]
    assert dembe.name == {"id": "Kelurahan Dembe I", "en": "Dembe I Urban Village"}
    assert dembe.parent_id == "kecamatan-kota-barat-757101"
    langge = got["desa-langge-7503012007"]
    assert langge.name["id"] == "Pemerintah Desa Langge"
    assert langge.parent_id == "pemkab-bone-bolango"  # its district was not seeded


def test_villages_without_their_regencies_are_refused_before_anything_is_written(registry):
    with registry.db.session() as session, pytest.raises(InvalidInput) as caught:
        plan_seed(session, ["desa"], "75.71")
    assert "add kabkota to the levels" in caught.value.detail
    assert orgs(registry) == {}


def test_bad_levels_and_areas_are_refused(registry):
    with registry.db.session() as session:
        for levels, scope in ((["provinsi", "negara"], "00"), (["provinsi"], "99"), ([], "00")):
            with pytest.raises(InvalidInput):
                plan_seed(session, levels, scope)
        with pytest.raises(InvalidInput, match="national node"):
            plan_seed(session, ["pusat"], "75")


def test_central_bodies_come_from_the_list_and_reuse_the_ids_a_node_has(registry):
    add(
        registry,
        {"id": "kemenkes", "name": {"id": "Kementerian Kesehatan"}, "level": "pusat"},
        {"id": "kemenkeu-ri", "name": {"id": "KEMENTERIAN KEUANGAN"}, "level": "pusat"},
    )
    created = seed(registry, "pusat")
    listed = central_organizations()
    assert created == len(listed) - 2
    got = orgs(registry)
    assert "kemenkeu" not in got  # matched by name
    assert got["kemendagri"].name == {
        "id": "Kementerian Dalam Negeri",
        "en": "Ministry of Home Affairs",
    }
    assert got["kemendagri"].homepage == "https://kemendagri.go.id"
    assert all(len(body["name"]["en"]) > 3 for body in listed)
    assert len({body["id"] for body in listed}) == len(listed)


def test_seeding_writes_no_change_feed_entry(registry):
    seed(registry, "provinsi,kabkota", "75")
    with registry.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Change)) == 0


def test_seeded_organizations_travel_up_the_federation_without_refusals(tmp_path):
    """A province's node and the national node both seeded: the national node harvests the
    province's feed; the organizations are the same ones (same ids), nothing is refused, nothing
    is duplicated, and a regency's service arrives under its seeded authority."""
    child = make_node(tmp_path, "provinsi", "provinsi", "75")
    parent = make_node(tmp_path, "pusat", "pusat", "00")
    try:
        seed(child.registry, "provinsi,kabkota", "75")
        seed(child.registry, "kecamatan,desa", "75.03")
        seed(parent.registry, "provinsi,kabkota")
        publish_at(child, "surat-domisili", "Surat Keterangan Domisili", "desa-langge-7503012007")
        publish_at(child, "izin-usaha", "Izin Usaha", "pemkab-boalemo")
        before = len(orgs(parent.registry))
        follow(parent, "gorontalo", child, "pemprov-gorontalo")
        job = harvest(parent.registry, "gorontalo")
        assert job.status == "finished", job.message
        assert job.counts["created"] == 2 and not job.counts.get("errors"), job.counts
        assert not job.counts.get("organizations_refused"), job.counts
        arrived = records(parent)
        assert arrived["izin-usaha"]["authority"] == "pemkab-boalemo"
        assert arrived["surat-domisili"]["authority"] == "desa-langge-7503012007"
        added = len(orgs(parent.registry)) - before
        assert added == len(orgs(child.registry)) - 7  # its villages; the 7 governments known
        again = harvest(parent.registry, "gorontalo")
        assert again.status == "finished" and not again.counts.get("organizations_refused")
    finally:
        child.close()
        parent.close()
