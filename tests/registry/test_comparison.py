"""Comparison of a type's instances (issue 14): spreads and outliers of time and cost naming the
record and its organization, requirements most ask and only one asks, online share,
completeness, integration, what records leave to the type, and the area filter."""

from __future__ import annotations

import pytest

from simpul.errors import NotFound, ValidationFailed
from simpul.registry import comparison, services, types
from simpul.registry.auth import SYSTEM
from tests.conftest import service_record

TYPE = {
    "id": "akta-kelahiran",
    "name": {"id": "Penerbitan Akta Kelahiran", "en": "Birth certificate"},
    "kind": "pencatatan",
    "sectors": ["kependudukan"],
    "applies_to": ["provinsi", "kabkota"],
    "mandatory_at": ["kabkota"],
    "legal_basis": [{"title": "UU 24/2013", "identifier": "UU 24/2013"}],
    "defaults": {"processing_time": "P7D", "cost": {"amount": 0, "currency": "IDR"}},
}
# organization id, its area, processing time, cost, requirements, channels online?
CITIES = [
    ("disdukcapil-kota-gorontalo", "75.71", "P1D", 0, ["Fotokopi Kartu Keluarga", "KTP"], True),
    ("disdukcapil-kab-gorontalo", "75.01", "P2D", 0, ["fotokopi kartu keluarga.", "KTP"], True),
    ("disdukcapil-boalemo", "75.02", "P2D", 0, ["Fotokopi  Kartu Keluarga"], False),
    ("disdukcapil-bone-bolango", "75.03", None, 0, ["1. Fotokopi Kartu Keluarga"], True),
    ("disdukcapil-pohuwato", "75.04", "P2D", 50000, ["Surat pengantar RT"], False),
    ("disdukcapil-makassar", "73.71", "P14D", 0, ["Fotokopi Kartu Keluarga", "KTP"], True),
]


def _publish(registry, record):
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


@pytest.fixture
def cities(registry, publisher):
    return publish_cities(registry, publisher)


def publish_cities(registry, publisher) -> dict[str, str]:
    """The type and one birth-certificate record per city of ``CITIES``: service ids by org."""
    with registry.db.transaction() as session:
        types.create_type(session, TYPE, SYSTEM, base_uri=registry.base_uri, provenance={})
    ids = {}
    for org, area, time, cost, asks, online in CITIES:
        publisher.org(org, "kabkota", area)
        record = service_record(
            authority=org,
            type="akta-kelahiran",
            areas=[area],
            cost={"amount": cost, "currency": "IDR"},
            requirements=[{"id": text} for text in asks],
        )
        if time:
            record["processing_time"] = time
        else:
            record.pop("processing_time")  # left to the type: P7D
        if not online:
            record["channels"] = [c for c in record["channels"] if c["type"] == "loket"]
        if org == "disdukcapil-pohuwato":
            record.pop("management")
            record["integration"] = {"status": "integrated"}
        ids[org] = _publish(registry, record)
    return ids


def _compare(registry, **kw):
    with registry.db.session() as session:
        return comparison.compare(session, "akta-kelahiran", **kw)


def test_one_day_in_one_city_and_fourteen_in_another(registry, cities):
    result = _compare(registry)
    assert result["count"] == 6
    time = result["processing_time"]
    assert (time["min"], time["median"], time["max"]) == (1, 2, 14)
    assert (time["known"], time["unknown"], time["unit"]) == (6, 0, "days")
    assert time["lowest"]["authority"] == "disdukcapil-kota-gorontalo"
    assert time["highest"]["organization"]["id"] == "Disdukcapil Makassar"
    # Q1 = 2, Q3 = 5.75 (P7D inherited by Bone Bolango): 14 days is past the fence of 11.375
    assert [(o["authority"], o["value"], o["side"]) for o in time["outliers"]] == [
        ("disdukcapil-makassar", 14, "high")
    ]
    assert time["outliers"][0]["id"] == cities["disdukcapil-makassar"]
    assert time["whiskers"] == {"low": 1, "high": 7}  # the box plot's whiskers stop at 7 days


def test_cost_free_against_paid_and_the_paid_one_stands_out(registry, cities):
    cost = _compare(registry)["cost"]
    assert (cost["free"], cost["paid"], cost["median"], cost["max"]) == (5, 1, 0, 50000)
    assert [o["authority"] for o in cost["outliers"]] == ["disdukcapil-pohuwato"]


def test_requirements_most_ask_and_only_one_asks(registry, cities):
    asked = _compare(registry)["requirements"]
    # case, punctuation, spacing and list numbers do not split a requirement
    assert asked["common"][0] == {
        "text": "Fotokopi Kartu Keluarga",
        "count": 5,
        "share": 0.833,
        "most": True,
    }
    assert asked["common"][1]["count"] == 3 and not asked["common"][1]["most"]
    assert asked["single_total"] == 1
    assert asked["single"][0]["text"] == "Surat pengantar RT"
    assert asked["single"][0]["asked_by"]["authority"] == "disdukcapil-pohuwato"


