"""The coverage grid of national service types (issue 14): units from the Kemendagri list, what
offers a type (any organization of the unit's level and area with a live active record), what
declarations say, gaps, central units, and who may declare what."""

from __future__ import annotations

import pytest

from simpul.errors import Forbidden, ValidationFailed
from simpul.registry import coverage, declarations, organizations, services, types
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.coverage_units import area_codes
from simpul.registry.models import TypeDeclaration
from tests.conftest import service_record

BIRTH, VILLAGE, PASSPORT = "akta-kelahiran", "surat-keterangan-domisili", "paspor"
OFFICE = "disdukcapil-kota-gorontalo"
CITY, PROVINCE, BOALEMO, POHUWATO = (
    "pemkot-gorontalo",
    "pemprov-gorontalo",
    "pemkab-boalemo",
    ("pemkab-pohuwato"),
)
DINKES_BOALEMO = "dinkes-kab-boalemo"
MINISTRY, DIRECTORATE = "kemenkumham", "ditjen-imigrasi"


def _type(type_id: str, applies: list[str], mandatory: list[str]) -> dict:
    return {
        "id": type_id,
        "name": {"id": type_id.replace("-", " ").title()},
        "kind": "pencatatan",
        "applies_to": applies,
        "mandatory_at": mandatory,
    }


def _org(session, org_id, level, area=None, parent=None):
    raw = {"id": org_id, "name": {"id": org_id.replace("-", " ").title()}, "level": level}
    raw |= {"area": area} if area else {}
    raw |= {"parent": parent} if parent else {}
    organizations.create_organization(session, raw)


@pytest.fixture
def world(registry):
    with registry.db.transaction() as session:
        for raw in (
            _type(BIRTH, ["kabkota"], ["kabkota"]),
            _type(VILLAGE, ["desa"], []),
            _type(PASSPORT, ["pusat"], ["pusat"]),
        ):
            types.create_type(session, raw, SYSTEM, base_uri=registry.base_uri, provenance={})
        _org(session, PROVINCE, "provinsi", "75")
        _org(session, CITY, "kabkota", "75.71", PROVINCE)
        _org(session, OFFICE, "kabkota", "75.71", CITY)
        _org(session, BOALEMO, "kabkota", "75.02", PROVINCE)
        _org(session, DINKES_BOALEMO, "kabkota", "75.02", BOALEMO)
        _org(session, POHUWATO, "kabkota", "75.04", PROVINCE)
        _org(session, "desa-dembe-i", "desa", "75.71.01.1001")
        _org(session, MINISTRY, "pusat")
        _org(session, DIRECTORATE, "pusat", parent=MINISTRY)
        _org(session, "kemenkes", "pusat")
    return registry


def _publish(registry, authority, identifier="akta", type_id=BIRTH, **fields):
    record = service_record(identifier, authority=authority, type=type_id, **fields)
    if authority in (MINISTRY, DIRECTORATE):
        record["areas"] = ["00"]
    elif authority == "desa-dembe-i":
        record["areas"] = ["75.71.01.1001"]
    with registry.db.transaction() as session:
        row, _ = services.publish(
            session,
            record,
            SYSTEM,
            base_uri=registry.base_uri,
            provenance={},
            types=registry.type_index(session),
        )
        return row.id


def _declare(registry, org, type_id, raw, actor=SYSTEM):
    with registry.db.transaction() as session:
        return declarations.declaration_to_dict(
            declarations.declare(session, org, type_id, raw, actor)
        )


def _grid(registry, type_id=BIRTH, **kw):
    with registry.db.session() as session:
        return coverage.type_coverage(session, type_id, **kw)


NOT_OURS = {"status": "not-offered", "reason": {"id": "bukan kewenangan", "en": "not ours"}}


def test_the_units_are_the_kemendagri_areas_of_the_level():
    assert [len(area_codes(lvl)) for lvl in ("provinsi", "kabkota")] == [38, 514]
    assert [len(area_codes(lvl)) for lvl in ("kecamatan", "desa")] == [7285, 83762]
    assert area_codes("kabkota", "75") == [
        "75.01",
        "75.02",
        "75.03",
        "75.04",
        "75.05",
        "75.71",
    ]
    assert area_codes("kabkota", "75.71") == ["75.71"]
    assert area_codes("provinsi", "75.71") == []  # the province is not inside the city
    assert len(area_codes("desa", "75.71")) == 50


