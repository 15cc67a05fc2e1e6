"""Ranked suggestions of national service types (jenis layanan) for a service record (issue 14).

A record's name is compared with every name and alternative name of the types, in Simpul's own
Indonesian analysis (stems, synonyms, abbreviations: ``simpul.search.analysis``), with the
weight of a term its rarity among the types (``surat`` says little, ``skck`` says a lot):

- *coverage*: the share of the best matching type name that the record's name holds;
- *explained*: the share of the record's name that the type's names explain. A word the type
  never uses (``rekomendasi``, ``legalisir``, ``anjing``) marks a different service.

The score is ``coverage * explained``, lowered when the record's sectors and the type's do not
meet or the type does not apply at the record's level, raised a little when the description or
keywords agree. The first word of the name that is not light counts double (it names the
service); words after ``untuk``, ``bagi``, ``di``... (purpose, place) count less. Region names,
numbers and words that say how or where a service is given (``layanan``, ``online``,
``disdukcapil``) weigh little or nothing. A typo of a type's word (``kelahran``) counts as the
word when it is one edit away. The weights were tuned on one half of the judged set
(``tests/registry/data/type-matching-judged.jsonl``) and checked on the other; see
``docs/service-types.md``."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from simpul.reference.areas import load_areas
from simpul.search.analysis import analyze, analyzer
from simpul.search.features import ALL

DEFAULT_THRESHOLD = 0.65  # SIMPUL_TYPE_AUTO_LINK's default; chosen on the tune half
LIGHT_WEIGHT = 0.3  # a word that says how or where, not what
UNKNOWN_WEIGHT = 3.0  # a word no type uses (after region names, numbers and typos)
SECTOR_MISS = 0.7  # record and type sectors both given and disjoint
LEVEL_MISS = 0.5  # the type does not apply at the record's level (ranked lower, never linked)
SUPPORT_SHARE = 0.2  # how much of the remaining distance keywords/description may close
SUPPORTED = 3  # how many of the best candidates the description and keywords may lift
MIN_COVERAGE = 0.3  # a type whose best name is covered less than this is not a candidate
DESCRIPTION_CHARS = 200  # the start of a description says what the service is
TAIL_WEIGHT = 0.3  # words after "untuk", "bagi", "di", ...: purpose or place, not the service
HEAD_FACTOR = 2.0  # the first word that is not light names what the service is
TAIL_WORDS = frozenset(["untuk", "bagi", "berdasarkan", "melalui", "dengan", "oleh", "dari", "di"])

# How, where and by whom a service is given: they do not tell one type from another.
LIGHT_WORDS = """layanan pelayanan pembuatan pengurusan penerbitan permohonan pengajuan online
daring luring offline terpadu kab kabupaten kota kec kecamatan kel kelurahan desa provinsi prov
dinas badan kantor unit uptd upt disdukcapil dukcapil capil polres polsek polda polresta
satlantas bapenda dinsos dinkes disdik dpmptsp pemkab pemkot pemprov tahun gratis"""

_TOKEN = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


@dataclass(frozen=True)
class Suggestion:
    type_id: str
    score: float  # 0..1; one threshold means the same for every record and entry path
    reasons: tuple[str, ...]


def _tokens(text: str) -> list[str]:
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _TOKEN.findall(text)


def _names(t: Mapping) -> list[tuple[str, str]]:
    """(label for reasons, text) of a type's names and alternative names."""
    out = [("name", text) for text in (t.get("name") or {}).values() if text]
    for names in (t.get("alt_names") or {}).values():
        out += [(f"alt_name: {text}", text) for text in names if text]
    return out


def _implied() -> dict[str, frozenset[str]]:
    """Canonical synonym -> the terms of its multi-word forms (``kk`` -> kartu, keluarga), so
    that ``KK`` covers the name ``Kartu Keluarga`` and ``Kartu Keluarga`` is explained by ``KK``."""
    parts: dict[str, set[str]] = defaultdict(set)
    for phrase, canonical in analyzer(ALL).phrases.items():
        for word in phrase:
            parts[canonical].update(analyze(word))
    return {c: frozenset(terms - {c}) for c, terms in parts.items()}


def _region_words() -> frozenset[str]:
    """Words of province and regency/city names (``bone``, ``bolango``, ``gorontalo``)."""
    areas = load_areas()
    words: set[str] = set()
    for province in areas.children("00"):
        for area in [province, *areas.children(province.code)]:
            words.update(_tokens(area.name))
    return frozenset(words)


