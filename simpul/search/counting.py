"""Facet counts of the embedded index that stay fast when a query matches most of the nation.

Two measured costs decide the shape (1,000,000 services, "surat keterangan" matching 912,618 of
them: 134 ms for the seven facets before this module):

- A terms count over a field of several values per document (sectors, life events, channels)
  costs four times one over a field of one value. Each such field is therefore also indexed as
  one value per document, its set of values (``set_value``); the engine counts the sets and the
  counts per value are summed here from them (a service is counted once per value it has, as a
  search server counts it).
- Counting the matches of a text that most documents match costs what reading them costs. The
  counts of the matches of a text ``T`` within filters ``F`` are then those of ``F`` less those of
  ``F`` without ``T``: the second set is small, and the first is kept for the index generation
  (``Counts``). It is used when the words' document frequencies show that ``T`` matches at least
  half the index and ``F``'s counts are known: no filter at all (the portal's every text
  search), or a filter set a search without words counted earlier in this generation.

Both ways give the same numbers (``tests/search/test_counting.py`` compares them).
"""

from __future__ import annotations

import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import tantivy

from simpul.search.base import FACETS

SET_FIELDS = ("sector", "life_event", "channel")  # several values per service
SEPARATOR = "\x1f"  # between the values of a set (codes never hold it)
MAX_BUCKETS = 1_000_000  # every value is counted: cut to the asked size afterwards
COMPLEMENT_SHARE = 0.5  # a text at least this common is counted through its complement
CACHED_FILTER_SETS = 64


def set_field(name: str) -> str:
    return f"{name}_set"


def set_value(values: Iterable[str]) -> str | None:
    """The one value a document's set of ``values`` is indexed as (None: no value)."""
    unique = sorted(set(values))
    return SEPARATOR.join(unique) if unique else None


class Counts(NamedTuple):
    """Every value of every facet and how many matching documents have it."""

    values: dict[str, Counter]

    def __sub__(self, other: Counts) -> Counts:
        return Counts({name: self.values[name] - other.values[name] for name in FACETS})

    @property
    def total(self) -> int:
        """Matching documents (every service has exactly one level)."""
        return sum(self.values["level"].values())

    def facets(self, sizes: Mapping[str, int]) -> dict[str, list[dict[str, Any]]]:
        """The most common ``sizes[name]`` values (100 unless given), most common first, equal
        counts in the order of their values (as a search server orders them). No value counts
        0: the engine reports none, and a Counter's difference keeps only positive counts."""
        out = {}
        for name in FACETS:
            ordered = sorted(self.values[name].items(), key=lambda item: (-item[1], item[0]))
            out[name] = [{"value": v, "count": n} for v, n in ordered[: sizes.get(name, 100)]]
        return out


def count(searcher, query) -> Counts:
    """The counts of ``query``'s matches, read in one pass of the engine."""
    spec = {
        name: {
            "terms": {
                "field": set_field(name) if name in SET_FIELDS else name,
                "size": MAX_BUCKETS,
            }
        }
        for name in FACETS
    }
    found = searcher.aggregate(query, spec)
    values: dict[str, Counter] = {}
    for name in FACETS:
        buckets = found.get(name, {}).get("buckets", [])
        tally: Counter = Counter()
        if name in SET_FIELDS:
            for bucket in buckets:
                for value in bucket["key"].split(SEPARATOR):
                    tally[value] += bucket["doc_count"]
        else:
            for bucket in buckets:
                tally[bucket["key"]] = bucket["doc_count"]
        values[name] = tally
    return Counts(values)


class FacetCounter:
    """Counts for one index folder, with the counts of filter sets kept per index generation
    (a commit, or a merge, of any process writes a new ``meta.json``: its identity is the
    generation's)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._generation: tuple | None = None
        self._known: OrderedDict[tuple, Counts] = OrderedDict()

    @staticmethod
    def generation(folder: Path) -> tuple:
        """Read before the searcher is reloaded, so that counts kept under it are at least as
        new as it."""
        try:
            meta = os.stat(folder / "meta.json")
        except FileNotFoundError:
            return (str(folder), None)
        return (str(folder), meta.st_ino, meta.st_mtime_ns, meta.st_size)

    def _get(self, generation: tuple, key: tuple) -> Counts | None:
        with self._lock:
            if self._generation != generation:
                return None
            found = self._known.get(key)
            if found is not None:
                self._known.move_to_end(key)
            return found

    def _keep(self, generation: tuple, key: tuple, counts: Counts) -> None:
        with self._lock:
            if self._generation != generation:
                self._generation, self._known = generation, OrderedDict()
            self._known[key] = counts
            while len(self._known) > CACHED_FILTER_SETS:
                self._known.popitem(last=False)

    def counts(self, searcher, generation: tuple, parts: Parts) -> Counts:
        """The counts of ``parts.text`` within ``parts.filters``."""
        everything = tantivy.Query.all_query()
        must, must_not = tantivy.Occur.Must, tantivy.Occur.MustNot
        filtered = [(must, q) for q in parts.filters] or [(must, everything)]
        if parts.text is None:
            counts = count(searcher, tantivy.Query.boolean_query(filtered))
            self._keep(generation, parts.filter_key, counts)
            return counts
        if parts.common(searcher) >= COMPLEMENT_SHARE:
            base = self._get(generation, parts.filter_key)
            if base is None and not parts.filters:  # the whole index: worth counting once
                base = count(searcher, everything)
                self._keep(generation, parts.filter_key, base)
            if base is not None:
                rest = tantivy.Query.boolean_query([*filtered, (must_not, parts.text)])
                return base - count(searcher, rest)
        return count(searcher, tantivy.Query.boolean_query([*filtered, (must, parts.text)]))


class Parts(NamedTuple):
    """A compiled query in the pieces counting needs: what the words match (None: no words),
    what the filters and the area keep (each a must), and the words themselves."""

    text: Any
    filters: list
    filter_key: tuple
    words: tuple[str, ...]
    fields: tuple[str, ...]

    def common(self, searcher) -> float:
        """A lower bound of the share of the index the words match: the largest document
        frequency of one word in one field (a disjunction matches at least that)."""
        docs = searcher.num_docs
        if not docs:
            return 0.0
        most = max(
            (searcher.doc_freq(f"t_{field}", word) for word in self.words for field in self.fields),
            default=0,
        )
        return most / docs
