"""Completeness against the 14 components of the service standard."""

from __future__ import annotations

from simpul.registry.quality import COMPONENTS, gap_codes, gaps, missing, present, quality
from tests.conftest import service_record


def test_a_complete_record():
    record = service_record()
    assert present(record) == len(COMPONENTS) == 14
    assert quality(record) == {"completeness": 1.0, "missing": [], "gaps": []}


def test_gaps_are_named_in_the_standards_order_and_empty_values_count_as_missing():
    record = service_record()
    del record["procedure"]
    record["cost"] = {}
    record["management"]["staff_count"] = None
    del record["management"]["safety_guarantee"]
    record["description"] = ""
    assert present(record) == 10
    assert missing(record) == [
        "procedure",
        "cost",
        "management.staff_count",
        "management.safety_guarantee",
        "description",  # findability fields come after the 14 components
    ]
    assert quality(record) == {
        "completeness": round(10 / 14, 2),
        "missing": missing(record),
        "gaps": [],
    }


def test_a_path_through_something_that_is_not_an_object_is_missing():
    components = [path for path, _ in COMPONENTS]
    assert missing({"management": "lengkap"}) == [
        *components,
        "description",
        "channels",
        "sectors",
        "contact",
    ]
    assert present({"management": ["x"], "outputs": [{"id": "Akta"}]}) == 1


def test_a_record_taken_as_it_exists_names_its_gaps():
    record = service_record()
    record["name"] = {"nb": "Søknad om byggetillatelse " * 20}  # 520 characters, Norwegian only
    record["channels"] = [
        {"type": "online", "name": {"id": "Aplikasi Mobile JKN"}},
        {"type": "loket", "address": "Jl. Nani Wartabone"},
        {"type": "telepon"},
        {"type": "email", "email": "layanan@kota.example"},
    ]
    assert gaps(record) == [
        {
            "code": "no-indonesian-name",
            "field": "name",
            "message": "no Indonesian name (only nb)",
        },
        {"code": "name-long", "field": "name", "message": "name longer than 300 characters (nb)"},
        {
            "code": "channel-without-address",
            "field": "channels[0].url",
            "message": "channel 1 (Aplikasi Mobile JKN, online) has no url",
        },
        {
            "code": "channel-without-address",
            "field": "channels[2].phone",
            "message": "channel 3 (telepon) has no phone",
        },
    ]
    assert quality(record)["gaps"] == gaps(record)
    assert gap_codes(record) == ["no-indonesian-name", "name-long", "channel-without-address"]
