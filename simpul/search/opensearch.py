"""The OpenSearch backend (``SIMPUL_SEARCH_URL=http://host:9200``), with ``opensearch-py``.

Documents are analysed by Simpul before they are sent (``search.base.document``): the index
stores the Indonesian terms Simpul's analysis produced, with a whitespace analyzer, so both
backends match on the same terms and the same query finds the same services. Queries are built
as plain dicts by ``build_body`` (tested as data).

Indexes are versioned (``<prefix>-services-<timestamp>``) behind the alias ``<prefix>-services``:
``simpul reindex`` fills a new index and swaps the alias in one atomic step, so searches never
stop. The change-log cursor the index has reached is kept in ``<prefix>-state``. Bulk requests
are checked item by item (a ``200`` from ``_bulk`` can hide failed items): any failure raises,
so the sync does not move its cursor past records that were not indexed.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from typing import Any

from simpul.errors import SearchUnavailable
from simpul.search.base import (
    FACETS,
    KEYWORD_FIELDS,
    TEXT_FIELDS,
    SearchQuery,
    SearchResult,
    suggestions,
)

log = logging.getLogger(__name__)

KEYWORDS = KEYWORD_FIELDS
READ_TIMEOUT = 5  # seconds a citizen's search may wait for the server
SORTS = {"-modified": [{"modified": "desc"}, {"id": "asc"}], "name": [{"name_sort": "asc"}]}


def mappings() -> dict[str, Any]:
    properties: dict[str, Any] = {name: {"type": "keyword"} for name in KEYWORDS}
    for name in TEXT_FIELDS:
        properties[f"t_{name}"] = {"type": "text", "analyzer": "whitespace"}
    properties["words"] = {"type": "text", "analyzer": "whitespace"}
    properties["suggest"] = {"type": "text", "analyzer": "standard"}
    properties["name_sort"] = {"type": "keyword"}
    properties["modified"] = {"type": "date"}
    properties["summary"] = {"type": "object", "enabled": False}
    return {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def source(doc: dict[str, Any]) -> dict[str, Any]:
    """The indexed form of an analysed document (``search.base.document``)."""
    out = {name: doc[name] for name in KEYWORDS}
    for name in TEXT_FIELDS:
        out[f"t_{name}"] = " ".join(doc["terms"][name])
    name = doc["summary"]["name"].get("id", "")
    out.update(
        words=" ".join(doc["words"]),
        suggest=name,
        name_sort=name.lower(),
        modified=doc["modified"],
        summary=doc["summary"],
    )
    return out


def build_body(query: SearchQuery) -> dict[str, Any]:
    """The search request for a query: text with field boosts and typo tolerance, filters, the
    area's reach up the region tree, facets, sort and paging."""
    must: list[dict[str, Any]] = []
    if query.terms or query.words:
        should = [
            {"term": {f"t_{name}": {"value": term, "boost": boost}}}
            for term in query.terms
            for name, boost in TEXT_FIELDS.items()
        ]
        should += [
            {
                "fuzzy": {
                    "words": {
                        "value": word,
                        "fuzziness": 2 if len(word) >= 9 else 1,
                        "transpositions": True,
                        "boost": 0.5,
                    }
                }
            }
            for word in query.words
            if len(word) >= 5
        ]
        must.append({"bool": {"should": should, "minimum_should_match": 1}})
    filters = [{"terms": {name: list(values)}} for name, values in query.filters.items()]
    if query.area:
        reach: list[dict[str, Any]] = [{"terms": {"areas": list(query.area_codes)}}]
        if query.area != "00":
            reach.append({"prefix": {"areas": query.area + "."}})
        filters.append({"bool": {"should": reach, "minimum_should_match": 1}})
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
        "from": (query.page - 1) * query.size,
        "size": query.size,
        "track_total_hits": True,
        "_source": ["summary"],
        "aggs": {name: {"terms": {"field": name, "size": 100}} for name in FACETS},
    }
    if query.sort in SORTS:
        body["sort"] = SORTS[query.sort]
    return body


