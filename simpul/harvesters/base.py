"""The interface every source type implements, and what passes between it and the runner.

A harvester only knows its remote: ``gather`` lists the remote records (with their content when
the listing carries it), ``fetch`` completes one when it needs a request of its own, and
``transform`` turns a stored original into a raw Simpul record. The runner owns jobs, storage,
error capture, identity, deletions and final states.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson
from marshmallow import Schema, ValidationError, validate
from marshmallow import fields as mf

from simpul.errors import ValidationFailed
from simpul.harvesters.fetching import Fetcher, FetchOptions


class SourceBroken(Exception):
    """The source as a whole failed (unreachable, unreadable listing): the pass is incomplete,
    so nothing may be deleted. The message says what failed."""


class NotModified(Exception):  # noqa: N818 (a signal, not an error)
    """A single-document source answered 304 Not Modified: every record is unchanged."""


class RecordProblem(Exception):
    """One remote record cannot become a service (missing identity or name, unreadable)."""


@dataclass
class Item:
    """One remote record. ``original`` is what was fetched, kept so a mapping fix can
    re-transform without fetching again; ``parsed`` is a transient, already-decoded form."""

    key: str
    original: bytes = b""
    media_type: str = "application/json"
    uri: str | None = None
    modified: str | None = None  # the remote's modification stamp (incremental cursors)
    complete: bool = True  # False: ``fetch`` must be called to get the content
    tombstone: bool = False  # the remote says this record was deleted (change feeds)
    parsed: Any = field(default=None, repr=False, compare=False)

    @property
    def original_hash(self) -> str:
        return hashlib.sha256(self.original).hexdigest()


@dataclass
class Transformed:
    """A raw record (still to be checked) and what the mapping could not place."""

    record: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    # The competent authority as the remote names it, when it is not a Simpul organization id.
    authority: dict[str, Any] | None = None
    # An entry of the integration inventory (API gateways) instead of a record of its own.
    inventory: dict[str, Any] | None = None
    # Federation: the record's id and URI at its origin (kept across nodes), and provenance
    # to carry (origin node, version, the chain of nodes it travelled through).
    identity: tuple[str, str] | None = None
    provenance: dict[str, Any] | None = None


class CommonOptions(Schema):
    """Options every source type takes: the share of records that may vanish in one run before
    deletions are held, and the fetch policy (``fetching.FetchPolicy`` fields)."""

    max_delete_share = mf.Float(validate=validate.Range(0, 1))
    fetch = mf.Nested(FetchOptions)


@dataclass(frozen=True)
class SourceSpec:
    """What a harvester is given of its source."""

    id: str
    url: str
    organization: str
    options: dict[str, Any]
    secrets: dict[str, Any]
    state: dict[str, Any]
    node: str = ""  # the harvesting node's id (federation: cycles end here)


class Harvester:
    """Base class of the source types. Subclasses set ``name``, ``Options`` and implement
    ``gather`` and ``transform``; ``fetch`` only when listings do not carry the content."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    incremental: ClassVar[bool] = False  # honours ``since`` in gather
    mapping_version: ClassVar[str] = "1"  # bump when transform changes
    # Large jobs transform in worker processes from the stored original; a type whose fresh
    # items carry a parsed form much cheaper to read than the original transforms here.
    transform_in_worker: ClassVar[bool] = True
    # Change feeds: a later change of a key replaces an earlier one in the same run, and the
    # cursor is the feed's own (opaque) rather than the newest modification time.
    feed: ClassVar[bool] = False

    Options: ClassVar[type[Schema]] = CommonOptions

    def __init__(self, source: SourceSpec, fetcher: Fetcher):
        self.source = source
        self.fetcher = fetcher
        self.options = self.check_options(source.options)
        self.cursor: str | None = None  # newest remote modification seen by this run
        self.skipped: dict[str, int] = {}  # items a type left out on purpose, by reason
        self.validators: dict[str, dict[str, str]] = {}  # url -> ETag/Last-Modified to keep
        self.notes: list[str] = []  # about the source as a whole: one note each per run

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        try:
            return cls.Options().load(options or {})
        except ValidationError as exc:
            raise ValidationFailed.from_messages({"options": exc.messages}) from None

    @classmethod
    def mapping_key(cls, options: dict[str, Any]) -> str:
        """Changes when the mapping or its options change: stored originals then re-transform."""
        digest = hashlib.sha256(orjson.dumps(options, option=orjson.OPT_SORT_KEYS)).hexdigest()
        return f"{cls.name}/{cls.mapping_version}/{digest[:12]}"

    def gather(self, since: str | None) -> Iterator[Item]:
        raise NotImplementedError

    def fetch(self, item: Item) -> Item:
        return item

    def state(self) -> dict[str, Any]:
        """More to keep in the source's state after a run (shown in its status)."""
        return {}

    def organizations(self) -> list[dict[str, Any]]:
        """Organizations the remote's records name, to register here before importing (other
        Simpul nodes); most types name none."""
        return []

    def applications(self) -> list[tuple[str, dict[str, Any]]]:
        """Applications (aplikasi) the remote lists beside its services, as (key, raw record)
        of the source's organization, stored after the services; most types list none."""
        return []

    def transform(self, item: Item) -> Transformed:
        raise NotImplementedError

    def seen_modified(self, stamp: str | None) -> None:
        """Track the newest remote modification (ISO 8601 strings compare as dates)."""
        if stamp and (self.cursor is None or stamp > self.cursor):
            self.cursor = stamp


def named(transformed: Transformed) -> Transformed:
    """A transform's result, or RecordProblem when the record has no name (nothing to import)."""
    if transformed.inventory is None and not transformed.record.get("name"):
        raise RecordProblem("the record has no name (nama layanan)")
    return transformed


def json_original(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def loads_json(item: Item) -> Any:
    if item.parsed is not None:
        return item.parsed
    try:
        return orjson.loads(item.original)
    except orjson.JSONDecodeError as exc:
        raise RecordProblem(f"the stored original is not JSON: {exc}") from None