def test_an_office_offers_for_its_area_and_declarations_fill_the_rest(world):
    offered = _publish(world, OFFICE)
    _declare(world, BOALEMO, BIRTH, NOT_OURS)
    _declare(world, POHUWATO, BIRTH, {"status": "covered", "covered_by": PROVINCE})
    grid = _grid(world, area="75")
    assert grid["counts"] == {
        "offered": 1,
        "not-offered": 1,
        "covered": 1,
        "unknown": 3,
        "gaps": 3,  # mandatory at kabkota
        "units": 6,
    }
    by_area = {item["area"]: item for item in grid["items"]}
    assert [item["area"] for item in grid["items"]] == sorted(by_area)
    city = by_area["75.71"]
    assert (city["status"], city["instances"], city["gap"]) == ("offered", [offered], False)
    assert city["organization"]["id"] == CITY  # named by its government, not the office
    assert city["organizations"] == [OFFICE, CITY]
    assert city["name"] == {"id": "Kota Gorontalo"}
    assert by_area["75.02"]["declaration"]["reason"]["id"] == "bukan kewenangan"
    assert by_area["75.04"]["declaration"]["covered_by"] == PROVINCE
    # an area no organization registered still counts, named by the area list
    assert by_area["75.03"] | {"declaration": None} == {
        "level": "kabkota",
        "area": "75.03",
        "name": {"id": "Kabupaten Bone Bolango"},
        "organization": None,
        "organizations": [],
        "status": "unknown",
        "gap": True,
        "instances": [],
        "declaration": None,
    }


def test_status_filters_and_pages(world):
    _publish(world, OFFICE)
    gaps = _grid(world, area="75", status="gap")
    assert gaps["total"] == 5 and {i["status"] for i in gaps["items"]} == {"unknown"}
    page = _grid(world, status="gap", page=2, size=100)
    assert page["total"] == 513 and len(page["items"]) == 100
    assert page["counts"]["units"] == 514 and page["counts"]["offered"] == 1
    offered = _grid(world, status="offered")
    assert [i["area"] for i in offered["items"]] == ["75.71"]
    _declare(world, POHUWATO, BIRTH, {"status": "covered", "covered_by": PROVINCE})
    _declare(world, BOALEMO, BIRTH, NOT_OURS)
    for status, area in (("covered", "75.04"), ("not-offered", "75.02")):
        found = _grid(world, status=status)
        assert (found["total"], [i["area"] for i in found["items"]]) == (1, [area])
    assert _grid(world, status="unknown", size=1)["total"] == 511


def test_a_ministrys_own_declaration_wins_over_its_directorates(world):
    def ministry():
        return {i["organization"]["id"]: i for i in _grid(world, PASSPORT)["items"]}[MINISTRY]

    _declare(world, DIRECTORATE, PASSPORT, {"status": "covered", "covered_by": "kemenkes"})
    assert ministry()["status"] == "covered"
    _declare(world, MINISTRY, PASSPORT, NOT_OURS)
    item = ministry()
    assert (item["status"], item["declaration"]["organization"]) == ("not-offered", MINISTRY)


def test_retired_inactive_and_deleted_records_offer_nothing(world):
    service_id = _publish(world, OFFICE)
    _publish(world, CITY, "akta-lama", status="inactive")
    with world.db.transaction() as session:
        services.retire(session, service_id, SYSTEM)
    assert _grid(world, area="75.71")["counts"]["offered"] == 0


def test_the_governments_declaration_wins_over_an_offices(world):
    _declare(world, DINKES_BOALEMO, BIRTH, {"status": "covered", "covered_by": PROVINCE})
    assert _grid(world, area="75.02")["items"][0]["status"] == "covered"
    _declare(world, BOALEMO, BIRTH, NOT_OURS)
    item = _grid(world, area="75.02")["items"][0]
    assert (item["status"], item["declaration"]["organization"]) == ("not-offered", BOALEMO)


def test_a_record_published_after_a_declaration_wins(world):
    _declare(world, CITY, BIRTH, NOT_OURS)
    _publish(world, OFFICE)
    item = _grid(world, area="75.71")["items"][0]
    assert (item["status"], item["declaration"]) == ("offered", None)


def test_village_types_count_every_village(world):
    _publish(world, "desa-dembe-i", "domisili", VILLAGE)
    grid = _grid(world, VILLAGE, area="75.71", size=2)
    assert grid["counts"]["units"] == 50 and grid["counts"]["offered"] == 1
    assert grid["counts"]["gaps"] == 0  # not mandatory
    assert grid["items"][0]["organization"]["id"] == "desa-dembe-i"
    assert _grid(world, VILLAGE)["counts"]["units"] == 83762


def test_central_units_are_the_top_organizations(world):
    _publish(world, DIRECTORATE, "paspor", PASSPORT)
    grid = _grid(world, PASSPORT)
    assert grid["counts"] == {
        "offered": 1,
        "not-offered": 0,
        "covered": 0,
        "unknown": 1,
        "gaps": 1,
        "units": 2,
    }
    by_org = {item["organization"]["id"]: item for item in grid["items"]}
    assert by_org[MINISTRY]["status"] == "offered"  # its directorate general offers it
    assert by_org[MINISTRY]["organizations"] == [DIRECTORATE, MINISTRY]
    assert by_org["kemenkes"]["area"] is None
    assert _grid(world, PASSPORT, area="75")["counts"]["units"] == 0


