"""What the API's routes over versioned records share (services, applications, types): the
caller's write in one transaction, ETags on reads (``If-None-Match``: 304) and on writes (with
``Location``), history lists, and the schemas of tombstones and versions. The 412 and 410
answers come from the core (``registry.records``) as problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request
from marshmallow import Schema, fields

from simpul.registry.auth import Actor, authenticate
from simpul.web.api.common import if_match
from simpul.web.http import json_response, registry

GONE = "Deleted: the problem carries the tombstone"
CHANGED = "The record changed since the ETag sent in If-Match"
IF_MATCH = [{"in": "header", "name": "If-Match", "schema": {"type": "string"}}]
IF_NONE_MATCH = [{"in": "header", "name": "If-None-Match", "schema": {"type": "string"}}]


class TombstoneSchema(Schema):
    id = fields.String(required=True)
    uri = fields.String(required=True)
    identifier = fields.String(required=True)
    authority = fields.String(required=True)
    level = fields.String(required=True)
    version = fields.Integer(required=True)
    deleted = fields.Boolean(required=True)
    deleted_at = fields.DateTime(required=True)
    modified = fields.DateTime(required=True)


class VersionSchema(Schema):
    version = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"description": "created, updated, deleted"})
    actor = fields.String(allow_none=True)
    at = fields.DateTime(required=True)
    content_hash = fields.String(allow_none=True)


class VersionContent(VersionSchema):
    data = fields.Dict(required=True, metadata={"description": "the record as published then"})


class VersionList(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(VersionSchema), required=True)


def as_caller(work: Callable[[Any, Actor, dict[str, Any]], Any]) -> Any:
    """Run ``work(session, actor, provenance)`` as the request's token, in one transaction
    (run again when a concurrent write got there first)."""
    reg = registry()
    header = request.headers.get("Authorization")

    def run(session):
        actor = authenticate(session, header)
        return work(session, actor, reg.provenance(actor, "api"))

    return reg.db.write(run)


def not_modified(tag: str) -> bool:
    """The request's ``If-None-Match`` names ``tag``."""
    return tag in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}


def conditional(tag: str, body: Callable[[], Any]) -> Response:
    """A read with its ETag: 304 without a body when ``If-None-Match`` names it."""
    if not_modified(tag):
        return json_response(None, 304, {"ETag": tag})
    return json_response(body(), 200, {"ETag": tag})


def written(body: Any, tag: str, location: str, status: int) -> Response:
    """A write's answer: the record, its new ETag and where it lives."""
    return json_response(body, status, {"ETag": tag, "Location": location})


def history(items: list[dict[str, Any]]) -> Response:
    return json_response({"total": len(items), "items": items})


def delete(retire: Callable, tombstone: Callable, record_id: str) -> Response:
    """``DELETE``: ``retire(session, id, actor, if_match=...)`` as the caller, answering the
    tombstone left behind."""
    expected = if_match()

    def work(session, actor, provenance):
        return tombstone(retire(session, record_id, actor, if_match=expected))

    return json_response(as_caller(work), 200)


def version_list(versions: Callable, shape: Callable, record_id: str) -> Response:
    """Every version of a record, oldest first: ``{"total", "items"}``."""
    with registry().db.session() as session:
        return history([shape(row) for row in versions(session, record_id)])


def one_version(version: Callable, record_id: str, number: int) -> Response:
    with registry().db.session() as session:
        return json_response(version(session, record_id, number))
