"""Any table (columns, then rows from an iterator) as a spreadsheet file, streamed.

- **CSV**: UTF-8 with a byte-order mark (so Excel shows Indonesian text as written), RFC 4180
  (CRLF, fields quoted when they hold a comma, quote or line break), and formula injection
  neutralised as OWASP advises: a text cell starting with ``= + - @``, a tab or a carriage return
  gets a leading ``'``, so a spreadsheet shows it instead of running it. Numbers are written as
  numbers (a negative number is not text, and keeps its sign).
- **XLSX**: written here, straight into the zip, one string of XML per row (inline strings, so
  nothing is kept per row): one sheet per table (continued on a next sheet past Excel's
  1,048,576 rows), the header row frozen, column widths set, numbers stored as numbers and dates
  as dates, text never read as a formula, and a last sheet recording the filters and when the
  file was made. An XLSX file is a zip whose directory comes last, so it is built in a temporary
  file, then streamed. (XlsxWriter in ``constant_memory`` mode did the same at a tenth of the
  speed: its per-cell calls cost more than the rest of an export.)

It knows nothing of Simpul: the core hands it plain values.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import operator
import re
import tempfile
import zipfile
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
XLSX_CHUNK_ROWS = 1000  # XLSX rows per write into the zip
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
    """The workbook's parts written straight into a zip, each sheet as its rows arrive (one
    string per row: a general-purpose writer's per-cell calls took 20 times longer)."""
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        names: list[str] = []
        used: set[str] = set()
        for table in tables:
            names += _write_sheets(book, table, used, len(names))
        moment = (generated or datetime.now(UTC)).astimezone(UTC)
        filters = Table("Filter", FILTER_COLUMNS, _filter_rows(tables, moment, title))
        names += _write_sheets(book, filters, used, len(names))
        _write_parts(book, names)


FILTER_COLUMNS = (Column("filter", width=28), Column("value", "datetime", width=60))


def _filter_rows(tables: Sequence[Table], moment: datetime, title: str) -> list[tuple]:
    rows: list[tuple[str, Any]] = [("title", title)] if title else []
    rows.append(("generated (UTC)", moment))
    for table in tables:
        prefix = f"{table.name}: " if len(tables) > 1 else ""
        rows += [(prefix + key, value) for key, value in table.filters.items()]
        if not table.filters:
            rows.append((prefix + "(none)", "all records"))
    return rows