def test_an_organizations_types(world):
    offered = _publish(world, OFFICE)
    _declare(world, BOALEMO, BIRTH, NOT_OURS)
    with world.db.session() as session:
        mine = coverage.organization_types(session, CITY)
        boalemo = coverage.organization_types(session, DINKES_BOALEMO)
        village = coverage.organization_types(session, "desa-dembe-i")
    assert [i["type"]["id"] for i in mine["items"]] == [BIRTH]  # only kabkota types
    assert mine["items"][0] | {"type": None} == {
        "type": None,
        "mandatory": True,
        "status": "offered",
        "gap": False,
        "instances": [offered],
        "declaration": None,
    }
    assert mine["unit"] == {"level": "kabkota", "area": "75.71"} and mine["gaps"] == []
    assert boalemo["items"][0]["status"] == "not-offered"  # its government declared
    assert village["counts"] == {
        "offered": 0,
        "not-offered": 0,
        "covered": 0,
        "unknown": 1,
        "gaps": 0,
    }


def test_the_whole_nation_summary(world):
    _publish(world, OFFICE)
    _declare(world, BOALEMO, BIRTH, NOT_OURS)
    with world.db.session() as session:
        nation = coverage.coverage_summary(session, levels=["kabkota"])
        province = coverage.coverage_summary(session, area="75")
    assert [i["type"]["id"] for i in nation["items"]] == [BIRTH]
    assert nation["totals"] | {"unknown": 0} == {
        "offered": 1,
        "not-offered": 1,
        "covered": 0,
        "unknown": 0,
        "gaps": 512,
        "units": 514,
    }
    assert {i["type"]["id"]: i["counts"]["units"] for i in province["items"]} == {
        BIRTH: 6,
        VILLAGE: 729,
    }


def test_an_unknown_area_is_refused_naming_it(world):
    with pytest.raises(ValidationFailed) as caught:
        _grid(world, area="75.79")
    assert caught.value.errors[0]["path"] == "area"


# -- declarations --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("org", "type_id", "raw", "path"),
    [
        (CITY, BIRTH, {"status": "not-offered"}, "reason"),
        (CITY, BIRTH, {"status": "not-offered", "reason": {"en": "no"}}, "reason"),
        (CITY, BIRTH, {"status": "ditolak", "reason": {"id": "x"}}, "status"),
        (CITY, "akta-kelahiran-anjing", NOT_OURS, "type"),
        (PROVINCE, BIRTH, NOT_OURS, "type"),  # kabkota only
        (CITY, BIRTH, {"status": "covered"}, "covered_by"),
        (CITY, BIRTH, {"status": "covered", "covered_by": "pemprov-gorontal"}, "covered_by"),
        (CITY, BIRTH, {"status": "covered", "covered_by": CITY}, "covered_by"),
        (CITY, BIRTH, {**NOT_OURS, "covered_by": PROVINCE}, "covered_by"),
        (OFFICE, BIRTH, NOT_OURS, "status"),  # it offers it
    ],
)
def test_bad_declarations_name_the_field_and_store_nothing(world, org, type_id, raw, path):
    _publish(world, OFFICE)
    with pytest.raises(ValidationFailed) as caught:
        _declare(world, org, type_id, raw)
    assert path in [e["path"] for e in caught.value.errors], caught.value.errors
    with world.db.session() as session:
        assert session.query(TypeDeclaration).count() == 0


def test_an_unknown_covering_organization_gets_a_suggestion(world):
    with pytest.raises(ValidationFailed) as caught:
        _declare(world, CITY, BIRTH, {"status": "covered", "covered_by": "pemprov-gorontal"})
    assert "did you mean 'pemprov-gorontalo'" in caught.value.detail


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (Actor("token:e", CITY, "editor"), True),
        (Actor("token:o", OFFICE, "editor"), False),  # an office does not speak for its city
        (Actor("token:b", BOALEMO, "editor"), False),
        (Actor("token:p", PROVINCE, "editor"), False),  # an editor is no coordinator
        (Actor("token:c", PROVINCE, "coordinator", "75"), True),
        (Actor("token:x", "pemprov-sulut", "coordinator", "71"), False),
        (Actor("token:n", "kemenpan-rb", "coordinator", None), True),
        (Actor("token:a", "kemendagri", "admin"), True),
    ],
)
def test_who_may_declare(world, actor, allowed):
    if not allowed:
        with pytest.raises(Forbidden):
            _declare(world, CITY, BIRTH, NOT_OURS, actor)
        return
    stored = _declare(world, CITY, BIRTH, NOT_OURS, actor)
    assert (stored["actor"], stored["status"]) == (actor.name, "not-offered")
    with world.db.transaction() as session:
        declarations.withdraw(session, CITY, BIRTH, actor)
    assert _grid(world, area="75.71")["items"][0]["status"] == "unknown"


def test_a_declaration_is_replaced_and_a_cover_keeps_no_reason_twice(world):
    _declare(world, CITY, BIRTH, NOT_OURS)
    stored = _declare(world, CITY, BIRTH, {"status": "covered", "covered_by": PROVINCE})
    assert (stored["status"], stored["reason"], stored["covered_by"]) == (
        "covered",
        None,
        PROVINCE,
    )
    with world.db.session() as session:
        assert session.query(TypeDeclaration).count() == 1