def suggest_body(prefix: str, size: int) -> dict[str, Any]:
    return {
        "query": {"match_phrase_prefix": {"suggest": {"query": prefix, "max_expansions": 100}}},
        "sort": [{"name_sort": "asc"}],
        "size": size * 10,
        "_source": ["summary"],
    }


class BulkFailed(RuntimeError):
    """Some items of a bulk request failed; the message names the first ones."""


class OpenSearchBackend:
    name = "opensearch"
    capabilities = frozenset({"facets", "area", "typos", "suggest", "sort", "aliases"})

    def __init__(self, url: str, prefix: str = "simpul", timeout: float = 30.0):
        from opensearchpy import OpenSearch

        self.url, self.prefix = url, prefix
        self.alias = f"{prefix}-services"
        self.state_index = f"{prefix}-state"
        self.client = OpenSearch(url, timeout=timeout, max_retries=2, retry_on_timeout=True)
        self._target: str | None = None  # while rebuilding: the new index, not the alias
        self._ready = False

    # -- index management -------------------------------------------------------------------------
    def ensure(self) -> None:
        """The server is OpenSearch, and the alias and its first index exist (made on first use)."""
        if self._ready:
            return
        version = self.client.info().get("version", {})
        if version.get("distribution") != "opensearch":
            raise RuntimeError(
                f"{self.url} is not an OpenSearch server ({version.get('number', '?')}); this "
                "version of Simpul searches with OpenSearch or with its embedded index"
            )
        if not self.client.indices.exists_alias(name=self.alias):
            index = f"{self.alias}-{time.time_ns()}"
            self.client.indices.create(index=index, body=mappings())
            self.client.indices.put_alias(index=index, name=self.alias)
        else:
            self._add_new_fields()
        if not self.client.indices.exists(index=self.state_index):
            self.client.indices.create(
                index=self.state_index,
                body={"settings": {"number_of_shards": 1, "number_of_replicas": 0}},
            )
        self._ready = True

    def _add_new_fields(self) -> None:
        """An index made by an older Simpul lacks the fields added since (the mapping is
        strict): add them, so that syncing goes on; records indexed before lack their values
        until ``simpul reindex``."""
        wanted = mappings()["mappings"]["properties"]
        live = self.client.indices.get_mapping(index=self.alias)
        for index, body in live.items():
            have = body.get("mappings", {}).get("properties", {})
            missing = {name: spec for name, spec in wanted.items() if name not in have}
            if missing:
                log.warning(
                    "search index %s lacks %s (made by an older Simpul): adding them; run "
                    "`simpul reindex` to fill them for the records indexed before",
                    index,
                    ", ".join(sorted(missing)),
                )
                self.client.indices.put_mapping(index=index, body={"properties": missing})

    def writable(self) -> bool:
        try:
            self.ensure()
            return True
        except Exception:
            return False

    @property
    def _write_to(self) -> str:
        return self._target or self.alias

    def index_documents(self, documents: list[dict[str, Any]]) -> None:
        if not documents:
            return
        self.ensure()
        lines: list[dict[str, Any]] = []
        for doc in documents:
            lines.append({"index": {"_index": self._write_to, "_id": doc["id"]}})
            lines.append(source(doc))
        self._bulk(lines)

    def delete(self, ids: list[str]) -> None:
        if not ids:
            return
        self.ensure()
        self._bulk([{"delete": {"_index": self._write_to, "_id": i}} for i in ids], missing_ok=True)

    def _bulk(self, lines: list[dict[str, Any]], missing_ok: bool = False) -> None:
        response = self.client.bulk(body=lines)
        if not response.get("errors"):
            return
        failed = []
        for item in response["items"]:
            ((action, result),) = item.items()
            if result.get("status", 500) >= 300:
                if missing_ok and action == "delete" and result.get("status") == 404:
                    continue
                reason = result.get("error") or result.get("status")
                failed.append(f"{result.get('_id')}: {reason}")
        if failed:
            total = len(response["items"])
            raise BulkFailed(f"{len(failed)} of {total} bulk items failed; first: {failed[0]}")

    def commit(self, cursor: int) -> None:
        self.client.indices.refresh(index=self._write_to)
        self.client.index(
            index=self.state_index,
            id=self._target or "cursor",
            body={"cursor": cursor},
            refresh=True,
        )

    def cursor(self) -> int:
        self.ensure()
        from opensearchpy import NotFoundError

        try:
            found = self.client.get(index=self.state_index, id="cursor")
        except NotFoundError:
            return 0
        return int(found["_source"]["cursor"])

    def clear(self) -> None:
        self.ensure()
        self.client.delete_by_query(
            index=self.alias, body={"query": {"match_all": {}}}, refresh=True, conflicts="proceed"
        )
        self.client.index(index=self.state_index, id="cursor", body={"cursor": 0}, refresh=True)

    def rebuild(self, fill) -> None:
        """Fill a new versioned index with ``fill(backend)``, then swap the alias to it in one
        step and drop the old index: searches keep answering throughout."""
        self.ensure()
        index = f"{self.alias}-{time.time_ns()}"
        self.client.indices.create(index=index, body=mappings())
        fresh = OpenSearchBackend.__new__(OpenSearchBackend)
        fresh.__dict__.update(self.__dict__)
        fresh._target = index
        try:
            fill(fresh)
        except BaseException:
            self.client.indices.delete(index=index, ignore_unavailable=True)
            raise
        self.client.indices.refresh(index=index)
        old = list(self.client.indices.get_alias(name=self.alias))
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": index, "alias": self.alias}})
        self.client.indices.update_aliases(body={"actions": actions})
        state = self.client.get(index=self.state_index, id=index)["_source"]
        self.client.index(index=self.state_index, id="cursor", body=state, refresh=True)
        self.client.delete(index=self.state_index, id=index, refresh=True)
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)

    # -- reading ----------------------------------------------------------------------------------
    @contextmanager
    def _answering(self):
        """A server that does not answer (refused, timed out, 5xx) is SearchUnavailable."""
        from opensearchpy.exceptions import ConnectionError as NoConnection
        from opensearchpy.exceptions import TransportError

        try:
            yield
        except NoConnection as exc:
            raise SearchUnavailable(
                f"the search server at {self.url} does not answer ({type(exc).__name__})"
            ) from None
        except TransportError as exc:
            if isinstance(exc.status_code, int) and exc.status_code < 500:
                raise
            raise SearchUnavailable(
                f"the search server at {self.url} failed ({exc.status_code})"
            ) from None

    def search(self, query: SearchQuery) -> SearchResult:
        with self._answering():
            self.ensure()
            response = self.client.search(
                index=self.alias, body=build_body(query), request_timeout=READ_TIMEOUT
            )
        hits = response["hits"]
        facets = {
            name: [
                {"value": b["key"], "count": b["doc_count"]}
                for b in response["aggregations"][name]["buckets"]
            ]
            for name in FACETS
        }
        items = [hit["_source"]["summary"] for hit in hits["hits"]]
        return SearchResult(hits["total"]["value"], items, facets)

    def suggest(self, prefix: str, size: int = 10) -> list[dict[str, Any]]:
        typed = " ".join(prefix.lower().split())
        if not typed:
            return []
        with self._answering():
            self.ensure()
            response = self.client.search(
                index=self.alias, body=suggest_body(typed, size), request_timeout=READ_TIMEOUT
            )
        hits = response["hits"]["hits"]
        return suggestions((hit["_source"]["summary"] for hit in hits), typed, size)

    def count(self) -> int:
        with self._answering():
            self.ensure()
            return int(self.client.count(index=self.alias)["count"])

    def ping(self) -> bool:
        return bool(self.client.ping())

    def close(self) -> None:
        self.client.close()
