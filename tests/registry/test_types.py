"""The core of national service types (issue 14): the list, versions and what is functional,
links from services (checked, normalised, effective form, round trips), and who may write."""

from __future__ import annotations

import pytest

from simpul.errors import Conflict, Forbidden, Gone, PreconditionFailed, ValidationFailed
from simpul.registry import services, types
from simpul.registry.auth import SYSTEM, Actor
from tests.conftest import service_record

ORG = "disdukcapil-kota-gorontalo"
COORDINATOR = Actor("token:coord", "kemenpan-rb", "coordinator", None)
PROVINCIAL = Actor("token:prov", "diskominfo-gorontalo", "coordinator", "75")
EDITOR = Actor("token:ed", ORG, "editor")


def _type(type_id: str = "akta-kelahiran", **fields) -> dict:
    return {
        "id": type_id,
        "name": {"id": "Penerbitan Akta Kelahiran", "en": "Birth certificate"},
        "alt_names": {"id": ["Akte Lahir"]},
        "kind": "pencatatan",
        "sectors": ["kependudukan"],
        "life_events": ["kelahiran"],
        "applies_to": ["kabkota"],
        "mandatory_at": ["kabkota"],
        "legal_basis": [{"title": "UU 24/2013", "identifier": "UU 24/2013"}],
        "defaults": {
            "requirements": [{"id": "Surat keterangan lahir"}],
            "cost": {"amount": 0, "currency": "IDR"},
            "processing_time": "P1D",
        },
        **fields,
    }


def _save(registry, raw, actor=SYSTEM):
    with registry.db.transaction() as session:
        return types.create_type(
            session, raw, actor, base_uri=registry.base_uri, provenance={"method": "test"}
        ).row.version


def _replace(registry, raw, actor=SYSTEM, **kw):
    with registry.db.transaction() as session:
        change = types.replace_type(
            session, raw["id"], raw, actor, base_uri=registry.base_uri, provenance={}, **kw
        )
        return change.action, change.changed, change.functional


def _publish(registry, record, actor=SYSTEM):
    with registry.db.transaction() as session:
        row, _ = services.publish(
            session,
            record,
            actor,
            base_uri=registry.base_uri,
            provenance={},
            types=registry.type_index(session),
        )
        return row.id


def test_the_national_list_loads_and_a_reload_changes_nothing(registry):
    with registry.db.transaction() as session:
        first = types.load_types(
            session, types.national_list(), SYSTEM, base_uri=registry.base_uri, provenance={}
        )
    with registry.db.transaction() as session:
        again = types.load_types(
            session, types.national_list(), SYSTEM, base_uri=registry.base_uri, provenance={}
        )
        assert len(types.list_types(session)) == first["created"] >= 80
        assert types.list_types(session, level="desa")
    assert again["unchanged"] == first["created"] and again["created"] == again["updated"] == 0


def test_a_bad_line_of_a_bulk_load_stores_nothing(registry):
    records = [_type("a"), _type("b", kind="nope")]
    with registry.db.transaction() as session, pytest.raises(ValidationFailed, match="record 2"):
        types.load_types(session, records, SYSTEM, base_uri="x", provenance={})
    with registry.db.session() as session:
        assert types.list_types(session) == []


def test_names_are_not_functional_components_legal_basis_and_scope_are(registry):
    _save(registry, _type())
    renamed = _type(name={"id": "Pencatatan Kelahiran"}, keywords=["lahir"])
    assert _replace(registry, renamed) == ("updated", ["keywords", "name"], False)
    cheaper = {**renamed, "defaults": {**renamed["defaults"], "cost": {"amount": 5000}}}
    assert _replace(registry, cheaper) == ("updated", ["defaults.cost"], True)
    assert _replace(registry, {**cheaper, "applies_to": ["kabkota", "kecamatan"]})[2]
    with registry.db.session() as session:
        row = types.get_type(session, "akta-kelahiran")
        assert (row.version, row.functional_version) == (4, 4)
        assert [v.functional for v in types.type_versions(session, row.id)] == [
            True,
            False,
            True,
            True,
        ]


