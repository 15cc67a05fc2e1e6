"""Turning the free text of agency portals and inventories into record fields.

Service pages and spreadsheets write the components of the service standard as prose: numbered
lists of requirements, "14 (empat belas) hari kerja", "Rp. 50.000,-" or "Tidak dipungut biaya",
"UU No. 23 Tahun 2006; Perda No. 3 Tahun 2020". These helpers read them; what they cannot read
they return as None so the caller can note the gap.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from simpul.registry.schemas import IDENTIFIER, strip_invisible

_BULLET = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|[-*\u2022\u2013\u25cf\u25aa])\s+", re.I)
_INLINE_NUMBERS = re.compile(r"(?:^|\s)\(?\d{1,2}[.)]\s+")


def split_items(value: Any) -> list[str]:
    """A list of items from a list, or from text with one item per line, numbered items
    ("1. ... 2. ...") or semicolons."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [t for v in value for t in split_items(v)]
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) == 1:
        line = lines[0]
        if len(_INLINE_NUMBERS.findall(line)) >= 2:
            lines = [p for p in _INLINE_NUMBERS.split(line) if p.strip()]
        elif ";" in line:
            lines = line.split(";")
    items = [_BULLET.sub("", line).strip().rstrip(";").strip() for line in lines]
    return [item for item in items if item]


_UNITS = {
    "menit": ("T", "M"),
    "minute": ("T", "M"),
    "minutes": ("T", "M"),
    "jam": ("T", "H"),
    "hour": ("T", "H"),
    "hours": ("T", "H"),
    "hari": ("", "D"),
    "day": ("", "D"),
    "days": ("", "D"),
    "minggu": ("", "W"),
    "pekan": ("", "W"),
    "week": ("", "W"),
    "weeks": ("", "W"),
    "bulan": ("", "M"),
    "month": ("", "M"),
    "months": ("", "M"),
    "tahun": ("", "Y"),
    "year": ("", "Y"),
    "years": ("", "Y"),
}
_DURATION = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:\([^)]*\)\s*)?("
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r")\b",
    re.I,
)
_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")


_JOINED = re.compile(r"\s*(?:,|dan|and)?\s*", re.I)  # between the parts of one duration


def duration(value: Any) -> str | None:
    """ISO 8601 duration from "14 hari kerja", "3 (tiga) hari", "2 jam", "1 hari 4 jam",
    "P5D"; the longest time when a range is given ("1-3 hari" -> P3D). Only the first duration
    of a text counts: parts joined by nothing, a comma or "dan" make one duration."""
    if value is None:
        return None
    text = str(value).strip()
    if _ISO_DURATION.match(text.upper()):
        return text.upper()
    text = re.sub(r"(\d+)\s*[-\u2013]\s*(\d+)", r"\2", text)
    parts: dict[tuple[str, str], int] = {}
    end = None
    for match in _DURATION.finditer(text):
        key = _UNITS[match.group(2).lower()]
        if end is not None and (key in parts or not _JOINED.fullmatch(text[end : match.start()])):
            break
        number = float(match.group(1).replace(",", "."))
        if not number.is_integer():
            return None
        parts[key], end = int(number), match.end()
    if not parts:
        return None
    date = "".join(f"{parts[('', u)]}{u}" for u in "YMWD" if ("", u) in parts)
    time = "".join(f"{parts[('T', u)]}{u}" for u in "HMS" if ("T", u) in parts)
    return "P" + date + (f"T{time}" if time else "")


_FREE = re.compile(
    r"^(gratis|free|nihil|tidak\s+(ada|dipungut|dikenakan)|tanpa\s+biaya|rp\.?\s*0\b|0$|-$)", re.I
)
_RUPIAH = re.compile(r"(?:rp\.?|idr)\s*([0-9][0-9.,]*)", re.I)
_BARE_NUMBER = re.compile(r"^\s*([0-9][0-9.,]*)\s*(?:,-)?\s*$")