def test_online_completeness_integration_and_what_is_left_to_the_type(registry, cities):
    result = _compare(registry)
    assert result["online"]["online"] == 4 and result["online"]["share"] == 0.667
    completeness = result["completeness"]
    histogram = {b["components"]: b["count"] for b in completeness["histogram"] if b["count"]}
    assert histogram == {14: 5, 7: 1}
    assert completeness["mean"] == round((5 * 14 + 7) / 6, 2)
    assert result["integration"]["integrated"] == 1 and result["integration"]["inventoried"] == 5
    by_component = {row["component"]: row for row in result["inheritance"]}
    assert by_component["processing_time"] == {
        "component": "processing_time",
        "type_default": True,
        "own": 5,
        "inherited": 1,
        "missing": 0,
    }
    # a record's own cost equal to the default is stored as inheritance
    assert by_component["cost"]["inherited"] == 5 and by_component["cost"]["own"] == 1
    assert by_component["outputs"]["type_default"] is False


def test_an_area_narrows_to_the_instances_inside_it(registry, cities):
    province = _compare(registry, area="75")
    assert province["count"] == 5 and province["area"]["name"] == "Gorontalo"
    assert province["processing_time"]["max"] == 7
    city = _compare(registry, area="75.71.01")  # a district of Kota Gorontalo: none is inside
    assert city["count"] == 0 and city["processing_time"] == {
        "unit": "days",
        "known": 0,
        "unknown": 0,
        "count": 0,
    }
    assert city["completeness"]["mean"] is None
    assert _compare(registry, area="00")["count"] == 6


def test_a_record_reaching_into_an_area_counts_there(registry, cities, publisher):
    publisher.org("dinas-provinsi-gorontalo", "provinsi", "75")
    record = service_record(authority="dinas-provinsi-gorontalo", type="akta-kelahiran")
    _publish(registry, {**record, "areas": ["75.05"]})  # Gorontalo Utara: no regency record
    assert _compare(registry, area="75.05")["count"] == 1
    assert _compare(registry, area="75.04")["count"] == 1  # Pohuwato's own


def test_the_instances_list_pages_by_organization(registry, cities):
    listed = _compare(registry, page=2, size=4)["instances"]
    assert listed["total"] == 6 and len(listed["items"]) == 2
    first = _compare(registry, size=1)["instances"]["items"][0]
    assert first["authority"] == "disdukcapil-boalemo" and first["days"] == 2


def test_a_deleted_record_is_not_compared(registry, cities):
    with registry.db.transaction() as session:
        services.retire(session, cities["disdukcapil-makassar"], SYSTEM)
    assert _compare(registry)["processing_time"]["max"] == 7


def test_unknown_type_and_area_are_refused(registry, cities):
    with registry.db.session() as session:
        with pytest.raises(NotFound):
            comparison.compare(session, "no-such-type")
        with pytest.raises(ValidationFailed) as caught:
            comparison.compare(session, "akta-kelahiran", area="99.99")
    assert caught.value.errors[0]["path"] == "area"


@pytest.mark.parametrize(
    ("value", "days"),
    [("P1D", 1), ("PT2H", 2 / 24), ("P2W", 14), ("P1M", 30), ("P1DT12H", 1.5), ("bad", None)],
)
def test_durations_in_days(value, days):
    found = comparison.duration_days(value)
    assert found is None if days is None else found == pytest.approx(days)


def test_quartiles_of_one_value():
    assert comparison.quartiles([3.0]) == (3.0, 3.0, 3.0)


@pytest.mark.parametrize("drop", [(), ("processing_time", "cost"), ("requirements", "legal_basis")])
def test_the_components_follow_the_effective_record(drop):
    """The comparison reads components without copying records; it inherits what
    ``types.effective`` inherits, and counts components as ``quality`` does."""
    from simpul.registry.quality import present

    record = {k: v for k, v in service_record(type="akta-kelahiran").items() if k not in drop}
    record["cost"] = {"amount": 0} if "cost" not in drop else None
    shown, inherited = types.effective(record, TYPE)
    values, found, has = comparison._components(record, comparison.type_defaults(TYPE))
    assert set(found) == {k for k in inherited if k in types.DEFAULTED}
    assert has.bit_count() == present(shown)
    assert values["processing_time"] == shown.get("processing_time")


def test_a_retired_type_still_compares(registry, cities):
    with registry.db.transaction() as session:
        types.retire_type(session, "akta-kelahiran", SYSTEM, base_uri="x", provenance={})
    result = _compare(registry)
    assert result["type"]["status"] == "retired" and result["count"] == 6
