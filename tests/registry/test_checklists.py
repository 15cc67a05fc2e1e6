"""Agency checklists: each housekeeping task counted per organization and per child area, and
the records of each task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from simpul.errors import NotFound, ValidationFailed
from simpul.registry import checklists, db, organizations, services, types
from simpul.registry.auth import SYSTEM
from simpul.registry.models import Service
from simpul.registry.quality import CHORE_NO_CHANNELS, CHORE_NO_ENGLISH, chores
from tests.conftest import service_record

OFFICE, CITY, BOALEMO = "disdukcapil-kota-gorontalo", "pemkot-gorontalo", "pemkab-boalemo"
BIRTH = "akta-kelahiran"
BILLBOARD = {"id": "Izin Reklame", "en": "Billboard Permit"}


def test_the_chores_of_a_record():
    assert chores(service_record()) == 0
    assert chores(service_record(channels=[])) == CHORE_NO_CHANNELS
    assert chores(service_record(channels=[{"type": "online"}, {"type": "telepon"}])) == 1
    assert chores(service_record(channels=[{"type": "loket"}])) == 0  # a counter is a place
    assert chores(service_record(name={"id": "Akta"})) == CHORE_NO_ENGLISH
    no_description = service_record()
    del no_description["description"]
    assert chores(no_description) == CHORE_NO_ENGLISH


@pytest.fixture
def world(registry):
    with registry.db.transaction() as session:
        types.create_type(
            session,
            {
                "id": BIRTH,
                "name": {"id": "Akta Kelahiran"},
                "kind": "pencatatan",
                "applies_to": ["kabkota"],
                "mandatory_at": ["kabkota"],
            },
            SYSTEM,
            base_uri=registry.base_uri,
            provenance={},
        )
        for org_id, area, parent in (
            ("pemprov-gorontalo", "75", None),
            (CITY, "75.71", "pemprov-gorontalo"),
            (OFFICE, "75.71", CITY),
            (BOALEMO, "75.02", "pemprov-gorontalo"),
        ):
            raw = {
                "id": org_id,
                "name": {"id": org_id},
                "level": "provinsi" if not parent else "kabkota",
            }
            organizations.create_organization(
                session, raw | {"area": area} | ({"parent": parent} if parent else {})
            )
    _publish(registry, OFFICE, "lengkap", type=BIRTH)  # nothing to do
    _publish(registry, OFFICE, "tanpa-kanal", name=BILLBOARD, channels=[{"type": "online"}])
    _publish(registry, OFFICE, "tanpa-inggris", name={"id": "Surat Pindah"})
    _publish(registry, BOALEMO, "lama", name=BILLBOARD, areas=["75.02"])
    with registry.db.transaction() as session:
        session.execute(
            update(Service)
            .where(Service.identifier == "lama")
            .values(modified=db.utcnow() - timedelta(days=400))
        )
    return registry


def _publish(registry, authority, identifier, **fields):
    record = service_record(identifier, authority=authority, **fields)
    with registry.db.transaction() as session:
        services.publish(
            session,
            record,
            SYSTEM,
            base_uri=registry.base_uri,
            provenance={},
            types=registry.type_index(session),
        )


def test_an_organizations_checklist_counts_and_lists_each_task(world):
    with world.db.session() as session:
        found = checklists.organization_checklist(session, OFFICE)
    counts = found["counts"]
    assert counts["services"] == 3
    assert counts["no-channels"] == 1 and counts["no-english"] == 1
    assert counts["no-type"] == 2 and counts["stale"] == 0
    assert counts["types-missing"] == 0  # its city offers the mandatory type
    assert [i["identifier"] for i in found["items"]["no-channels"]] == ["tanpa-kanal"]
    assert [i["identifier"] for i in found["items"]["no-type"]] == ["tanpa-inggris", "tanpa-kanal"]


def test_the_types_a_unit_must_offer_and_has_not_declared(world):
    with world.db.session() as session:
        found = checklists.organization_checklist(session, BOALEMO, task="types-missing")
    assert found["counts"]["types-missing"] == 1
    assert found["items"] == {
        "types-missing": [
            {"type": {"id": BIRTH, "name": {"id": "Akta Kelahiran"}, "kind": "pencatatan"}}
        ]
    }
    assert found["counts"]["stale"] == 1


def test_a_coordinator_sees_counts_per_organization_and_child_area(world):
    with world.db.session() as session:
        found = checklists.area_counts(session, "75")
    by_org = {row["organization"]: row["counts"] for row in found["by_organization"]}
    assert set(by_org) == {OFFICE, BOALEMO}  # the others have nothing to do
    assert by_org[BOALEMO]["stale"] == 1 and by_org[BOALEMO]["types-missing"] == 1
    by_area = {row["area"]: row["counts"] for row in found["by_area"]}
    assert by_area["75.71"]["no-channels"] == 1 and by_area["75.02"]["stale"] == 1
    assert found["totals"]["services"] == 4 and found["totals"]["no-type"] == 3
    with world.db.session() as session:
        assert checklists.area_counts(session, "75.71")["totals"]["stale"] == 0


def test_a_stale_record_is_the_one_not_updated_in_twelve_months(world):
    with world.db.session() as session:
        found = checklists.organization_checklist(session, BOALEMO, task="stale")
    (item,) = found["items"]["stale"]
    assert item["identifier"] == "lama" and item["modified"] < db.utcnow().isoformat()


def test_bad_input_names_the_field(world):
    with world.db.session() as session:
        with pytest.raises(ValidationFailed, match="task"):
            checklists.organization_checklist(session, OFFICE, task="tidy")
        with pytest.raises(ValidationFailed, match="area"):
            checklists.area_counts(session, "99.99")
        with pytest.raises(NotFound):
            checklists.organization_checklist(session, "nobody")
