"""Completeness against the 14 components of the service standard."""

from __future__ import annotations

from simpul.registry.quality import COMPONENTS, missing, present, quality
from tests.conftest import service_record


def test_a_complete_record():
    record = service_record()
    assert present(record) == len(COMPONENTS) == 14
    assert quality(record) == {"completeness": 1.0, "missing": []}


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
    assert quality(record) == {"completeness": round(10 / 14, 2), "missing": missing(record)}


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
