"""The search-server backend: Elasticsearch (official ``elasticsearch`` client) or OpenSearch
(``opensearch-py``), for ``SIMPUL_SEARCH_URL=http://host:9200``.

Both servers speak the same query language for what Simpul asks, so one class does the work and a
small ``Engine`` per client library covers what differs: how to connect, how to give one request
a shorter timeout, and which exceptions mean "the server does not answer". With
``SIMPUL_SEARCH_ENGINE=auto`` (the default) the engine is chosen on first use by asking the server
what it is, so Simpul may start before the search server does.

Documents are analysed by Simpul before they are sent (``search.base.document``): the index
stores the Indonesian terms Simpul's analysis produced, with a whitespace analyzer, so every
backend matches on the same terms and the same query finds the same services. Queries are built
as plain dicts by ``build_body`` (tested as data).

Indexes are versioned (``<prefix>-services-<timestamp>``) behind the alias ``<prefix>-services``:
``simpul reindex`` fills a new index and swaps the alias in one atomic step, so searches never
stop. The change-log cursor the index has reached is kept in ``<prefix>-state``. Bulk requests
are checked item by item (a ``200`` from ``_bulk`` can hide failed items): any failure raises,
so the sync does not move its cursor past records that were not indexed. Only core APIs are used
(no ``_delete_by_query``, no scripts), so a minimal node serves as well as a full distribution.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import requests

from simpul.config import redact_url
from simpul.errors import SearchUnavailable
from simpul.reference.languages import pick
from simpul.search import grouping
from simpul.search.areafacet import MAX_CHILDREN, AreaFacet
from simpul.search.base import (
    FACETS,
    KEYWORD_FIELDS,
    TEXT_FIELDS,
    SearchQuery,
    SearchResult,
    field_text,
    suggestions,
)
from simpul.search.spelling import Vocabulary

log = logging.getLogger(__name__)

KEYWORDS = KEYWORD_FIELDS
READ_TIMEOUT = 5  # seconds a citizen's search may wait for the server
VOCABULARY_TTL = 60.0  # seconds another process's changes may take to reach spelling correction
VOCABULARY_PAGE = 10_000  # words per request while reading the vocabulary
TLS_FAILURE = (
    "has a certificate Simpul cannot verify; give its CA in SIMPUL_SEARCH_CA_CERTS (a PEM file)"
)
RELEVANCE = [{"_score": "desc"}, {"id": "asc"}]  # equal scores in the order of ids
SORTS = {"-modified": [{"modified": "desc"}, {"id": "asc"}], "name": [{"name_sort": "asc"}]}


def mappings(shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    properties: dict[str, Any] = {name: {"type": "keyword"} for name in KEYWORDS}
    for name in TEXT_FIELDS:
        properties[f"t_{name}"] = {"type": "text", "analyzer": "whitespace"}
    properties["words"] = {"type": "text", "analyzer": "whitespace"}
    properties["vocab"] = {"type": "keyword"}  # the words again, counted for spelling
    properties["suggest"] = {"type": "text", "analyzer": "standard"}
    properties["name_sort"] = {"type": "keyword"}
    properties["modified"] = {"type": "date"}
    properties["summary"] = {"type": "object", "enabled": False}
    properties.update(group={"type": "long"}, tie={"type": "long"}, national={"type": "boolean"})
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "refresh_interval": "1s",
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def source(doc: dict[str, Any]) -> dict[str, Any]:
    """The indexed form of an analysed document (``search.base.document``)."""
    out = {name: doc[name] for name in KEYWORDS}
    for name in TEXT_FIELDS:
        out[f"t_{name}"] = field_text(doc["terms"][name])
    name = pick(doc["summary"]["name"])
    out.update(
        words=" ".join(doc["words"]),
        vocab=doc["words"],
        suggest=name,
        name_sort=name.lower(),
        modified=doc["modified"],
        summary=doc["summary"],
        group=doc["group"],
        tie=doc["tie"],
        national=doc["national"],
    )
    return out


def build_body(query: SearchQuery) -> dict[str, Any]:
    """The search request for a query: text with field boosts and typo tolerance, filters, the
    area's reach up the region tree, facets, sort and paging."""
    must: list[dict[str, Any]] = []
    if query.terms or query.groups:
        should = _terms(query.terms, query.boosts)
        should += [  # each group scores by its best reading
            {
                "dis_max": {
                    "queries": [
                        {"bool": {"should": _terms(terms, query.boosts, weight)}}
                        for terms, weight in group
                    ]
                }
            }
            for group in query.groups
        ]
        must.append({"bool": {"should": should, "minimum_should_match": 1}})
    ranking = [
        {"constant_score": {"filter": {"term": {"areas": code}}, "boost": score}}
        for code, score in query.area_boosts
    ]
    if query.area_below_boost:
        ranking.append(
            {
                "constant_score": {
                    "filter": {"prefix": {"areas": query.area_below}},
                    "boost": query.area_below_boost,
                }
            }
        )
    filters = [{"terms": {name: list(values)}} for name, values in query.filters.items()]
    if query.area:
        reach: list[dict[str, Any]] = [{"terms": {"areas": list(query.area_codes)}}]
        if query.area_below:
            reach.append({"prefix": {"areas": query.area_below}})
        filters.append({"bool": {"should": reach, "minimum_should_match": 1}})
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "must": must or [{"match_all": {}}],
                "filter": filters,
                **({"should": ranking} if ranking else {}),
            }
        },
        "from": (query.page - 1) * query.size,
        "size": query.size,
        "track_total_hits": True,
        "_source": ["summary"],
        "aggs": {name: {"terms": {"field": name, "size": 100}} for name in FACETS}
        | area_aggs(AreaFacet(query.area)),
    }
    body["sort"] = SORTS.get(query.sort, RELEVANCE)
    return body


