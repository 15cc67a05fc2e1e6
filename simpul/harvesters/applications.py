"""Applications (aplikasi) from spreadsheets with the headings officers have ("Nama Aplikasi",
"URL Aplikasi", "Jenis Aplikasi", "Status SPLP", "Layanan", ...), for ``simpul applications
load`` and the ``spreadsheet`` source type, and storing those a harvest found.

Values are read as officers write them ("Aplikasi Web", "Android", "Pusat Data Nasional",
"Sudah terintegrasi", "30/06/2025"); a value that matches no code is passed on as written, so
the record's check names the field and the nearest code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from simpul.errors import ValidationFailed
from simpul.harvesters.mapping import slug
from simpul.reference import codelists
from simpul.registry import applications, gatewaycheck


def normalise(heading: Any) -> str:
    text = re.sub(r"\bno\b\.?", " ", str(heading or "").lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _table(names: dict[str, list[str]]) -> dict[str, str]:
    return {normalise(name): field for field, aliases in names.items() for name in aliases}


# Headings that name an application wherever they stand, also beside service columns.
OWN_HEADINGS = _table(
    {
        "identifier": ["kode aplikasi", "id aplikasi"],
        "name": ["nama aplikasi", "aplikasi", "nama sistem elektronik", "application name"],
        "name_en": ["nama aplikasi inggris", "nama aplikasi dalam bahasa inggris"],
        "short_name": ["nama singkat aplikasi", "singkatan aplikasi"],
        "description": ["deskripsi aplikasi", "keterangan aplikasi"],
        "url": ["url aplikasi", "alamat aplikasi", "tautan aplikasi", "link aplikasi"],
        "kind": ["jenis aplikasi", "tipe aplikasi", "platform aplikasi"],
        "category": ["kategori aplikasi"],
        "lifecycle": ["status aplikasi", "siklus aplikasi"],
        "operator": ["unit pengelola", "pengelola aplikasi"],
        "developer": ["unit pengembang", "pengembang aplikasi", "pengembang"],
        "hosting": ["hosting", "lokasi hosting", "tempat hosting"],
        "splp_status": ["status splp", "terintegrasi splp", "integrasi splp"],
        "splp_apis": ["id api splp", "api splp"],
        "security_level": ["tingkat keamanan", "kategori keamanan"],
        "last_audit": ["audit terakhir", "tanggal audit terakhir", "audit keamanan terakhir"],
        "documentation_url": ["url dokumentasi", "dokumentasi aplikasi"],
        "store_urls": ["url unduh", "tautan unduh", "url play store", "url app store"],
    }
)
# Further headings of a sheet of applications only (beside service columns they are the
# service's: "Nama Singkat", "Status", "Layanan").
SHEET_HEADINGS = {
    **OWN_HEADINGS,
    **_table(
        {
            "short_name": ["nama singkat", "singkatan"],
            "description": ["deskripsi", "keterangan"],
            "category": ["kategori"],
            "lifecycle": ["status", "siklus", "siklus hidup"],
            "services": ["layanan", "kode layanan", "layanan yang didukung"],
            "url": ["url", "tautan", "alamat website"],
            "sectors": ["sektor", "bidang"],
        }
    ),
}
SYNONYMS = {
    "kind": {"website": "web", "aplikasi berbasis web": "web", "android": "mobile", "ios": "mobile"}
    | {"seluler": "mobile", "mobile app": "mobile", "web service": "api", "layanan api": "api"}
    | {"whatsapp": "chatbot", "chatbot whatsapp": "chatbot", "bot": "chatbot"},
    "lifecycle": {"aktif": "digunakan", "operasional": "digunakan", "berjalan": "digunakan"}
    | {"pengembangan": "dikembangkan", "rencana": "direncanakan", "perencanaan": "direncanakan"}
    | {"tidak aktif": "dihentikan", "nonaktif": "dihentikan", "non aktif": "dihentikan"},
    "hosting": {"pusat data daerah": "pusat-data-daerah", "pdd": "pusat-data-daerah"}
    | {"on premise": "on-premise", "server sendiri": "on-premise", "server instansi": "on-premise"}
    | {"pdns": "pdn", "awan": "cloud"},
    "splp_status": {"tidak": "belum", "belum terintegrasi": "belum", "ya": "terhubung"}
    | {"sudah": "terhubung", "terintegrasi": "terhubung", "sudah terintegrasi": "terhubung"}
    | {"sudah terdaftar": "terdaftar"},
    "security_level": {"low": "rendah", "medium": "sedang", "high": "tinggi"},
}
CODES = {
    "kind": codelists.APPLICATION_KINDS,
    "category": codelists.APPLICATION_CATEGORIES,
    "lifecycle": codelists.APPLICATION_LIFECYCLES,
    "hosting": codelists.HOSTING,
    "splp_status": codelists.SPLP_STATUSES,
    "security_level": codelists.SECURITY_LEVELS,
}
DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def code(value: Any, field: str) -> str:
    """The code a written value means (by code, label or usual word), else the value."""
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    codes: MappingProxyType = CODES[field]
    for candidate in (text, re.sub(r"^aplikasi ", "", text)):
        if candidate in codes:
            return candidate
        if candidate in SYNONYMS.get(field, {}):
            return SYNONYMS[field][candidate]
        for known, labels in codes.items():
            if candidate in (labels["id"].lower(), labels["en"].lower()):
                return known
    return str(value).strip()


def day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}([T ].*)?$", text):
        return text[:10]
    found = DAY.match(text)
    if found:
        return f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}"
    return text


def _split(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", str(value)) if part.strip()]


def record(values: dict[str, Any]) -> dict[str, Any]:
    """A raw application from the cells of one row (field -> value; blanks left out)."""
    v = {k: value for k, value in values.items() if value not in (None, "")}
    out: dict[str, Any] = {}
    if "name" in v:
        out["name"] = {"id": str(v["name"]).strip()}
        if "name_en" in v:
            out["name"]["en"] = str(v["name_en"]).strip()
    out["identifier"] = str(v.get("identifier") or slug(v.get("name")) or "").strip()
    for field in ("short_name", "url", "documentation_url"):
        if field in v:
            out[field] = str(v[field]).strip()
    if "description" in v:
        out["description"] = {"id": str(v["description"]).strip()}
    for field in ("kind", "category", "lifecycle", "hosting"):
        if field in v:
            out[field] = code(v[field], field)
    for field in ("operator", "developer"):
        if field in v:
            out[field] = {"name": str(v[field]).strip()}
    for field in ("services", "store_urls", "sectors"):
        if field in v:
            out[field] = _split(v[field])
    if "splp_status" in v or "splp_apis" in v:
        status = code(v["splp_status"], "splp_status") if "splp_status" in v else "terdaftar"
        out["splp"] = {"status": status}
        if "splp_apis" in v:
            out["splp"]["apis"] = [a for part in _split(v["splp_apis"]) for a in part.split(",")]
    security = {}
    if "security_level" in v:
        security["level"] = code(v["security_level"], "security_level")
    if "last_audit" in v:
        security["last_audit"] = day(v["last_audit"])
    if security:
        out["security"] = security
    return out


def find_header(rows: list[list[Any]], headings: dict[str, str]) -> tuple[int, dict[int, str]]:
    """The heading row among the first 15 (the one naming most fields) and its columns; (-1,
    {}) when none names the application."""
    best: tuple[int, dict[int, str]] = (-1, {})
    for index, row in enumerate(rows[:15]):
        columns: dict[int, str] = {}
        for i, cell in enumerate(row):
            field = headings.get(normalise(cell))
            if field and field not in columns.values():
                columns[i] = field
        if "name" in columns.values() and len(columns) > len(best[1]):
            best = (index, columns)
    return best


def sheet_records(rows: list[list[Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, raw application) of a sheet of applications; nothing without a heading
    row naming "Nama Aplikasi"."""
    index, columns = find_header(rows, SHEET_HEADINGS)
    if index < 0:
        return
    for number, row in enumerate(rows[index + 1 :], start=index + 2):
        values = {field: _cell(row[i]) for i, field in columns.items() if i < len(row)}
        if any(value not in (None, "") for value in values.values()):
            yield number, record(values)


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def is_application_sheet(rows: list[list[Any]], service_headings: dict[str, str]) -> bool:
    """Whether the heading row names applications and no service ("Nama Layanan")."""
    index, _ = find_header(rows, OWN_HEADINGS)
    if index < 0:
        return False
    return not any(service_headings.get(normalise(cell)) == "name" for cell in rows[index])


