"""Any table (columns, then rows from an iterator) as a spreadsheet file, streamed.

- **CSV**: UTF-8 with a byte-order mark (so Excel shows Indonesian text as written), RFC 4180
  (CRLF, fields quoted when they hold a comma, quote or line break), and formula injection
  neutralised as OWASP advises: a text cell starting with ``= + - @``, a tab or a carriage return
  gets a leading ``'``, so a spreadsheet shows it instead of running it. Numbers are written as
  numbers (a negative number is not text, and keeps its sign).
- **XLSX**: XlsxWriter in ``constant_memory`` mode (each row goes to disk as it is written): one
  sheet per table (continued on a next sheet past Excel's 1,048,576 rows), the header row frozen,
  column widths set, numbers stored as numbers and dates as dates, text never read as a formula,
  and a last sheet recording the filters and when the file was made. An XLSX file is a zip whose
  directory comes last, so it is built in a temporary file, then streamed.

It knows nothing of Simpul: the core hands it plain values.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Any

BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
KINDS = ("text", "integer", "number", "date", "datetime")
MAX_SHEET_ROWS = 1_048_576  # Excel's limit, header included
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of a cell
CHUNK_ROWS = 1000  # CSV rows per yielded chunk
READ_BYTES = 64 * 1024


@dataclass(frozen=True)
class Column:
    key: str  # the header (stable, as the API names the field)
    kind: str = "text"  # one of KINDS
    width: float = 16  # XLSX column width, in characters

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key!r}: kind {self.kind!r} is not one of {KINDS}")


@dataclass
class Table:
    name: str  # the XLSX sheet's name
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]  # each row holds one value per column, in order
    filters: dict[str, str] = field(default_factory=dict)  # what selected the rows


def text(value: Any) -> str:
    """A cell as CSV text: lists joined with '; ', dates in ISO 8601, None empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(text(item) for item in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def neutralise(cell: str) -> str:
    """A text cell that a spreadsheet would read as a formula, made inert."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _csv_cell(value: Any) -> Any:
    kind = type(value)
    if kind is str:  # the common case first: this runs for every cell of a million rows
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if kind is int or kind is float:
        return value
    if kind is bool:
        return str(value).lower()
    return neutralise(text(value))


def csv_chunks(table: Table, *, chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The table as CSV, ``chunk_rows`` rows per piece of UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralise(column.key) for column in table.columns])
    pending = 0
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
        pending += 1
        if pending == chunk_rows:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def xlsx_chunks(
    tables: Sequence[Table], *, generated: datetime | None = None, title: str = ""
) -> Iterator[bytes]:
    """The tables as one XLSX workbook, built in a temporary file, then read out in pieces."""
    with tempfile.TemporaryFile() as fh:
        write_xlsx(fh, tables, generated=generated, title=title)
        fh.seek(0)
        while piece := fh.read(READ_BYTES):
            yield piece


def write_xlsx(
    fh: IO[bytes], tables: Sequence[Table], *, generated: datetime | None = None, title: str = ""
) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        fh,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "remove_timezone": True,
        },
    )
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }
    used: set[str] = set()
    for table in tables:
        _write_sheets(workbook, table, formats, used)
    _write_filters(workbook, tables, formats, generated, title, used)
    workbook.close()


def _sheet(workbook, name: str, columns: Sequence[Column], formats, used: set[str]):
    name = _sheet_name(name, used)
    sheet = workbook.add_worksheet(name)
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    sheet.freeze_panes(1, 0)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.key, formats["header"])
    return sheet


def _sheet_name(name: str, used: set[str]) -> str:
    """A sheet name Excel takes: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:31] or "Sheet"
    candidate, number = clean, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate, number = clean[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.casefold())
    return candidate


def _write_sheets(workbook, table: Table, formats, used: set[str]) -> None:
    sheet = _sheet(workbook, table.name, table.columns, formats, used)
    writers = [_cell_writer(column.kind, formats) for column in table.columns]
    line = 0
    for row in table.rows:
        line += 1
        if line == MAX_SHEET_ROWS:  # the sheet is full: go on in the next
            sheet, line = _sheet(workbook, table.name, table.columns, formats, used), 1
        for index, value in enumerate(row):
            if value is not None and value != "":
                writers[index](sheet, line, index, value)


def _cell_writer(kind: str, formats):
    def number(sheet, row, col, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, col, value)
        else:
            write_text(sheet, row, col, value)

    def when(sheet, row, col, value):
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(UTC)
            sheet.write_datetime(row, col, value, formats["datetime"])
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, formats["date"])
        else:
            write_text(sheet, row, col, value)

    def write_text(sheet, row, col, value):
        sheet.write_string(row, col, text(value)[:MAX_CELL_TEXT])

    return {"integer": number, "number": number, "date": when, "datetime": when}.get(
        kind, write_text
    )


def _write_filters(workbook, tables, formats, generated, title, used: set[str]) -> None:
    sheet = workbook.add_worksheet(_sheet_name("Filter", used))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 60)
    sheet.write_string(0, 0, "filter", formats["header"])
    sheet.write_string(0, 1, "value", formats["header"])
    moment = generated or datetime.now(UTC)
    rows: list[tuple[str, Any]] = []
    if title:
        rows.append(("title", title))
    rows.append(("generated (UTC)", moment.astimezone(UTC)))
    for table in tables:
        prefix = f"{table.name}: " if len(tables) > 1 else ""
        rows += [(prefix + key, value) for key, value in table.filters.items()]
        if not table.filters:
            rows.append((prefix + "(none)", "all records"))
    for line, (key, value) in enumerate(rows, start=1):
        sheet.write_string(line, 0, key)
        if isinstance(value, datetime):
            sheet.write_datetime(line, 1, value, formats["datetime"])
        else:
            sheet.write_string(line, 1, text(value)[:MAX_CELL_TEXT])
