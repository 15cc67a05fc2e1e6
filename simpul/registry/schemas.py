"""The publish format of a service record and of an organization (see DESIGN.md), as marshmallow
schemas. Loading a schema is the one place where input is checked; everything stored passed here.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from simpul.reference import codelists
from simpul.reference.areas import LEVEL_DEPTHS, NATIONAL, depth, load_areas

LANG = re.compile(r"^[a-z]{2,3}$")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{1,29}$")
# ISO 8601 duration: PnYnMnWnDTnHnMnS, at least one component, T only with a time part.
DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?)+$|^\[?[0-9a-f:.]+\]?$", re.I)
UNSAFE = re.compile(r"[\s\x00-\x1f\x7f<>\"\\^`{|}]")
# Zero-width and bidirectional controls: invisible, they make two ids that look alike differ and
# reorder what a reader sees (U+202E). Refused in ids, codes and URLs; stripped from prose.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# A service name is kept whole up to this many characters (real inventories have names that
# run to a sentence or two); ``quality`` flags names longer than quality.NAME_LONG.
NAME_MAX = 2000
SERVER_FIELDS = frozenset(
    {
        "id",
        "uri",
        "level",
        "version",
        "modified",
        "created",
        "provenance",
        "quality",
        "deleted",
        "deleted_at",
        "type_link",
        "inherited",
        "kind",
        "review",
    }
)
# The six citizen-facing components a service type gives defaults for.
TYPE_COMPONENTS = ("requirements", "procedure", "processing_time", "cost", "outputs", "complaints")


class _FastValidate:
    """marshmallow combines a field's validators into a new ``And`` on every call; with 80-odd
    fields per record that is a third of the checking time of a bulk load. Same checks, direct."""

    def _validate(self, value) -> None:
        for validator in self.validators:
            if validator(value) is False:
                raise self.make_error("validator_failed")


def strip_invisible(text: str) -> str:
    """Prose without zero-width and bidirectional control characters."""
    return INVISIBLE.sub("", text) if INVISIBLE.search(text) else text


def refuse_invisible(text: str) -> None:
    """An id, code or URL holding a zero-width or bidirectional control character is refused."""
    found = INVISIBLE.search(text)
    if found:
        raise ValidationError(
            f"contains the invisible or direction-changing character U+{ord(found.group()):04X}; "
            "remove it"
        )


class String(_FastValidate, fields.String):
    """Text without NUL. By default an id or code: invisible characters are refused; with
    ``prose=True`` (free text) they are stripped."""

    def __init__(self, *args, prose: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.prose = prose

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("contains a NUL character")
        if self.prose:
            return strip_invisible(text)
        refuse_invisible(text)
        return text


class Integer(_FastValidate, fields.Integer):
    pass


class Float(_FastValidate, fields.Float):
    pass


class Boolean(_FastValidate, fields.Boolean):
    pass


class Email(_FastValidate, fields.Email):
    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        refuse_invisible(text)
        return text


class List(_FastValidate, fields.List):
    """A list whose items are checked by their field directly (same checks, a third faster)."""

    def _deserialize(self, value, attr, data, **kwargs) -> list:
        if not isinstance(value, list | tuple):
            raise self.make_error("invalid")
        inner = self.inner
        if isinstance(inner, fields.Nested):
            return super()._deserialize(value, attr, data, **kwargs)
        result, errors = [], {}
        for index, item in enumerate(value):
            try:
                loaded = inner._deserialize(item, attr, data, **kwargs)
                inner._validate(loaded)
                result.append(loaded)
            except ValidationError as error:
                errors[index] = error.messages
        if errors:
            raise ValidationError(errors, valid_data=result)
        return result


class Nested(_FastValidate, fields.Nested):
    pass


class LangText(_FastValidate, fields.Field):
    """A language map such as ``{"id": "Akta Kelahiran", "en": "Birth Certificate"}``: keys
    are ISO 639 language codes, at least one text is given.

    A record's texts may lack Indonesian (an inventory takes records as they exist; the record's
    ``quality`` names the gap). ``require_id`` keeps Indonesian required (organization names)."""

    def __init__(self, *, max_length: int = 2000, require_id: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.require_id = require_id

    def _deserialize(self, value, attr, data, **kwargs) -> dict[str, str]:
        if isinstance(value, str):
            raise ValidationError(
                'expected a language map such as {"id": "teks", "en": "text"}, got a plain string'
            )
        if not isinstance(value, dict):
            raise ValidationError(f"expected a language map, got {type(value).__name__}")
        out: dict[str, str] = {}
        for lang, text in value.items():
            if not isinstance(lang, str) or not LANG.match(lang):
                raise ValidationError(f"{lang!r} is not a language code (use 'id', 'en', ...)")
            if not isinstance(text, str):
                raise ValidationError(f"{lang}: expected text, got {type(text).__name__}")
            text = strip_invisible(text).strip()
            if not text:
                raise ValidationError(f"{lang}: text is empty")
            if "\x00" in text:
                raise ValidationError(f"{lang}: contains a NUL character")
            if len(text) > self.max_length:
                raise ValidationError(f"{lang}: longer than {self.max_length} characters")
            out[lang] = text
        if self.require_id and "id" not in out:
            raise ValidationError("an Indonesian text ('id') is required")
        if not out:
            raise ValidationError('give the text in at least one language, e.g. {"id": "teks"}')
        return out

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Code(String):
    """A code from one of the code lists; unknown codes name the nearest valid one."""

    def __init__(self, codes: MappingProxyType, what: str, **kwargs):
        super().__init__(**kwargs)
        self.codes = codes
        self.what = what

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text not in self.codes:
            raise ValidationError(codelists.unknown_code_message(text, self.codes, self.what))
        return text


class AreaCode(String):
    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = load_areas().check(text)
        if problem:
            raise ValidationError(problem)
        return text


class Url(String):
    """An absolute http(s) URL. Checked by parsing it, which is stricter about hosts and ports
    than marshmallow's URL pattern and costs half as much."""

    def __init__(self, *, max_length: int = 2000, **kwargs):
        kwargs.setdefault("metadata", {})["format"] = "uri"
        super().__init__(validate=validate.Length(max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ValidationError("Not a valid URL.") from None
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or not HOST.match(parts.hostname)
            or UNSAFE.search(text)
        ):
            raise ValidationError("Not a valid URL: use an absolute http:// or https:// address.")
        return text


_ANY_URL = Url()


def safe_url(value: Any) -> str | None:
    """``value`` when it is a URL the schemas accept (absolute http/https), else None: for URLs
    a remote gives outside a record (provenance) that pages link to."""
    try:
        return _ANY_URL.deserialize(value) if isinstance(value, str) else None
    except ValidationError:
        return None


def _codes(codes: MappingProxyType, what: str, **kwargs) -> fields.List:
    return List(Code(codes, what), validate=validate.Length(max=len(codes)), **kwargs)


def _texts(max_items: int = 200, **kwargs) -> fields.List:
    return List(LangText(), validate=validate.Length(max=max_items), **kwargs)


def _keywords() -> fields.List:
    return List(
        String(prose=True, validate=validate.Length(1, 100)), validate=validate.Length(max=50)
    )


def _duration() -> fields.String:
    return String(
        validate=validate.Regexp(
            DURATION, error="not an ISO 8601 duration (examples: P1D, PT2H, P14D, P1M)"
        )
    )


def _dedupe(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if key in data:
            data[key] = list(dict.fromkeys(data[key]))
    return data


class ChannelSchema(Schema):
    """A channel as the agency has it: an online channel without its URL or a telephone
    channel without its number is kept, and ``quality`` names the gap."""

    type = Code(codelists.CHANNEL_TYPES, "channel type", required=True)
    url = Url()
    name = LangText(max_length=300)
    description = LangText()
    address = String(prose=True, validate=validate.Length(1, 1000))
    phone = String(validate=validate.Regexp(PHONE, error="not a telephone number"))
    email = Email()
    hours = LangText(max_length=500)
    splp = Boolean()

    @validates_schema
    def _splp(self, data, **kwargs):
        if data.get("splp") and data.get("type") != "api":
            raise ValidationError("only channels of type 'api' travel over SPLP", "splp")


class CostSchema(Schema):
    amount = Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1e15))
    currency = String(load_default="IDR", validate=validate.Regexp(r"^[A-Z]{3}$"))
    description = LangText()

    @post_load
    def _whole(self, data, **kwargs):
        if float(data["amount"]).is_integer():
            data["amount"] = int(data["amount"])
        return data


