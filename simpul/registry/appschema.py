"""The publish format of an application (aplikasi): the software behind e-services, owned by
one organization, linked to the services it delivers."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from simpul.reference import codelists
from simpul.registry.schemas import (
    IDENTIFIER,
    SLUG,
    Code,
    LangText,
    List,
    Nested,
    String,
    Url,
    _codes,
    _keywords,
)

# The server's fields in a record as returned; dropped from what is sent back.
APP_SERVER_FIELDS = frozenset(
    {
        *("id", "uri", "version", "created", "modified", "provenance", "deleted", "deleted_at"),
        *("links", "quality"),  # quality: worked out on read (registry.gatewaycheck)
    }
)
MAX_SERVICES = 500
MAX_GATEWAY_APIS = 200


class UnitSchema(Schema):
    """An operating or developing unit: a registered organization, or a name as the agency
    writes it (a vendor, a unit not registered here)."""

    organization = String(validate=validate.Regexp(SLUG, error="not an organization id"))
    name = String(prose=True, validate=validate.Length(1, 300))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give the unit's organization id or its name")


class InterfaceSchema(Schema):
    type = Code(codelists.INTERFACE_TYPES, "interface type", required=True)
    url = Url()  # the endpoint
    openapi = Url()  # the OpenAPI (or WSDL) document
    authentication = Code(codelists.API_AUTHENTICATION, "authentication")

    @validates_schema
    def _none_is_bare(self, data, **kwargs):
        if data.get("type") == "none" and len(data) > 1:
            raise ValidationError("an interface of type 'none' has nothing else", "type")


class SplpSchema(Schema):
    """The application's place on SPLP, the government service bus: its status and the ids of
    its APIs on the gateway (``integration_apis.key`` of an API-gateway source)."""

    status = Code(codelists.SPLP_STATUSES, "SPLP status", required=True)
    apis = List(
        String(validate=validate.Length(1, 200)),
        validate=validate.Length(max=MAX_GATEWAY_APIS),
    )

    @validates_schema
    def _apis_need_splp(self, data, **kwargs):
        if data.get("status") == "belum" and data.get("apis"):
            raise ValidationError("an application not on SPLP (belum) has no gateway APIs", "apis")


class PastDate(fields.Date):
    def _deserialize(self, value, attr, data, **kwargs) -> str:
        day = super()._deserialize(value, attr, data, **kwargs)
        if day > date.today():
            raise ValidationError("a date in the future")
        return day.isoformat()


class SecuritySchema(Schema):
    level = Code(codelists.SECURITY_LEVELS, "security level")
    last_audit = PastDate()

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give the security level or the date of the last audit")


class DocumentSchema(Schema):
    title = String(required=True, prose=True, validate=validate.Length(1, 500))
    url = Url(required=True)


class ApplicationSchema(Schema):
    """An application as its owner publishes it."""

    identifier = String(
        required=True,
        validate=validate.Regexp(
            IDENTIFIER,
            error="use 1-200 letters, digits, '.', '_' or '-', starting with a letter or digit",
        ),
    )
    organization = String(validate=validate.Length(1, 100))  # the owner
    name = LangText(required=True, max_length=300)
    short_name = String(prose=True, validate=validate.Length(1, 100))
    description = LangText(max_length=20000)
    keywords = _keywords()
    sectors = _codes(codelists.SECTORS, "sector")
    url = Url()  # the web address
    store_urls = List(Url(), validate=validate.Length(max=10))  # app store pages
    documentation_url = Url()
    kind = Code(codelists.APPLICATION_KINDS, "application kind")
    category = Code(codelists.APPLICATION_CATEGORIES, "application category")
    lifecycle = Code(codelists.APPLICATION_LIFECYCLES, "lifecycle stage")
    operator = Nested(UnitSchema)  # unit pengelola
    developer = Nested(UnitSchema)  # unit pengembang
    hosting = Code(codelists.HOSTING, "hosting")
    # The owner's services the application delivers: their ids, or their identifiers (stored
    # as ids once resolved).
    services = List(
        String(validate=validate.Length(1, 200)), validate=validate.Length(max=MAX_SERVICES)
    )
    interfaces = List(Nested(InterfaceSchema), validate=validate.Length(max=20))
    splp = Nested(SplpSchema)
    security = Nested(SecuritySchema)
    documents = List(Nested(DocumentSchema), validate=validate.Length(max=50))

    @validates_schema
    def _interfaces(self, data, **kwargs):
        kinds = [i["type"] for i in data.get("interfaces", [])]
        if "none" in kinds and len(kinds) > 1:
            raise ValidationError("'none' cannot stand beside other interfaces", "interfaces")

    @post_load
    def _clean(self, data, **kwargs):
        for key in ("sectors", "keywords", "services", "store_urls"):
            if key in data:
                data[key] = list(dict.fromkeys(data[key]))
        if "splp" in data and "apis" in data["splp"]:
            data["splp"]["apis"] = list(dict.fromkeys(data["splp"]["apis"]))
        return {k: v for k, v in data.items() if v != [] and v != {}}


APPLICATION_SCHEMA = ApplicationSchema()
# Fields whose values repeat across an agency's applications: their checked form is kept, so a
# bulk load checks each distinct value once (the record is checked field by field, below).
REPEATING = frozenset(
    {"kind", "category", "lifecycle", "hosting", "operator", "developer", "interfaces"}
    | {"security", "sectors", "documents", "organization", "splp_status"}
)
CACHE_SIZE = 4096
_SPLP_STATUS = Nested(SplpSchema)
_checked: dict[tuple[str, bytes], Any] = {}


def load_application(raw: dict[str, Any]) -> dict[str, Any]:
    """``APPLICATION_SCHEMA.load(raw)``, the same checks and messages, several times faster on
    bulk loads: fields are checked one by one, and a repeating value once."""
    schema, data, errors = APPLICATION_SCHEMA, {}, {}
    for name, value in raw.items():
        field = schema.fields.get(name)
        if field is None:
            errors[name] = ["Unknown field."]
            continue
        try:
            data[name] = _field(name, field, value)
        except ValidationError as exc:
            errors[name] = exc.messages
    for name in ("identifier", "name"):
        if name not in raw:
            errors[name] = ["Missing data for required field."]
    if errors:
        raise ValidationError(errors)
    try:
        schema._interfaces(data)
    except ValidationError as exc:
        raise ValidationError({exc.field_name: exc.messages}) from None
    return schema._clean(data)


def _splp(value: dict[str, Any]) -> dict[str, Any]:
    """The SPLP block: its status checked once per distinct status, its gateway ids each time."""
    status = {k: v for k, v in value.items() if k == "status"}
    out = dict(_field("splp_status", _SPLP_STATUS, status))
    if "apis" in value:
        try:
            out["apis"] = SplpSchema._declared_fields["apis"].deserialize(value["apis"])
        except ValidationError as exc:
            raise ValidationError({"apis": exc.messages}) from None
    try:
        SplpSchema._apis_need_splp(None, out)
    except ValidationError as exc:
        raise ValidationError({exc.field_name: exc.messages}) from None
    return out


def _field(name: str, field: fields.Field, value: Any) -> Any:
    if name == "splp" and isinstance(value, dict) and set(value) <= {"status", "apis"}:
        return _splp(value)
    if name not in REPEATING:
        return field.deserialize(value)
    key = (name, orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    found = _checked.get(key)
    if found is None:
        found = field.deserialize(value)
        if len(_checked) >= CACHE_SIZE:
            _checked.clear()
        _checked[key] = found
    return orjson.loads(orjson.dumps(found)) if isinstance(found, dict | list) else found
