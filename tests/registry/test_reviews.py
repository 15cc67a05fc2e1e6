"""Review flags (issue 14): a functional change or the retirement of a type flags its linked
records in bulk; the agency sees the diff and adopts the new texts or confirms its record."""

from __future__ import annotations

import pytest

from simpul.errors import Forbidden, ValidationFailed
from simpul.registry import changes, reviews, services, types
from simpul.registry.auth import SYSTEM, Actor
from tests.conftest import service_record
from tests.registry.test_types import ORG, _publish, _replace, _save, _type

OTHER = "disdukcapil-kab-gorontalo"
EDITOR = Actor("token:ed", ORG, "editor")


def _linked(registry, publisher, **record_fields) -> str:
    publisher.org(ORG)
    _save(registry, _type())
    record = service_record(authority=ORG, type="akta-kelahiran", **record_fields)
    return _publish(registry, record)


def _row(registry, service_id):
    with registry.db.session() as session:
        return services.get(session, service_id)


def _cheaper(**fields):
    base = _type(**fields)
    return {**base, "defaults": {**base["defaults"], "cost": {"amount": 5000, "currency": "IDR"}}}


def _resolve(registry, service_id, action, actor=SYSTEM):
    with registry.db.transaction() as session:
        return reviews.resolve(
            session,
            service_id,
            {"action": action},
            actor,
            base_uri=registry.base_uri,
            provenance={"method": "test"},
            types=registry.type_index(session),
        ).version


def _retire(registry, type_id, successor=None):
    with registry.db.transaction() as session:
        types.retire_type(
            session, type_id, SYSTEM, base_uri="x", provenance={}, superseded_by=successor
        )


def test_a_functional_change_flags_every_linked_record_and_a_rename_does_not(registry, publisher):
    first = _linked(registry, publisher)
    second = _publish(registry, service_record("akta-2", authority=ORG, type="akta-kelahiran"))
    stranger = {"id": "Festival Budaya Danau Limboto"}
    unlinked = _publish(registry, service_record("lain", authority=ORG, name=stranger))
    _replace(registry, _type(name={"id": "Pencatatan Kelahiran"}))  # names: not functional
    assert _row(registry, first).review is None
    _replace(registry, _cheaper(name={"id": "Pencatatan Kelahiran"}))
    for service_id in (first, second):
        row = _row(registry, service_id)
        assert row.review_status == "type-changed"
        assert row.review["type_version"] == 3 and row.review["from_version"] == 2
        assert row.review["changed"] == ["defaults.cost"] and row.review["type"] == "akta-kelahiran"
        assert row.version == 1  # a flag is not a new version of the record
    assert _row(registry, unlinked).review is None


def test_a_second_change_keeps_the_version_the_record_knew(registry, publisher):
    service_id = _linked(registry, publisher)
    _replace(registry, _cheaper())
    _replace(registry, _cheaper(applies_to=["kabkota", "kecamatan"]))
    review = _row(registry, service_id).review
    assert (review["from_version"], review["type_version"]) == (1, 3)
    assert review["changed"] == ["applies_to", "defaults.cost"]


def test_the_diff_says_section_by_section_what_the_record_inherits(registry, publisher):
    service_id = _linked(registry, publisher, cost={"amount": 1000, "currency": "IDR"})
    changed = _cheaper(legal_basis=[{"title": "PP 96/2018"}])
    changed["defaults"]["processing_time"] = "P3D"
    _replace(registry, changed)
    with registry.db.session() as session:
        diff = reviews.review_of(session, services.get(session, service_id))
    by = {s["section"]: s for s in diff["sections"]}
    assert diff["pending"] and set(by) == {
        "defaults.cost",
        "defaults.processing_time",
        "legal_basis",
    }
    assert by["defaults.cost"]["old"] == {"amount": 0, "currency": "IDR"}
    assert by["defaults.cost"]["new"] == {"amount": 5000, "currency": "IDR"}
    assert by["defaults.cost"]["record"] == "own"
    assert by["defaults.cost"]["own"] == {"amount": 1000, "currency": "IDR"}
    # the record's processing time equalled the old default: it was left to inheritance
    assert by["defaults.processing_time"]["record"] == "inherits"
    assert by["legal_basis"]["functional"] is True


def test_adopt_drops_the_own_copies_of_changed_components_in_a_new_version(registry, publisher):
    service_id = _linked(registry, publisher, cost={"amount": 1000, "currency": "IDR"})
    _replace(registry, _cheaper())
    assert _resolve(registry, service_id, "adopt", EDITOR) == 2
    row = _row(registry, service_id)
    assert "cost" not in row.data and row.review_status is None
    assert row.review["status"] == "adopted" and row.review["dropped"] == ["cost"]
    assert (row.review["by"], row.review["type_version"]) == ("token:ed", 2)
    with registry.db.session() as session:
        shown = services.service_to_dict(row, types=registry.type_index(session))
    assert shown["cost"] == {"amount": 5000, "currency": "IDR"} and "cost" in shown["inherited"]


def test_confirm_records_who_and_when_without_a_new_version(registry, publisher):
    service_id = _linked(registry, publisher, cost={"amount": 1000, "currency": "IDR"})
    _replace(registry, _cheaper())
    assert _resolve(registry, service_id, "confirm", EDITOR) == 1
    row = _row(registry, service_id)
    assert row.data["cost"] == {"amount": 1000, "currency": "IDR"}
    assert row.review_status is None and row.review["status"] == "confirmed"
    assert row.review["by"] == "token:ed" and row.review["at"]
    with pytest.raises(ValidationFailed, match="nothing to resolve") as caught:
        _resolve(registry, service_id, "confirm")
    assert caught.value.errors[0]["path"] == "action"


