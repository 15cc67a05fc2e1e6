"""The service editor's form: a record shown as form fields, and form fields read back into a
record that goes through the same checks as the API (``services.prepare``).

Field names are the record's own paths (``name.id``, ``channels[0].url``), so the API's error
paths land next to the field they concern. What the form does not show (English translations of
list items, SPLP details, original authority) is kept from the stored record."""

from __future__ import annotations

import copy
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from simpul.harvesters.mapping import duration

CHANNEL_FIELDS = ("type", "url", "name.id", "name.en", "address", "phone", "email")
EMPTY_CHANNELS = 2  # blank channel rows offered below the existing ones
MAX_CHANNELS = 50  # as many as a record may have (schemas.ServiceSchema)
CHANNEL_KEY = re.compile(r"channels\[(\d{1,6})\]")
LINES = ("requirements", "procedure", "outputs")
CODES = ("sectors", "audiences", "life_events")
# what an edit starts from: stored fields the form does not show at all (authority, original
# authority, integration, languages) and the maps whose parts it shows (so that the parts it does
# not show, such as contact hours or the fee's currency, stay)
STARTING_POINT = (
    "authority",
    "original_authority",
    "integration",
    "languages",
    "name",
    "description",
    "cost",
    "complaints",
    "management",
    "contact",
)
AMOUNT_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")

LABELS = {
    "identifier": _l("Identifier"),
    "name.id": _l("Name (Indonesian)"),
    "name.en": _l("Name (English)"),
    "description.id": _l("Description (Indonesian)"),
    "description.en": _l("Description (English)"),
    "keywords": _l("Keywords"),
    "sectors": _l("Sectors"),
    "audiences": _l("Who it is for"),
    "life_events": _l("Life events"),
    "areas": _l("Areas covered"),
    "status": _l("Status"),
    "requirements": _l("Requirements"),
    "procedure": _l("Procedure"),
    "processing_time": _l("Processing time"),
    "cost.amount": _l("Fee"),
    "cost.description.id": _l("About the fee"),
    "outputs": _l("What the citizen receives"),
    "complaints.id": _l("How to complain"),
    "complaints.url": _l("Complaints web address"),
    "complaints.email": _l("Complaints email"),
    "complaints.phone": _l("Complaints telephone"),
    "legal_basis": _l("Legal basis"),
    "management.facilities.id": _l("Facilities"),
    "management.staff_competence.id": _l("Staff competence"),
    "management.internal_supervision.id": _l("Internal supervision"),
    "management.staff_count": _l("Number of staff"),
    "management.service_guarantee.id": _l("Service guarantee"),
    "management.safety_guarantee.id": _l("Security and safety guarantee"),
    "management.performance_evaluation.id": _l("Performance evaluation"),
    "contact.email": _l("Contact email"),
    "contact.phone": _l("Contact telephone"),
    "contact.url": _l("Contact web address"),
    "homepage": _l("Web page of the service"),
    # English translations (optional), after the Indonesian texts they translate
    "requirements.en": _l("Requirements (English)"),
    "procedure.en": _l("Procedure (English)"),
    "outputs.en": _l("What the citizen receives (English)"),
    "cost.description.en": _l("About the fee (English)"),
    "complaints.en": _l("How to complain (English)"),
    "management.facilities.en": _l("Facilities (English)"),
    "management.staff_competence.en": _l("Staff competence (English)"),
    "management.internal_supervision.en": _l("Internal supervision (English)"),
    "management.service_guarantee.en": _l("Service guarantee (English)"),
    "management.safety_guarantee.en": _l("Security and safety guarantee (English)"),
    "management.performance_evaluation.en": _l("Performance evaluation (English)"),
}
ENGLISH_LINES = tuple(f"{name}.en" for name in LINES)
# the translations the editor groups in one optional section (names and descriptions sit beside
# their Indonesian text)
ENGLISH_FIELDS = tuple(
    path for path in LABELS if path.endswith(".en") and path not in ("name.en", "description.en")
)
LISTS = (*LINES, *ENGLISH_LINES, *CODES, "keywords", "areas", "legal_basis")
SCALARS = tuple(path for path in LABELS if path not in LISTS)
CHANNEL_LABELS = {
    "type": _l("Channel type"),
    "url": _l("Web address"),
    "name.id": _l("Name"),
    "name.en": _l("Name (English)"),
    "address": _l("Address"),
    "phone": _l("Telephone"),
    "email": _l("Email"),
}


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def record_to_form(record: dict[str, Any]) -> MultiDict:
    """The form's values for a stored (or empty) record."""
    form: MultiDict = MultiDict()
    for path in SCALARS:
        value = _get(record, path)
        if value is not None:
            form[path] = str(value)
    if record.get("processing_time"):
        form["processing_time"] = record["processing_time"]
    for name in LINES:
        form[name] = "\n".join(item.get("id", "") for item in record.get(name, []))
        form[f"{name}.en"] = "\n".join(item.get("en", "") for item in record.get(name, []))
    for name in CODES:
        form.setlist(name, record.get(name, []))
    form["keywords"] = ", ".join(record.get("keywords", []))
    form["areas"] = " ".join(record.get("areas", []))
    form["legal_basis"] = "\n".join(
        " | ".join(p for p in (law["title"], law.get("url", "")) if p)
        for law in record.get("legal_basis", [])
    )
    for index, channel in enumerate(record.get("channels", [])):
        for key in CHANNEL_FIELDS:
            value = _get(channel, key)
            if value is not None:
                form[f"channels[{index}].{key}"] = str(value)
    return form


