"""Indonesian text analysis for search: tokens, stopwords, affix stemming, synonyms.

The same analysis runs on documents and on queries, so that pendaftaran finds daftar, akte finds
akta and e-KTP finds KTP. Stemming uses Sastrawi (Nazief-Adriani with a root-word dictionary),
which conflates penerbitan/terbit where the Snowball stemmer gives 'erbit'."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

_TOKEN = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


def _lines(name: str) -> list[str]:
    text = (resources.files("simpul.search") / "data" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_lines("stopwords-id.txt"))


@cache
def synonyms() -> tuple[dict[str, str], dict[tuple[str, ...], str]]:
    """(single word -> canonical form, multi-word phrase -> canonical form). Phrases are also
    known by their stems, so 'pendaftaran sekolah' meets 'daftar sekolah'."""
    words: dict[str, str] = {}
    phrases: dict[tuple[str, ...], str] = {}
    for line in _lines("synonyms-id.txt"):
        forms = [form.strip() for form in line.split(",") if form.strip()]
        canonical = forms[0]
        for form in forms:
            parts = tuple(_raw_tokens(form))
            if len(parts) == 1:
                words[parts[0]] = canonical
            else:
                phrases[parts] = canonical
                phrases.setdefault(tuple(stem(p) for p in parts), canonical)
    return words, phrases


@cache
def _phrase_starts() -> tuple[frozenset[str], int]:
    phrases = synonyms()[1]
    return frozenset(p[0] for p in phrases), max((len(p) for p in phrases), default=1)


@cache
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _raw_tokens(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    return _stemmer().stem(word) or word


def analyze(text: str) -> list[str]:
    """Search terms of a text: folded, tokenized, synonyms mapped to their canonical form (added
    beside the words, so phrases still match), stopwords dropped, stemmed."""
    words, phrases = synonyms()
    starts, longest = _phrase_starts()
    raw = _raw_tokens(text)
    stems = [stem(token) for token in raw]
    out: list[str] = []
    for i, token in enumerate(raw):
        if token not in starts and stems[i] not in starts:
            sizes = range(0)
        else:
            sizes = range(min(longest, len(raw) - i), 1, -1)
        for size in sizes:
            canonical = phrases.get(tuple(raw[i : i + size])) or phrases.get(
                tuple(stems[i : i + size])
            )
            if canonical:
                out.append(canonical)
                break
        parts = [token, *(p for p in token.split("-") if len(p) > 1)] if "-" in token else [token]
        for part in parts:
            if part in words:
                out.append(words[part])
            elif part not in stopwords():
                out.append(stem(part))
    return out


def words(text: str) -> list[str]:
    """Folded words as typed, without stopwords (for typo tolerance: no stemming)."""
    return [w for w in _raw_tokens(text) if w not in stopwords()]


def canonical_terms(text: str) -> str:
    return " ".join(analyze(text))
