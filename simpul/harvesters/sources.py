"""Harvest sources: register, change, remove, report on them and their jobs.

Sources belong to an organization; their credentials (``secrets``) are used when fetching and
never shown. A source has at most one job queued or running at a time; the jobs themselves
(queueing, states, the next run) are ``jobs``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from simpul.errors import Conflict, NotFound, ValidationFailed
from simpul.harvesters import harvester_class, known_types
from simpul.harvesters.credentials import has_mask, redact_source_url, scrub
from simpul.harvesters.fetching import FetchLimits, check_fetch_limits, origin
from simpul.harvesters.jobs import active_job, get_job, schedule_interval, schedule_next
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import HarvestError, HarvestJob, HarvestSource, Organization
from simpul.registry.schemas import SLUG


def _schedule(value: str) -> None:
    try:
        schedule_interval(value)
    except ValueError:
        raise ValidationError(
            "use 'manual' or an ISO 8601 duration of at least 5 minutes (PT30M, PT6H, P1D, P7D)"
        ) from None


def _secrets(value: dict) -> None:
    headers = value.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise ValidationError({"headers": ["expected an object of header names to text values"]})


class SourceSchema(Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(SLUG, error="use 1-100 lowercase letters, digits or '-'"),
    )
    organization = fields.String(required=True, validate=validate.Length(1, 100))
    type = fields.String(required=True)
    url = fields.Url(load_default="", schemes={"http", "https"}, require_tld=False)
    options = fields.Dict(keys=fields.String(), load_default=dict)
    secrets = fields.Dict(
        keys=fields.String(), load_default=dict, load_only=True, validate=_secrets
    )
    schedule = fields.String(load_default="P1D", validate=_schedule)
    priority = fields.Integer(load_default=0, validate=validate.Range(-1000, 1000))
    enabled = fields.Boolean(load_default=True)


SOURCE_SCHEMA = SourceSchema()
SOURCE_UPDATE = SourceSchema(partial=True)


def _load(raw: Any, schema: Schema) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages("expected a JSON object")
    if raw.get("url") in ("", None):  # spreadsheet sources may live on uploads only
        raw = {k: v for k, v in raw.items() if k != "url"}
    try:
        data = schema.load(raw)
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None
    if data.get("url") and has_mask(data["url"]):
        raise ValidationFailed.from_messages(
            {"url": "write the credential instead of ***, or send the URL as it is shown"}
        )
    if "type" in data and data["type"] not in known_types():
        raise ValidationFailed.from_messages(
            {"type": f"unknown source type {data['type']!r}; known: {', '.join(known_types())}"}
        )
    return data


def _options(kind: str, options: dict[str, Any], limits: FetchLimits | None) -> dict[str, Any]:
    checked = harvester_class(kind).check_options(options)
    check_fetch_limits(checked.get("fetch", {}), limits or FetchLimits())
    return checked


def _may_carry_types(options: dict[str, Any], actor: Actor) -> None:
    """A source that brings service types writes the node's national list: an administrator
    or a national coordinator sets it up, as they would write the list themselves."""
    if options.get("types"):
        actor.require_coordinator()


def create_source(
    session: Session, raw: Any, actor: Actor = SYSTEM, limits: FetchLimits | None = None
) -> HarvestSource:
    """Register a source; ``limits`` are the operator's caps on its fetch options."""
    data = _load(raw, SOURCE_SCHEMA)
    actor.require_write(data["organization"])
    if not data["url"] and data["type"] != "spreadsheet":
        raise ValidationFailed.from_messages({"url": "a source of this type needs a URL"})
    if session.get(Organization, data["organization"]) is None:
        raise ValidationFailed.from_messages(
            {"organization": f"unknown organization {data['organization']!r}"}
        )
    if session.get(HarvestSource, data["id"]) is not None:
        raise Conflict(f"there is already a source {data['id']!r}")
    options = _options(data["type"], data["options"], limits)
    _may_carry_types(options, actor)
    now = utcnow()
    row = HarvestSource(
        id=data["id"],
        organization_id=data["organization"],
        type=data["type"],
        url=data["url"],
        options=options,
        secrets=data["secrets"],
        schedule=data["schedule"],
        priority=data["priority"],
        enabled=data["enabled"],
        state={},
        created=now,
        modified=now,
    )
    schedule_next(row)
    session.add(row)
    session.flush()
    return row


class SourceUpdate(NamedTuple):
    row: HarvestSource
    notices: list[str]  # what the caller should be told (secrets dropped)


