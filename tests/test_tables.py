"""Tables as CSV and XLSX (simpul.tables): what Excel and a CSV reader get back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from simpul import tables
from simpul.tables import Column, Table

COLUMNS = [
    Column("name", width=30),
    Column("count", "integer", width=9),
    Column("share", "number"),
    Column("modified", "datetime"),
    Column("day", "date"),
    Column("areas"),
]
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def table(rows, **filters) -> Table:
    return Table("Layanan", COLUMNS, iter(rows), dict(filters))


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_csv_has_a_bom_crlf_lines_and_rfc4180_quoting():
    rows = [['Surat, "Domisili"\nbaru', 3, 0.5, WHEN, date(2025, 1, 2), ["75", "75.71"]]]
    data = b"".join(tables.csv_chunks(table(rows)))
    assert data.count(b"\r\n") == 2  # header and row end in CRLF; the quoted field keeps its LF
    assert b'"Surat, ""Domisili""\nbaru"' in data
    parsed = read_csv(data)
    assert parsed[0] == [c.key for c in COLUMNS]
    assert parsed[1] == [
        'Surat, "Domisili"\nbaru',
        "3",
        "0.5",
        "2025-03-04T05:06:07+00:00",
        "2025-01-02",
        "75; 75.71",
    ]


def test_indonesian_text_survives_the_round_trip():
    rows = [["Penerbitan Akta Kelahiran – Dukcapil “cepat”", None, None, None, None, []]]
    parsed = read_csv(b"".join(tables.csv_chunks(table(rows))))
    assert parsed[1][0] == "Penerbitan Akta Kelahiran – Dukcapil “cepat”"
    assert parsed[1][1:] == ["", "", "", "", ""]


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx"])
def test_formula_injection_is_neutralised_in_csv(cell):
    parsed = read_csv(b"".join(tables.csv_chunks(table([[cell, -5, -0.25, None, None, [cell]]]))))
    assert parsed[1][0] == "'" + cell
    assert parsed[1][5] == "'" + cell
    assert parsed[1][1:3] == ["-5", "-0.25"]  # numbers keep their sign: they are not text


def test_csv_streams_in_chunks():
    rows = ([f"s{i}", i, None, None, None, []] for i in range(2500))
    chunks = list(tables.csv_chunks(table(rows), chunk_rows=1000))
    assert len(chunks) == 3
    assert len(read_csv(b"".join(chunks))) == 2501


def xlsx(tables_, **options) -> openpyxl.Workbook:
    data = b"".join(tables.xlsx_chunks(tables_, **options))
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_stores_numbers_as_numbers_and_dates_as_dates():
    rows = [["=1+1", 7, 0.75, WHEN, date(2025, 1, 2), ["75"]], ["b", None, None, None, None, []]]
    book = xlsx([table(rows, authority="kemenkes", area="75")], generated=WHEN)
    sheet = book["Layanan"]
    assert [c.value for c in sheet[1]] == [c.key for c in COLUMNS]
    first = [c.value for c in sheet[2]]
    assert first[:3] == ["=1+1", 7, 0.75]
    assert sheet["A2"].data_type == "s"  # text, never a formula
    assert isinstance(sheet["B2"].value, int) and sheet["B2"].data_type == "n"
    assert sheet["D2"].value == datetime(2025, 3, 4, 5, 6, 7)
    assert sheet["E2"].is_date and sheet["E2"].value.date() == date(2025, 1, 2)
    assert sheet["F2"].value == "75"
    assert sheet["B3"].value is None


def test_xlsx_freezes_the_header_sets_widths_and_records_the_filters():
    book = xlsx([table([], authority="kemenkes", level="pusat")], generated=WHEN, title="Simpul")
    sheet = book["Layanan"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == pytest.approx(30, abs=1)
    assert sheet.column_dimensions["B"].width == pytest.approx(9, abs=1)
    assert book.sheetnames == ["Layanan", "Filter"]
    recorded = {row[0].value: row[1].value for row in book["Filter"].iter_rows(min_row=2)}
    assert recorded == {
        "title": "Simpul",
        "generated (UTC)": datetime(2025, 3, 4, 5, 6, 7),
        "authority": "kemenkes",
        "level": "pusat",
    }


def test_a_table_longer_than_a_sheet_goes_on_in_the_next(monkeypatch):
    monkeypatch.setattr(tables, "MAX_SHEET_ROWS", 4)
    rows = [[f"s{i}", i, None, None, None, []] for i in range(7)]
    book = xlsx([table(rows)])
    assert book.sheetnames == ["Layanan", "Layanan (2)", "Layanan (3)", "Filter"]
    values = [
        row[1].value for name in book.sheetnames[:3] for row in book[name].iter_rows(min_row=2)
    ]
    assert values == list(range(7))
    assert book["Layanan (2)"].freeze_panes == "A2"


def test_sheet_names_are_made_acceptable_to_excel():
    used: set[str] = set()
    assert tables._sheet_name("a/b:c*[d]?", used) == "a_b_c__d__"
    long = "x" * 40
    assert tables._sheet_name(long, used) == "x" * 31
    assert tables._sheet_name(long, used) == "x" * 27 + " (2)"


def test_an_unknown_column_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        Column("x", "money")


def test_xlsx_keeps_markup_and_spaces_as_text_and_drops_what_xml_cannot_hold():
    rows = [
        ["<b>Izin & Reklame</b>", float("nan"), 1e-7, None, None, [" Kota ", "75"]],
        ["bell\x07 and tab\there", True, None, None, None, []],
    ]
    sheet = xlsx([table(rows)])["Layanan"]
    assert sheet["A2"].value == "<b>Izin & Reklame</b>"
    assert sheet["B2"].value == "nan" and sheet["B2"].data_type == "s"  # not a broken number
    assert sheet["C2"].value == pytest.approx(1e-7)
    assert sheet["F2"].value == " Kota ; 75"
    assert sheet["A3"].value == "bell and tab\there"
    assert sheet["B3"].value == "True"
    assert sheet["A1"].font.b and sheet["D2"].value is None


def test_xlsx_of_many_rows_streams_in_pieces_within_little_memory():
    """Rows go to the zip as they come: 20,000 rows never sit in memory together."""
    import tracemalloc

    rows = ([f"layanan {i}", i, 0.5, WHEN, date(2025, 1, 2), ["75.71"]] for i in range(20_000))
    tracemalloc.start()
    size = sum(len(piece) for piece in tables.xlsx_chunks([table(rows)]))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert size > 50_000 and peak < 3_000_000


TRICKY = [
    "<b>Izin</b> & \"Reklame\" 'Kota'",  # every character XML escapes
    "0123",  # number-like strings stay text
    "1e5",
    "=SUM(A1:A9)",  # text, never a formula
    " leading",  # spaces XML would strip at either end
    "trailing\n",
    "\ttab",
    "",  # an empty string is an empty cell, as None is
    "nul\x00 vt\x0b ff\x0c bad\ufffe\uffff lone\ud800 kept\t\n",  # what XML cannot hold is dropped
    "Kabupaten Tojo Una-Una – “Sulawesi Tengah” 😀",
]
EXPECTED = {
    "": None,
    "nul\x00 vt\x0b ff\x0c bad\ufffe\uffff lone\ud800 kept\t\n": "nul vt ff bad lone kept\t\n",
}


@pytest.mark.parametrize("chunk_rows", [1000, 3])
def test_xlsx_text_cells_read_back_as_written_among_plain_rows(monkeypatch, chunk_rows):
    """Rows of plain strings take the fast path and the others the careful one, in one chunk or
    spread over many (chunks of 3 rows put each kind in a chunk of its own and in mixed ones)."""
    monkeypatch.setattr(tables, "XLSX_CHUNK_ROWS", chunk_rows)
    cells = [value for tricky in TRICKY for value in (f"plain {tricky[:1]!r}", tricky)]
    rows = [
        [cell, index, None, None, None, [cell, "75"] if cell else []]
        for index, cell in enumerate(cells)
    ]
    sheet = xlsx([table(rows)])["Layanan"]
    for line, cell in enumerate(cells, start=2):
        wanted = EXPECTED.get(cell, cell)
        assert sheet.cell(line, 1).value == wanted, line
        assert sheet.cell(line, 1).value is None or sheet.cell(line, 1).data_type == "s"
        assert sheet.cell(line, 2).value == line - 2  # the cells after it are in their columns
        if cell:
            assert sheet.cell(line, 6).value == EXPECTED.get(cell, cell) + "; 75"


def test_xlsx_cuts_text_at_excels_limit_counted_as_excel_counts():
    """32,767 characters as UTF-16 code units: an emoji counts twice and is never cut in half."""
    long = "a" * 40_000
    emoji = "x" + "😀" * 20_000
    rows = [[long, 1, None, None, None, []], [emoji, 2, None, None, None, []]]
    sheet = xlsx([table(rows)])["Layanan"]
    assert sheet["A2"].value == "a" * 32_767
    cut = sheet["A3"].value
    assert emoji.startswith(cut)
    assert len(cut.encode("utf-16-le")) // 2 == 32_767  # "x" and 16,383 whole emoji
    assert sheet["B3"].value == 2


def test_xlsx_types_a_value_by_its_column_and_its_value():
    """A value of another type than its column's goes in as text (or a number where it is one);
    a short row leaves its last cells empty; rows of changing shapes keep their columns."""
    rows = [
        [12, "n/a", "0.5", "kemarin", "2025-01-02", None],
        ["b", 3, 2.5, WHEN.replace(tzinfo=None), datetime(2025, 1, 2, 3, 4), ("75", 76)],
        ["c"],
        [None, None, None, None, None, "75"],
    ]
    sheet = xlsx([table(rows)])["Layanan"]
    assert [c.value for c in sheet[2]] == ["12", "n/a", "0.5", "kemarin", "2025-01-02", None]
    assert sheet["A2"].data_type == "s" and sheet["B2"].data_type == "s"
    assert [c.value for c in sheet[3]][:4] == ["b", 3, 2.5, datetime(2025, 3, 4, 5, 6, 7)]
    assert sheet["E3"].value == datetime(2025, 1, 2, 3, 4)
    assert sheet["F3"].value == "75; 76"
    assert [c.value for c in sheet[4]] == ["c", None, None, None, None, None]
    assert [c.value for c in sheet[5]] == [None, None, None, None, None, "75"]


def test_xlsx_text_with_only_plain_characters_is_not_escaped_twice():
    rows = [["a &amp; b", 1, None, None, None, ["&lt;"]]]
    sheet = xlsx([table(rows)])["Layanan"]
    assert sheet["A2"].value == "a &amp; b" and sheet["F2"].value == "&lt;"
