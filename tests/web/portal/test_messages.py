"""The record checks' English messages, as the editor shows them in each language."""

from __future__ import annotations

import pytest

from simpul.registry.schemas import SERVICE_SCHEMA
from simpul.web.portal.messages import describe


@pytest.fixture
def indonesian(app):
    with app.test_request_context("/"):
        app.preprocess_request()
        yield


@pytest.fixture
def english(app):
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        yield


def schema_messages(raw: dict) -> list[str]:
    from marshmallow import ValidationError

    from simpul.errors import flatten_messages

    with pytest.raises(ValidationError) as caught:
        SERVICE_SCHEMA.load(raw)
    return [e["message"] for e in flatten_messages(caught.value.messages)]


def test_the_schemas_own_messages_are_described_in_indonesian(indonesian):
    messages = schema_messages(
        {
            "name": {},
            "processing_time": "soon",
            "homepage": "www.example.go.id",
            "contact": {"phone": "call me", "email": "nope"},
            "areas": ["75.7"],
        }
    )
    described = sorted(describe(m) for m in messages)
    assert described == sorted(
        [
            "Wajib diisi.",  # identifier
            "Isi teksnya dalam setidaknya satu bahasa.",
            "Jangka waktu tidak dikenali: tulis misalnya “14 hari”, “2 jam” atau P14D.",
            "Bukan alamat web: tulis lengkap, diawali http:// atau https://.",
            "Bukan nomor telepon (contoh: +62 435 123456).",
            "Bukan alamat surel.",
            "Kode wilayah 75.7 tidak dikenal; maksud Anda 75 (Gorontalo)?",
        ]
    )


def test_code_text_and_channel_messages_are_described_in_indonesian(indonesian):
    messages = schema_messages(
        {
            "identifier": "x",
            "name": {"id": "Layanan", "en": ""},
            "description": {"id": "a\x00b"},
            "sectors": ["kependudukn", "zzz"],
            "channels": [{"type": "online", "url": "https://a.go.id", "splp": True}],
            "colour": "red",
        }
    )
    described = sorted(describe(m) for m in messages)
    assert described == sorted(
        [
            "Teksnya kosong.",
            "Teks berisi karakter kendali tak terlihat (NUL); ketik ulang.",
            "Kode “kependudukn” tidak dikenal; maksud Anda “kependudukan”?",
            "Kode “zzz” tidak dikenal. Kode yang dikenal: kependudukan, kesehatan, pendidikan, "
            "sosial, kepolisian, kepegawaian, perizinan, pajak, ketenagakerjaan, pertanian, "
            "perhubungan, lingkungan, pertanahan, perdagangan, keagamaan, kebencanaan.",
            "Hanya kanal jenis “api” yang melalui SPLP.",
            "Isian yang tidak dikenal Simpul.",
        ]
    )


def test_english_pages_get_the_english_sentences(english):
    assert describe("Missing data for required field.") == "Required."
    assert describe('give the text in at least one language, e.g. {"id": "teks"}') == (
        "Give the text in at least one language."
    )


def test_an_unknown_message_is_shown_as_it_is(indonesian):
    assert describe("something new went wrong") == "something new went wrong"
