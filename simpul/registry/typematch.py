"""Ranked suggestions of national service types (jenis layanan) for a service record (issue 14).

A record's name is compared with every name and alternative name of the types, in Simpul's own
Indonesian analysis (stems, synonyms, abbreviations: ``simpul.search.analysis``), with the
weight of a term its rarity among the types (``surat`` says little, ``skck`` says a lot):

- *coverage*: the share of the best matching type name that the record's name holds;
- *explained*: the share of the record's name that the type's names explain. A word the type
  never uses (``rekomendasi``, ``legalisir``, ``anjing``) marks a different service.

The score is ``coverage * explained ** EXPLAIN_POWER``, lowered when the record's sectors and
the type's do not meet, raised a little when the description or keywords agree. Region names,
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
EXPLAIN_POWER = 1.0
LIGHT_WEIGHT = 0.3  # a word that says how or where, not what
UNKNOWN_WEIGHT = 3.0  # a word no type uses (after region names, numbers and typos)
SECTOR_MISS = 0.7  # record and type sectors both given and disjoint
LEVEL_MISS = 0.5  # the type does not apply at the record's level (ranked lower, never linked)
SUPPORT_SHARE = 0.2  # how much of the remaining distance keywords/description may close
MIN_COVERAGE = 0.3  # a type whose best name is covered less than this is not a candidate
DESCRIPTION_CHARS = 400  # the start of a description says what the service is
UNEXPLAINED_FACTOR = 1.0  # how much more a word the type does not explain counts
TAIL_WEIGHT = 0.3  # words after "untuk", "bagi", "di", ...: purpose or place, not the service
HEAD_FACTOR = 2.0  # the first word that is not light names what the service is
TAIL_WORDS = frozenset("untuk bagi berdasarkan melalui dengan oleh dari di".split())

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
    text = unicodedata.normalize("NFKD", text.lower())
    return _TOKEN.findall("".join(c for c in text if not unicodedata.combining(c)))


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
        self.names: list[tuple[int, str, dict[str, float], float]] = []  # type, label, terms
        self.postings: dict[str, list[int]] = defaultdict(list)  # term -> name indexes
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
        self._index_names()
        self.name_scores = lru_cache(maxsize=50_000)(self._name_scores)
        self.correct = lru_cache(maxsize=50_000)(self._correct)

    @classmethod
    def from_types(cls, types: Iterable[Mapping]) -> TypeMatcher:
        return cls(list(types))

    def _type_terms(self, t: Mapping) -> set[str]:
        return {term for _, text in _names(t) for term in analyze(text)}

    def _index_names(self) -> None:
        for index, t in enumerate(self.types):
            for label, text in _names(t):
                terms = {term: self.weight[term] for term in analyze(text)}
                if not terms:
                    continue
                self.names.append((index, label, terms, sum(terms.values())))
                for term in terms:
                    self.postings[term].append(len(self.names) - 1)

    # -- the record side -------------------------------------------------------------------

    def _correct(self, word: str) -> str | None:
        """The token as the analysis should see it: itself, a type's word it is one typo away
        from, or None when it is noise (a region name, a number)."""
        if word in self.raw_words or any(t in self.weight for t in analyze(word)):
            return word
        if word in self.noise or word.isdigit() or len(word) < 2:
            return None
        if len(word) >= 4:
            for known in self.raw_words:
                if _one_edit(word, known, transpose_only=len(word) < 5):
                    return known
        return word

    def terms(self, text: str) -> dict[str, float]:
        """Analysed terms of a text with their weights (unknown words weigh UNKNOWN_WEIGHT)."""
        tokens = _tokens(text)
        cut = next((i for i, w in enumerate(tokens) if w in TAIL_WORDS and i > 0), len(tokens))
        out: dict[str, float] = {}
        for part, factor in ((tokens[:cut], 1.0), (tokens[cut:], TAIL_WEIGHT)):
            words = [c for c in map(self.correct, part) if c is not None]
            terms = [t for t in analyze(" ".join(words)) if t not in out]
            if factor == 1.0:  # the head: its first word that is not light names the service
                head = next((t for t in terms if t not in self.light), None)
            for term in terms:
                weight = LIGHT_WEIGHT if term in self.light else self.weight.get(term)
                out[term] = (weight or UNKNOWN_WEIGHT) * (HEAD_FACTOR if term == head else factor)
        return out

    def _name_scores(self, text: str) -> dict[int, tuple[float, str]]:
        """Type index -> (score, reason) from one name of a record."""
        record = self.terms(text)
        if not record:
            return {}
        expanded = set(record)
        for term in record:
            expanded |= self.implied.get(term, frozenset())
        covered: dict[int, float] = defaultdict(float)
        for term in expanded:
            for name in self.postings.get(term, ()):
                covered[name] += self.names[name][2][term]
        best: dict[int, tuple[float, str]] = {}
        for name, weight in covered.items():
            index, label, _, total = self.names[name]
            coverage = weight / total
            if coverage >= MIN_COVERAGE and coverage > best.get(index, (0.0, ""))[0]:
                best[index] = (coverage, label)
        total = sum(record.values())
        out = {}
        for index, (coverage, label) in best.items():
            known = self._explained(record, self.vocab[index])
            explained = known / (known + UNEXPLAINED_FACTOR * (total - known))
            out[index] = (coverage * explained**EXPLAIN_POWER, label)
        return out

    def _explained(self, record: dict[str, float], vocab: frozenset[str]) -> float:
        shared = [c for c in record if c in vocab and c in self.implied]
        implied = set().union(*(self.implied[c] for c in shared)) if shared else set()
        return sum(w for t, w in record.items() if t in vocab or t in implied)

    def _support(self, texts: list[str]) -> dict[int, float]:
        """Type index -> how well keywords or the description name it (coverage only)."""
        out: dict[int, float] = defaultdict(float)
        for text in texts:
            terms = self.terms(text)
            for name in {n for term in terms for n in self.postings.get(term, ())}:
                index, _, name_terms, total = self.names[name]
                share = sum(w for t, w in name_terms.items() if t in terms) / total
                out[index] = max(out[index], share)
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
        if score < threshold or (level and level not in self.types[index]["applies_to"]):
            return None
        return Suggestion(self.types[index]["id"], round(score, 4), reasons)

    def _scored(self, record: Mapping, level: str | None) -> list[tuple[int, float, tuple, float]]:
        """(type index, score, reasons, score before the level) of every candidate."""
        names = [text for text in (record.get("name") or {}).values() if text]
        found: dict[int, tuple[float, str]] = {}
        for text in names:
            for index, hit in self.name_scores(text).items():
                if hit[0] > found.get(index, (0.0, ""))[0]:
                    found[index] = hit
        if not found:
            return []
        support = self._support(
            list(record.get("keywords") or ())
            + [d[:DESCRIPTION_CHARS] for d in (record.get("description") or {}).values() if d]
        )
        sectors = set(record.get("sectors") or ())
        out = []
        for index, (score, label) in found.items():
            t, reasons = self.types[index], [label]
            if support.get(index):
                score += (1 - score) * SUPPORT_SHARE * support[index]
                reasons.append("description or keywords")
            if sectors and t.get("sectors"):
                if sectors & set(t["sectors"]):
                    reasons.append("sector")
                else:
                    score *= SECTOR_MISS
                    reasons.append("other sector")
            raw = score
            if level and level not in t["applies_to"]:
                score *= LEVEL_MISS
                reasons.append(f"not at level {level}")
            out.append((index, min(score, 1.0), tuple(reasons), raw))
        return out


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