def cost(value: Any) -> dict[str, Any] | None:
    """``{"amount", "currency", "description"}`` from "Gratis", "Rp. 50.000,-", 50000 or
    "Rp 10.000 per lembar"; None when no amount can be read."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"amount": value, "currency": "IDR"}
    text = str(value).strip()
    if _FREE.match(text):
        return {"amount": 0, "currency": "IDR", "description": {"id": text}}
    match = _RUPIAH.search(text) or _BARE_NUMBER.match(text)
    if not match:
        return None
    digits = re.sub(r"[.,]-?$", "", match.group(1).rstrip(",-"))
    digits = re.sub(r",\d{1,2}$", "", digits)  # decimal cents
    digits = digits.replace(".", "").replace(",", "")
    if not digits.isdigit():
        return None
    out: dict[str, Any] = {"amount": int(digits), "currency": "IDR"}
    if text != match.group(0).strip():
        out["description"] = {"id": text}
    return out


_LEGAL_SPLIT = re.compile(r"\s*(?:;|\n)\s*")


def legal_basis(value: Any) -> list[dict[str, str]]:
    """Legal bases from a list or from text, one per line or separated by semicolons."""
    titles = (
        split_items(value)
        if isinstance(value, list)
        else split_items("\n".join(_LEGAL_SPLIT.split(str(value or ""))))
    )
    out = []
    for title in titles:
        entry = {"title": title[:500]}
        url = _URL.search(title)
        if url:
            entry["url"] = url.group(0).rstrip(".,;)")
        out.append(entry)
    return out


_URL = re.compile(r"https?://[^\s<>\"']+", re.I)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?:\+62|\(0\d{2,3}\)|0)[0-9 ()-]{6,20}[0-9]")


def complaints(value: Any) -> dict[str, Any] | None:
    """A complaint channel from prose: the text, and any web address, e-mail or phone in it."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, dict):
        return value
    text = str(value).strip()
    out: dict[str, Any] = {"id": text[:2000]}
    if url := _URL.search(text):
        out["url"] = url.group(0).rstrip(".,;)")
    if email := _EMAIL.search(text):
        out["email"] = email.group(0)
    if phone := _PHONE.search(text):
        out["phone"] = phone.group(0).strip()
    return out


def lang_text(value: Any, language: str = "id") -> dict[str, str] | None:
    """A language map from a string (taken to be in ``language``) or a map."""
    if value is None:
        return None
    if isinstance(value, dict):
        out = {str(k).lower()[:3]: str(v).strip() for k, v in value.items() if str(v).strip()}
        return out or None
    text = str(value).strip()
    return {language: text} if text else None


def texts(value: Any, language: str = "id") -> list[dict[str, str]]:
    return [{language: item} for item in split_items(value)]


def identifier(value: Any, fallback: str) -> str:
    """A valid Simpul identifier from a remote one (a slug, a number, a URI), else a digest."""
    text = strip_invisible(str(value or "")).strip()
    if text.startswith(("http://", "https://", "urn:")):
        text = re.split(r"[/#:]", text.rstrip("/#"))[-1]
    if not IDENTIFIER.match(text):
        text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")[:200]
    if not text or not IDENTIFIER.match(text):
        return "h-" + hashlib.sha1(fallback.encode()).hexdigest()[:16]  # noqa: S324 (a name, not security)
    return text


def slug(value: Any) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", strip_invisible(str(value or "")).lower()).strip("-")
    return text[:100]


def first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