class ComplaintsSchema(Schema):
    id = String(prose=True, validate=validate.Length(1, 2000))
    en = String(prose=True, validate=validate.Length(1, 2000))
    url = Url()
    email = Email()
    phone = String(validate=validate.Regexp(PHONE, error="not a telephone number"))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give a complaint channel: text ('id'), url, email or phone")
        if "en" in data and "id" not in data:
            raise ValidationError("an Indonesian text ('id') is required with 'en'", "id")


class LegalBasisSchema(Schema):
    title = String(required=True, prose=True, validate=validate.Length(1, 500))
    identifier = String(validate=validate.Length(1, 300))
    url = Url()
    # the citation could not be checked against the official text (JDIH) yet
    unverified = Boolean()


class ManagementSchema(Schema):
    """The seven management components (komponen pengelolaan) of PermenPANRB 15/2014."""

    facilities = LangText()  # sarana, prasarana dan/atau fasilitas
    staff_competence = LangText()  # kompetensi pelaksana
    internal_supervision = LangText()  # pengawasan internal
    staff_count = Integer(validate=validate.Range(min=0, max=1_000_000))  # jumlah pelaksana
    service_guarantee = LangText()  # jaminan pelayanan
    safety_guarantee = LangText()  # jaminan keamanan dan keselamatan
    performance_evaluation = LangText()  # evaluasi kinerja pelaksana


