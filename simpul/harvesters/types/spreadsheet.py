"""``spreadsheet``: CSV and XLSX service inventories with Indonesian column headings.

Agencies keep their service standards (standar pelayanan) in spreadsheets: one row per service,
columns such as Nama Layanan, Persyaratan, Prosedur, Jangka Waktu, Biaya, Produk, Pengaduan,
Dasar Hukum. The heading row is found among the first rows by the headings it recognises; a
``columns`` option maps other headings (reusable across runs). The file comes from the source's
URL or from an upload. Each row's original is kept as JSON; a bad row is reported with its
number and never stops the others.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from marshmallow import ValidationError, validate, validates
from marshmallow import fields as mf

from simpul.harvesters import applications as apps
from simpul.harvesters.base import (
    CommonOptions,
    Harvester,
    Item,
    NotModified,
    RecordProblem,
    SourceBroken,
    Transformed,
    json_original,
    loads_json,
)
from simpul.harvesters.mapping import FLAT_FIELDS, record_from_fields, slug

MAX_ROWS = 200_000
MAX_UNZIPPED = 200 * 1024 * 1024  # an XLSX is a zip: refuse bombs before opening
XLSX_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
)

# Normalised heading -> flat field. Headings are lower-cased, with punctuation and "no." dropped.
HEADINGS: dict[str, str] = {}
for _field, _names in {
    "identifier": ["kode", "kode layanan", "id", "id layanan", "nomor layanan", "identifier"],
    "name": [
        "nama layanan",
        "nama pelayanan",
        "jenis layanan",
        "jenis pelayanan",
        "layanan",
        "nama",
        "service name",
        "name",
    ],
    "name_en": ["nama layanan inggris", "nama dalam bahasa inggris", "english name"],
    "description": ["deskripsi", "uraian", "keterangan", "deskripsi layanan", "description"],
    "keywords": ["kata kunci", "keywords", "tag"],
    "requirements": ["persyaratan", "syarat", "persyaratan pelayanan", "requirements"],
    "procedure": [
        "prosedur",
        "sistem mekanisme dan prosedur",
        "mekanisme",
        "alur",
        "alur pelayanan",
        "prosedur pelayanan",
        "procedure",
    ],
    "processing_time": [
        "jangka waktu",
        "waktu penyelesaian",
        "jangka waktu penyelesaian",
        "jangka waktu pelayanan",
        "lama proses",
        "processing time",
    ],
    "cost": ["biaya", "tarif", "biaya tarif", "biaya/tarif", "cost", "fee"],
    "outputs": ["produk", "produk layanan", "produk pelayanan", "hasil", "output"],
    "complaints": [
        "pengaduan",
        "penanganan pengaduan",
        "penanganan pengaduan saran dan masukan",
        "complaints",
    ],
    "legal_basis": ["dasar hukum", "legal basis"],
    "sectors": ["sektor", "bidang", "urusan", "sector"],
    "areas": ["kode wilayah", "wilayah", "cakupan wilayah", "area"],
    "authority": ["kode instansi", "id instansi"],
    "authority_name": [
        "instansi",
        "penyelenggara",
        "opd",
        "unit kerja",
        "perangkat daerah",
        "authority",
    ],
    "online_url": [
        "tautan",
        "url",
        "link",
        "link layanan",
        "layanan online",
        "alamat website",
        "url layanan",
    ],
    "phone": ["telepon", "telp", "no telp", "nomor telepon", "phone"],
    "email": ["email", "e-mail", "surel", "alamat email"],
    "address": ["alamat", "alamat loket", "lokasi", "address"],
    "hours": ["jam layanan", "jam pelayanan", "waktu pelayanan", "opening hours"],
    "facilities": [
        "sarana prasarana",
        "sarana prasarana dan atau fasilitas",
        "sarana prasarana dan/atau fasilitas",
        "fasilitas",
    ],
    "staff_competence": ["kompetensi pelaksana"],
    "internal_supervision": ["pengawasan internal"],
    "staff_count": ["jumlah pelaksana"],
    "service_guarantee": ["jaminan pelayanan"],
    "safety_guarantee": [
        "jaminan keamanan dan keselamatan",
        "jaminan keamanan",
        "jaminan keamanan dan keselamatan pelayanan",
    ],
    "performance_evaluation": ["evaluasi kinerja", "evaluasi kinerja pelaksana"],
    "status": ["status"],
}.items():
    for _name in _names:
        HEADINGS[re.sub(r"[^a-z0-9]+", " ", _name.lower()).strip()] = _field


def normalise(heading: Any) -> str:
    text = re.sub(r"\bno\b\.?", " ", str(heading or "").lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


class SpreadsheetOptions(CommonOptions):
    sheet = mf.String()  # XLSX sheet name; default the first
    columns = mf.Dict(keys=mf.String(), values=mf.String(), load_default=dict)
    key_column = mf.String()  # default: the identifier column, else the name
    delimiter = mf.String(validate=validate.Length(1, 1))
    encoding = mf.String()
    language = mf.String(load_default="id", validate=validate.Regexp(r"^[a-z]{2,3}$"))

    @validates("columns")
    def _fields(self, value, **kwargs):
        unknown = sorted({v for v in value.values() if v not in FLAT_FIELDS})
        if unknown:
            raise ValidationError(
                f"unknown field(s) {', '.join(unknown)}; known: {', '.join(FLAT_FIELDS)}"
            )


class SpreadsheetHarvester(Harvester):
    name = "spreadsheet"
    title = "Spreadsheet (CSV, XLSX)"
    Options = SpreadsheetOptions
    mapping_version = "1"

    def gather(self, since: str | None) -> Iterator[Item]:
        data, name = self._file()
        rows = list(read_rows(data, name, self.options))
        self.found_applications = self._application_sheet(data, name)
        if apps.is_application_sheet(rows, HEADINGS):  # a sheet of applications alone
            self.found_applications += [(f"row:{n}", r) for n, r in apps.sheet_records(rows)]
            return
        header_index, columns = self._header(rows)
        if not is_xlsx(data, name):
            _check_csv_end(data, rows, header_index)
        collected = apps.Collected(self.app_columns)
        key_field = self.options.get("key_column")
        for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
            values = {heading: _cell(row[i]) for i, heading in columns.items() if i < len(row)}
            if not any(v for v in values.values()):
                continue  # blank line
            if values.get("name"):
                collected.add(number, row, _identifier(values, number))
            original = {"row": number, "cells": values}
            yield Item(
                self._key(values, key_field, columns, number),
                json_original(original),
                "application/json",
                parsed=original,
            )

        self.found_applications += [(f"row:{n}", r) for n, r in collected.records()]

    def _application_sheet(self, data: bytes, name: str) -> list[tuple[str, dict[str, Any]]]:
        """The applications of a workbook's "Aplikasi" sheet beside its services sheet."""
        if self.options.get("sheet") or not is_xlsx(data, name):
            return []
        names = sheet_names(data)
        sheet = next((n for n in names[1:] if n.strip().lower() == "aplikasi"), None)
        if sheet is None:
            return []
        rows = list(read_rows(data, name, {"sheet": sheet}))
        return [(f"{sheet}:row:{n}", r) for n, r in apps.sheet_records(rows)]

    def applications(self) -> list[tuple[str, dict[str, Any]]]:
        return getattr(self, "found_applications", [])

    def _file(self) -> tuple[bytes, str]:
        upload = self.source.state.get("upload")
        if upload:
            return _read_upload(upload), upload["name"]
        if not self.source.url:
            raise SourceBroken("the source has neither a URL nor an uploaded file")
        validators = self.source.state.get("validators", {}).get(self.source.url)
        fetched = self.fetcher.get(self.source.url, validators=validators)
        if fetched.not_modified:
            raise NotModified(self.source.url)
        self.validators[self.source.url] = fetched.validators
        name = fetched.url.split("?")[0]
        if fetched.media_type in XLSX_TYPES:
            name += ".xlsx"
        elif fetched.charset and not self.options.get("encoding"):
            self.options["encoding"] = fetched.charset
        return fetched.content, name

    def _header(self, rows: list[list[Any]]) -> tuple[int, dict[int, str]]:
        mapping = {normalise(k): v for k, v in self.options["columns"].items()}
        best = (-1, {}, 0)
        for index, row in enumerate(rows[:15]):
            columns = {}
            for i, cell in enumerate(row):
                heading = normalise(cell)
                field = mapping.get(heading) or HEADINGS.get(heading)
                if field and field not in columns.values():
                    columns[i] = field
            if len(columns) > best[2]:
                best = (index, columns, len(columns))
        index, columns, found = best
        if found < 2 or "name" not in columns.values():
            raise SourceBroken(
                "no heading row found: expected columns such as 'Nama Layanan', 'Persyaratan', "
                "'Prosedur', 'Jangka Waktu', 'Biaya' in the first 15 rows (or map them with the "
                "'columns' option)"
            )
        self.app_columns = _application_columns(rows[index], columns)
        self._note_unmapped(rows[index], {**columns, **self.app_columns})
        return index, columns

    def _note_unmapped(self, heading: list[Any], columns: dict[int, str]) -> None:
        """Columns that map to no field are not imported: the job report says which, once."""
        unmapped = [
            str(cell).strip()
            for i, cell in enumerate(heading)
            if i not in columns and normalise(cell)  # "No." counts rows: not data
        ]
        if unmapped:
            names = ", ".join(repr(name[:100]) for name in unmapped[:50])
            more = f" and {len(unmapped) - 50} more" if len(unmapped) > 50 else ""
            self.notes.append(
                f"{len(unmapped)} column(s) map to no record field and were not imported: "
                f"{names}{more} (map them with the 'columns' option where a field fits)"
            )

    @staticmethod
    def _key(values: dict[str, Any], key_field, columns, number: int) -> str:
        if key_field:
            field = HEADINGS.get(normalise(key_field), key_field)
            if values.get(field):
                return str(values[field])
        if values.get("identifier"):
            return str(values["identifier"])
        if values.get("name"):
            return "name:" + slug(values["name"])
        return f"row:{number}"

    def transform(self, item: Item) -> Transformed:
        original = loads_json(item)
        values = dict(original.get("cells", {}))
        row = original.get("row")
        if not values.get("name"):
            raise RecordProblem(f"row {row}: the name (Nama Layanan) is empty")
        values["identifier"] = _identifier(values, row)
        raw, authority, notes = record_from_fields(values, self.options["language"])
        return Transformed(raw, [f"row {row}: {n}" for n in notes], authority)


