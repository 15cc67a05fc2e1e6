"""Everyday Indonesian word forms read as the standard forms that service pages use.

Spoken (Jakarta) Indonesian, the way many people type a query, makes verbs with a bare nasal
instead of meN- (ngurus, nyari, nanya, ngelamar) and with -in instead of -kan or -i (daftarin,
bikinin), drops a word's first h (ilang, abis) and says e for a in a closed last syllable (dapet,
bener). ``standard`` undoes these, and only when that gives a word the root dictionary knows, so
a word that is not such a form is left alone. Written before tuning, from the grammar of
colloquial Indonesian, not from any judged query."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

VOWELS = "aeiou"
# (informal prefix, what it stands for), the longest first: nge- before a consonant (ngelamar),
# ng- before a vowel (ngurus; or a dropped k: ngasih), ny- for c or s (nyari, nyerahin), n- for
# t (nanya), and the passive and ke- forms that take -in too (dibikinin, kebawa)
PREFIXES = (
    ("nge", ""),
    ("ng", ""),
    ("ng", "k"),
    ("ny", "c"),
    ("ny", "s"),
    ("n", "t"),
    ("di", ""),
    ("ke", ""),
    ("", ""),
)
# everyday words that are not regular forms of a standard one: negations, "already", "not yet"
# (gak mampu reads as tidak mampu; udah nikah as sudah nikah)
WORDS = {
    **dict.fromkeys(
        ("gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "ndak", "kagak", "tdk", "tak"),
        "tidak",
    ),
    **dict.fromkeys(("udah", "udh", "dah", "sdh"), "sudah"),
    **dict.fromkeys(("blm", "blom", "belom"), "belum"),
}
_LAST_E = re.compile(r"e([^aeiou]+)$")
MIN_ROOT = 3


# a word written twice as "word2" (anak2, surat2, kecil2an), as people type reduplication
_TWICE = re.compile(r"\b([a-z]{3,})2(an|nya)?\b")


def reduplication(text: str) -> str:
    """``text`` with "word2" written out as "word-word" (kecil2an: kecil-kecilan)."""
    return _TWICE.sub(lambda m: f"{m[1]}-{m[1]}{m[2] or ''}", text.lower())


def _bases(word: str) -> Iterator[str]:
    yield word
    if word.endswith("in") and len(word) >= 6:  # daftarin, bikinin; not main, ingin
        yield word[:-2]


def _roots(base: str) -> Iterator[str]:
    for prefix, stands_for in PREFIXES:
        if not base.startswith(prefix):
            continue
        rest = base[len(prefix) :]
        if len(rest) < MIN_ROOT or (prefix in ("ng", "ny", "n") and rest[0] not in VOWELS):
            continue
        yield stands_for + rest


def candidates(word: str) -> Iterator[str]:
    """Standard forms ``word`` may stand for, the likeliest first (itself excluded)."""
    for base in _bases(word):
        for root in _roots(base):
            forms = [root]
            if root[0] in VOWELS:
                forms.append("h" + root)
            forms += [_LAST_E.sub(r"a\1", f) for f in list(forms) if _LAST_E.search(f)]
            yield from (f for f in forms if f != word)


def standard(word: str, known: Callable[[str], bool], root: Callable[[str], str]) -> str | None:
    """The root ``word`` stands for when it is an informal form of a known word (``known``:
    the root dictionary; ``root``: the standard stemmer), else None."""
    if not word.isalpha() or len(word) < 4:
        return None
    for form in candidates(word):
        if known(form):
            return form
        stemmed = root(form)
        if stemmed != form and known(stemmed):
            return stemmed
    return None