def test_an_edit_does_not_resolve_the_flag_but_relinking_does(registry, publisher):
    service_id = _linked(registry, publisher)
    _save(registry, _type("akta-lain"))
    _replace(registry, _cheaper())
    with registry.db.transaction() as session:
        edited = {**service_record(authority=ORG, type="akta-kelahiran"), "keywords": ["x"]}
        services.replace(
            session, service_id, edited, SYSTEM, base_uri="x", provenance={},
            types=registry.type_index(session),
        )  # fmt: skip
    assert _row(registry, service_id).review_status == "type-changed"
    with registry.db.transaction() as session:
        relinked = service_record(authority=ORG, type="akta-lain")
        services.replace(
            session, service_id, relinked, SYSTEM, base_uri="x", provenance={},
            types=registry.type_index(session),
        )  # fmt: skip
    row = _row(registry, service_id)
    assert row.review_status is None and row.review["status"] == "relinked"


def test_a_retired_type_relinks_to_its_successor_on_adopt(registry, publisher):
    service_id = _linked(registry, publisher)
    _save(registry, _type("akta-kelahiran-baru"))
    _retire(registry, "akta-kelahiran", "akta-kelahiran-baru")
    row = _row(registry, service_id)
    assert row.review_status == "type-retired"
    assert row.review["superseded_by"] == "akta-kelahiran-baru"
    _resolve(registry, service_id, "adopt", EDITOR)
    row = _row(registry, service_id)
    assert row.type_id == "akta-kelahiran-baru" and row.review["relinked_to"] == row.type_id


@pytest.mark.parametrize("successor", [None, "sim-desa"])
def test_adopt_on_a_retired_type_without_a_fitting_successor_is_refused(
    registry, publisher, successor
):
    service_id = _linked(registry, publisher)
    _save(registry, _type("sim-desa", applies_to=["desa"], mandatory_at=[]))
    _retire(registry, "akta-kelahiran", successor)
    with pytest.raises(ValidationFailed, match="pick another type") as caught:
        _resolve(registry, service_id, "adopt")
    assert caught.value.errors[0]["path"] == "action"
    assert _row(registry, service_id).review_status == "type-retired"  # nothing stored


def test_only_the_records_editor_resolves_and_bad_actions_name_the_field(registry, publisher):
    service_id = _linked(registry, publisher)
    _replace(registry, _cheaper())
    with pytest.raises(Forbidden):
        _resolve(registry, service_id, "confirm", Actor("token:x", OTHER, "editor"))
    with pytest.raises(ValidationFailed) as caught:
        _resolve(registry, service_id, "ignore")
    assert caught.value.errors[0]["path"] == "action"


def test_flags_and_resolutions_show_in_the_change_feed(registry, publisher):
    service_id = _linked(registry, publisher)
    with registry.db.session() as session:
        start = changes.latest_cursor(session)
    _replace(registry, _cheaper())
    _resolve(registry, service_id, "confirm")
    with registry.db.session() as session:
        page = changes.list_changes(session, start, 10)
    assert [(i["action"], i["id"], i["version"]) for i in page["items"]] == [
        ("flagged", service_id, 1),
        ("reviewed", service_id, 1),
    ]
    assert page["items"][1]["record"]["review"]["status"] == "confirmed"


def test_counts_per_organization_and_child_area(registry, publisher):
    _linked(registry, publisher)
    publisher.org(OTHER, area="75.01")
    publisher.org("dinas-prov", level="provinsi", area="75")
    _publish(registry, service_record("a", authority=OTHER, type="akta-kelahiran", areas=["75.01"]))
    _publish(registry, service_record("b", authority=OTHER, type="akta-kelahiran", areas=["75.01"]))
    _replace(registry, _cheaper())
    with registry.db.session() as session:
        national = reviews.pending_counts(session)
        province = reviews.pending_counts(session, area="75")
        one = reviews.pending_counts(session, organization=OTHER, size=1)
        elsewhere = reviews.pending_counts(session, area="76")
    assert national["total"] == 3 and national["by_area"] == [{"area": "75", "count": 3}]
    assert province["by_area"] == [{"area": "75.01", "count": 2}, {"area": "75.71", "count": 1}]
    assert [(o["organization"], o["count"]) for o in province["by_organization"]] == [
        (OTHER, 2),
        (ORG, 1),
    ]
    assert one["total"] == 2 and len(one["items"]) == 1 and one["items"][0]["review"]
    assert elsewhere["total"] == 0 and province["by_status"] == {"type-changed": 3}


def test_a_bulk_write_that_unlinks_the_record_resolves_its_flag(registry, publisher):
    service_id = _linked(registry, publisher)
    _replace(registry, _cheaper())
    stranger = service_record(authority=ORG, name={"id": "Festival Budaya Danau Limboto"})
    with registry.db.transaction() as session:  # as `simpul load` and harvests write
        lookup, index = services.session_lookup(session), registry.type_index(session)
        prepared = services.prepare(stranger, lookup, types=index)
        services.publish_many(session, [prepared], EDITOR, base_uri="x", provenance={})
    row = _row(registry, service_id)
    assert (row.type_id, row.review_status) == (None, None)
    assert row.review["status"] == "unlinked" and row.review["by"] == "token:ed"