def _identifier(values: dict[str, Any], row: Any) -> Any:
    return values.get("identifier") or slug(values["name"])[:100] or f"baris-{row}"


def _application_columns(heading: list[Any], columns: dict[int, str]) -> dict[int, str]:
    """Columns of a services sheet that describe the application behind each service ("Nama
    Aplikasi", "Jenis Aplikasi", "Status SPLP"): nothing unless one names the application."""
    found = {
        i: apps.OWN_HEADINGS[normalise(cell)]
        for i, cell in enumerate(heading)
        if i not in columns and normalise(cell) in apps.OWN_HEADINGS
    }
    return found if "name" in found.values() else {}


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip() or None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _read_upload(upload: dict[str, Any]) -> bytes:
    """The stored upload, only when it is the whole file that was received."""
    path = Path(upload["path"])
    if not path.is_file():
        raise SourceBroken(f"the uploaded file {upload['name']!r} is missing on disk")
    data = path.read_bytes()
    received = upload.get("size"), upload.get("sha256")
    if received != (len(data), hashlib.sha256(data).hexdigest()):
        raise SourceBroken(
            f"the uploaded file {upload['name']!r} on disk ({len(data):,} bytes) is not the "
            f"file that was received ({upload.get('size') or 0:,} bytes, sha256 "
            f"{upload.get('sha256')}); upload it again"
        )
    return data


