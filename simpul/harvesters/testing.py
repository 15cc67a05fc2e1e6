"""The contract every source type passes. A type's test module subclasses ``Contract`` and
provides ``kind`` (the type's name), a ``served`` fixture: ``(url, options, expected)`` for a
source it serves on a loopback server, where ``expected`` is how many records it holds, and a
``junk`` fixture: ``(url, options)`` of a source that answers with something unreadable.

The contract is what the runner relies on:

- the type is found by its name and accepts its own stored options again;
- ``gather`` yields unique, non-empty keys, and ``fetch`` completes what it leaves incomplete;
- ``transform`` is a function of the stored original alone: an item rebuilt from what the
  runner keeps (key, original bytes, media type, URI) transforms exactly as the fresh one, so
  ``--retransform`` gives the same records a fetch would;
- a transform yields a record with a name, or an inventory entry, or raises ``RecordProblem``,
  and a source that holds services yields some (a module may list them in ``produced``);
- an unreachable or unreadable source raises ``FetchError`` or ``SourceBroken``, nothing else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from simpul.harvesters import harvester_class
from simpul.harvesters.base import Item, RecordProblem, SourceBroken, SourceSpec, Transformed
from simpul.harvesters.fetching import Fetcher, FetchError, FetchPolicy, Politeness


def make(kind: str, url: str, options: dict[str, Any] | None = None, state=None):
    cls = harvester_class(kind)
    spec = SourceSpec("contract", url, "kota-gorontalo", options or {}, {}, state or {})
    fetcher = Fetcher(FetchPolicy(allow_private=True, retries=0), politeness=Politeness())
    return cls(spec, fetcher)


def gathered(harvester) -> list[Item]:
    items = []
    for item in harvester.gather(None):
        items.append(item if item.complete else harvester.fetch(item))
    return items


class Contract:
    kind: str = ""

    @pytest.fixture
    def served(self, remote) -> tuple[str, dict[str, Any], int]:
        raise NotImplementedError

    def test_registered_by_name_and_options_round_trip(self, served):
        url, options, _ = served
        cls = harvester_class(self.kind)
        assert cls.name == self.kind
        stored = cls.check_options(options)
        assert cls.check_options(stored) == stored
        assert cls.mapping_key(stored) == cls.mapping_key(cls.check_options(options))

    def test_gather_yields_unique_keys_and_originals(self, served):
        url, options, expected = served
        items = gathered(make(self.kind, url, options))
        keys = [item.key for item in items]
        assert len(keys) == expected
        assert all(keys) and len(set(keys)) == len(keys)
        assert all(item.original and item.media_type for item in items)

    def test_transform_depends_on_the_stored_original_only(self, served):
        url, options, _ = served
        harvester = make(self.kind, url, options)
        for item in gathered(harvester):
            fresh = _outcome(harvester, item)
            stored = Item(item.key, item.original, item.media_type, item.uri)
            assert _outcome(make(self.kind, url, options), stored) == fresh

    @pytest.fixture
    def produced(self) -> list[str] | None:
        """The names of what the served records become (a record's Indonesian name, or an
        inventory entry's name), in any order. None when the module cannot list them: then
        at least one record must still come out."""
        return None

    def test_transform_gives_a_named_record_or_an_inventory_entry(self, served, produced):
        url, options, _ = served
        harvester = make(self.kind, url, options)
        made, problems = {}, {}
        for item in gathered(harvester):
            try:
                result = harvester.transform(item)
            except RecordProblem as exc:
                problems[item.key] = str(exc)
                continue
            assert result.inventory is not None or result.record.get("name")
            made[item.key] = _name(result)
        assert made, f"no record came out of the source; the problems: {problems}"
        if produced is not None:
            assert sorted(made.values()) == sorted(produced), problems

    def test_unreachable_source(self, served):
        url, options, _ = served
        parts = urlsplit(url)
        dead = parts._replace(netloc=f"{parts.hostname}:9").geturl()  # nothing listens there
        harvester = make(self.kind, dead, options)
        with pytest.raises((FetchError, SourceBroken)):
            gathered(harvester)

    @pytest.fixture
    def junk(self, remote) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def test_unreadable_source(self, junk):
        url, options = junk
        with pytest.raises((FetchError, SourceBroken)):
            gathered(make(self.kind, url, options))


def _name(result: Transformed) -> str:
    if result.inventory is not None:
        return str(result.inventory.get("name"))
    return result.record["name"].get("id") or next(iter(result.record["name"].values()))


def _outcome(harvester, item: Item):
    try:
        result = harvester.transform(item)
    except RecordProblem as exc:
        return ("problem", str(exc))
    return (result.record, result.notes, result.authority, result.inventory)
