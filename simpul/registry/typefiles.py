"""Service types in files: JSON Lines (the publish form, everything), and CSV or XLSX with one
type per row under Indonesian headings (English accepted) for coordinators who keep the list in
a spreadsheet. A spreadsheet carries the Indonesian texts; lists in a cell are separated by
``;`` and a legal basis is ``identifier | title | url``. Reading checks every row and reports
each problem by row and column; nothing is returned for storing unless all rows are good.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from simpul.errors import InvalidInput, ValidationFailed
from simpul.reference import codelists
from simpul.registry import types

MAX_ROWS = 20_000  # a national list has hundreds of types
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_PROBLEMS = 50
FORMATS = ("jsonl", "csv", "xlsx")

# (field, Indonesian heading, English heading); the order of the columns written.
COLUMNS = (
    ("id", "ID", "ID"),
    ("name.id", "Nama", "Name"),
    ("name.en", "Nama (en)", "Name (en)"),
    ("alt_names", "Nama lain", "Alternative names"),
    ("kind", "Jenis", "Kind"),
    ("sectors", "Sektor", "Sectors"),
    ("life_events", "Peristiwa hidup", "Life events"),
    ("audiences", "Sasaran", "Audiences"),
    ("applies_to", "Berlaku di", "Applies to"),
    ("mandatory_at", "Wajib di", "Mandatory at"),
    ("legal_basis", "Dasar hukum", "Legal basis"),
    ("requirements", "Persyaratan", "Requirements"),
    ("procedure", "Prosedur", "Procedure"),
    ("processing_time", "Jangka waktu", "Processing time"),
    ("cost", "Biaya", "Cost"),
    ("outputs", "Produk", "Outputs"),
    ("complaints", "Pengaduan", "Complaints"),
)
LISTS = ("sectors", "life_events", "audiences", "applies_to", "mandatory_at")
TEXT_LISTS = ("requirements", "procedure", "outputs")
HEADING = {field: heading for field, heading, _ in COLUMNS}


def _key(heading: Any) -> str:
    text = unicodedata.normalize("NFKD", str(heading or "")).casefold()
    return re.sub(r"[^0-9a-z()]+", " ", text).strip()


FIELD_OF = {_key(h): f for f, indonesian, english in COLUMNS for h in (indonesian, english)}


# -- reading -------------------------------------------------------------------------------------
def read_types(name: str, data: bytes) -> list[dict[str, Any]]:
    """The types in a file, by its extension (.jsonl, .csv, .xlsx), each checked; any problem
    raises ValidationFailed naming every bad line or row and column (up to 50)."""
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix in ("jsonl", "ndjson", "json"):
        return _checked(_jsonl(data), "line")
    if suffix == "csv":
        return _checked(_table(_csv_rows(data)), "row")
    if suffix in ("xlsx", "xlsm"):
        return _checked(_table(_xlsx_rows(data)), "row")
    raise InvalidInput(f"{name}: give a .jsonl, .csv or .xlsx file")


def _jsonl(data: bytes) -> Iterator[tuple[int, Any, dict[str, str]]]:
    for number, line in enumerate(data.decode("utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), {}
        except json.JSONDecodeError as exc:
            yield number, None, {"": f"not JSON: {exc.msg}"}


def _checked(rows: Iterable[tuple[int, Any, dict[str, str]]], unit: str) -> list[dict]:
    good, problems = [], []
    for number, raw, errors in rows:
        if not errors:
            try:
                good.append(types.validate_type(raw))
                continue
            except ValidationFailed as exc:
                errors = {e["path"]: e["message"] for e in exc.errors}
        problems += [_problem(unit, number, path, message) for path, message in errors.items()]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationFailed(
            f"{problems[0]['path']}: {problems[0]['message']}{more}; nothing was stored",
            errors=problems[:MAX_PROBLEMS],
        )
    return good


def _problem(unit: str, number: int, path: str, message: str) -> dict[str, str]:
    if unit == "line":
        return {"path": f"line {number}" + (f", {path}" if path else ""), "message": message}
    field = path.split(".", 1)[0]
    if field == "defaults":
        field = path.split(".")[1] if "." in path else field
    if field == "name":
        field = "name.en" if path.startswith("name.en") else "name.id"
    column = HEADING.get(field, path or "?")
    return {"path": f"row {number}, column {column!r}", "message": message}


def _table(rows: Iterator[list[Any]]) -> Iterator[tuple[int, Any, dict[str, str]]]:
    header = next(rows, None)
    if header is None:
        raise ValidationFailed.from_messages("the file is empty")
    fields = [FIELD_OF.get(_key(h)) for h in header]
    unknown = [str(h) for h, f in zip(header, fields, strict=True) if f is None and h]
    if unknown or "id" not in fields:
        known = ", ".join(h for _, h, _ in COLUMNS)
        raise ValidationFailed.from_messages(
            {"row 1": f"unknown heading(s) {unknown} or no 'ID' column; the headings are {known}"}
        )
    for number, cells in enumerate(rows, 2):
        values = {f: _cell(c) for f, c in zip(fields, cells, strict=False) if f and _cell(c)}
        if values:
            yield number, *_type_of(values)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _type_of(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A type from the cells of one row, and the cells that cannot be read (by field)."""
    raw: dict[str, Any] = {"id": values.get("id", "")}
    errors: dict[str, str] = {}
    name = {lang: values[f"name.{lang}"] for lang in ("id", "en") if f"name.{lang}" in values}
    if name:
        raw["name"] = name
    if "alt_names" in values:
        raw["alt_names"] = {"id": _split(values["alt_names"])}
    if "kind" in values:
        raw["kind"] = _kind(values["kind"])
    for field in LISTS:
        if field in values:
            raw[field] = [c.casefold() for c in _split(values[field])]
    defaults: dict[str, Any] = {}
    for field in TEXT_LISTS:
        if field in values:
            defaults[field] = [{"id": text} for text in _split(values[field])]
    if "processing_time" in values:
        defaults["processing_time"] = values["processing_time"]
    if "complaints" in values:
        defaults["complaints"] = _complaints(values["complaints"])
    for field, read in (("cost", _cost), ("legal_basis", _legal)):
        if field in values:
            try:
                value = read(values[field])
            except ValueError as exc:
                errors[field] = str(exc)
                continue
            (raw if field == "legal_basis" else defaults)[field] = value
    if defaults:
        raw["defaults"] = defaults
    return raw, errors