def _check_csv_end(data: bytes, rows: list[list[Any]], header_index: int) -> None:
    """A CSV cut short ends in the middle of a row: its last row is shorter than the heading
    row, with no line break after it (or a line break inside an unclosed quoted cell)."""
    heading = rows[header_index]
    width = max((i + 1 for i, cell in enumerate(heading) if str(cell).strip()), default=0)
    last = rows[-1]
    if header_index == len(rows) - 1 or not last or len(last) >= width:
        return
    ended = data.endswith((b"\n", b"\r", b"\n\x00", b"\r\x00"))
    if not ended or str(last[-1]).endswith(("\n", "\r")):
        raise SourceBroken(
            f"the CSV file ends in the middle of a row (its last row has {len(last)} of the "
            f"{width} columns of the heading row): the file looks cut short"
        )


def is_xlsx(data: bytes, name: str) -> bool:
    return data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm"))


def read_rows(data: bytes, name: str, options: dict[str, Any]) -> Iterator[list[Any]]:
    """Rows of a CSV or XLSX file, whichever the bytes are."""
    if is_xlsx(data, name):
        yield from _xlsx_rows(data, options.get("sheet"))
    else:
        yield from _csv_rows(data, options)


def sheet_names(data: bytes) -> list[str]:
    """The sheets of an XLSX workbook ([] for anything else)."""
    if data[:4] != b"PK\x03\x04":
        return []
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
            return []
        book = load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # read_rows says what is wrong with the file
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _xlsx_rows(data: bytes, sheet: str | None) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SourceBroken(
            "the file is neither CSV nor a readable XLSX workbook (a workbook cut short has "
            "lost the end of its zip archive)"
        ) from None
    if unzipped > MAX_UNZIPPED:
        raise SourceBroken(
            f"the workbook unpacks to {unzipped:,} bytes, over the limit of {MAX_UNZIPPED:,}"
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise SourceBroken(f"the XLSX workbook cannot be read: {exc}") from None
    try:
        if sheet and sheet not in book.sheetnames:
            raise SourceBroken(f"no sheet {sheet!r}; the workbook has {', '.join(book.sheetnames)}")
        worksheet = book[sheet] if sheet else book.worksheets[0]
        yield from _sheet_rows(worksheet)
    finally:
        book.close()


def _sheet_rows(worksheet) -> Iterator[list[Any]]:
    try:
        for count, row in enumerate(worksheet.iter_rows(values_only=True)):
            if count >= MAX_ROWS:
                raise SourceBroken(f"more than {MAX_ROWS:,} rows")
            yield list(row)
    except SourceBroken:
        raise
    except Exception as exc:  # a damaged sheet part: XML, zlib or zip errors
        raise SourceBroken(f"the XLSX workbook cannot be read to the end: {exc}") from None


def _csv_rows(data: bytes, options: dict[str, Any]) -> Iterator[list[Any]]:
    text = _decode(data, options.get("encoding"))
    delimiter = options.get("delimiter")
    if not delimiter:
        sample = text[:20000]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for count, row in enumerate(reader):
            if count >= MAX_ROWS:
                raise SourceBroken(f"more than {MAX_ROWS:,} rows")
            yield row
    except csv.Error as exc:
        raise SourceBroken(f"CSV line {reader.line_num}: {exc}") from None


def _decode(data: bytes, encoding: str | None) -> str:
    if b"\x00" in data[:4096]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        raise SourceBroken("the file is binary, not CSV text")
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise SourceBroken(f"the file cannot be read as {encoding}: {exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def save_upload(data_dir: str, source_id: str, data: bytes, name: str) -> dict[str, Any]:
    """Keep an uploaded inventory beside the database; its description goes in the source's
    state, so the next run reads it instead of the URL."""
    if not data:
        raise SourceBroken("the uploaded file is empty")
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(data_dir) / "uploads" / source_id
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".xlsx" if data[:4] == b"PK\x03\x04" else ".csv"
    path = folder / f"{digest[:16]}{suffix}"
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)  # a reader never sees half a file
    return {"path": str(path.resolve()), "name": name, "sha256": digest, "size": len(data)}