class TypeMatcher:
    """Built once from the type list (an inverted index of the analysed names); ``suggest`` and
    ``best`` then score only the types that share a term with the record."""

    def __init__(self, types: list[Mapping]):
        self.types = types
        self.implied = _implied()
        self.sectors = [frozenset(t.get("sectors") or ()) for t in types]
        self.levels = [frozenset(t.get("applies_to") or ()) for t in types]
        self.names: list[tuple[int, str, tuple[str, ...], float]] = []  # type, label, light
        # term (not light) -> (name index, weight) of the names that hold it
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.name_terms: list[tuple[dict[str, float], float]] = []  # terms, total weight
        vocab = [self._type_terms(t) for t in types]
        df: dict[str, int] = defaultdict(int)
        for terms in vocab:
            for term in terms:
                df[term] += 1
        light = {term for word in LIGHT_WORDS.split() for term in analyze(word)}
        self.weight = {
            term: LIGHT_WEIGHT if term in light else math.log(1 + len(types) / n)
            for term, n in df.items()
        }
        self.light = frozenset(light)
        self.vocab = [frozenset(terms) for terms in vocab]
        self.raw_words = {w for t in types for _, text in _names(t) for w in _tokens(text)}
        self.noise = _region_words() - self.raw_words
        self.near: dict[str, list[str]] = defaultdict(list)  # a word and its one-deletions
        for known in self.raw_words:
            for key in {known, *_deletions(known)}:
                self.near[key].append(known)
        self._index_names()
        self.name_scores = lru_cache(maxsize=50_000)(self._name_scores)
        self.correct = lru_cache(maxsize=50_000)(self._correct)
        self.weighted = lru_cache(maxsize=50_000)(self._weighted)

    @classmethod
    def from_types(cls, types: Iterable[Mapping]) -> TypeMatcher:
        return cls(list(types))

    def _type_terms(self, t: Mapping) -> set[str]:
        return {term for _, text in _names(t) for term in analyze(text) if not _short_number(term)}

    def _index_names(self) -> None:
        for index, t in enumerate(self.types):
            for label, text in _names(t):
                terms = {t: self.weight[t] for t in analyze(text) if not _short_number(t)}
                if not terms:
                    continue
                light = tuple(term for term in terms if term in self.light)
                self.names.append((index, label, light, sum(terms.values())))
                self.name_terms.append((terms, sum(terms.values())))
                for term, weight in terms.items():
                    if term not in self.light:
                        self.postings[term].append((len(self.names) - 1, weight))

    # -- the record side -------------------------------------------------------------------

    def _correct(self, word: str) -> str | None:
        """The token as the analysis should see it: itself, a type's word it is one typo away
        from, or None when it is noise (a region name, a number)."""
        if word.isdigit() and (_short_number(word) or word not in self.raw_words):
            return None
        terms = analyze(word)
        if word in self.raw_words or not terms or any(t in self.weight for t in terms):
            return word
        if word in self.noise or len(word) < 2:
            return None
        if len(word) >= 4:
            near = {k for d in {word, *_deletions(word)} for k in self.near.get(d, ())}
            for known in sorted(near):
                if _one_edit(word, known, transpose_only=len(word) < 5):
                    return known
        return word

    def words(self, text: str) -> tuple[str, ...]:
        """The words of a text that matter, typos corrected: the key of the caches."""
        return tuple(c for c in map(self.correct, _tokens(text)) if c is not None)

    def terms(self, text: str) -> dict[str, float]:
        """Analysed terms of a text with their weights (unknown words weigh UNKNOWN_WEIGHT)."""
        return self.weighted(self.words(text))

    def _weighted(self, words: tuple[str, ...]) -> dict[str, float]:
        cut = next((i for i, w in enumerate(words) if w in TAIL_WORDS and i > 0), len(words))
        out: dict[str, float] = {}
        head = None
        for part, factor in ((words[:cut], 1.0), (words[cut:], TAIL_WEIGHT)):
            terms = [t for t in analyze(" ".join(part)) if t not in out] if part else []
            echoes = _phrase_echoes(terms, part)
            if factor == 1.0:  # the head: its first word that is not light names the service
                head = next((t for t in terms if t not in self.light and t not in echoes), None)
            for term in terms:
                weight = LIGHT_WEIGHT if term in self.light else self.weight.get(term)
                weight = 0.0 if term in echoes else (weight or UNKNOWN_WEIGHT)
                out[term] = weight * (HEAD_FACTOR if term == head else factor)
        return out

    def _name_scores(self, words: tuple[str, ...]) -> dict[int, tuple[float, int]]:
        """Type index -> (score, index of its best name) from the words of a record's name."""
        record = self.weighted(words)
        if not record:
            return {}
        expanded = set(record)
        for term in record:
            expanded |= self.implied.get(term, frozenset())
        covered: dict[int, float] = defaultdict(float)
        for term in expanded:
            for name, weight in self.postings.get(term, ()):
                covered[name] += weight
        best: dict[int, tuple[float, int]] = {}
        for name, weight in covered.items():
            index, _, light, total = self.names[name]
            coverage = (weight + LIGHT_WEIGHT * sum(t in expanded for t in light)) / total
            if coverage >= MIN_COVERAGE and coverage > best.get(index, (0.0, 0))[0]:
                best[index] = (coverage, name)
        total = sum(record.values())
        if not total:
            return {}
        out = {}
        for index, (coverage, name) in best.items():
            out[index] = (coverage * self._explained(record, self.vocab[index]) / total, name)
        return out

    def _explained(self, record: dict[str, float], vocab: frozenset[str]) -> float:
        shared = [c for c in record if c in vocab and c in self.implied]
        implied = set().union(*(self.implied[c] for c in shared)) if shared else set()
        return sum(w for t, w in record.items() if t in vocab or t in implied)

    def _support(self, record: Mapping, leaders: list[tuple[int, int]]) -> dict[int, float]:
        """Type index -> the share of its best matching name that the keywords and the start
        of the description hold (for the few best candidates only)."""
        texts = [k for k in record.get("keywords") or () if k]
        texts += [d[:DESCRIPTION_CHARS] for d in (record.get("description") or {}).values() if d]
        if not texts:
            return {}
        terms = set(analyze(" . ".join(texts)))
        out = {}
        for index, name in leaders:
            name_terms, total = self.name_terms[name]
            out[index] = sum(w for t, w in name_terms.items() if t in terms) / total
        return out

    # -- the public interface ----------------------------------------------------------------

    def suggest(
        self, record: Mapping, level: str | None = None, limit: int = 5
    ) -> list[Suggestion]:
        """Types for ``record``, best first. Types that do not apply at ``level`` (default: the
        record's own) are ranked lower and marked ``not at level ...``."""
        level = level or record.get("level")
        scored = self._scored(record, level)
        ranked = sorted(scored, key=lambda s: (-s[1], self.types[s[0]]["id"]))
        return [
            Suggestion(self.types[i]["id"], round(score, 4), reasons)
            for i, score, reasons, _ in ranked[:limit]
        ]

    def best(self, record: Mapping, level: str | None, threshold: float) -> Suggestion | None:
        """The automatic link: the top type when it applies at ``level``, no type scores
        higher before the level is considered, and its score reaches ``threshold``."""
        level = level or record.get("level")
        scored = self._scored(record, level)
        if not scored:
            return None
        index, score, reasons, raw = max(scored, key=lambda s: (s[3], s[1]))
        if score < threshold or (level and level not in self.levels[index]):
            return None
        return Suggestion(self.types[index]["id"], round(score, 4), reasons)

    def _scored(self, record: Mapping, level: str | None) -> list[tuple[int, float, tuple, float]]:
        """(type index, score, reasons, score before the level) of every candidate."""
        found: dict[int, tuple[float, int]] = {}
        for text in (record.get("name") or {}).values():
            for index, hit in self.name_scores(self.words(text)).items() if text else ():
                if hit[0] > found.get(index, (0.0, 0))[0]:
                    found[index] = hit
        leaders = sorted(found.items(), key=lambda item: -item[1][0])[:SUPPORTED]
        support = self._support(record, [(index, name) for index, (_, name) in leaders])
        sectors = set(record.get("sectors") or ())
        out = []
        for index, (score, name) in found.items():
            reasons = [self.names[name][1]]
            if support.get(index):
                score += (1 - score) * SUPPORT_SHARE * support[index]
                reasons.append("description or keywords")
            if sectors and self.sectors[index]:
                if sectors & self.sectors[index]:
                    reasons.append("sector")
                else:
                    score *= SECTOR_MISS
                    reasons.append("other sector")
            raw = score
            if level and level not in self.levels[index]:
                score *= LEVEL_MISS
                reasons.append(f"not at level {level}")
            out.append((index, min(score, 1.0), tuple(reasons), raw))
        return out