def test_only_the_national_coordinator_writes_types(registry):
    with pytest.raises(Forbidden):
        _save(registry, _type(), EDITOR)
    with pytest.raises(Forbidden, match="coordinator"):
        _save(registry, _type(), PROVINCIAL)
    assert _save(registry, _type(), COORDINATOR) == 1


def test_bad_types_are_refused_naming_the_field(registry):
    _save(registry, _type())
    with pytest.raises(Conflict):
        _save(registry, _type())
    with pytest.raises(ValidationFailed, match="superseded_by"):
        _save(registry, _type("x", superseded_by="x"))
    with pytest.raises(ValidationFailed, match="mandatory_at"):
        _save(registry, _type("y", mandatory_at=["desa"]))
    with pytest.raises(ValidationFailed, match="superseded_by"):
        _save(registry, _type("z", superseded_by="no-such-type"))
    with pytest.raises(PreconditionFailed):
        _replace(registry, _type(), if_match={'"t9-abc"'})


def test_a_type_with_instances_is_retired_not_deleted(registry, publisher):
    publisher.org(ORG)
    _save(registry, _type())
    _publish(registry, service_record(authority=ORG, type="akta-kelahiran"))
    with registry.db.transaction() as session, pytest.raises(Conflict, match="retire it"):
        types.delete_type(session, "akta-kelahiran", SYSTEM, base_uri="x", provenance={})
    with registry.db.transaction() as session:
        change = types.retire_type(session, "akta-kelahiran", SYSTEM, base_uri="x", provenance={})
        assert (change.action, change.functional) == ("retired", True)
    with registry.db.session() as session, pytest.raises(Gone):
        types.get_active_type(session, "akta-kelahiran")


def test_a_service_links_by_id_or_uri_and_shows_its_effective_form(registry, publisher):
    publisher.org(ORG)
    _save(registry, _type())
    record = service_record(authority=ORG, type=f"{registry.base_uri}/types/akta-kelahiran")
    for key in ("requirements", "processing_time", "legal_basis", "sectors", "life_events"):
        record.pop(key)
    service_id = _publish(registry, record)
    with registry.db.session() as session:
        row = services.get(session, service_id)
        shown = services.service_to_dict(row, types=registry.type_index(session))
    assert (row.type_id, row.type_link, row.data["type"]) == (
        "akta-kelahiran",
        "manual",
        "akta-kelahiran",
    )
    assert shown["kind"] == "pencatatan" and shown["processing_time"] == "P1D"
    assert shown["requirements"] == [{"id": "Surat keterangan lahir"}]
    assert shown["sectors"] == ["kependudukan"] and shown["cost"] == {
        "amount": 0,
        "currency": "IDR",
    }
    assert set(shown["inherited"]) == {
        "kind",
        "sectors",
        "life_events",
        "requirements",
        "processing_time",
        "legal_basis",
        "cost",  # the record's own equals the default: left to inheritance
    }
    assert "cost" not in row.data
    assert shown["type_link"]["uri"].endswith("/types/akta-kelahiran")
    assert row.completeness == services.components_present(shown)