class Collected:
    """Applications named in the rows of a services sheet: one per distinct name, linking the
    services of its rows."""

    def __init__(self, columns: dict[int, str]):
        self.columns = columns
        self.found: dict[str, tuple[int, dict[str, Any]]] = {}

    def add(self, number: int, row: list[Any], service: str) -> None:
        values = {f: _cell(row[i]) for i, f in self.columns.items() if i < len(row)}
        if values.get("name") in (None, ""):
            return
        raw = record(values)
        first = self.found.setdefault(raw["identifier"], (number, raw))[1]
        first.setdefault("services", [])
        if service not in first["services"]:
            first["services"].append(service)

    def records(self) -> list[tuple[int, dict[str, Any]]]:
        return list(self.found.values())


def store(
    db,
    organization: str,
    records: list[tuple[str, dict[str, Any]]],
    *,
    actor,
    base_uri: str,
    provenance: dict[str, Any],
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Publish a harvest's applications for the source's organization, after its services.
    Returns counts (``applications_created`` ...) and (key, problem) per refused record."""
    counts: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    with db.transaction() as session:
        refs = applications.ServiceRefs(session)
        refs.preload(organization)
        lookup = applications.session_lookup(session)
        batch = []
        for key, raw in records:
            if raw.get("organization", organization) != organization:
                problems.append(
                    (
                        key,
                        f"organization: a source of {organization!r} cannot "
                        f"write applications of {raw['organization']!r}",
                    )
                )
                continue
            try:
                batch.append(applications.prepare(raw, lookup, refs, organization))
            except ValidationFailed as exc:
                problems.append((key, describe(exc)))
        results = applications.publish_many(
            session, batch, actor, base_uri=base_uri, provenance=provenance
        )
        flagged = gatewaycheck.flagged_ids(session, [app_id for app_id, _ in results])
    for _, outcome in results:
        name = f"applications_{outcome.value}"
        counts[name] = counts.get(name, 0) + 1
    if flagged:  # gateway ids no gateway harvest lists: kept, flagged in quality
        counts["applications_gateway_flagged"] = flagged
    if problems:
        counts["applications_error"] = len(problems)
    return counts, problems


def describe(exc: ValidationFailed) -> str:
    if exc.errors:
        return "; ".join(f"{e['path'] or 'record'}: {e['message']}" for e in exc.errors)
    return exc.detail