class IntegrationSchema(Schema):
    status = Code(codelists.INTEGRATION_STATUSES, "integration status", load_default="inventoried")
    splp_api = String(allow_none=True, validate=validate.Length(1, 500))
    note = LangText()


class ContactSchema(Schema):
    email = Email()
    phone = String(validate=validate.Regexp(PHONE, error="not a telephone number"))
    url = Url()
    hours = LangText(max_length=500)


class OriginalAuthoritySchema(Schema):
    """The competent authority as a harvested source names it, when it is not an organization
    registered here (the source's organization then holds the record)."""

    id = String(validate=validate.Length(1, 200))
    name = LangText(required=True, max_length=300)
    uri = Url()


class ServiceSchema(Schema):
    """A service record as agencies publish it."""

    identifier = String(
        required=True,
        validate=validate.Regexp(
            IDENTIFIER,
            error="use 1-200 letters, digits, '.', '_' or '-', starting with a letter or digit",
        ),
    )
    authority = String(validate=validate.Length(1, 100))
    original_authority = Nested(OriginalAuthoritySchema)
    name = LangText(required=True, max_length=NAME_MAX)
    description = LangText(max_length=20000)
    keywords = _keywords()
    sectors = _codes(codelists.SECTORS, "sector")
    audiences = _codes(codelists.AUDIENCES, "audience")
    life_events = _codes(codelists.LIFE_EVENTS, "life event")
    areas = List(AreaCode(), validate=validate.Length(1, 2000))
    channels = List(Nested(ChannelSchema), validate=validate.Length(max=50))
    requirements = _texts()  # persyaratan
    procedure = _texts()  # prosedur
    processing_time = _duration()  # jangka waktu, ISO 8601
    cost = Nested(CostSchema)  # biaya; free is an explicit 0
    outputs = _texts()  # produk pelayanan
    complaints = Nested(ComplaintsSchema)  # penanganan pengaduan
    legal_basis = List(Nested(LegalBasisSchema), validate=validate.Length(max=100))
    management = Nested(ManagementSchema)
    integration = Nested(IntegrationSchema)
    contact = Nested(ContactSchema)
    homepage = Url()
    languages = List(
        String(validate=validate.Regexp(LANG, error="not a language code")),
        load_default=lambda: ["id"],
        validate=validate.Length(1, 20),
    )
    status = Code(codelists.SERVICE_STATUSES, "status", load_default="active")
    # The national service type: its id or its URI (``.../types/{id}``); checked against the
    # node's list by ``registry.types`` (this schema knows no database).
    type = String(validate=validate.Length(1, 500))
    # Types the agency said its record is not (automatic matching never links them again).
    type_rejected = List(String(validate=validate.Regexp(SLUG)), validate=validate.Length(max=50))

    @post_load
    def _clean(self, data, **kwargs):
        """Duplicates go; an empty list or map means the same as leaving the field out."""
        data = _dedupe(
            data,
            "sectors",
            "audiences",
            "life_events",
            "areas",
            "keywords",
            "languages",
            "type_rejected",
        )
        return {k: v for k, v in data.items() if v != [] and v != {}}