def update_source(
    session: Session,
    source_id: str,
    raw: Any,
    actor: Actor = SYSTEM,
    limits: FetchLimits | None = None,
) -> SourceUpdate:
    """Change a source. When its URL moves to another origin its secrets are dropped (they
    were given for the old host) unless the same request sets them again."""
    row = get_source(session, source_id)
    actor.require_write(row.organization_id)  # who may write a source may set its secrets
    data = _load(raw, SOURCE_UPDATE)
    if data.get("url") == redact_source_url(row.url):
        del data["url"]  # the URL as shown, sent back: unchanged
    for key in ("id", "organization"):
        if key in data and data[key] != (row.id if key == "id" else row.organization_id):
            raise ValidationFailed.from_messages({key: f"the {key} of a source cannot change"})
    kind = data.get("type", row.type)
    if "options" in data or "type" in data:
        row.options = _options(kind, data.get("options", row.options), limits)
        _may_carry_types(row.options, actor)
    notices = []
    moved = "url" in data and origin(data["url"]) != origin(row.url)
    if moved and row.secrets and "secrets" not in data:
        data["secrets"] = {}
        notices.append(
            f"the URL moved to another host, so its secrets ({', '.join(sorted(row.secrets))}) "
            "were dropped and will not be sent there; set them again in the same request as "
            "the URL if the new host needs them"
        )
    for key in ("type", "url", "secrets", "schedule", "priority", "enabled"):
        if key in data:
            setattr(row, key, data[key])
    if "url" in data or "type" in data:
        row.state = {}  # cursors and validators belong to the old remote
    schedule_next(row)
    row.modified = utcnow()
    return SourceUpdate(row, notices)


def delete_source(session: Session, source_id: str, actor: Actor = SYSTEM) -> None:
    """Remove a source and its jobs; the services it brought stay (their provenance says where
    they came from)."""
    row = get_source(session, source_id)
    actor.require_write(row.organization_id)
    if active_job(session, source_id) is not None:
        raise Conflict(f"source {source_id!r} has a job queued or running; wait for it to end")
    session.delete(row)


def get_source(session: Session, source_id: str) -> HarvestSource:
    row = session.get(HarvestSource, source_id)
    if row is None:
        raise NotFound(f"no harvest source {source_id!r}")
    return row


def list_sources(
    session: Session, organization: str | None = None, page: int = 1, size: int = 50
) -> tuple[int, list[HarvestSource]]:
    query = select(HarvestSource)
    if organization:
        query = query.where(HarvestSource.organization_id == organization)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(HarvestSource.id).offset((page - 1) * size).limit(size))
    return total, list(rows)


def list_jobs(session: Session, source_id: str, limit: int = 20) -> list[HarvestJob]:
    query = (
        select(HarvestJob)
        .where(HarvestJob.source_id == source_id)
        .order_by(HarvestJob.created.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def job_errors(
    session: Session, job_id: str, offset: int = 0, limit: int = 100
) -> tuple[int, list[HarvestError]]:
    query = select(HarvestError).where(HarvestError.job_id == job_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(HarvestError.id).offset(offset).limit(limit))
    return total, list(rows)


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None


def source_to_dict(row: HarvestSource, last_job: HarvestJob | None = None) -> dict[str, Any]:
    """A source as the API shows it: never its secrets, only which ones are set."""
    out = {
        "id": row.id,
        "organization": row.organization_id,
        "type": row.type,
        "url": redact_source_url(row.url),
        "options": row.options,
        "secrets": sorted(row.secrets),
        "schedule": row.schedule,
        "priority": row.priority,
        "enabled": row.enabled,
        "next_run_at": _iso(row.next_run_at),
        "cursor": row.state.get("cursor"),
        "last_full_at": row.state.get("last_full_at"),
        "created": _iso(row.created),
        "modified": _iso(row.modified),
    }
    if last_job is not None:
        out["last_job"] = job_to_dict(last_job)
    return out


def job_to_dict(row: HarvestJob) -> dict[str, Any]:
    return {
        "id": row.id,
        "source": row.source_id,
        "status": row.status,
        "mode": row.mode,
        "created": _iso(row.created),
        "started": _iso(row.started),
        "finished": _iso(row.finished),
        "counts": row.counts,
        "gaps": row.gaps,
        "message": row.message,
        "held_deletions": {"status": row.held_status, "services": row.held or []}
        if row.held_status
        else None,
    }


def error_to_dict(row: HarvestError) -> dict[str, Any]:
    return {"key": row.key, "stage": row.stage, "message": row.message}


def federation_status(session: Session) -> list[dict[str, Any]]:
    """Per child node (sources of type ``simpul``): its URL and identity, the cursor reached,
    how many changes behind it was at the last run, the last job and the last error."""
    rows = session.scalars(
        select(HarvestSource).where(HarvestSource.type == "simpul").order_by(HarvestSource.id)
    ).all()
    out = []
    for row in rows:
        last = get_job(session, row.last_job_id) if row.last_job_id else None
        state = row.state or {}
        out.append(
            {
                "source": row.id,
                "url": redact_source_url(row.url),
                "organization": row.organization_id,
                "node": state.get("remote"),
                "cursor": state.get("cursor"),
                "lag": state.get("lag"),
                "last_success": state.get("last_success"),
                "last_error": _scrubbed_error(state.get("last_error"), row.url),
                "last_job": job_to_dict(last) if last else None,
                "enabled": row.enabled,
                "next_run_at": _iso(row.next_run_at),
            }
        )
    return out


def _scrubbed_error(error: dict[str, Any] | None, url: str) -> dict[str, Any] | None:
    if not error:
        return error
    return {**error, "message": scrub(error.get("message"), url)}