def _sheet_name(name: str, used: set[str]) -> str:
    """A sheet name Excel takes: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:31] or "Sheet"
    candidate, number = clean, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate, number = clean[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.casefold())
    return candidate


def _write_sheets(book: zipfile.ZipFile, table: Table, used: set[str], first: int) -> list[str]:
    """The table on as many sheets as its rows need; returns their names."""
    writer = _RowWriter(table.columns)
    rows = iter(table.rows)
    names: list[str] = []
    while True:
        sheet_rows = itertools.islice(rows, MAX_SHEET_ROWS - 1)  # the header takes a row
        head = next(sheet_rows, _END)
        if head is _END and names:
            return names
        names.append(_sheet_name(table.name, used))
        out = _start_sheet(book, first + len(names), table.columns, writer.letters)
        try:
            if head is not _END:
                writer.write(out, itertools.chain((head,), sheet_rows))
            out.write(b"</sheetData></worksheet>")
        finally:  # a failing row: the zip is not usable, but closes
            out.close()
        if head is _END:  # no rows: the header alone
            return names


_END = object()
_SHORT_ROW = MAX_CELL_TEXT // 2  # no cell of a row this long can pass Excel's limit in UTF-16


class _RowWriter:
    """Rows as XML, ``XLSX_CHUNK_ROWS`` at a time, each row written by a function made once per
    row *shape* (the type of each value): a plain string goes into its text cell as it is, an
    integer into its number cell, an absent value nowhere, anything else through its column's
    encoder. Whether the plain strings need care (a character to escape or drop, a space at
    either end, an empty string) is checked once per chunk over all of them together; a chunk
    that does has the rows concerned written cell by cell, as is a row long enough to hold a
    cell past Excel's limit. (Cell by cell for every row took 2.3 times as long as CSV.)"""

    def __init__(self, columns: Sequence[Column]):
        self.columns = columns
        self.letters = [_letter(index) for index in range(len(columns))]
        self.encoders = [_encoder(column.kind) for column in columns]
        self.plans: dict[tuple, tuple] = {}

    def write(self, out, rows: Iterator[Sequence[Any]]) -> None:
        """``rows`` numbered from 2 (under the header), into ``out``."""
        plans, plan, encoders, letters = self.plans, self._plan, self.encoders, self.letters
        chunk: list[tuple[str, Sequence[Any]]] = []
        lines: list[str] = []
        texts: list[str] = []
        for line, row in enumerate(rows, start=2):
            shape = tuple(map(type, row))
            render, strings, others = plans.get(shape) or plan(shape)
            number = str(line)
            values = row
            if others:
                values = list(row)
                for i in others:
                    values[i] = encoders[i](letters[i], number, row[i]) if row[i] != "" else ""
            xml = render(number, values)
            if strings is not None:
                texts += strings(row)
            chunk.append((number, row))
            lines.append(xml)
            if len(lines) == XLSX_CHUNK_ROWS:
                out.write(self._chunk(chunk, lines, texts))
                chunk, lines, texts = [], [], []
        if lines:
            out.write(self._chunk(chunk, lines, texts))

    def _chunk(self, chunk: list[tuple[str, Sequence[Any]]], lines: list[str], texts) -> bytes:
        if not _plain(texts) or max(map(len, lines)) > _SHORT_ROW:
            lines = [
                xml
                if len(xml) <= _SHORT_ROW and _plain([v for v in row if type(v) is str])
                else self._careful(number, row)
                for (number, row), xml in zip(chunk, lines, strict=True)
            ]
        return "".join(lines).encode()

    def _careful(self, number: str, row: Sequence[Any]) -> str:
        """The row cell by cell, each value through its column's encoder."""
        cells = [
            encode(letter, number, value)
            for encode, letter, value in zip(self.encoders, self.letters, row, strict=False)
            if value is not None and value != ""
        ]
        return f'<row r="{number}">{"".join(cells)}</row>'

    def _plan(self, shape: tuple) -> tuple:
        """For a row shape: a function writing such a row, the getter of its plain strings, and
        the cells its column's encoder writes. The function is an f-string compiled once (half
        the time of ``str.format``), made of nothing but column letters and value indexes."""
        if len(self.plans) > 512:  # rows of ever new shapes: keep the cache small
            self.plans.clear()
        pieces, strings, others = ['<row r="{n}">'], [], []
        cells = zip(self.columns, self.letters, shape, strict=False)  # a short row: the rest empty
        for index, (column, letter, kind) in enumerate(cells):
            field = f"{{v[{index}]}}"
            if kind is type(None):
                continue
            if kind is str and column.kind == "text":
                pieces.append(f'<c r="{letter}{{n}}" t="inlineStr"><is><t>{field}</t></is></c>')
                strings.append(index)
            elif kind is int and column.kind in ("integer", "number"):
                pieces.append(f'<c r="{letter}{{n}}"><v>{field}</v></c>')
            else:
                pieces.append(field)
                others.append(index)
        pieces.append("</row>")
        render = eval(f"lambda n, v: f'{''.join(pieces)}'", {})  # noqa: S307 (see above)
        getter = None
        if len(strings) == 1:
            getter = operator.itemgetter(slice(strings[0], strings[0] + 1))
        elif strings:
            getter = operator.itemgetter(*strings)
        plan = (render, getter, tuple(others))
        self.plans[shape] = plan
        return plan


def _start_sheet(book: zipfile.ZipFile, number: int, columns: Sequence[Column], letters):
    out = book.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{column.width + 0.71:.2f}" customWidth="1"/>'
        for i, column in enumerate(columns, start=1)
    )
    header = "".join(
        f'<c r="{letter}1" s="1" t="inlineStr"><is><t>{_xml(column.key)}</t></is></c>'
        for letter, column in zip(letters, columns, strict=True)
    )
    out.write(
        (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
            'topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection '
            'pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{widths}</cols><sheetData><row r="1">{header}</row>'
        ).encode()
    )
    return out