def _kind(text: str) -> str:
    folded = text.casefold()
    for code, labels in codelists.TYPE_KINDS.items():
        if folded == code or folded in (label.casefold() for label in labels.values()):
            return code
    return text


def _cost(text: str) -> dict[str, Any]:
    """``0``, ``50000``, ``Rp 50.000`` or ``50000 IDR``."""
    plain = re.sub(r"(?i)^rp\.?|\bidr\b", "", text).strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", plain):
        plain = plain.replace(".", "")
    try:
        amount = float(plain.replace(",", "."))
    except ValueError:
        raise ValueError(f"{text!r} is not an amount in rupiah (e.g. 0 or 50000)") from None
    return {"amount": int(amount) if amount.is_integer() else amount, "currency": "IDR"}


def _legal(text: str) -> list[dict[str, str]]:
    out = []
    for part in _split(text):
        pieces = [p.strip() for p in part.split("|")]
        if not 2 <= len(pieces) <= 3 or not pieces[1]:
            raise ValueError(f"{part!r}: write each as 'identifier | title | url' (url optional)")
        item = {"identifier": pieces[0], "title": pieces[1]} if pieces[0] else {"title": pieces[1]}
        if len(pieces) == 3 and pieces[2]:
            item["url"] = pieces[2]
        out.append(item)
    return out


