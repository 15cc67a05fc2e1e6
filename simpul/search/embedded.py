"""The embedded search backend: a tantivy index in a folder, no server.

Chosen by measurement (issue 5's probe over 1,000,000 documents: tantivy 5.9 ms median against
SQLite FTS5's 219 ms). Text arrives analysed (``simpul.search.analysis``), so the index only splits
on spaces; filters and facets use raw fast fields. One process writes (a lock file decides which);
every process reads."""

from __future__ import annotations

import fcntl
import itertools
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import tantivy

from simpul.reference.languages import pick
from simpul.search import counting, grouping
from simpul.search.areafacet import MAX_CHILDREN, AreaFacet
from simpul.search.base import (
    KEYWORD_FIELDS,
    TEXT_FIELDS,
    SearchQuery,
    SearchResult,
    field_text,
    suggestions,
)
from simpul.search.spelling import Vocabulary

log = logging.getLogger(__name__)

RAW_FIELDS = KEYWORD_FIELDS
WRITER_HEAP = 64 * 1024 * 1024
NAME_LEVELS = 8  # a name's first 64 bytes are ordered as numbers
TIE_WINDOW = 10  # hits read past a page, so that equal scores at its edge are ordered by id
SORT_FIELDS = {
    "-modified": ("modified", tantivy.Order.Desc),
    "name": ("name_sort", tantivy.Order.Asc),
}


def name_keys(name: str) -> tuple[list[int], bool]:
    """Numbers in the order of names, eight bytes each (UTF-8 orders as code points do, as a
    search server orders keywords), and whether the name is longer than they hold."""
    data = name.encode()
    keys = [
        int.from_bytes(data[8 * level : 8 * level + 8].ljust(8, b"\0"), "big")
        for level in range(NAME_LEVELS)
    ]
    return keys, len(data) > 8 * NAME_LEVELS


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in RAW_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(f"t_{name}", stored=False, tokenizer_name="whitespace")
    builder.add_text_field("words", stored=False, tokenizer_name="whitespace")
    for name in counting.SET_FIELDS:  # a field of several values, as one value (``counting``)
        builder.add_text_field(
            counting.set_field(name), stored=False, tokenizer_name="raw", fast=True
        )
    builder.add_text_field("suggest", stored=False, tokenizer_name="default")
    builder.add_date_field("modified", stored=False, indexed=True, fast=True)
    builder.add_text_field("name_sort", stored=False, tokenizer_name="raw", fast=True)
    for level in range(NAME_LEVELS):  # the name, eight bytes a field (``_by_name``)
        builder.add_unsigned_field(f"name_key_{level}", stored=False, indexed=True, fast=True)
    builder.add_boolean_field("name_long", stored=False, indexed=True, fast=False)
    builder.add_bytes_field("summary", stored=True, indexed=False)
    builder.add_integer_field("group", stored=False, indexed=True, fast=True)
    builder.add_integer_field("tie", stored=False, indexed=False, fast=True)
    builder.add_boolean_field("national", stored=False, indexed=True, fast=True)
    return builder.build()