def area_aggs(facet: AreaFacet) -> dict[str, Any]:
    """The counts of the ``area`` facet (``search.areafacet``): national services and those
    covering the whole area apart, the others per child area."""
    national = {"term": {"national": True}}
    aggs: dict[str, Any] = {"area_national": {"filter": national}}
    apart = [national]
    if facet.wide_codes:
        covers = {"terms": {"areas": facet.wide_codes}}
        aggs["area_wide"] = {"filter": {"bool": {"filter": [covers], "must_not": [national]}}}
        apart.append(covers)
    if facet.has_children:
        children = {"terms": {"field": facet.field, "size": MAX_CHILDREN}}
        aggs["area_inner"] = {"filter": {"bool": {"must_not": apart}}, "aggs": {"c": children}}
    return aggs


def _terms(terms, boosts: dict[str, float], weight: float = 1.0) -> list[dict[str, Any]]:
    return [
        {"term": {f"t_{name}": {"value": term, "boost": boost * weight}}}
        for term in terms
        for name, boost in boosts.items()
    ]


def vocabulary_body(after: dict[str, Any] | None) -> dict[str, Any]:
    """One page of the index's words with the number of services using each."""
    source = {"size": VOCABULARY_PAGE, "sources": [{"word": {"terms": {"field": "vocab"}}}]}
    if after:
        source["after"] = after
    return {"size": 0, "track_total_hits": False, "aggs": {"vocab": {"composite": source}}}


def ranked_body(
    query: SearchQuery, restriction: grouping.Restriction, k: int, counted: bool
) -> dict[str, Any]:
    """A round of ``group=type`` (``search.grouping``): the query of ``build_body`` within the
    restriction, ``k`` hits read from the grouping fields only; the first round also counts."""
    body = build_body(query)
    inner = body["query"]
    must_not: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    if restriction.without:
        must_not.append({"terms": {"group": list(restriction.without)}})
    if restriction.only:
        filters.append({"terms": {"group": list(restriction.only)}})
    if restriction.local:
        must_not.append({"term": {"national": True}})
    body.update(
        query={"bool": {"must": [inner], "must_not": must_not, "filter": filters}},
        size=k,
        _source=False,
        docvalue_fields=["group", "tie", "national"],
        track_total_hits=counted,
    )
    body["from"] = 0
    body["sort"] = [*SORTS.get(query.sort, [{"_score": "desc"}])[:1], {"tie": "asc"}]
    if counted:
        body["aggs"]["type"]["terms"]["size"] = grouping.MAX_TYPES
    else:
        del body["aggs"]
    return body