def _complaints(text: str) -> dict[str, str]:
    words, _, url = text.partition("|")
    words, url = words.strip(), url.strip()
    if not url and words.startswith(("http://", "https://")):
        return {"url": words}
    return {**({"id": words} if words else {}), **({"url": url} if url else {})}


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the CSV file is not UTF-8: {exc}") from None
    try:
        delimiter = csv.Sniffer().sniff(text[:5000], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for count, row in enumerate(reader):
            if count > MAX_ROWS:
                raise InvalidInput(f"more than {MAX_ROWS:,} rows")
            yield row
    except csv.Error as exc:
        raise InvalidInput(f"CSV line {reader.line_num}: {exc}") from None


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        unzipped = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except zipfile.BadZipFile:
        raise InvalidInput("the file is not a readable XLSX workbook") from None
    if unzipped > MAX_UNZIPPED:
        raise InvalidInput(f"the workbook unpacks to more than {MAX_UNZIPPED:,} bytes")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise InvalidInput(f"the XLSX workbook cannot be read: {exc}") from None
    try:
        for count, row in enumerate(book.worksheets[0].iter_rows(values_only=True)):
            if count > MAX_ROWS:
                raise InvalidInput(f"more than {MAX_ROWS:,} rows")
            yield list(row)
    finally:
        book.close()


# -- a spreadsheet over the stored list -----------------------------------------------------------
def merged(sheet: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
    """A type read from a spreadsheet, completed from the stored one with what a spreadsheet
    does not carry (description, keywords, note, English texts, a legal basis' verification
    flag), so that exporting, editing one row and loading changes that row only."""
    if stored is None:
        return sheet
    carried = {"id", "name", "alt_names", "kind", "legal_basis", "defaults", *LISTS}
    out = {k: v for k, v in stored.items() if k not in carried}
    out.update(sheet)
    english = stored.get("alt_names", {}).get("en")
    if english:
        out["alt_names"] = {**out.get("alt_names", {}), "en": english}
    if "legal_basis" in out:
        known = {_citation(i): i for i in stored.get("legal_basis", ())}
        out["legal_basis"] = [known.get(_citation(i), i) for i in out["legal_basis"]]
    before, after = stored.get("defaults", {}), dict(out.get("defaults", {}))
    for field, value in after.items():
        if field in before and _sheet_form(field, before[field]) == _sheet_form(field, value):
            after[field] = before[field]
    if after:
        out["defaults"] = after
    return out


def _citation(item: dict[str, Any]) -> tuple:
    return item.get("identifier"), item["title"], item.get("url")


def _sheet_form(field: str, value: Any) -> Any:
    if field in TEXT_LISTS:
        return [t.get("id") for t in value]
    if field == "complaints":
        return value.get("id"), value.get("url")
    if field == "cost":
        return value.get("amount")
    return value


# -- writing -------------------------------------------------------------------------------------
def row_of(data: dict[str, Any]) -> list[str]:
    """One type as the cells of a spreadsheet row (the Indonesian texts)."""
    defaults = data.get("defaults", {})
    cost = defaults.get("cost")
    complaints = defaults.get("complaints", {})
    cells = {
        "id": data["id"],
        "name.id": data["name"]["id"],
        "name.en": data["name"].get("en", ""),
        "alt_names": "; ".join(data.get("alt_names", {}).get("id", ())),
        "kind": data["kind"],
        **{field: "; ".join(data.get(field, ())) for field in LISTS},
        "legal_basis": "; ".join(
            " | ".join([i.get("identifier", ""), i["title"], *([i["url"]] if "url" in i else [])])
            for i in data.get("legal_basis", ())
        ),
        **{f: "; ".join(t["id"] for t in defaults.get(f, ())) for f in TEXT_LISTS},
        "processing_time": defaults.get("processing_time", ""),
        "cost": "" if cost is None else str(cost["amount"]),
        "complaints": " | ".join(filter(None, (complaints.get("id"), complaints.get("url")))),
    }
    return [cells[field] for field, _, _ in COLUMNS]


def write_types(fmt: str, rows: Iterable[dict[str, Any]]) -> bytes:
    """Types (``type_to_dict`` form) as a JSON Lines, CSV or XLSX file."""
    rows = list(rows)
    if fmt == "jsonl":
        lines = (json.dumps(r, ensure_ascii=False, sort_keys=False) for r in rows)
        return "".join(line + "\n" for line in lines).encode()
    headings = [heading for _, heading, _ in COLUMNS]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headings)
        writer.writerows(row_of(r) for r in rows)
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Jenis layanan")
        sheet.append(headings)
        for r in rows:
            sheet.append(row_of(r))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise InvalidInput(f"no format {fmt!r}; use {', '.join(FORMATS)}")