def test_a_record_sent_back_as_read_keeps_inheriting(registry, publisher):
    publisher.org(ORG)
    _save(registry, _type())
    record = service_record(authority=ORG, type="akta-kelahiran")
    record.pop("requirements")
    service_id = _publish(registry, record)
    with registry.db.session() as session:
        shown = services.service_to_dict(
            services.get(session, service_id), types=registry.type_index(session)
        )
    edited = {**shown, "keywords": ["akte"]}
    with registry.db.transaction() as session:
        row, _ = services.replace(
            session,
            service_id,
            edited,
            SYSTEM,
            base_uri="x",
            provenance={},
            types=registry.type_index(session),
        )
        assert "requirements" not in row.data and "kind" not in row.data
        assert row.data["keywords"] == ["akte"]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-type", "unknown service type"),
        ("https://other.example/types/nope", "unknown service type"),
        ("sim-desa", "applies at desa"),
    ],
)
def test_a_link_that_does_not_fit_is_refused_naming_type(registry, publisher, ref, message):
    publisher.org(ORG)
    _save(registry, _type())
    _save(registry, _type("sim-desa", applies_to=["desa"], mandatory_at=[]))
    with pytest.raises(ValidationFailed, match=message) as caught:
        _publish(registry, service_record(authority=ORG, type=ref))
    assert caught.value.errors[0]["path"] == "type"


def test_a_retired_type_takes_no_new_instances(registry, publisher):
    publisher.org(ORG)
    _save(registry, _type())
    _save(registry, _type("akta-kelahiran-baru"))
    with registry.db.transaction() as session:
        types.retire_type(
            session,
            "akta-kelahiran",
            SYSTEM,
            base_uri="x",
            provenance={},
            superseded_by="akta-kelahiran-baru",
        )
    with pytest.raises(ValidationFailed, match="superseded by 'akta-kelahiran-baru'"):
        _publish(registry, service_record(authority=ORG, type="akta-kelahiran"))


def test_the_index_notices_a_change_made_elsewhere(registry):
    with registry.db.session() as session:
        assert len(registry.type_index(session)) == 0
    _save(registry, _type())
    with registry.db.session() as session:
        assert registry.type_index(session).get("akta-kelahiran") is not None


def _national(registry):
    with registry.db.transaction() as session:
        types.load_types(
            session, types.national_list(), SYSTEM, base_uri=registry.base_uri, provenance={}
        )


def _plain(identifier: str, name: str, **fields) -> dict:
    return {"identifier": identifier, "authority": ORG, "name": {"id": name}, **fields}


def test_a_record_without_a_type_is_linked_automatically_and_stays_so(registry, publisher):
    publisher.org(ORG)
    _national(registry)
    service_id = _publish(registry, _plain("akte", "Pengurusan Akte Lahir"))
    with registry.db.session() as session:
        row = services.get(session, service_id)
        shown = services.service_to_dict(row, types=registry.type_index(session))
    assert (row.type_id, row.type_link) == ("akta-kelahiran", "automatic")
    assert row.type_score >= 0.65 and "type" not in row.data
    assert shown["type_link"]["method"] == "automatic" and "kind" in shown["inherited"]
    with registry.db.transaction() as session:  # sent back as read: not a confirmation
        row, _ = services.replace(
            session,
            service_id,
            {**shown, "keywords": ["akte"]},
            SYSTEM,
            base_uri="x",
            provenance={},
            types=registry.type_index(session),
        )
        assert (row.type_link, "type" in row.data) == ("automatic", False)
        assert "outputs" not in row.data  # inherited, not frozen into a copy


def test_a_rejected_type_is_not_linked_again_and_strangers_stay_unlinked(registry, publisher):
    publisher.org(ORG)
    _national(registry)
    rejected = _plain("akte", "Pengurusan Akte Lahir", type_rejected=["akta-kelahiran"])
    stranger = _plain("wisata", "Festival Budaya Danau Limboto")
    with registry.db.session() as session:
        assert registry.type_index(session).link(stranger, "kabkota") is None
    for record in (rejected, stranger):
        service_id = _publish(registry, record)
        with registry.db.session() as session:
            assert services.get(session, service_id).type_id is None


def test_automatic_linking_can_be_switched_off(registry, publisher):
    _national(registry)
    with registry.db.session() as session:
        index = types.load_index(session, None)
    assert index.link(_plain("akte", "Pengurusan Akte Lahir"), "kabkota") is None