def suggest_body(prefix: str, size: int) -> dict[str, Any]:
    return {
        "query": {"match_phrase_prefix": {"suggest": {"query": prefix, "max_expansions": 100}}},
        "sort": [{"name_sort": "asc"}],
        "size": size * 10,
        "_source": ["summary"],
    }


def refused(status: int) -> str:
    return (
        f"refused Simpul's credentials ({status}); check the user and password in SIMPUL_SEARCH_URL"
    )


class BulkFailed(RuntimeError):
    """Some items of a bulk request failed; the message names the first ones."""


class Engine:
    """What differs between the two client libraries. Each imports its library lazily: only the
    one in use needs to be installed (``simpul[elasticsearch]`` or ``simpul[opensearch]``)."""

    name = ""
    extra = ""

    def connect(
        self, urls: list[str], timeout: float, retries: int, ca_certs: str | None, pool: int = 10
    ):
        """A client for the nodes at ``urls`` whose requests wait ``timeout`` seconds and are
        tried again ``retries`` times, on the next node when one does not answer (credentials
        in a URL are sent as basic authentication; an https server's certificate is checked
        against ``ca_certs``, or the system's CAs), keeping up to ``pool`` connections a node."""
        raise NotImplementedError

    def verify(self, client, where: str) -> None:
        """Raise when the server is not what this engine talks to."""

    def no_answer(self, exc: Exception) -> bool:
        """Refused, reset, timed out, or a TLS failure."""
        raise NotImplementedError

    def tls_failure(self, exc: Exception) -> bool:
        raise NotImplementedError

    def status(self, exc: Exception) -> int | None:
        """The HTTP status of an error the server answered with."""
        raise NotImplementedError

    def not_found(self, exc: Exception) -> bool:
        return self.status(exc) == 404

    def problem(self, exc: Exception) -> str | None:
        """Why the server cannot serve Simpul, in words; None for an error of one request."""
        if self.tls_failure(exc):
            return TLS_FAILURE
        if self.no_answer(exc):
            return f"does not answer ({type(exc).__name__})"
        status = self.status(exc)
        if status in (401, 403):
            return refused(status)
        if status is not None and status >= 500:
            return f"failed ({status})"
        return None

    def missing(self, exc: ImportError) -> RuntimeError:
        return RuntimeError(
            f"the {self.name} client is not installed ({exc.name}); install simpul[{self.extra}]"
        )


class ElasticsearchEngine(Engine):
    """The official ``elasticsearch`` client (8.x); it checks by itself that the server is
    Elasticsearch on every response."""

    name = extra = "elasticsearch"

    def connect(self, urls, timeout, retries, ca_certs, pool=10):
        try:
            from elasticsearch import Elasticsearch
        except ImportError as exc:
            raise self.missing(exc) from None
        tls = {"ca_certs": ca_certs} if ca_certs else {}
        return Elasticsearch(
            urls,
            request_timeout=timeout,
            max_retries=retries,
            retry_on_timeout=retries > 0,
            connections_per_node=pool,
            **tls,
        )

    def verify(self, client, where):
        from elasticsearch import UnsupportedProductError

        try:
            client.cluster.health()
        except UnsupportedProductError:
            raise RuntimeError(
                f"{where} is not an Elasticsearch server; set SIMPUL_SEARCH_ENGINE=auto or "
                "opensearch for an OpenSearch server"
            ) from None

    def no_answer(self, exc):
        from elastic_transport import TransportError

        return isinstance(exc, TransportError)

    def tls_failure(self, exc):
        from elastic_transport import TlsError

        return isinstance(exc, TlsError)

    def status(self, exc):
        from elasticsearch import ApiError

        return exc.meta.status if isinstance(exc, ApiError) else None