def _letter(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


_CARE_BYTES = bytes(range(1, 32)).translate(None, b"\t\n\r") + b"&<>"
_SPACES_AS_ONE = bytes.maketrans(b"\t\n\r", b"   ")  # XML strips these at a text's ends


def _plain(texts: list[str]) -> bool:
    """Whether the strings can go into XML as they are: none is empty, holds a character to
    escape or drop, or starts or ends with a space XML would strip. A few passes of C over all
    of them joined by NUL, which none may hold (one regex search was 20 times slower)."""
    if not texts:
        return True
    joined = "\x00".join(texts)
    if joined.isascii():
        data = joined.encode("ascii")
    else:
        try:
            data = joined.encode()
        except UnicodeEncodeError:  # a lone surrogate
            return False
        if b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:  # U+FFFE, U+FFFF
            return False
    if data.count(0) != len(texts) - 1 or len(data.translate(None, _CARE_BYTES)) != len(data):
        return False
    spaced = b"\x00" + data.translate(_SPACES_AS_ONE) + b"\x00"
    return not (b"\x00 " in spaced or b" \x00" in spaced or b"\x00\x00" in spaced)


_XML_BAD = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff]")
_XML_SPECIAL = re.compile("[&<>\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff]")
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_EPOCH_UTC = EXCEL_EPOCH.replace(tzinfo=UTC)


def _xml(value: str) -> str:
    if _XML_SPECIAL.search(value) is None:  # the common case: nothing to escape
        return value
    value = _XML_BAD.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(value: str) -> str:
    """At most ``MAX_CELL_TEXT`` characters as Excel counts them (UTF-16 code units: a
    character beyond the BMP counts twice), never half a character."""
    if len(value) <= _SHORT_ROW:
        return value
    units = value.encode("utf-16-le", "surrogatepass")[: 2 * MAX_CELL_TEXT]
    return units.decode("utf-16-le", "ignore")


def _text_cell(letter: str, number: str, value: Any) -> str:
    cell = _xml(_cut(value if type(value) is str else text(value)))
    space = ' xml:space="preserve"' if cell[:1].isspace() or cell[-1:].isspace() else ""
    return f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{cell}</t></is></c>'


def _number_cell(letter: str, number: str, value: Any) -> str:
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(value)):
        return f'<c r="{letter}{number}"><v>{value!r}</v></c>'
    return _text_cell(letter, number, value)


def _date_cell(letter: str, number: str, value: Any) -> str:
    if isinstance(value, datetime):  # an aware one at its UTC time, with no naive copy made
        epoch = EXCEL_EPOCH if value.utcoffset() is None else EXCEL_EPOCH_UTC
        serial = (value - epoch).total_seconds() / 86400
        return f'<c r="{letter}{number}" s="3"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        serial = (value - EXCEL_EPOCH.date()).days
        return f'<c r="{letter}{number}" s="2"><v>{serial}</v></c>'
    return _text_cell(letter, number, value)


def _encoder(kind: str):
    return {"integer": _number_cell, "number": _number_cell}.get(
        kind, _date_cell if kind in ("date", "datetime") else _text_cell
    )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid">'
    '<fgColor rgb="FFDDE6F0"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/>'
    '</right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/>'
    "</bottom><diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _write_parts(book: zipfile.ZipFile, names: list[str]) -> None:
    """The parts that name the sheets, written once every sheet is known."""
    numbers = range(1, len(names) + 1)
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in numbers
    )
    book.writestr(
        "[Content_Types].xml",
        f'{_XML_HEAD}<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>",
    )
    book.writestr(
        "_rels/.rels",
        f'{_XML_HEAD}<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    listed = "".join(
        f'<sheet name="{_xml(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in zip(numbers, names, strict=True)
    )
    book.writestr(
        "xl/workbook.xml",
        f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
        f"</bookViews><sheets>{listed}</sheets></workbook>",
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    styles = len(names) + 1
    book.writestr(
        "xl/_rels/workbook.xml.rels",
        f'{_XML_HEAD}<Relationships xmlns="{_PKG}/relationships">{links}<Relationship '
        f'Id="rId{styles}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    )
    book.writestr("xl/styles.xml", _STYLES)