class OrganizationSchema(Schema):
    id = String(
        required=True,
        validate=validate.Regexp(
            SLUG, error="use 1-100 lowercase letters, digits or '-', e.g. 'dinkes-kota-gorontalo'"
        ),
    )
    name = LangText(required=True, max_length=300, require_id=True)
    level = Code(codelists.LEVELS, "level", required=True)
    area = AreaCode(allow_none=True)
    parent = String(allow_none=True, validate=validate.Length(1, 100))
    homepage = Url(allow_none=True, max_length=500)  # the columns' width
    uri = Url(allow_none=True, max_length=500)

    @validates_schema
    def _area_fits_level(self, data, **kwargs):
        level, area = data.get("level"), data.get("area")
        if level == "pusat":
            if area not in (None, NATIONAL):
                raise ValidationError(
                    "a central (pusat) organization has area '00' or none", "area"
                )
            return
        if level and not area:
            raise ValidationError(f"a {level} organization needs its Kemendagri area code", "area")
        if level and area and depth(area) != LEVEL_DEPTHS[level]:
            raise ValidationError(
                f"area {area!r} is not a {level} area (a {level} code has "
                f"{LEVEL_DEPTHS[level]} dotted part(s))",
                "area",
            )


class TypeDefaultsSchema(Schema):
    """Default texts of a type's citizen-facing components, in the service record's own form."""

    requirements = _texts()
    procedure = _texts()
    processing_time = _duration()
    cost = Nested(CostSchema)
    outputs = _texts()
    complaints = Nested(ComplaintsSchema)


def _names() -> fields.List:
    return List(
        String(prose=True, validate=validate.Length(1, 300)), validate=validate.Length(max=50)
    )


class AltNamesSchema(Schema):
    id = _names()
    en = _names()


class ServiceTypeSchema(Schema):
    """A national service type (jenis layanan) as the coordinator publishes it."""

    id = String(
        required=True,
        validate=validate.Regexp(
            SLUG, error="use 1-100 lowercase letters, digits or '-', e.g. 'akta-kelahiran'"
        ),
    )
    name = LangText(required=True, max_length=300)
    alt_names = Nested(AltNamesSchema)
    description = LangText(max_length=20000)
    keywords = _keywords()
    kind = Code(codelists.TYPE_KINDS, "kind", required=True)
    sectors = _codes(codelists.SECTORS, "sector")
    life_events = _codes(codelists.LIFE_EVENTS, "life event")
    audiences = _codes(codelists.AUDIENCES, "audience")
    applies_to = List(
        Code(codelists.LEVELS, "level"), required=True, validate=validate.Length(1, 5)
    )
    mandatory_at = _codes(codelists.LEVELS, "level")
    legal_basis = List(Nested(LegalBasisSchema), validate=validate.Length(max=100))
    defaults = Nested(TypeDefaultsSchema)
    note = String(prose=True, validate=validate.Length(1, 2000))
    superseded_by = String(validate=validate.Regexp(SLUG))

    @validates_schema
    def _coherent(self, data, **kwargs):
        outside = set(data.get("mandatory_at", ())) - set(data.get("applies_to", ()))
        if outside:
            raise ValidationError(
                f"mandatory at {sorted(outside)} where the type does not apply "
                f"(applies_to: {data.get('applies_to')})",
                "mandatory_at",
            )
        if data.get("superseded_by") and data.get("superseded_by") == data.get("id"):
            raise ValidationError("a type cannot be superseded by itself", "superseded_by")

    @post_load
    def _clean(self, data, **kwargs):
        data = _dedupe(data, "sectors", "life_events", "audiences", "applies_to", "mandatory_at")
        if "alt_names" in data:
            data["alt_names"] = {k: list(dict.fromkeys(v)) for k, v in data["alt_names"].items()}
        return {k: v for k, v in data.items() if v != [] and v != {}}


SERVICE_SCHEMA = ServiceSchema()
SERVICE_TYPE_SCHEMA = ServiceTypeSchema()
ORGANIZATION_SCHEMA = OrganizationSchema()