class OpenSearchEngine(Engine):
    name = extra = "opensearch"

    def connect(self, urls, timeout, retries, ca_certs, pool=10):
        try:
            from opensearchpy import OpenSearch
        except ImportError as exc:
            raise self.missing(exc) from None
        tls = {"ca_certs": ca_certs, "verify_certs": True} if ca_certs else {}
        return OpenSearch(
            urls,
            timeout=timeout,
            max_retries=retries,
            retry_on_timeout=retries > 0,
            pool_maxsize=pool,
            **tls,
        )

    def verify(self, client, where):
        try:
            version = client.info().get("version", {})
        except Exception as exc:  # an Elasticsearch node without the root API refuses GET /
            if self.problem(exc):
                raise
            version = {"number": f"GET / answered {getattr(exc, 'status_code', '?')}"}
        if version.get("distribution") != "opensearch":
            raise RuntimeError(
                f"{where} is not an OpenSearch server ({version.get('number', '?')}); set "
                "SIMPUL_SEARCH_ENGINE=auto or elasticsearch for an Elasticsearch server"
            )

    def no_answer(self, exc):
        from opensearchpy.exceptions import ConnectionError as NoConnection

        return isinstance(exc, NoConnection)  # also timeouts and TLS failures

    def tls_failure(self, exc):
        from opensearchpy.exceptions import SSLError

        return isinstance(exc, SSLError)

    def status(self, exc):
        from opensearchpy.exceptions import TransportError

        status = getattr(exc, "status_code", None) if isinstance(exc, TransportError) else None
        return status if isinstance(status, int) else None


ENGINES: dict[str, Engine] = {
    "elasticsearch": ElasticsearchEngine(),
    "opensearch": OpenSearchEngine(),
}


def detect(url: str, ca_certs: str | None = None, timeout: float = READ_TIMEOUT) -> str:
    """Which server answers at ``url``: Elasticsearch marks its responses with
    ``X-Elastic-Product``; OpenSearch names itself in its root document."""
    where = redact_url(url)
    try:
        response = requests.get(
            url,
            timeout=timeout,
            headers={"Accept": "application/json"},
            verify=ca_certs or True,
            allow_redirects=False,
        )
    except requests.exceptions.SSLError:
        raise SearchUnavailable(f"the search server at {where} {TLS_FAILURE}") from None
    except requests.RequestException as exc:
        raise SearchUnavailable(
            f"the search server at {where} does not answer ({type(exc).__name__})"
        ) from None
    if response.status_code in (401, 403):
        raise SearchUnavailable(f"the search server at {where} {refused(response.status_code)}")
    if response.headers.get("X-Elastic-Product") == "Elasticsearch":
        return "elasticsearch"
    try:
        body = response.json()
    except ValueError:
        body = None
    version = body.get("version") if isinstance(body, dict) else None
    if isinstance(version, dict) and version.get("distribution") == "opensearch":
        return "opensearch"
    if response.status_code >= 500:
        raise SearchUnavailable(f"the search server at {where} failed ({response.status_code})")
    raise RuntimeError(
        f"{where} answered {response.status_code} but is neither Elasticsearch nor OpenSearch; "
        "set SIMPUL_SEARCH_ENGINE if a proxy hides what it is"
    )


def detect_any(urls: list[str], ca_certs: str | None = None) -> str:
    """What answers at the first of ``urls`` that answers (the others may be down)."""
    for url in urls[:-1]:
        try:
            return detect(url, ca_certs)
        except SearchUnavailable:
            continue
    return detect(urls[-1], ca_certs)