def _phrase_echoes(terms: list[str], words: tuple[str, ...]) -> frozenset[str]:
    """Synonyms that the analysis added for a phrase of several words (``kartu pencari kerja``
    -> ``ak1``) beside the phrase's own words: they match a type's abbreviation but weigh
    nothing, or the phrase would count twice against the other words of the name (``Legalisir
    Kartu Pencari Kerja`` is a certified copy, not the card)."""
    own = {term for word in words for term in analyze(word)}
    return frozenset(term for term in terms if term not in own)


def _short_number(term: str) -> bool:
    return term.isdigit() and len(term) < 3


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _one_edit(word: str, known: str, transpose_only: bool = False) -> bool:
    """One substitution, insertion, deletion or swap of neighbours apart (swap only if asked)."""
    if abs(len(word) - len(known)) > 1 or word == known:
        return False
    if len(word) == len(known):
        diff = [i for i in range(len(word)) if word[i] != known[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            i = diff[0]
            return word[i] == known[i + 1] and word[i + 1] == known[i]
        return len(diff) == 1 and not transpose_only
    if transpose_only:
        return False
    short, long_ = sorted((word, known), key=len)
    i = next((i for i in range(len(short)) if short[i] != long_[i]), len(short))
    return short[i:] == long_[i + 1 :]
