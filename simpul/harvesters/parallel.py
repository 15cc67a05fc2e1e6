"""Worker processes that transform and check the records of large harvest jobs."""

from __future__ import annotations

from typing import Any

from simpul.harvesters import harvester_class
from simpul.harvesters.base import Item, SourceSpec
from simpul.harvesters.fetching import Fetcher, FetchPolicy
from simpul.harvesters.importing import Organizations
from simpul.harvesters.storing import transform_one

_WORKER: dict[str, Any] = {}


def init_worker(kind: str, spec: SourceSpec, orgs: Organizations) -> None:
    fetcher = Fetcher(FetchPolicy(retries=0))  # transforms never fetch
    _WORKER["harvester"] = harvester_class(kind)(spec, fetcher)
    _WORKER["orgs"] = orgs


def transform_batch(payload: list[tuple]) -> list[tuple[str, tuple[str, Any]]]:
    """In a worker process: transform and check."""
    harvester, orgs = _WORKER["harvester"], _WORKER["orgs"]
    out = []
    for key, original, media_type, uri, done in payload:
        item = Item(key, original, media_type, uri)
        out.append((key, transform_one(harvester, orgs, item, done)))
    return out
