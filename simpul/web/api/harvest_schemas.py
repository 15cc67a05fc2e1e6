"""What the harvest API answers, as OpenAPI schemas (the routes build the bodies with
``sources.source_to_dict`` and ``sources.job_to_dict``)."""

from __future__ import annotations

from marshmallow import Schema, fields


class HeldDeletions(Schema):
    status = fields.String(required=True, metadata={"description": "held, applied, discarded"})
    services = fields.List(fields.String(), required=True)


class JobOut(Schema):
    id = fields.String(required=True)
    source = fields.String(required=True)
    status = fields.String(required=True)
    mode = fields.String(required=True)
    created = fields.DateTime(required=True)
    started = fields.DateTime(required=True, allow_none=True)
    finished = fields.DateTime(required=True, allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
    gaps = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        allow_none=True,
        metadata={"description": "missing field -> number of records lacking it"},
    )
    message = fields.String(allow_none=True)
    held_deletions = fields.Nested(HeldDeletions, allow_none=True)


class JobError(Schema):
    key = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)
    message = fields.String(allow_none=True)


class JobErrors(Schema):
    total = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    items = fields.List(fields.Nested(JobError), required=True)


class JobReport(JobOut):
    errors = fields.Nested(JobErrors, required=True)


class JobList(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(JobOut), required=True)


class SourceOut(Schema):
    id = fields.String(required=True)
    organization = fields.String(required=True)
    type = fields.String(required=True)
    url = fields.String(allow_none=True)
    options = fields.Dict(required=True)
    secrets = fields.List(
        fields.String(), required=True, metadata={"description": "names of the secrets set"}
    )
    schedule = fields.String(allow_none=True)
    priority = fields.Integer(required=True)
    enabled = fields.Boolean(required=True)
    next_run_at = fields.DateTime(allow_none=True)
    cursor = fields.Raw(allow_none=True)
    last_full_at = fields.Raw(allow_none=True)
    created = fields.DateTime(required=True)
    modified = fields.DateTime(required=True)
    last_job = fields.Nested(JobOut)


class SourcePage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(SourceOut), required=True)


class Upload(Schema):
    name = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)


class UploadOut(Schema):
    upload = fields.Nested(Upload, required=True)
    job = fields.Nested(JobOut, required=True)
