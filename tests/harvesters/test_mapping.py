"""Field mapping helpers shared by the tabular and JSON source types."""

from __future__ import annotations

from simpul.harvesters import mapping


def test_durations_from_indonesian_text():
    assert mapping.duration("14 hari kerja") == "P14D"
    assert mapping.duration("1-3 hari") == "P3D"
    assert mapping.duration("1 hari 4 jam") == "P1DT4H"
    assert mapping.duration("p5d") == "P5D"
    assert mapping.duration("segera") is None and mapping.duration(None) is None


def test_costs_free_and_rupiah():
    assert mapping.cost("Gratis")["amount"] == 0
    assert mapping.cost("Rp. 50.000,-")["amount"] == 50000
    assert mapping.cost(None) is None


def test_identifiers_texts_and_slugs():
    assert mapping.identifier("https://ex.go.id/layanan/akta-lahir/", "k") == "akta-lahir"
    assert mapping.identifier("!!!", "k").startswith("h-")
    assert mapping.slug("Dinas Kependudukan & Capil") == "dinas-kependudukan-capil"
    assert mapping.lang_text("  Akta ") == {"id": "Akta"}
    assert mapping.lang_text({"ID": "Akta", "en": " "}) == {"id": "Akta"}
    assert mapping.first([]) is None and mapping.first(["a", "b"]) == "a"
