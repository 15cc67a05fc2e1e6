"""The fast check of applications gives what the marshmallow schema gives: the same record
for good input, the same field paths for bad input, whatever was checked before."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from simpul.registry.appschema import APPLICATION_SCHEMA, load_application
from tests.conftest import application_record

BAD = [
    {"kind": "website"},
    {"splp": {"status": "belum", "apis": ["x"]}},
    {"splp": {"apis": ["x"]}},
    {"splp": {"status": "terdaftar", "apis": "x"}},
    {"splp": {"status": "terdaftar", "other": 1}},
    {"interfaces": [{"type": "none"}, {"type": "rest"}]},
    {"interfaces": [{"type": "rest", "authentication": "jwt"}]},
    {"security": {"last_audit": "2999-01-01"}},
    {"operator": {}},
    {"unknown_field": 1},
    {"name": "plain"},
    {"identifier": None},
    {"sectors": ["kesehatan", "nope"]},
]


def _messages(load, raw):
    with pytest.raises(ValidationError) as excinfo:
        load(raw)
    return excinfo.value.messages


@pytest.mark.parametrize("fields", BAD)
def test_same_problems_as_the_schema(fields):
    raw = application_record(**fields)
    for _ in range(2):  # the second time from the kept values
        assert (
            _messages(load_application, raw).keys()
            == _messages(APPLICATION_SCHEMA.load, raw).keys()
        )


def test_same_record_and_nothing_shared_between_records():
    raw = application_record(sectors=["kesehatan", "kesehatan"], splp={"status": "terhubung"})
    first, second = load_application(raw), load_application(raw)
    assert first == second == APPLICATION_SCHEMA.load(raw)
    first["operator"]["name"] = "changed"
    assert load_application(raw)["operator"]["name"] != "changed"


def test_required_fields():
    assert set(_messages(load_application, {})) == {"identifier", "name"}