# -- flat fields ----------------------------------------------------------------------------------
# Spreadsheets, CKAN extras and JSON mappings all name values by these flat fields; one function
# turns them into a record, so every source type reads prose the same way.
FLAT_FIELDS = (
    "identifier",
    "name",
    "name_en",
    "description",
    "description_en",
    "keywords",
    "sectors",
    "audiences",
    "life_events",
    "areas",
    "requirements",
    "procedure",
    "processing_time",
    "cost",
    "outputs",
    "complaints",
    "legal_basis",
    "homepage",
    "online_url",
    "api_url",
    "phone",
    "email",
    "address",
    "hours",
    "authority",
    "authority_name",
    "authority_uri",
    "status",
    "facilities",
    "staff_competence",
    "internal_supervision",
    "staff_count",
    "service_guarantee",
    "safety_guarantee",
    "performance_evaluation",
)
_MANAGEMENT_TEXTS = (
    "facilities",
    "staff_competence",
    "internal_supervision",
    "service_guarantee",
    "safety_guarantee",
    "performance_evaluation",
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def codes(value: Any, codelist, what: str, notes: list[str]) -> list[str]:
    """Codes from codes or labels (Indonesian or English, any case); the rest is noted."""
    by_label = {}
    for code, labels in codelist.items():
        by_label[code.lower()] = code
        for label in labels.values():
            by_label[label.lower()] = code
    out = []
    for item in split_items(value if isinstance(value, list) else str(value).replace(",", ";")):
        code = by_label.get(item.strip().lower())
        if code:
            out.append(code)
        else:
            notes.append(f"{what} {item!r} is not in the code list")
    return out


def area_codes(value: Any, notes: list[str]) -> list[str]:
    from simpul.reference.areas import load_areas

    areas = load_areas()
    out = []
    for item in split_items(value if isinstance(value, list) else str(value).replace(",", ";")):
        code = item.strip()
        if code in areas:
            out.append(code)
        else:
            notes.append(f"area {code!r}: {areas.check(code)}")
    return out


def record_from_fields(
    values: dict[str, Any], language: str = "id"
) -> tuple[dict[str, Any], dict[str, Any] | None, list[str]]:
    """A raw record, the remote's authority (when named by name or URI) and notes, from flat
    field values as portals write them."""
    from simpul.reference import codelists

    v = {k: val for k, val in values.items() if not _blank(val)}
    notes: list[str] = []
    record: dict[str, Any] = {}
    if "identifier" in v:
        record["identifier"] = str(v["identifier"]).strip()
    for field in ("name", "description"):
        text = lang_text(v.get(field), language) or {}
        english = lang_text(v.get(f"{field}_en"), "en") or {}
        if text or english:
            record[field] = {**text, **english}
    if "keywords" in v:
        record["keywords"] = [
            k[:100]
            for k in split_items(
                v["keywords"]
                if isinstance(v["keywords"], list)
                else str(v["keywords"]).replace(",", ";")
            )
        ]
    for field, codelist in (
        ("sectors", codelists.SECTORS),
        ("audiences", codelists.AUDIENCES),
        ("life_events", codelists.LIFE_EVENTS),
    ):
        if field in v:
            record[field] = codes(v[field], codelist, field.rstrip("s").replace("_", " "), notes)
    if "areas" in v:
        record["areas"] = area_codes(v["areas"], notes)
    for field in ("requirements", "procedure", "outputs"):
        if field in v:
            record[field] = texts(v[field], language)
    if "processing_time" in v:
        record["processing_time"] = duration(v["processing_time"])
        if record["processing_time"] is None:
            notes.append(f"processing time {v['processing_time']!r} could not be read")
    if "cost" in v:
        record["cost"] = cost(v["cost"])
        if record["cost"] is None:
            notes.append(f"cost {v['cost']!r} could not be read as an amount")
    if "complaints" in v:
        record["complaints"] = complaints(v["complaints"])
    if "legal_basis" in v:
        record["legal_basis"] = legal_basis(v["legal_basis"])
    if "homepage" in v:
        record["homepage"] = str(v["homepage"]).strip()
    record["channels"] = _channels(v)
    contact = {k: str(v[k]).strip() for k in ("email", "phone") if k in v}
    if contact:
        record["contact"] = contact
    management: dict[str, Any] = {
        k: {language: str(v[k]).strip()} for k in _MANAGEMENT_TEXTS if k in v
    }
    if "staff_count" in v:
        digits = re.sub(r"\D", "", str(v["staff_count"]))
        if digits:
            management["staff_count"] = int(digits)
    if management:
        record["management"] = management
    if "status" in v:
        found = codes(v["status"], codelists.SERVICE_STATUSES, "status", notes)
        if found:
            record["status"] = found[0]
    if "authority" in v:
        record["authority"] = str(v["authority"]).strip()
    authority = None
    if "authority_name" in v or "authority_uri" in v:
        authority = {"name": lang_text(v.get("authority_name") or v.get("authority_uri"), language)}
        if "authority_uri" in v:
            authority["uri"] = str(v["authority_uri"]).strip()
    return {k: val for k, val in record.items() if not _blank(val)}, authority, notes


def _channels(v: dict[str, Any]) -> list[dict[str, Any]]:
    channels: list[dict[str, Any]] = []
    if "online_url" in v:
        channels.append({"type": "online", "url": str(v["online_url"]).strip()})
    if "api_url" in v:
        channels.append({"type": "api", "url": str(v["api_url"]).strip()})
    if "address" in v:
        counter: dict[str, Any] = {"type": "loket", "address": str(v["address"]).strip()[:1000]}
        if "hours" in v:
            counter["hours"] = {"id": str(v["hours"]).strip()[:500]}
        channels.append(counter)
    if "phone" in v:
        channels.append({"type": "telepon", "phone": str(v["phone"]).strip()})
    if "email" in v:
        channels.append({"type": "email", "email": str(v["email"]).strip()})
    return channels
