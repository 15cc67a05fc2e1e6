"""``simpul``: another Simpul node, through its change feed (``GET /api/v1/changes``).

The URL is the other node's base URL. Each run reads the feed from the cursor where the last one
stopped; creates, updates and tombstones arrive in commit order, and a later change of a record
replaces an earlier one. Records keep the id and URI they have at their origin, their authority
(the node's organizations are registered here first, under the source's organization) and their
origin version; the chain of nodes a record travelled through grows by this node, and a record
whose chain already holds this node is skipped, so nodes harvesting each other never loop.

A child node that restarted with an empty database answers with a newest cursor older than the
one kept here: the run then reads its feed from the beginning as a full pass, and what it no
longer has is deleted only under the harvesting rules (held for review when too much at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import fields as mf
from marshmallow import validate

from simpul.errors import InvalidInput
from simpul.harvesters.base import (
    CommonOptions,
    Harvester,
    Item,
    RecordProblem,
    SourceBroken,
    Transformed,
    json_original,
    loads_json,
)
from simpul.harvesters.types.jsonapi import parse_json
from simpul.registry.changes import decode_cursor
from simpul.registry.schemas import SERVER_FIELDS, safe_url


class SimpulOptions(CommonOptions):
    limit = mf.Integer(load_default=500, validate=validate.Range(1, 1000))
    max_pages = mf.Integer(load_default=1_000_000, validate=validate.Range(1, 100_000_000))
    # the remote's national service types (``/api/v1/types``), stored here before its records:
    # a province reuses the national list (only an administrator or national coordinator may
    # set it, since it writes the node's list); ``records: false`` takes the types only
    types = mf.Boolean(load_default=False)
    records = mf.Boolean(load_default=True)


def _seq(cursor: str | None) -> int:
    try:
        return decode_cursor(cursor)
    except InvalidInput:
        return -1


class SimpulHarvester(Harvester):
    name = "simpul"
    title = "Another Simpul node (change feed)"
    Options = SimpulOptions
    incremental = True
    feed = True
    mapping_version = "1"

    def __init__(self, source, fetcher):
        super().__init__(source, fetcher)
        self.base = source.url.rstrip("/")
        self.remote: dict[str, Any] = {}
        self.reset = False  # the remote's feed starts over (its database was reset)
        self.found_applications: dict[str, tuple[str, dict[str, Any]]] = {}
        self.found_work: dict[str, dict[str, tuple]] = {"assessment": {}, "roadmap": {}}

    def state(self) -> dict[str, Any]:
        """What the federation status shows: who the child is and how far behind we are."""
        if not self.remote:
            return {}
        latest = self.remote["changes"]["latest"]
        behind = max(0, _seq(latest) - _seq(self.cursor)) if self.cursor else _seq(latest)
        return {
            "remote": {
                "id": self.remote.get("id"),
                "level": self.remote.get("level"),
                "area": self.remote.get("area"),
                "latest": latest,
            },
            "lag": behind,
        }

    def _json(self, path: str, **params) -> Any:
        fetched = self.fetcher.get(f"{self.base}{path}", params=params, accept="application/json")
        return parse_json(fetched)

    def describe(self) -> dict[str, Any]:
        node = self._json("/api/v1/node")
        changes = node.get("changes") if isinstance(node, dict) else None
        if (
            not isinstance(changes, dict)
            or not isinstance(changes.get("latest"), str | None)
            or not isinstance(node.get("id"), str)
        ):
            raise SourceBroken(f"{self.base}/api/v1/node: not a Simpul node")
        self.remote = node
        return node

    def service_types(self) -> list[dict[str, Any]] | None:
        """Every type of the remote (retired ones too), when the source carries types."""
        if not self.options["types"]:
            return None
        out, page = [], 1
        while True:
            body = self._json("/api/v1/types", status="all", page=page, size=500)
            items = body.get("items") if isinstance(body, dict) else None
            total = body.get("total", 0) if isinstance(body, dict) else 0
            if not isinstance(items, list) or not isinstance(total, int):
                raise SourceBroken(f"{self.base}/api/v1/types: no list of service types")
            out.extend(items)
            if len(out) >= total or not items:
                return out
            page += 1

    def organizations(self) -> list[dict[str, Any]]:
        self.describe()
        if not self.options["records"]:
            return []
        out, page = [], 1
        while True:
            body = self._json("/api/v1/organizations", page=page, size=500)
            items = body.get("items") if isinstance(body, dict) else None
            total = body.get("total", 0) if isinstance(body, dict) else 0
            if not isinstance(items, list) or not isinstance(total, int):
                raise SourceBroken(f"{self.base}/api/v1/organizations: no list of organizations")
            out.extend(items)
            if len(out) >= total or not items:
                return out
            page += 1

    def gather(self, since: str | None) -> Iterator[Item]:
        node = self.remote or self.describe()
        if not self.options["records"]:
            return
        latest = node["changes"]["latest"]
        if since and _seq(since) > _seq(latest):
            self.reset, since = True, None
            self.skipped["feed_restarted"] = 1
        cursor = since
        for _ in range(self.options["max_pages"]):
            # an older node ignores ``kinds`` and sends services only
            params = {"limit": self.options["limit"], "kinds": _kinds(node)}
            if cursor:
                params["since"] = cursor
            page = self._json("/api/v1/changes", **params)
            if not isinstance(page, dict) or not isinstance(page.get("items"), list):
                raise SourceBroken(f"{self.base}/api/v1/changes: not a change feed page")
            for entry in page["items"]:
                item = self._item(entry)
                if item is not None:
                    yield item
            following = page.get("next")
            if page.get("more") and following == cursor:
                raise SourceBroken(f"{self.base}/api/v1/changes: the cursor does not advance")
            cursor = following
            self.cursor = cursor
            if not page.get("more"):
                return
        raise SourceBroken(f"{self.base}: more than {self.options['max_pages']} feed pages")

    def applications(self) -> list[tuple[str, dict[str, Any]]]:
        """The applications of the feed, the last change of each (``appfederation`` stores
        them once the services are)."""
        return list(self.found_applications.values())

    def _application(self, entry: dict[str, Any]) -> None:
        deleted = entry.get("action") == "deleted"
        state = entry.get("tombstone" if deleted else "record")
        if not isinstance(state, dict) or not all(
            isinstance(state.get(k), str) for k in ("id", "uri", "organization")
        ):
            self.skipped["no_uri"] = self.skipped.get("no_uri", 0) + 1
            return
        chain = _chain(state, self.remote.get("id", ""))
        if not deleted and self.source.node and self.source.node in chain:
            self.skipped["cycle"] = self.skipped.get("cycle", 0) + 1
            return
        provenance = {
            "origin": _origin(state, self.remote.get("id")),
            "chain": [*chain, self.source.node] if self.source.node else chain,
            "via": self.remote.get("id"),
        }
        found = {"deleted": deleted, "state": state, "provenance": provenance}
        self.found_applications.pop(state["id"], None)  # a later change replaces an earlier
        self.found_applications[state["id"]] = (state["uri"], found)

    def snapshots(self, since: str | None) -> list[Any] | None:
        """The child's daily coverage snapshots from day ``since`` (None: a node that has
        none to serve)."""
        if not self.options["records"] or "snapshots" not in self.remote:
            return None
        out, page = [], 1
        while True:
            params = {"page": page, "size": 1000} | ({"from": since} if since else {})
            body = self._json("/api/v1/coverage/snapshots", **params)
            items = body.get("items") if isinstance(body, dict) else None
            total = body.get("total", 0) if isinstance(body, dict) else 0
            if not isinstance(items, list) or not isinstance(total, int):
                raise SourceBroken(f"{self.base}/api/v1/coverage/snapshots: no list of snapshots")
            out.extend(items)
            if len(out) >= total or not items or page >= self.options["max_pages"]:
                return out
            page += 1

    def workspace(self) -> dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]]:
        """The child's assessments and moved roadmap items of the feed, the last change of
        each, as (key, state, provenance) (``harvesters.workfederation`` stores them)."""
        return {kind: list(found.values()) for kind, found in self.found_work.items()}

    def _work(self, entry: dict[str, Any]) -> None:
        kind, state = entry["kind"], entry.get("record")
        if entry.get("action") == "deleted" or not isinstance(state, dict):
            return
        path = (
            f"assessments/{state.get('id')}"
            if kind == "assessment"
            else f"roadmap/{state.get('phase')}/items/{state.get('target')}"
        )
        given = state.get("provenance") if isinstance(state.get("provenance"), dict) else {}
        origin = given.get("origin") if isinstance(given.get("origin"), dict) else {}
        uri = safe_url(origin.get("uri") or state.get("uri")) or f"{self.base}/api/v1/{path}"
        chain = _chain(state, self.remote.get("id", ""))
        if self.source.node and self.source.node in chain:
            self.skipped["cycle"] = self.skipped.get("cycle", 0) + 1
            return
        node = _text(origin.get("node")) or self.remote.get("id")
        provenance = {
            # when it was recorded at the origin: a child reset numbers its assessments anew
            "origin": {"node": node, "uri": uri, "at": _text(origin.get("at") or state.get("at"))},
            "chain": [*chain, self.source.node] if self.source.node else chain,
            "via": self.remote.get("id"),
        }
        key = uri if kind == "assessment" else path  # the item: phase and target, kept ids
        self.found_work[kind].pop(key, None)  # a later change replaces an earlier
        self.found_work[kind][key] = (key, state, provenance)

    def _item(self, entry: dict[str, Any]) -> Item | None:
        if isinstance(entry, dict) and entry.get("kind") == "application":
            return self._application(entry)
        if isinstance(entry, dict) and entry.get("kind") in ("assessment", "roadmap"):
            return self._work(entry)
        deleted = isinstance(entry, dict) and entry.get("action") == "deleted"
        state = entry.get("tombstone" if deleted else "record") if isinstance(entry, dict) else None
        uri = state.get("uri") if isinstance(state, dict) else None
        if not uri or not isinstance(uri, str):
            self.skipped["no_uri"] = self.skipped.get("no_uri", 0) + 1
            return None
        chain = _chain(state, self.remote.get("id", ""))
        if not deleted and self.source.node and self.source.node in chain:
            self.skipped["cycle"] = self.skipped.get("cycle", 0) + 1
            return None
        original = {"action": entry.get("action"), "node": self.remote.get("id"), "state": state}
        return Item(
            uri,
            json_original(original),
            "application/json",
            uri=uri,
            tombstone=deleted,
            parsed=original,
        )

    def transform(self, item: Item) -> Transformed:
        original = loads_json(item)
        state = original.get("state") if isinstance(original, dict) else None
        if not isinstance(state, dict) or not state.get("name"):
            raise RecordProblem("the record has no name (nama layanan)")
        record = {k: v for k, v in state.items() if k not in SERVER_FIELDS}
        link = state.get("type_link")
        if isinstance(link, dict) and link.get("method") == "automatic":
            record.pop("type", None)  # the child's matcher chose it, not the agency: ours decides
        origin = _origin(state, original.get("node"))
        chain = _chain(state, original.get("node") or "")
        if self.source.node:
            chain = [*chain, self.source.node]
        return Transformed(
            record,
            identity=(state["id"], state["uri"]) if state.get("id") else None,
            provenance={"origin": origin, "chain": chain, "via": original.get("node")},
        )


WANTED_KINDS = ("service", "application", "assessment", "roadmap")


def _kinds(node: dict[str, Any]) -> str:
    """The kinds of changes to ask for: those the child says its feed has (a node that does
    not say knows services and applications)."""
    offered = node["changes"].get("kinds")
    if not isinstance(offered, list):
        return "service,application"
    return ",".join(kind for kind in WANTED_KINDS if kind in offered) or "service"


def _origin(state: dict[str, Any], remote: Any) -> dict[str, Any]:
    """Where the record was first published, as far as the remote says it in the right types
    (the version decides between copies; the URI is linked from pages)."""
    provenance = state.get("provenance")
    provenance = provenance if isinstance(provenance, dict) else {}
    given = provenance.get("origin")
    if not isinstance(given, dict):
        given = {
            "node": provenance.get("node") or remote,
            "id": state.get("id"),
            "uri": state.get("uri"),
            "version": state.get("version"),
            "modified": state.get("modified"),
        }
    version = given.get("version")
    return {
        "node": _text(given.get("node")),
        "id": _text(given.get("id")),
        "uri": safe_url(given.get("uri")),
        "version": version if type(version) is int and version >= 0 else None,
        "modified": _text(given.get("modified")),
    }


def _text(value: Any) -> str | None:
    return value[:200] if isinstance(value, str) else None


def _chain(state: dict[str, Any], remote: str) -> list[str]:
    """The nodes a record went through up to the remote that serves it now."""
    provenance = state.get("provenance")
    provenance = provenance if isinstance(provenance, dict) else {}
    chain = provenance.get("chain")
    chain = [n for n in chain if isinstance(n, str)] if isinstance(chain, list) else []
    if not chain:
        node = provenance.get("node")
        chain = [node if isinstance(node, str) else remote]
    if remote and chain[-1] != remote:
        chain.append(remote)
    return [node for node in chain if node]
