"""Everyday Indonesian word forms (``simpul/search/informal.py``) and what the stemmer now does
beyond Sastrawi's dictionary: each case failed before (the word came back as typed)."""

from __future__ import annotations

import pytest

from simpul.search.analysis import analyze, expansions, stem

# informal form -> the root a service page's word stems to
INFORMAL = {
    "ngurus": "urus",  # ng- before a vowel
    "ngurusin": "urus",  # ... with -in
    "daftarin": "daftar",  # -in for -kan
    "ngedaftarin": "daftar",  # nge- before a consonant
    "nyari": "cari",  # ny- for c
    "nyetak": "cetak",
    "nanya": "tanya",  # n- for t
    "perpanjangin": "panjang",  # per- ... -in, through Sastrawi
    "dibikinin": "bikin",  # passive di- ... -in
    "ilang": "hilang",  # a dropped h
    "dapet": "dapat",  # e for a in the last syllable
    "benerin": "benar",
}


@pytest.mark.parametrize(("word", "root"), INFORMAL.items())
def test_an_informal_form_stems_to_the_root_of_its_standard_form(word, root):
    assert stem(word) == root


@pytest.mark.parametrize(
    "word", ["diploma", "digital", "online", "domain", "national", "notaris", "kacamata"]
)
def test_a_word_that_is_no_informal_form_is_left_alone(word):
    assert stem(word) == word


def test_an_informal_query_meets_the_formal_page():
    assert set(analyze("ktp ilang")) >= set(analyze("ktp hilang"))
    assert analyze("nyari kerja") == analyze("cari kerja")


def test_the_lexicon_reads_an_informal_form_as_its_standard_term():
    assert expansions("nyari kerja") == expansions("cari kerja") != ()
    assert expansions("ngurusin") == expansions("urus") != ()


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("penyalahgunaan", "salahguna"),  # two roots inside peny-...-an
        ("menyalahgunakan", "salahguna"),
        ("mempertanggungjawabkan", "tanggungjawab"),
    ],
)
def test_a_compound_inside_affixes_stems_to_its_two_roots(word, root):
    assert stem(word) == root


@pytest.mark.parametrize("typed", ["gak mampu", "nggak mampu", "ga mampu", "enggak mampu"])
def test_a_spoken_negation_reads_as_tidak(typed):
    """Negations and "already" are spoken words of their own (gak, udah), not regular forms:
    a table reads them, so every lexicon term with tidak/sudah meets their spoken forms."""
    assert expansions(typed) == expansions("tidak mampu")
    assert expansions("gak punya duit") == expansions("tidak punya uang")


def test_a_word_written_twice_with_a_2_reads_as_the_word():
    """anak2, kecil2an: how reduplication is typed; as typed, "anak2" was a term nothing has."""
    from simpul.search.base import build_query

    assert build_query("anak2 sekolah").terms == build_query("anak-anak sekolah").terms
    assert "anak" in build_query("anak2 sekolah").terms
    assert build_query("usaha kecil2an").groups == build_query("usaha kecil-kecilan").groups
    assert "p2" in build_query("pbb-p2").terms  # a code with a 2 is left alone


def test_spoken_needing_and_asking_words_weigh_nothing():
    from simpul.search.base import build_query

    assert build_query("butuh surat pindah, perlu nanya").terms == build_query("surat pindah").terms


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("sertifikatnya", "sertipikat"), ("aktenya", "akta"), ("ijinnya", "ijin"), ("ktpku", "ktp")],
)
def test_a_synonym_with_a_clitic_reads_as_its_canonical_form(typed, canonical):
    """ "tanah belum ada sertifikatnya": the stemmer dropped -nya but left sertifikat, which the
    land certificate pages (sertipikat) never say; aktenya and ijinnya it did not know at all."""
    assert analyze(typed) == [canonical]


def test_a_derived_form_keeps_its_own_root_beside_a_synonym():
    """ganti and ubah are synonyms, but a replacement (penggantian) is not a change
    (perubahan): only a clitic is looked through."""
    assert analyze("penggantian") == ["ganti"]
    assert analyze("ganti") == analyze("ubah")


@pytest.mark.parametrize(
    ("word", "root"),
    [("menikah", "nikah"), ("kerusakan", "rusak"), ("perusakan", "rusak")],
)
def test_a_root_sastrawi_cuts_short_is_whole(word, root):
    """Sastrawi read menikah as meni + -kah and kerusakan as ke- rusa -kan, so the page
    "Surat Keterangan Belum Pernah Menikah" did not say nikah at all."""
    assert stem(word) == root