def answering(method):
    """A server that cannot serve (refused, timed out, 5xx, credentials refused, certificate
    not verified) raises SearchUnavailable from ``method``: a 503 for the citizen, a clean error
    for ``simpul reindex``, the reason for the operator in ``/health``."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SearchUnavailable:
            raise
        except Exception as exc:
            problem = self.engine.problem(exc) if self.engine else None
            if problem is None:
                raise
            raise SearchUnavailable(f"the search server at {self.where} {problem}") from None

    return guarded


class ClusterBackend:
    """Search on an Elasticsearch or OpenSearch server; ``engine`` is ``auto``, ``elasticsearch``
    or ``opensearch``."""

    capabilities = frozenset({"facets", "area", "typos", "suggest", "sort", "aliases"})
    default_engine = "auto"
    external_versions = True  # documents carry their change number (``_action``)

    def __init__(
        self,
        url: str | list[str],
        prefix: str = "simpul",
        timeout: float = 30.0,
        engine: str | None = None,
        ca_certs: str | None = None,
        *,
        shards: int = 1,
        replicas: int = 0,
        pool_size: int = 10,
    ):
        engine = engine or self.default_engine
        if engine != "auto" and engine not in ENGINES:
            raise ValueError(f"unknown search engine {engine!r}: auto, {', '.join(ENGINES)}")
        self.urls = [url] if isinstance(url, str) else list(url)
        self.url, self.prefix, self.timeout, self.ca_certs = self.urls[0], prefix, timeout, ca_certs
        self.shards, self.replicas, self.pool_size = shards, replicas, pool_size
        # what messages name: never the password
        self.where = ", ".join(redact_url(u) for u in self.urls)
        self.alias = f"{prefix}-services"
        self.state_index = f"{prefix}-state"
        self.engine: Engine | None = None if engine == "auto" else ENGINES[engine]
        self._client = self._reader = None
        self._target: str | None = None  # while rebuilding: the new index, not the alias
        self._ready = False
        self._vocabulary: tuple[float, Vocabulary | None] = (0.0, None)

    @property
    def name(self) -> str:
        return self.engine.name if self.engine else "search server (not reached yet)"

    def _engine(self) -> Engine:
        """The engine, asking the server what it is the first time when it is ``auto``."""
        if self.engine is None:
            self.engine = ENGINES[detect_any(self.urls, self.ca_certs)]
        return self.engine

    @property
    def client(self):
        """The client for writes and index management (``timeout`` seconds a request, tried
        again twice), made on first use."""
        if self._client is None:
            retries = max(2, len(self.urls))  # every node gets its turn
            self._client = self._engine().connect(
                self.urls, self.timeout, retries, self.ca_certs, self.pool_size
            )
        return self._client

    @property
    def reader(self):
        """The client for what a citizen waits on (searches, suggestions, counts, and the
        checks before the first one): at most ``READ_TIMEOUT`` seconds a try, one try a node."""
        if self._reader is None:
            self._reader = self._engine().connect(
                self.urls, READ_TIMEOUT, len(self.urls) - 1, self.ca_certs, self.pool_size
            )
        return self._reader

    # -- index management -------------------------------------------------------------------------
    @answering
    def ensure(self) -> None:
        """The server is the expected one, and the alias and its first index exist (made on
        first use)."""
        if self._ready:
            return
        client, reader = self.client, self.reader  # checks read; changes write
        self.engine.verify(reader, self.where)
        if not reader.indices.exists_alias(name=self.alias):
            index = f"{self.alias}-{time.time_ns()}"
            client.indices.create(index=index, body=self._index_body())
            client.indices.put_alias(index=index, name=self.alias)
        else:
            self._add_new_fields()
        if not reader.indices.exists(index=self.state_index):
            client.indices.create(
                index=self.state_index,
                body={"settings": {"number_of_shards": 1, "number_of_replicas": self.replicas}},
            )
        self._ready = True

    def _index_body(self) -> dict[str, Any]:
        return mappings(self.shards, self.replicas)

    def _add_new_fields(self) -> None:
        """An index made by an older Simpul lacks the fields added since (the mapping is
        strict): add them, so that syncing goes on; records indexed before lack their values
        until ``simpul reindex``."""
        wanted = mappings()["mappings"]["properties"]
        live = self.reader.indices.get_mapping(index=self.alias)
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

    @answering
    def index_documents(self, documents: list[dict[str, Any]]) -> None:
        if not documents:
            return
        self.ensure()
        lines: list[dict[str, Any]] = []
        for doc in documents:
            lines.append({"index": self._action(doc["id"], doc.get("change"))})
            lines.append(source(doc))
        self._bulk(lines)

    @answering
    def delete(self, ids: list[str], versions: Mapping[str, int | None] | None = None) -> None:
        if not ids:
            return
        self.ensure()
        versions = versions or {}
        lines = [{"delete": self._action(i, versions.get(i))} for i in ids]
        self._bulk(lines, missing_ok=True)

    def _action(self, doc_id: str, change: int | None) -> dict[str, Any]:
        """A bulk item's target. With ``change`` (the record's latest change number) the node
        keeps it as an external version and refuses an item older than what it holds: two
        processes syncing at once can never put an older copy over a newer one."""
        action: dict[str, Any] = {"_index": self._write_to, "_id": doc_id}
        if change is not None:
            action.update(version=change, version_type="external_gte")
        return action

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
                if result.get("status") == 409:  # the node holds a newer version: keep it
                    log.debug("search: %s %s skipped, a newer version is indexed", action, result)
                    continue
                reason = result.get("error") or result.get("status")
                failed.append(f"{result.get('_id')}: {reason}")
        if failed:
            total = len(response["items"])
            raise BulkFailed(f"{len(failed)} of {total} bulk items failed; first: {failed[0]}")

    @answering
    def commit(self, cursor: int) -> None:
        self._vocabulary = (0.0, None)
        self.client.indices.refresh(index=self._write_to)
        self.client.index(
            index=self.state_index,
            id=self._target or "cursor",
            body={"cursor": cursor},
            refresh=True,
        )

    @answering
    def cursor(self) -> int:
        self.ensure()
        try:
            found = self.client.get(index=self.state_index, id="cursor")
        except Exception as exc:
            if self.engine.not_found(exc):
                return 0
            raise
        return int(found["_source"]["cursor"])

    @answering
    def seen_types(self) -> dict[str, int] | None:
        """The versions of the service types the index was last brought up to (None: never
        recorded), kept in the state index beside the cursor (as text: one field, whatever
        the number of types)."""
        self.ensure()
        found = self._state("types")
        return json.loads(found["versions"]) if found is not None else None

    @answering
    def see_types(self, versions: dict[str, int]) -> None:
        key = f"{self._target}-types" if self._target else "types"
        body = {"versions": json.dumps(versions, sort_keys=True)}
        self.client.index(index=self.state_index, id=key, body=body, refresh=True)

    def clear(self) -> None:
        """Empty the index: an empty index takes the alias (no ``_delete_by_query``, which
        minimal nodes lack and which leaves deleted documents behind)."""
        self.rebuild(lambda fresh: fresh.commit(0))

    @answering
    def rebuild(self, fill) -> None:
        """Fill a new versioned index with ``fill(backend)``, then swap the alias to it in one
        step and drop the old index: searches keep answering throughout."""
        self.ensure()
        index = f"{self.alias}-{time.time_ns()}"
        self.client.indices.create(index=index, body=self._index_body())
        fresh = type(self).__new__(type(self))
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
        self._take_types(index)
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        self._vocabulary = (0.0, None)

    def _take_types(self, index: str) -> None:
        """After a rebuild: the types its fill saw become the index's (none: never recorded)."""
        found = self._state(f"{index}-types")
        if found is None:
            if self._state("types") is not None:
                self.client.delete(index=self.state_index, id="types", refresh=True)
            return
        self.client.index(index=self.state_index, id="types", body=found, refresh=True)
        self.client.delete(index=self.state_index, id=f"{index}-types", refresh=True)

    def _state(self, key: str) -> dict[str, Any] | None:
        try:
            return self.client.get(index=self.state_index, id=key)["_source"]
        except Exception as exc:
            if self.engine.not_found(exc):
                return None
            raise

    # -- reading ----------------------------------------------------------------------------------
    @answering
    def _read(self, method: str, **params) -> dict[str, Any]:
        self.ensure()
        return getattr(self.reader, method)(index=self.alias, **params)

    def search(self, query: SearchQuery) -> SearchResult:
        if query.group:
            return self._grouped(query)
        response = self._read("search", body=build_body(query))
        hits = response["hits"]
        facets = _facets(response, query)
        items = [hit["_source"]["summary"] for hit in hits["hits"]]
        return SearchResult(hits["total"]["value"], items, facets)

    def vocabulary(self) -> Vocabulary:
        """The words of the index and how many services use each (``vocab`` field), read
        again after this process commits or ``VOCABULARY_TTL`` seconds."""
        made, vocabulary = self._vocabulary
        if vocabulary is None or time.monotonic() - made > VOCABULARY_TTL:
            counts: dict[str, int] = {}
            after = None
            while True:
                page = self._read("search", body=vocabulary_body(after))["aggregations"]["vocab"]
                counts.update((b["key"]["word"], b["doc_count"]) for b in page["buckets"])
                after = page.get("after_key")
                if not after or len(page["buckets"]) < VOCABULARY_PAGE:
                    break
            self._vocabulary = (time.monotonic(), Vocabulary(counts))
        return self._vocabulary[1]

    def _grouped(self, query: SearchQuery) -> SearchResult:
        """One hit per service type (``search.grouping``); the first round also counts."""
        first = self._read("search", body=ranked_body(query, grouping.Restriction(), 1, True))
        facets = _facets(first, query)
        counts = {b["value"]: b["count"] for b in facets["type"]}

        def ranked(restriction: grouping.Restriction, k: int) -> list[grouping.Hit]:
            body = ranked_body(query, restriction, k, False)
            return [
                _hit(hit, query.sort) for hit in self._read("search", body=body)["hits"]["hits"]
            ]

        matches = first["hits"]["total"]["value"]
        found = grouping.collect(
            ranked,
            matches=matches,
            type_counts=counts,
            page=query.page,
            size=query.size,
            area=query.area,
        )
        wanted = [{"_id": g.shown(query.area).ref, "_source": ["summary"]} for g in found.page]
        docs = self._read("mget", body={"docs": wanted})["docs"] if wanted else []
        items = [
            grouping.group_item(doc["_source"]["summary"], g)
            for doc, g in zip(docs, found.page, strict=True)
            if doc.get("found")  # not deleted since
        ]
        facets["type"] = facets["type"][:100]
        return SearchResult(found.total, items, facets, matches)

    def suggest(self, prefix: str, size: int = 10) -> list[dict[str, Any]]:
        typed = " ".join(prefix.lower().split())
        if not typed:
            return []
        hits = self._read("search", body=suggest_body(typed, size))["hits"]["hits"]
        return suggestions((hit["_source"]["summary"] for hit in hits), typed, size)

    def count(self) -> int:
        return int(self._read("count")["count"])

    def ping(self) -> bool:
        try:
            self.reader.cluster.health()
            return True
        except Exception:
            return False

    def close(self) -> None:
        for client in (self._client, self._reader):
            if client is not None:
                client.close()


def _facets(response: dict[str, Any], query: SearchQuery) -> dict[str, list[dict[str, Any]]]:
    aggs = response["aggregations"]
    facets = {
        name: [{"value": b["key"], "count": b["doc_count"]} for b in aggs[name]["buckets"]]
        for name in FACETS
    }
    inner = aggs.get("area_inner", {}).get("c", {}).get("buckets", [])
    area = AreaFacet(query.area).buckets(
        {b["key"]: b["doc_count"] for b in inner},
        aggs.get("area_wide", {}).get("doc_count", 0),
        aggs["area_national"]["doc_count"],
    )
    return facets | area


def _hit(hit: dict[str, Any], sort: str) -> grouping.Hit:
    """A round's hit: its sort values (score negated: ascending, as ``grouping`` orders)."""
    first, tie = hit["sort"]
    key = -first if sort in ("relevance", "-modified") else first
    fields = hit["fields"]
    group, national = fields["group"][0], fields["national"][0]
    return grouping.Hit((key, tie), group, national, tie, hit["_id"])


class ElasticsearchBackend(ClusterBackend):
    default_engine = "elasticsearch"


class OpenSearchBackend(ClusterBackend):
    default_engine = "opensearch"
