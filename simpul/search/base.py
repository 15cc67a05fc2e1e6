"""The search contract: what a backend indexes, what a query says, what comes back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from simpul.reference.areas import ancestors
from simpul.reference.languages import pick, pick_language
from simpul.search import informal
from simpul.search.analysis import Group, analyze, analyzer, expansions, query_text, words
from simpul.search.areafacet import REACH_FIELDS, reach_fields
from simpul.search.features import ALL, Features
from simpul.search.grouping import grouping_fields
from simpul.search.spelling import EMPTY, Vocabulary, corrections

FACETS = ("level", "sector", "life_event", "authority", "channel", "integration", "type")
# fields matched exactly (filters, facets, deletion by id), the same on every backend
KEYWORD_FIELDS = (
    "id",
    "level",
    "authority",
    "sector",
    "life_event",
    "channel",
    "integration",
    "status",
    "areas",
    "type",  # the national service type a record is linked to (none: an empty list)
    *REACH_FIELDS,  # the areas its areas lie in, per depth (the ``area`` facet)
)
# field -> boost; names count most, then keywords, then the rest (English names where given)
TEXT_FIELDS = {
    "name": 4.0,
    "keywords": 3.0,
    "english": 2.0,
    "outputs": 1.5,
    "description": 1.0,
    "requirements": 0.8,
    # the names and alternative names of the record's service type: its synonyms reach it, but
    # below its own name and keywords, so that the type never outranks what a record calls itself
    "type": 1.5,
}
# the one token of an empty text field, so that each field is present in every document: a server
# (Lucene) averages a field's length over the documents that have it, tantivy over all of them,
# and the two averages (so the two scores) part where a field is often empty (english, type).
# No query asks for it.
FIELD_PAD = "_"
SORTS = ("relevance", "-modified", "name")
GROUPS = ("type",)  # ``group=type``: one hit per service type (``search.grouping``)
EVEN = dict.fromkeys(TEXT_FIELDS, 1.0)
# a service of the area asked for (or of an area within it) ranks above one of a wider area
# with the same words: the score a service gets for the area it is published for, by how many
# levels that area lies above the one asked for (0: the area itself); national services get none.
# 15/10/5/2 let a national page with a shorter, closer name stay above the regency's own page
# (judged set, tune half: "daftar haji" in Bone Bolango); 25 for the area itself is what it takes
AREA_BOOSTS = (25.0, 15.0, 7.0, 3.0)
AREA_BELOW_BOOST = 10.0
# stems of the words that ask for a service or about it without saying which (arrange, apply
# for, submit, serve, process; its cost, procedure, papers): every catalog has them in many
# names and descriptions, so they only break ties. Penerbitan and
# pembuatan are not among them: they tell a new document from a renewal or a replacement
GENERIC = frozenset(
    {"urus", "mohon", "aju", "layan", "proses", "biaya", "prosedur", "alur", "berkas"}
)
GENERIC_WEIGHT = 0.3


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search request, independent of the engine (tested as data)."""

    terms: tuple[str, ...] = ()
    # further concepts of the query (lexicon readings, spelling corrections): each scores by
    # its best alternative (terms, weight)
    groups: tuple[Group, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    area: str | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    features: Features = ALL
    group: str | None = None

    @property
    def area_codes(self) -> tuple[str, ...]:
        """Areas whose services reach ``area``: the area itself and everything above it."""
        if not self.area:
            return ()
        return tuple(ancestors(self.area)) if self.features.area_reach else (self.area,)

    @property
    def area_below(self) -> str | None:
        """The prefix of the areas within ``area``, whose services also reach parts of it."""
        if not self.area or self.area == "00" or not self.features.area_reach:
            return None
        return self.area + "."

    @property
    def area_boosts(self) -> tuple[tuple[str, float], ...]:
        """(area code, score) for ranking services of the area asked for, and of the areas
        nearest above it, before wider ones (matching is ``area_codes``' business)."""
        if not self.area or not self.features.area_rank:
            return ()
        above = [code for code in self.area_codes if code != "00"]  # nearest first
        return tuple(zip(above, AREA_BOOSTS, strict=False))

    @property
    def area_below_boost(self) -> float:
        return AREA_BELOW_BOOST if self.area_below and self.features.area_rank else 0.0

    @property
    def boosts(self) -> dict[str, float]:
        """Text field -> its weight."""
        return TEXT_FIELDS if self.features.field_boosts else EVEN


def build_query(
    q: str | None = None,
    *,
    filters: dict[str, list[str]] | None = None,
    area: str | None = None,
    sort: str = "relevance",
    page: int = 1,
    size: int = 20,
    features: Features = ALL,
    vocabulary: Vocabulary = EMPTY,
    group: str | None = None,
) -> SearchQuery:
    """``vocabulary`` is the searched index's (``backend.vocabulary()``): spelling is
    corrected towards it; without it, words are taken as typed."""
    text = informal.reduplication((q or "").strip())
    terms = tuple(dict.fromkeys(analyze(query_text(text, features), features))) if text else ()
    groups = expansions(text, features) + corrections(text, vocabulary, features) if text else ()
    terms, groups = weaken_generic(terms, groups)
    cleaned = {k: tuple(dict.fromkeys(v)) for k, v in (filters or {}).items() if v}
    sort = sort if text or sort != "relevance" else "name"
    return SearchQuery(terms, groups, cleaned, area, sort, page, size, features, group)


def weaken_generic(
    terms: tuple[str, ...], groups: tuple[Group, ...]
) -> tuple[tuple[str, ...], tuple[Group, ...]]:
    """Words that say a service is asked for (urus, bikin, permohonan) but not which count
    ``GENERIC_WEIGHT`` beside words that say which: a rare one would otherwise put every
    page titled "Pengurusan ..." first. A query of such words alone keeps them whole."""
    strong = tuple(t for t in terms if t not in GENERIC)
    if not strong:
        return terms, groups
    weak = tuple(((t,), GENERIC_WEIGHT) for t in terms if t in GENERIC)

    def weakened(group: Group) -> Group:
        if all(set(alt) <= GENERIC for alt, _ in group):
            return tuple((alt, weight * GENERIC_WEIGHT) for alt, weight in group)
        return group

    return strong, tuple((alt,) for alt in weak) + tuple(weakened(g) for g in groups)


def document(
    record: dict[str, Any], features: Features = ALL, kind: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What a backend indexes of a record (analysis applied with ``features``, which the
    queries on this index must use too; the same for every backend). ``kind`` is the published
    form of the record's service type, whose names feed the record's ``type`` text."""
    english = features.english
    shown = pick_language(record["name"])  # Indonesian, else the language the record has
    texts = {
        "name": record["name"].get(shown, "") if shown else "",
        "english": " ".join(v for k, v in record["name"].items() if k != shown) if english else "",
        "keywords": " ".join(record.get("keywords", [])),
        "description": (record.get("description") or {}).get("id", ""),
        "requirements": " ".join(r.get("id", "") for r in record.get("requirements", [])),
        "outputs": " ".join(o.get("id", "") for o in record.get("outputs", [])),
        "type": type_names(kind, features) if kind else "",
    }
    areas = record.get("areas", ["00"])
    terms = {name: analyze(text, features) for name, text in texts.items()}
    # the type's names add the words the record does not say itself: a typed record would
    # otherwise count its own name twice and outrank an untyped one that says the same
    own = {*terms["name"], *terms["keywords"], *terms["english"]}
    terms["type"] = [t for t in terms["type"] if t not in own]
    return {
        "id": record["id"],
        "terms": terms,
        "words": vocabulary_words(
            " ".join((texts["name"], texts["keywords"], texts["english"], texts["type"])),
            features,
        ),
        "level": record["level"],
        "authority": record["authority"],
        "sector": record.get("sectors", []),
        "life_event": record.get("life_events", []),
        "channel": sorted({c["type"] for c in record.get("channels", [])}),
        "integration": (record.get("integration") or {}).get("status", "inventoried"),
        "status": record.get("status", "active"),
        "areas": areas,
        **reach_fields(areas),
        "type": [record["type"]] if record.get("type") else [],
        **grouping_fields(record.get("type"), record["id"], areas),
        "modified": record["modified"],
        "summary": {
            k: record.get(k)
            for k in (
                "id",
                "uri",
                "identifier",
                "authority",
                "name",
                "description",
                "level",
                "sectors",
                "areas",
                "channels",
                "status",
                "modified",
                "type",
                "type_link",
            )
            if k in record or k not in ("type", "type_link")
        },
    }


def field_text(terms: list[str]) -> str:
    """What a backend indexes in a text field: its terms, or ``FIELD_PAD`` when it has none."""
    return " ".join(terms) if terms else FIELD_PAD


def vocabulary_words(text: str, features: Features = ALL) -> list[str]:
    """What a document adds to the index's vocabulary (``Vocabulary``): its folded words and
    their stems, once each."""
    typed = words(text, features)
    stem = analyzer(features).stem
    return list(dict.fromkeys([*typed, *(stem(w) for w in typed)]))


def type_names(kind: Mapping[str, Any], features: Features = ALL) -> str:
    """The names and alternative names of a service type, Indonesian and (with the English
    feature) English, as one text."""
    languages = ("id", "en") if features.english else ("id",)
    names = [kind.get("name", {}).get(lang, "") for lang in languages]
    for lang in languages:
        names += kind.get("alt_names", {}).get(lang, [])
    return " ".join(names)


def suggestions(summaries, typed: str, size: int) -> list[dict[str, Any]]:
    """One suggestion per service name (regencies share names), names that begin with what was
    typed first; ``summaries`` come in the backend's order."""
    out: dict[str, dict[str, Any]] = {}
    for summary in summaries:
        name = pick(summary["name"])
        if name not in out:
            out[name] = {
                "name": summary["name"],
                "id": summary["id"],
                "authority": summary["authority"],
                "level": summary["level"],
            }
    ranked = sorted(out.values(), key=lambda s: not pick(s["name"]).lower().startswith(typed))
    return ranked[:size]


@dataclass
class SearchResult:
    total: int  # with ``group``: how many groups
    items: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]
    matches: int | None = None  # with ``group``: how many services matched


class SearchBackend(Protocol):
    name: str
    capabilities: frozenset[str]

    def index_documents(self, documents: list[dict[str, Any]]) -> None: ...
    def delete(self, ids: list[str], versions: Mapping[str, int | None] | None = None) -> None: ...
    def commit(self, cursor: int) -> None: ...
    def cursor(self) -> int: ...
    def seen_types(self) -> dict[str, int] | None: ...
    def see_types(self, versions: dict[str, int]) -> None: ...
    def search(self, query: SearchQuery) -> SearchResult: ...
    def suggest(self, prefix: str, size: int = 10) -> list[dict[str, Any]]: ...
    def vocabulary(self) -> Vocabulary: ...
    def count(self) -> int: ...
    def ping(self) -> bool: ...
    def clear(self) -> None: ...
