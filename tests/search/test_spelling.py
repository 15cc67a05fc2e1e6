"""Spelling correction towards the index's vocabulary (``simpul.search.spelling``), as data:
what counts as a slip, which word wins, what is never corrected, and that it is at least as
tolerant as ``fuzziness: AUTO``."""

from __future__ import annotations

import random
import string

from simpul.search.base import build_query
from simpul.search.features import ALL
from simpul.search.spelling import Vocabulary, corrections, distance

COUNTS = {
    "kelahiran": 40,
    "kematian": 30,
    "akta": 60,
    "perpanjangan": 12,
    "hilang": 25,
    "paspor": 8,
    "pasar": 20,
    "kepolisian": 9,
    "legalisir": 3,
    "ijazah": 7,
    "imunisasi": 4,
    "lahir": 40,
    "mati": 30,
    "panjang": 12,
}
VOCABULARY = Vocabulary(COUNTS)


def corrected(text: str) -> list[list[str]]:
    """The words each correction group offers, best first."""
    return [[" ".join(terms) for terms, _ in group] for group in corrections(text, VOCABULARY)]


def test_phone_and_sms_slips_cost_less_than_other_edits():
    assert distance("hilamg", "hilang") < distance("hilakg", "hilang")  # m beside n
    assert distance("prpnjangan", "perpanjangan") <= 1.2  # two vowels left out
    assert distance("kematiian", "kematian") < 1.0  # a doubled letter
    assert distance("kelahrian", "kelahiran") == 1.0  # a swap


def test_unknown_words_get_the_nearest_known_word():
    assert corrected("akta kelahran") == [["lahir"]]
    assert corrected("ktp hilamg") == [["hilang"]]
    assert corrected("prpnjangan sim") == [["panjang"]]


def test_the_more_common_of_equally_near_words_comes_first():
    # 'pasor' is one edit from paspor (8 services) and from pasar (20)
    assert corrected("pasor") == [["pasar", "paspor"]]


def test_a_known_word_is_never_corrected_however_rare():
    assert corrected("legalisir") == []  # 3 services; 'legalisasi' would be nearer to nothing
    rare = Vocabulary({**COUNTS, "paspr": 1})
    assert corrections("paspr", rare) == ()  # a word the catalog uses stays itself


def test_words_run_together_and_split_apart():
    assert corrected("aktakelahiran") == [["akta"], ["lahir"]]
    assert corrected("akta kema tian") == [["mati"]]


def test_switched_off_or_without_a_vocabulary_nothing_is_corrected():
    assert corrections("akta kelahran", VOCABULARY, ALL.without("typos")) == ()
    assert build_query("akta kelahran").groups == ()


def test_at_least_as_tolerant_as_fuzziness_auto():
    """Every variant of a known word within AUTO's edits of what was typed (one edit up to
    five letters, two beyond) is corrected back to it, unless another known word is nearer."""
    rng = random.Random(17)
    letters = string.ascii_lowercase
    missed = []
    for word in ("kelahiran", "perpanjangan", "kepolisian", "imunisasi", "ijazah", "hilang"):
        for _ in range(40):
            typed = word
            for _ in range(1 if len(word) <= 5 else 2):
                i = rng.randrange(len(typed))
                edit = rng.choice("dis")
                if edit == "d" and len(typed) > 4:
                    typed = typed[:i] + typed[i + 1 :]
                elif edit == "i":
                    typed = typed[:i] + rng.choice(letters) + typed[i:]
                else:
                    typed = typed[:i] + rng.choice(letters) + typed[i + 1 :]
            if typed in COUNTS or (len(typed) <= 5 and len(word) > 5):
                continue
            near = [c for c, _ in VOCABULARY.nearest(typed)]
            if word not in near and not any(
                distance(typed, c) < distance(typed, word) for c in near
            ):
                missed.append((word, typed))
    assert not missed


def test_one_query_looks_up_a_bounded_number_of_words():
    from simpul.search.spelling import MAX_CORRECTED

    vocabulary, asked = Vocabulary(COUNTS), []
    vocabulary.nearest = lambda word: asked.append(word) or ()
    typed = " ".join(f"kelahiran{letter}x" for letter in string.ascii_lowercase)
    corrections(typed, vocabulary)
    assert len(asked) == MAX_CORRECTED


def test_a_synonym_phrase_broken_by_a_typo_is_read_once_corrected():
    """ "surat keterangan catatan kepolisan" is the SKCK's full name with a letter dropped: the
    phrase's canonical form (skck) comes with the correction, as it does for the name typed
    right. Before, only the corrected word came back."""
    groups = corrected("surat keterangan catatan kepolisan")
    assert ["polisi"] in groups and ["skck"] in groups
    assert ["skck"] not in corrected("catatan kepolisan")  # no phrase: nothing more


def test_a_word_of_the_language_is_not_corrected_into_a_word_of_the_catalog():
    """ "pasir" (sand) is one edit from the catalog's "pasar" but is spelled right: before, it
    was corrected; a word no dictionary knows still is."""
    assert corrected("pasir") == []
    assert corrected("pasr") == [["pasar"]]