class EmbeddedBackend:
    name = "embedded"
    capabilities = frozenset({"facets", "area", "suggest", "typo", "sort"})

    def __init__(self, path: str | os.PathLike):
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self._lock = threading.Lock()
        self._writer = None
        self._writer_lock_file = None
        self._filling = False  # True while a rebuild fills a new, empty index
        self._vocabulary: tuple[Any, Vocabulary | None] = (None, None)
        self._commits = 0  # commits seen by this process (a key of the vocabulary)
        self._facet_pool = ThreadPoolExecutor(2, thread_name_prefix="simpul-facets")
        self._counter = counting.FacetCounter()
        self._generation: tuple = ()
        self._open(self._current())

    # -- index folders: CURRENT names the live one, so a rebuild swaps in atomically -------------
    def _current(self) -> Path:
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            folder = self.root / "index-1"
            folder.mkdir(exist_ok=True)
            self._point(folder)
        return self.root / pointer.read_text().strip()

    def _point(self, folder: Path) -> None:
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(folder.name)
        os.replace(tmp, self.root / "CURRENT")

    def _open(self, folder: Path) -> None:
        try:
            index = tantivy.Index(self.schema, path=str(folder), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise
            folder = self._replace_outdated(folder)
            index = tantivy.Index(self.schema, path=str(folder), reuse=True)
        self.folder, self.index = folder, index

    def _replace_outdated(self, folder: Path) -> Path:
        """An index made by an older Simpul (another schema) is replaced by an empty one, which
        the change-log sync fills from the start (``simpul reindex`` does it faster). One
        process replaces it; the others open the replacement."""
        with open(self.root / "upgrade.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            current = self._current()
            if current != folder:
                return current
            fresh = self.root / f"index-{time.time_ns()}"
            fresh.mkdir()
            tantivy.Index(self.schema, path=str(fresh))
            self._point(fresh)
            log.warning(
                "search index %s was made by an older Simpul; replaced by %s, which fills from "
                "the change log (run `simpul reindex` to fill it at once)",
                folder,
                fresh.name,
            )
            shutil.rmtree(folder, ignore_errors=True)
            return fresh

    def _refresh(self) -> None:
        current = self._current()
        if current != self.folder:
            self._close_writer()
            self._open(current)
        self._generation = counting.FacetCounter.generation(self.folder)  # before the reload
        self.index.reload()

    # -- writing ----------------------------------------------------------------------------------
    def _acquire_writer(self):
        if self._writer is None:
            handle = open(self.root / "writer.lock", "a+")  # noqa: SIM115 - held while writing
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                raise IndexBusy("another process is writing this index") from None
            self._writer_lock_file = handle
            threads = getattr(self, "writer_threads", 1)
            self._writer = self.index.writer(heap_size=WRITER_HEAP * threads, num_threads=threads)
        return self._writer

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None
        if self._writer_lock_file is not None:
            self._writer_lock_file.close()
            self._writer_lock_file = None

    def writable(self) -> bool:
        try:
            with self._lock:
                self._acquire_writer()
            return True
        except IndexBusy:
            return False

    def index_documents(self, documents: list[dict[str, Any]]) -> None:
        with self._lock:
            writer = self._acquire_writer()
            for doc in documents:
                if not self._filling:  # an index being rebuilt holds no earlier copy
                    writer.delete_documents_by_term("id", doc["id"])
                writer.add_document(self._document(doc))

    def delete(self, ids: list[str], versions: Mapping[str, int | None] | None = None) -> None:
        """``versions`` (of ``indexing.last_change``) is kept by search servers only."""
        with self._lock:
            writer = self._acquire_writer()
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)

    def commit(self, cursor: int) -> None:
        with self._lock:
            writer = self._acquire_writer()
            writer.commit()
            self._commits += 1
            tmp = self.folder / "cursor.tmp"
            tmp.write_text(str(cursor))
            os.replace(tmp, self.folder / "cursor")
        self.index.reload()

    def cursor(self) -> int:
        path = self._current() / "cursor"
        return int(path.read_text()) if path.exists() else 0

    def seen_types(self) -> dict[str, int] | None:
        """The versions of the service types this index was last brought up to (None: never
        recorded), kept beside the cursor."""
        path = self._current() / "types.json"
        return orjson.loads(path.read_bytes()) if path.exists() else None

    def see_types(self, versions: dict[str, int]) -> None:
        tmp = self.folder / "types.tmp"
        tmp.write_bytes(orjson.dumps(versions))
        os.replace(tmp, self.folder / "types.json")

    def clear(self) -> None:
        with self._lock:
            writer = self._acquire_writer()
            writer.delete_all_documents()
            writer.commit()
            (self.folder / "cursor").unlink(missing_ok=True)
            (self.folder / "types.json").unlink(missing_ok=True)
        self.index.reload()

    def rebuild(self, fill) -> None:
        """Build a new index folder with ``fill(backend)``, then swap it in (no downtime).
        ``fill`` adds each record once: the new index skips deleting earlier copies."""
        folder = self.root / f"index-{time.time_ns()}"
        folder.mkdir()
        fresh = EmbeddedBackend.__new__(EmbeddedBackend)
        fresh.root, fresh.schema, fresh._lock = self.root, self.schema, threading.Lock()
        fresh._writer = fresh._writer_lock_file = None
        fresh._facet_pool = self._facet_pool
        fresh._counter, fresh._generation = counting.FacetCounter(), ()
        fresh.writer_threads = 2  # a rebuild may use every core the machine gives it
        fresh._filling = True
        fresh._commits, fresh._vocabulary = 0, (None, None)
        fresh._open(folder)
        with self._lock:
            self._close_writer()
            fill(fresh)
            fresh._close_writer()
            old = self.folder
            self._point(folder)
            self._open(folder)
        shutil.rmtree(old, ignore_errors=True)

    def _document(self, doc: dict[str, Any]) -> tantivy.Document:
        out = tantivy.Document()
        for name in RAW_FIELDS:
            value = doc[name]
            for item in value if isinstance(value, list) else [value]:
                out.add_text(name, item)
        for name in TEXT_FIELDS:
            out.add_text(f"t_{name}", field_text(doc["terms"][name]))
        out.add_text("words", " ".join(doc["words"]))
        for name in counting.SET_FIELDS:
            value = counting.set_value(doc[name])
            if value is not None:
                out.add_text(counting.set_field(name), value)
        name = pick(doc["summary"]["name"])
        out.add_text("suggest", name)
        out.add_text("name_sort", name.lower())
        keys, long = name_keys(name.lower())
        for level, key in enumerate(keys):
            out.add_unsigned(f"name_key_{level}", key)
        out.add_boolean("name_long", long)
        out.add_date("modified", datetime.fromisoformat(doc["modified"]))
        out.add_bytes("summary", orjson.dumps(doc["summary"]))
        out.add_integer("group", doc["group"])
        out.add_integer("tie", doc["tie"])
        out.add_boolean("national", doc["national"])
        return out

    # -- reading ----------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        self._refresh()
        searcher, generation = self.index.searcher(), self._generation
        parts = self._parts(query)
        compiled = self._compile(query, parts)
        if query.group:
            return self._grouped(searcher, generation, parts, compiled, query)
        offset = (query.page - 1) * query.size
        facets = self._facets(searcher, generation, parts, compiled, query)
        order = SORT_FIELDS.get(query.sort)
        if order is None:  # relevance; equal scores in the order of ids, as on a server
            hits = searcher.search(compiled, offset + query.size + TIE_WINDOW)
            found = [
                (-score, orjson.loads(searcher.doc(address)["summary"][0]))
                for score, address in hits.hits
            ]
            found.sort(key=lambda hit: (hit[0], hit[1]["id"]))
            items = [summary for _, summary in found[offset : offset + query.size]]
            return SearchResult(hits.count, items, facets()[0])
        field, direction = order
        hits = searcher.search(
            compiled, query.size, offset=offset, order_by_field=field, order=direction
        )
        items = [orjson.loads(searcher.doc(address)["summary"][0]) for _, address in hits.hits]
        return SearchResult(hits.count, items, facets()[0])

    def _facets(self, searcher, generation, parts, compiled, query, sizes=None):
        """Start counting the facets on the pool (tantivy releases the GIL, so they count on
        other cores while the caller ranks); the answer gives them and the number of matches.
        A pool task never waits for another one, so concurrent searches cannot deadlock it."""
        area = self._facet_pool.submit(self._area_facets, searcher, compiled, AreaFacet(query.area))
        counts = self._facet_pool.submit(self._counter.counts, searcher, generation, parts)

        def answer() -> tuple[dict[str, list[dict[str, Any]]], int]:
            found = counts.result()
            return found.facets(sizes or {}) | area.result(), found.total

        return answer

    def _area_facets(self, searcher, compiled, facet: AreaFacet) -> dict[str, list]:
        """``search.areafacet``: national and whole-area services counted apart, the others
        counted per child area."""
        schema, must, must_not = self.index.schema, tantivy.Occur.Must, tantivy.Occur.MustNot
        national = tantivy.Query.term_query(schema, "national", True)

        def count(*clauses) -> int:
            query = tantivy.Query.boolean_query([(must, compiled), *clauses])
            return searcher.search(query, 1, count=True).count

        inner_clauses = [(must_not, national)]
        wide = 0
        if facet.wide_codes:
            covers = tantivy.Query.term_set_query(schema, "areas", facet.wide_codes)
            wide = count((must, covers), (must_not, national))
            inner_clauses.append((must_not, covers))
        inner: dict[str, int] = {}
        if facet.has_children:
            within = tantivy.Query.boolean_query([(must, compiled), *inner_clauses])
            spec = {"inner": {"terms": {"field": facet.field, "size": MAX_CHILDREN}}}
            found = searcher.aggregate(within, spec).get("inner", {}).get("buckets", [])
            inner = {b["key"]: b["doc_count"] for b in found}
        return facet.buckets(inner, wide, count((must, national)))

    def _grouped(self, searcher, generation, parts, compiled, query: SearchQuery) -> SearchResult:
        """One hit per service type (``search.grouping``)."""
        sizes = {"type": grouping.MAX_TYPES}
        pending = self._facets(searcher, generation, parts, compiled, query, sizes)
        # the first round needs no count: it is read here while the pool counts
        first = self._ranked(searcher, compiled, query, grouping.Restriction(), grouping.WINDOW, 0)
        facets, matches = pending()
        counts = {b["value"]: b["count"] for b in facets["type"]}
        rounds = itertools.count(1)

        def ranked(restriction: grouping.Restriction, k: int) -> list[grouping.Hit]:
            if restriction == grouping.Restriction() and k == grouping.WINDOW:
                return first
            return self._ranked(searcher, compiled, query, restriction, k, next(rounds))

        found = grouping.collect(
            ranked,
            matches=matches,
            type_counts=counts,
            page=query.page,
            size=query.size,
            area=query.area,
        )
        items = [
            grouping.group_item(
                orjson.loads(searcher.doc(g.shown(query.area).ref)["summary"][0]), g
            )
            for g in found.page
        ]
        facets["type"] = facets["type"][:100]
        return SearchResult(found.total, items, facets, matches)

    def _ranked(self, searcher, compiled, query, restriction, k, round_) -> list[grouping.Hit]:
        """A round's hits, ordered by score, then (as on a server) ``tie`` within the round:
        the index orders equal scores its own way, so a window may end within them."""
        schema, must, must_not = self.index.schema, tantivy.Occur.Must, tantivy.Occur.MustNot
        clauses = [(must, compiled)]
        if restriction.without:
            group = tantivy.Query.term_set_query(schema, "group", list(restriction.without))
            clauses.append((must_not, group))
        if restriction.only:
            group = tantivy.Query.term_set_query(schema, "group", list(restriction.only))
            clauses.append((must, tantivy.Query.const_score_query(group, 0.0)))
        if restriction.local:
            clauses.append((must_not, tantivy.Query.term_query(schema, "national", True)))
        restricted = tantivy.Query.boolean_query(clauses)
        order = SORT_FIELDS.get(query.sort)
        if order is None:
            hits = searcher.search(restricted, k, count=False).hits
            keys = [-score for score, _ in hits]
        elif query.sort == "name":
            keys, hits = self._by_name(searcher, restricted, k)
        else:
            field, direction = order
            hits = searcher.search(
                restricted, k, count=False, order_by_field=field, order=direction
            ).hits
            sign = -1 if direction == tantivy.Order.Desc else 1
            keys = [value * sign if sign < 0 else value for value, _ in hits]
        addresses = [address for _, address in hits]
        groups = searcher.fast_field_values("group", addresses)
        ties = searcher.fast_field_values("tie", addresses)
        national = searcher.fast_field_values("national", addresses)
        return [
            grouping.Hit((key, round_, tie), group, bool(flag), tie, address)
            for key, tie, group, flag, address in zip(
                keys, ties, groups, national, addresses, strict=True
            )
        ]

    def _by_name(self, searcher, restricted, k: int) -> tuple[list[str], list]:
        """The first ``k`` hits in the order of names, then ``tie`` (as a server orders them).
        tantivy orders by a text column at about 30 us per hit and segment (60 ms for a round
        of 200 in ten segments), by a number at a fraction of that: ``_name_window`` finds the
        hits through the names' numeric keys; their names are read from their summaries."""
        hits = self._name_window(searcher, restricted, k, 0)
        names = [
            pick(orjson.loads(searcher.doc(address)["summary"][0])["name"]).lower()
            for _, address in hits
        ]
        ordered = sorted(zip(names, hits, strict=True), key=lambda pair: pair[0])
        return [name for name, _ in ordered], [hit for _, hit in ordered]

    def _name_window(self, searcher, query, k: int, level: int) -> list:
        """The first ``k`` matches of ``query`` by name: those before the last key read at
        this level, then the rest from among the matches sharing that key, by the next
        eight bytes. Names equal in all their keys are equal unless one is longer: equal
        names come in the order of ``tie``; longer ones, rare, in the order of the text column."""
        must, asc = tantivy.Occur.Must, tantivy.Order.Asc
        if level == NAME_LEVELS:
            long = tantivy.Query.term_query(self.schema, "name_long", True)
            either = tantivy.Query.boolean_query([(must, query), (must, long)])
            field = "name_sort" if searcher.search(either, 1, count=True).count else "tie"
            return searcher.search(query, k, count=False, order_by_field=field, order=asc).hits
        field = f"name_key_{level}"
        hits = searcher.search(query, k, count=False, order_by_field=field, order=asc).hits
        if len(hits) < k:
            return hits
        last = max(value for value, _ in hits)
        kept = [hit for hit in hits if hit[0] < last]
        key = tantivy.Query.term_query(self.schema, field, last)
        shared = tantivy.Query.boolean_query([(must, query), (must, key)])
        return kept + self._name_window(searcher, shared, k - len(kept), level + 1)

    def _parts(self, query: SearchQuery) -> counting.Parts:
        """What the words match, and what the filters and the area keep."""
        schema, should = self.index.schema, tantivy.Occur.Should
        text = None
        words = list(query.terms)
        if query.terms or query.groups:
            clauses = [(should, q) for q in self._terms(query.terms, query.boosts)]
            for group in query.groups:  # each scores by its best reading
                readings = [
                    tantivy.Query.boolean_query(
                        [(should, q) for q in self._terms(terms, query.boosts, weight)]
                    )
                    for terms, weight in group
                ]
                clauses.append((should, tantivy.Query.disjunction_max_query(readings)))
                words += [term for terms, _ in group for term in terms]
            text = tantivy.Query.boolean_query(clauses)
        filters = []
        for name, values in query.filters.items():
            options = [(should, tantivy.Query.term_query(schema, name, v)) for v in values]
            filters.append(tantivy.Query.boolean_query(options))
        if query.area:
            reach = [
                (should, tantivy.Query.term_query(schema, "areas", code))
                for code in query.area_codes
            ]
            if query.area_below:
                pattern = re.escape(query.area_below) + ".*"
                reach.append((should, tantivy.Query.regex_query(schema, "areas", pattern)))
            filters.append(tantivy.Query.boolean_query(reach))
        key = (
            tuple(sorted((name, tuple(sorted(v))) for name, v in query.filters.items())),
            query.area_codes,
            query.area_below,
        )
        return counting.Parts(text, filters, key, tuple(dict.fromkeys(words)), tuple(query.boosts))

    def _compile(self, query: SearchQuery, parts: counting.Parts) -> tantivy.Query:
        schema, must, should = self.index.schema, tantivy.Occur.Must, tantivy.Occur.Should
        clauses = [(must, parts.text if parts.text is not None else tantivy.Query.all_query())]
        for code, score in query.area_boosts:
            tq = tantivy.Query.term_query(schema, "areas", code)
            clauses.append((should, tantivy.Query.const_score_query(tq, score)))
        if query.area_below_boost:
            rq = tantivy.Query.regex_query(schema, "areas", re.escape(query.area_below) + ".*")
            clauses.append((should, tantivy.Query.const_score_query(rq, query.area_below_boost)))
        clauses += [(must, q) for q in parts.filters]
        return tantivy.Query.boolean_query(clauses)

    def _terms(self, terms, boosts: dict[str, float], weight: float = 1.0) -> list[tantivy.Query]:
        schema = self.index.schema
        return [
            tantivy.Query.boost_query(
                tantivy.Query.term_query(schema, f"t_{name}", term), boost * weight
            )
            for term in terms
            for name, boost in boosts.items()
        ]

    def vocabulary(self) -> Vocabulary:
        """The words of the index (``words`` field) and how many services use each, read again
        when the index has changed."""
        self._refresh()
        searcher = self.index.searcher()
        key = (str(self.folder), searcher.num_docs, searcher.num_segments, self._commits)
        if self._vocabulary[0] != key:
            counts = dict(searcher.terms_with_prefix("words", ""))
            self._vocabulary = (key, Vocabulary(counts))
        return self._vocabulary[1]

    def suggest(self, prefix: str, size: int = 10) -> list[dict[str, Any]]:
        self._refresh()
        words = [w for w in re.findall(r"\w+", prefix.lower()) if w]
        if not words:
            return []
        schema = self.index.schema
        if len(words) == 1:  # a phrase prefix needs two words; one word is a term prefix
            query = tantivy.Query.regex_query(schema, "suggest", re.escape(words[0]) + ".*")
        else:
            query = tantivy.Query.phrase_prefix_query(schema, "suggest", words)
        searcher = self.index.searcher()
        hits = searcher.search(
            query, size * 10, order_by_field="name_sort", order=tantivy.Order.Asc
        )
        summaries = (orjson.loads(searcher.doc(address)["summary"][0]) for _, address in hits.hits)
        return suggestions(summaries, " ".join(words), size)

    def count(self) -> int:
        self._refresh()
        return self.index.searcher().num_docs

    def ping(self) -> bool:
        self.index.searcher()
        return True

    def close(self) -> None:
        with self._lock:
            self._close_writer()
        self._facet_pool.shutdown(wait=False)


class IndexBusy(RuntimeError):
    pass