def channel_rows(form: MultiDict) -> int:
    """How many channel rows the form shows: those sent (at most as many as a record may
    have), plus blank ones."""
    used = {int(m.group(1)) for k in form for m in [CHANNEL_KEY.match(k)] if m}
    return min(max(used) + 1 if used else 0, MAX_CHANNELS) + EMPTY_CHANNELS


def form_to_record(form: MultiDict, stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """A raw record from the form, on top of the stored record: what the form does not show
    stays; a translation the form does not carry stays while the Indonesian text it translates
    is unchanged."""
    stored = stored or {}
    record = copy.deepcopy({k: v for k, v in stored.items() if k in STARTING_POINT})
    for path in SCALARS:
        value = form.get(path, "").strip()
        if value:
            _put(record, path, value)
            english = path[:-3] + ".en"
            if path.endswith(".id") and english not in form and _get(stored, path) != value:
                _delete(record, english)  # a translation the form does not show is outdated
        else:
            _delete(record, path)
    _numbers(record)
    if "processing_time" in record:
        record["processing_time"] = parse_duration(record["processing_time"])
    for name in LINES:
        english = form.get(f"{name}.en") if f"{name}.en" in form else None
        record[name] = _lines(form.get(name, ""), stored.get(name, []), english)
    for name in CODES:
        record[name] = [v for v in form.getlist(name) if v]
    record["keywords"] = [k.strip() for k in form.get("keywords", "").split(",") if k.strip()]
    areas = form.get("areas", "").replace(",", " ").split()
    if areas:
        record["areas"] = areas
    else:
        record.pop("areas", None)
    record["legal_basis"] = _laws(form.get("legal_basis", ""), stored.get("legal_basis", []))
    record["channels"] = _channels(form, stored.get("channels", []))
    return {k: v for k, v in record.items() if v != []}


def _delete(data: dict[str, Any], path: str) -> None:
    """Remove a path, and the maps left empty (or holding only a translation) above it."""
    parts = path.split(".")
    chain = [data]
    for part in parts[:-1]:
        child = chain[-1].get(part)
        if not isinstance(child, dict):
            return
        chain.append(child)
    chain[-1].pop(parts[-1], None)
    for depth in range(len(parts) - 1, 0, -1):
        holder, key = chain[depth - 1], parts[depth - 1]
        value = holder.get(key)
        if isinstance(value, dict) and (not value or set(value) <= {"en", "currency"}):
            holder.pop(key)


def _numbers(record: dict[str, Any]) -> None:
    cost = record.get("cost")
    if cost and "amount" in cost:
        cost["amount"] = parse_amount(cost["amount"])
    elif cost:  # a description without an amount: the schema names what is missing
        cost.setdefault("amount", None)
    management = record.get("management")
    if management and "staff_count" in management:
        text = str(management["staff_count"])
        number = whole_number(text)
        management["staff_count"] = text if number is None else number


def whole_number(text: str, digits: int = 18) -> int | None:
    """``text`` as a non-negative integer when it is ASCII digits only (``"²".isdigit()`` is
    true, ``int("²")`` fails) and short enough for any integer column; else None."""
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None


def parse_amount(text: str) -> Any:
    """'50.000', 'Rp 50.000', '2500,50', '0' as numbers; anything else as typed, for the
    schema to name."""
    cleaned = text.replace("Rp", "").replace("rp", "").replace(" ", "")
    if AMOUNT_THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def parse_duration(text: str) -> str:
    """'14 hari', '2 jam', '1 hari 4 jam', '3 weeks' or ISO 8601 ('P14D') as ISO 8601, read as
    harvested pages are (``harvesters.mapping.duration``); anything else unchanged, for the
    schema to name."""
    return duration(text) or text


def _line(text: str) -> str:
    """A list item as typed, without its bullet or number."""
    return re.sub(r"^\d+[.)]\s+", "", text.strip().lstrip("-•*").strip())


def _lines(
    text: str, stored: list[dict[str, str]], english: str | None = None
) -> list[dict[str, str]]:
    """One item per non-blank line. English comes line by line from ``english`` when the form
    has it (blank: none), else from the stored item with the same Indonesian text."""
    items = [line for line in map(_line, text.splitlines()) if line]
    if english is not None:
        translations = [_line(line) for line in english.splitlines()]
    else:
        kept = {item.get("id"): item.get("en") for item in stored if item.get("en")}
        translations = [kept.get(line) or "" for line in items]
    return [
        {
            "id": line,
            **({"en": translations[i]} if i < len(translations) and translations[i] else {}),
        }
        for i, line in enumerate(items)
    ]


def _laws(text: str, stored: list[dict[str, str]]) -> list[dict[str, str]]:
    """'title | url' lines; a law keeps its identifier while its title is unchanged."""
    known = {law["title"]: law for law in stored}
    out = []
    for line in text.splitlines():
        title, _, url = (part.strip() for part in line.partition("|"))
        if title:
            law = {"title": title, **({"url": url} if url else {})}
            if known.get(title, {}).get("identifier"):
                law["identifier"] = known[title]["identifier"]
            out.append(law)
    return out


def _channels(form: MultiDict, stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [channel for _, channel in channel_rows_used(form, stored)]


def channel_rows_used(
    form: MultiDict, stored: list[dict[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """(form row, channel) for each row that makes a channel; blank rows make none, so the
    record's ``channels[k]`` may come from a later row of the form."""
    out = []
    for index in range(channel_rows(form)):
        channel: dict[str, Any] = {}
        for key in CHANNEL_FIELDS:
            value = form.get(f"channels[{index}].{key}", "").strip()
            if value:
                _put(channel, key, value)
        if set(channel) - {"type"}:
            before = stored[index] if index < len(stored) else {}
            if before.get("type") == channel.get("type"):
                for key in ("splp", "hours", "description"):  # not on the form: kept
                    if key in before:
                        channel[key] = before[key]
                name = before.get("name") or {}
                shown = f"channels[{index}].name.en" in form
                same = "name" in channel and name.get("id") == channel["name"].get("id")
                if not shown and same and name.get("en"):
                    channel["name"]["en"] = name["en"]
            out.append((index, channel))
        elif channel.get("type") and index < len(stored):
            out.append((index, channel))  # a type alone on a stored row: the schema says why
    return out


def form_paths(errors: list[dict[str, Any]], form: MultiDict, stored: dict | None) -> list[dict]:
    """Errors whose paths name the record's channels, renamed to the form rows they came from."""
    rows = [index for index, _ in channel_rows_used(form, (stored or {}).get("channels", []))]

    def rename(path: str | None) -> str | None:
        match = re.match(r"channels\[(\d+)\](.*)", path or "")
        if not match or int(match.group(1)) >= len(rows):
            return path
        return f"channels[{rows[int(match.group(1))]}]{match.group(2)}"

    return [{**e, "path": rename(e.get("path"))} for e in errors]


def field_for(path: str | None, fields: list[str]) -> str | None:
    """The form field an error path belongs to: ``channels[0].url`` -> itself, ``name`` ->
    ``name.id``, ``requirements[2]`` -> ``requirements``, ``cost`` -> ``cost.amount``."""
    if not path:
        return None
    if path in fields:
        return path
    for name in fields:
        if path.startswith(name + ".") or path.startswith(name + "["):
            return name
    for name in fields:
        if name.startswith(path + ".") or name.startswith(path + "["):
            return name
    return None


def errors_by_field(errors: list[dict[str, Any]], fields: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        out.setdefault(field_for(error.get("path"), fields) or "", []).append(error["message"])
    return out


def label_for(field: str | None) -> str:
    """A field's label in the page's language, for error summaries and SHACL reports."""
    if not field:
        return str(_l("Record"))
    match = re.match(r"channels\[(\d+)\](?:\.(.+))?", field)
    if match:
        index, rest = int(match.group(1)) + 1, match.group(2)
        where = str(_l("Channel %(num)d", num=index))
        return f"{where}: {CHANNEL_LABELS[rest]}" if rest in CHANNEL_LABELS else where
    base = re.sub(r"\[\d+\]$", "", field)
    label = LABELS.get(base) or LABELS.get(base + ".id") or LABELS.get(base + ".amount")
    return str(label) if label else field


def form_fields(form: MultiDict) -> list[str]:
    """Every field name of the form, in the order they appear."""
    names = list(LABELS)
    for index in range(channel_rows(form)):
        names += [f"channels[{index}].{key}" for key in CHANNEL_FIELDS]
    return names
