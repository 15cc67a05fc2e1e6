"""Spelling correction against the catalog's own vocabulary.

The vocabulary is what the index holds in its ``words`` field (the folded words of names,
keywords and English names, and their stems), with the number of services using each word; a
backend reads it from its index (``vocabulary()``). A word of the query that the vocabulary
knows is never corrected, however rare it is: only unknown words are. An unknown word gets the
known words nearest to it, nearest first and then most common, under an edit distance that
charges less for the slips people make on phone keyboards (a neighbouring key, a vowel left
out as in SMS writing, a doubled or undoubled letter) and at least as much tolerance as
``fuzziness: AUTO`` (one edit up to five letters, two beyond). Words run together
(``aktakelahiran``) are split into known words; words split apart (``ke lahiran``) are joined.

Candidates come from a bigram index of the vocabulary (the q-gram lemma bounds how many bigrams
two words within two edits share), then the weighted distance decides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

from simpul.search.analysis import (
    Alternative,
    Group,
    analyze,
    analyzer,
    is_indonesian,
    known_words,
    raw_tokens,
)
from simpul.search.features import ALL, Features

# QWERTY rows as on a phone keyboard: a slip lands on a key beside the intended one
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOURS: dict[str, frozenset[str]] = {}
for r, row in enumerate(_ROWS):
    for c, key in enumerate(row):
        near = {row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""}
        for other in (r - 1, r + 1):
            if 0 <= other < len(_ROWS):
                near |= {_ROWS[other][i] for i in (c - 1, c, c + 1) if 0 <= i < len(_ROWS[other])}
        NEIGHBOURS[key] = frozenset(near - {""})
VOWELS = frozenset("aeiou")
SLIP = 0.6  # the cost of a likely slip (neighbouring key, left-out vowel, doubled letter)
MIN_LENGTH = 4  # shorter words are abbreviations more often than misspellings
MIN_PART = 3  # the shortest part a run-together word is split into


def max_distance(word: str) -> float:
    """``fuzziness: AUTO``: one edit up to five letters, two beyond (cheaper slips fit more)."""
    return 1.0 if len(word) <= 5 else 2.0


def distance(typed: str, known: str) -> float:
    """Weighted optimal-string-alignment distance from what was typed to a known word."""
    n, m = len(typed), len(known)
    prev2: list[float] = []
    prev = [j * 1.0 for j in range(m + 1)]
    for i in range(1, n + 1):
        row = [i * 1.0] + [0.0] * m
        a = typed[i - 1]
        for j in range(1, m + 1):
            b = known[j - 1]
            sub = 0.0 if a == b else SLIP if b in NEIGHBOURS.get(a, ()) else 1.0
            # a letter typed too many (typed[i-1] is extra): cheap when it doubles its neighbour
            extra = SLIP if i > 1 and typed[i - 2] == a else 1.0
            # a letter left out (known[j-1] is missing): cheap for vowels and doubled letters
            left_out = SLIP if b in VOWELS or (j > 1 and known[j - 2] == b) else 1.0
            best = min(prev[j - 1] + sub, prev[j] + extra, row[j - 1] + left_out)
            if i > 1 and j > 1 and a == known[j - 2] and typed[i - 2] == b:
                best = min(best, prev2[j - 2] + 1.0)
            row[j] = best
        prev2, prev = prev, row
    return prev[m]


def _bigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


class Vocabulary:
    """Known words and how many services use each, with what correction needs of them."""

    def __init__(self, counts: Mapping[str, int]):
        self.counts = dict(counts)
        postings: dict[str, list[str]] = {}
        for word in self.counts:
            if len(word) >= MIN_LENGTH - 1 and word.isalpha():
                for gram in _bigrams(word):
                    postings.setdefault(gram, []).append(word)
        self.postings = postings
        self.nearest = lru_cache(maxsize=20_000)(self._nearest)

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def __len__(self) -> int:
        return len(self.counts)

    def _nearest(self, word: str) -> tuple[tuple[str, float], ...]:
        """Known words nearest to ``word``, each with its share (0..1] of the weight the
        correction gets: the nearest, most common first."""
        if len(word) < MIN_LENGTH or not word.isalpha():
            return ()
        limit = max_distance(word)
        grams = _bigrams(word)
        # an edit touches two bigrams: within k edits (slips included) two words share all
        # but 2k of the typed word's distinct bigrams (the q-gram lemma)
        need = max(1, len(grams) - 2 * int(limit / SLIP))
        shared = Counter(w for gram in grams for w in self.postings.get(gram, ()))
        scored = []
        for candidate, common in shared.items():
            if common < need or abs(len(candidate) - len(word)) > limit:
                continue
            d = distance(word, candidate)
            if d <= limit:
                scored.append((d, -self.counts[candidate], candidate))
        if not scored:
            return ()
        scored.sort()
        best = scored[0][0]
        top = [(c, -f) for d, f, c in scored if d <= best + 1e-9][:3]
        most = top[0][1]
        return tuple((c, max(0.3, f / most)) for c, f in top)

    def split(self, word: str) -> tuple[str, str] | None:
        """Two known words that ``word`` runs together, the pair whose rarer word is most
        common; None when there is none."""
        best, choice = 0, None
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            left, right = word[:i], word[i:]
            score = min(self.counts.get(left, 0), self.counts.get(right, 0))
            if score > best:
                best, choice = score, (left, right)
        return choice


EMPTY = Vocabulary({})


CORRECTION_WEIGHT = 0.8  # a corrected word counts a little less than a word typed right
MAX_CORRECTED = 8  # unknown words of one query looked up (bounds the work a query can ask)


def corrections(text: str, vocabulary: Vocabulary, features: Features = ALL) -> tuple[Group, ...]:
    """The groups that stand in for the words of ``text`` the catalog does not know: their
    nearest known words, the known words a run-together word splits into, and the known word
    two neighbours make when joined."""
    if not features.typos or not len(vocabulary):
        return ()
    tables = analyzer(features)
    known = known_words(features)

    def is_known(word: str) -> bool:
        return (
            len(word) < MIN_LENGTH
            or not word.isalpha()
            or word in known
            or word in vocabulary
            or tables.stem(word) in vocabulary
            or is_indonesian(word)
        )

    def reading(word: str, share: float = 1.0) -> Alternative:
        return tuple(dict.fromkeys(analyze(word, features))), CORRECTION_WEIGHT * share

    raw = raw_tokens(text)
    unknown = [word for word in dict.fromkeys(raw) if not is_known(word)][:MAX_CORRECTED]
    groups: list[Group] = []
    fixed: dict[str, str] = {}
    for word in unknown:
        near = vocabulary.nearest(word)
        if near:
            groups.append(tuple(reading(c, share) for c, share in near))
            fixed[word] = near[0][0]
        elif parts := vocabulary.split(word):
            groups.extend((reading(part),) for part in parts)
    if phrase := _phrase_terms(text, raw, fixed, features):
        groups.append(((phrase, CORRECTION_WEIGHT),))
    for left, right in zip(raw, raw[1:], strict=False):
        joined = left + right
        if joined in vocabulary and not (is_known(left) and is_known(right)):
            groups.append((reading(joined),))
    return tuple(dict.fromkeys(g for g in groups if all(terms for terms, _ in g)))


def _phrase_terms(
    text: str, raw: list[str], fixed: dict[str, str], features: Features
) -> tuple[str, ...]:
    """What the corrected query says that its words do not say one by one: the canonical
    form of a synonym phrase a typo had broken (surat keterangan catatan kepolisan: skck)."""
    if not fixed:
        return ()
    said = set(analyze(text, features))
    for correction in fixed.values():
        said.update(analyze(correction, features))
    corrected = analyze(" ".join(fixed.get(w, w) for w in raw), features)
    return tuple(t for t in dict.fromkeys(corrected) if t not in said)
