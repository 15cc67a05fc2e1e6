"""GET /api/v1/types/{id}/comparison: how the instances of a national service type differ
(``registry.comparison``), narrowed to an area."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from simpul.registry import comparison
from simpul.web.api.common import Blueprint
from simpul.web.http import json_response, registry

blp = Blueprint(
    "typecompare",
    __name__,
    url_prefix="/api/v1",
    description="Comparison of the instances of a service type",
)
Text = fields.Dict(keys=fields.String(), values=fields.String())


class ComparisonArgs(Schema):
    area = fields.String(
        validate=validate.Length(max=20),
        metadata={
            "description": "Kemendagri code (the nation down to a village): instances whose "
            "areas, or whose authority's area, lie inside it"
        },
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    size = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "instances listed per page"},
    )


class RecordRef(Schema):
    id = fields.String(required=True)
    uri = fields.String(required=True)
    identifier = fields.String(required=True)
    name = Text
    authority = fields.String(required=True)
    organization = Text


class Valued(RecordRef):
    value = fields.Float(required=True)


class Outlier(Valued):
    side = fields.String(required=True, validate=validate.OneOf(["low", "high"]))


class Fences(Schema):
    low = fields.Float(required=True)
    high = fields.Float(required=True)


class Spread(Schema):
    """Absent but ``count`` when no instance has a value."""

    count = fields.Integer(required=True)
    min = fields.Float()
    q1 = fields.Float()
    median = fields.Float()
    q3 = fields.Float()
    max = fields.Float()
    mean = fields.Float()
    fences = fields.Nested(Fences, metadata={"description": "Q1 - 1.5 IQR and Q3 + 1.5 IQR"})
    whiskers = fields.Nested(Fences, metadata={"description": "the extremes within the fences"})
    lowest = fields.Nested(Valued)
    highest = fields.Nested(Valued)
    outliers_total = fields.Integer()
    outliers = fields.List(
        fields.Nested(Outlier),
        metadata={"description": f"farthest from the median first; at most {comparison.LISTED}"},
    )


class TimeSpread(Spread):
    unit = fields.String(required=True, metadata={"description": "days (a month is 30)"})
    known = fields.Integer(required=True)
    unknown = fields.Integer(required=True)


class CostSpread(Spread):
    currency = fields.String(required=True)
    known = fields.Integer(required=True)
    unknown = fields.Integer(required=True)
    free = fields.Integer(required=True)
    paid = fields.Integer(required=True)


class CommonRequirement(Schema):
    text = fields.String(required=True)
    count = fields.Integer(required=True)
    share = fields.Float(required=True)
    most = fields.Boolean(required=True, metadata={"description": "asked by more than half"})


class SingleRequirement(Schema):
    text = fields.String(required=True)
    asked_by = fields.Nested(RecordRef, required=True)


class Requirements(Schema):
    instances = fields.Integer(required=True, metadata={"description": "asking any"})
    distinct = fields.Integer(required=True)
    common = fields.List(fields.Nested(CommonRequirement), required=True)
    single_total = fields.Integer(required=True)
    single = fields.List(fields.Nested(SingleRequirement), required=True)


class Online(Schema):
    online = fields.Integer(required=True)
    offline = fields.Integer(required=True)
    share = fields.Float(required=True, allow_none=True)
    channels = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class Bucket(Schema):
    components = fields.Integer(required=True)
    count = fields.Integer(required=True)


class Component(Schema):
    component = fields.String(required=True)
    name = fields.String(required=True)
    present = fields.Integer(required=True)


class Completeness(Schema):
    of = fields.Integer(required=True)
    mean = fields.Float(required=True, allow_none=True)
    mean_share = fields.Float(required=True, allow_none=True)
    histogram = fields.List(fields.Nested(Bucket), required=True)
    components = fields.List(fields.Nested(Component), required=True)


class Inheritance(Schema):
    component = fields.String(required=True)
    type_default = fields.Boolean(required=True)
    own = fields.Integer(required=True)
    inherited = fields.Integer(required=True)
    missing = fields.Integer(required=True)


class InstanceOut(RecordRef):
    area = fields.String(allow_none=True)
    processing_time = fields.String(allow_none=True)
    days = fields.Float(allow_none=True)
    cost = fields.Float(allow_none=True)
    online = fields.Boolean(required=True)
    completeness = fields.Integer(required=True)
    integration = fields.String(required=True)
    inherited = fields.List(fields.String(), required=True)


class InstancePage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)
    items = fields.List(fields.Nested(InstanceOut), required=True)


class TypeRef(Schema):
    id = fields.String(required=True)
    uri = fields.String(required=True)
    name = Text
    status = fields.String(required=True)


class AreaRef(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    path = fields.String(required=True)


class ComparisonOut(Schema):
    type = fields.Nested(TypeRef, required=True)
    area = fields.Nested(AreaRef, required=True, allow_none=True)
    count = fields.Integer(required=True)
    processing_time = fields.Nested(TimeSpread, required=True)
    cost = fields.Nested(CostSpread, required=True)
    requirements = fields.Nested(Requirements, required=True)
    online = fields.Nested(Online, required=True)
    completeness = fields.Nested(Completeness, required=True)
    integration = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    inheritance = fields.List(fields.Nested(Inheritance), required=True)
    instances = fields.Nested(InstancePage, required=True)


@blp.route("/types/<type_id>/comparison")
@blp.arguments(ComparisonArgs, location="query")
@blp.response(200, ComparisonOut, description="How the type's live instances differ")
def type_comparison(args, type_id):
    """Compare the live instances of a type over their effective records: processing time and
    cost (spread, quartiles, outliers by the IQR rule), requirements (most asked, asked by one
    only), online channels, completeness, integration status, and what they leave to the type.
    ``area`` narrows to the instances inside a Kemendagri area. Retired types compare too."""
    with registry().db.session() as session:
        body = comparison.compare(session, type_id, **args)
    return json_response(body)
