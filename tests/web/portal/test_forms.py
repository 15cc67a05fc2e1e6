"""The editor's form as data: a stored record survives a round trip through the form, and the
friendly inputs (durations, amounts, lists) become what the record format wants."""

from __future__ import annotations

import pytest

from simpul.registry.schemas import SERVICE_SCHEMA
from simpul.web.portal.forms import (
    errors_by_field,
    field_for,
    form_fields,
    form_to_record,
    parse_amount,
    parse_duration,
    record_to_form,
)
from tests.conftest import service_record


def test_a_complete_record_survives_the_form_round_trip():
    record = SERVICE_SCHEMA.load(service_record())
    record["authority"] = "disdukcapil-kota-gorontalo"
    back = form_to_record(record_to_form(record), record)
    assert SERVICE_SCHEMA.load(back) == record


def test_every_demo_service_survives_the_form_round_trip():
    """The demo's records are written as agencies write them: translations, identifiers of
    laws, channel hours. Saving one in the form unchanged must change nothing."""
    from simpul.demo import demo_services

    for raw in demo_services():
        record = SERVICE_SCHEMA.load({k: v for k, v in raw.items() if k != "authority"})
        record["authority"] = raw["authority"]
        assert form_to_record(record_to_form(record), record) == record, raw["identifier"]


def test_a_changed_text_drops_a_translation_the_form_does_not_show():
    record = SERVICE_SCHEMA.load(service_record())
    record["management"]["facilities"] = {"id": "Ruang tunggu", "en": "Waiting room"}
    form = record_to_form(record)
    assert form_to_record(form, record)["management"]["facilities"]["en"] == "Waiting room"
    form["management.facilities.id"] = "Ruang tunggu ber-AC"
    shown = form_to_record(form, record)["management"]["facilities"]
    assert shown == {"id": "Ruang tunggu ber-AC", "en": "Waiting room"}  # on the form: kept
    del form["management.facilities.en"]  # a form without the English section
    assert form_to_record(form, record)["management"]["facilities"] == {"id": "Ruang tunggu ber-AC"}
    form["management.facilities.id"] = ""
    assert "facilities" not in form_to_record(form, record)["management"]


def test_english_list_items_are_edited_line_by_line():
    record = SERVICE_SCHEMA.load(
        service_record(requirements=[{"id": "KTP", "en": "ID card"}, {"id": "KK"}])
    )
    form = record_to_form(record)
    assert form["requirements.en"] == "ID card\n"
    form["requirements"] = "KTP\n\nKK\nAkta"
    form["requirements.en"] = "ID card\nFamily card\n"
    assert form_to_record(form, record)["requirements"] == [
        {"id": "KTP", "en": "ID card"},
        {"id": "KK", "en": "Family card"},
        {"id": "Akta"},
    ]
    form["channels[0].name.en"] = "Counter"
    form["channels[0].name.id"] = "Loket"
    assert form_to_record(form, record)["channels"][0]["name"] == {"id": "Loket", "en": "Counter"}


def test_english_list_items_stay_while_their_indonesian_text_is_unchanged():
    record = SERVICE_SCHEMA.load(
        service_record(
            requirements=[{"id": "KTP", "en": "ID card"}, {"id": "KK", "en": "Family card"}]
        )
    )
    form = record_to_form(record)
    del form["requirements.en"]  # a form without the English section (an older page)
    form["requirements"] = "KTP\nKK yang baru"
    back = form_to_record(form, record)
    assert back["requirements"] == [{"id": "KTP", "en": "ID card"}, {"id": "KK yang baru"}]


@pytest.mark.parametrize(
    "typed, iso",
    [
        ("14 hari", "P14D"),
        ("14 hari kerja", "P14D"),
        ("2 jam", "PT2H"),
        ("1 bulan", "P1M"),
        ("3 weeks", "P3W"),
        ("1 hari 4 jam", "P1DT4H"),
        ("30 menit", "PT30M"),
        ("p14d", "P14D"),
        ("kapan-kapan", "kapan-kapan"),  # left for the schema to name
        ("14", "14"),
        ("5 purnama", "5 purnama"),
    ],
)
def test_durations(typed, iso):
    assert parse_duration(typed) == iso


@pytest.mark.parametrize(
    "typed, amount",
    [
        ("0", 0),
        ("50.000", 50000),
        ("Rp 1.500.000", 1500000),
        ("2500,50", 2500.5),
        ("gratis", "gratis"),
    ],
)
def test_amounts(typed, amount):
    assert parse_amount(typed) == amount


def test_blank_channel_rows_are_ignored_and_a_lone_type_is_not():
    form = record_to_form({"channels": [{"type": "loket", "address": "Jl. A"}]})
    assert form_to_record(form)["channels"] == [{"type": "loket", "address": "Jl. A"}]
    form["channels[1].type"] = "online"  # chosen in a blank row, nothing else filled in
    assert len(form_to_record(form)["channels"]) == 1


def test_error_paths_land_on_their_fields():
    form = record_to_form({"channels": [{"type": "online"}]})
    fields = form_fields(form)
    assert field_for("channels[0].url", fields) == "channels[0].url"
    assert field_for("name", fields) == "name.id"
    assert field_for("requirements[3]", fields) == "requirements"
    assert field_for("cost", fields) == "cost.amount"
    assert field_for("management.staff_count", fields) == "management.staff_count"
    assert field_for("original_authority", fields) is None
    grouped = errors_by_field(
        [{"path": "name", "message": "required"}, {"path": None, "message": "whole"}], fields
    )
    assert grouped == {"name.id": ["required"], "": ["whole"]}


def test_an_error_on_a_channel_points_at_the_row_it_came_from():
    from werkzeug.datastructures import MultiDict

    from simpul.web.portal.forms import form_paths

    form = MultiDict({"channels[0].type": "", "channels[1].type": "online", "channels[1].url": "x"})
    assert form_to_record(form)["channels"] == [{"type": "online", "url": "x"}]
    errors = form_paths([{"path": "channels[0].url", "message": "bad"}], form, None)
    assert errors == [{"path": "channels[1].url", "message": "bad"}]


def test_a_forged_channel_number_cannot_make_the_form_loop():
    from werkzeug.datastructures import MultiDict

    from simpul.web.portal.forms import channel_rows

    form = MultiDict({"channels[99999999].type": "loket", "channels[3].address": "Jl. B"})
    assert channel_rows(form) == 4 + 2  # the huge number is not a channel key at all
    form = MultiDict({"channels[999999].address": "Jl. C"})
    assert channel_rows(form) == 50 + 2
