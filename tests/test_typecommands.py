"""``simpul types``: the shipped list, files in JSON Lines, CSV and XLSX (all or nothing, bad
rows named by row and column), list, show, retire and export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from tests import test_cli

HEADINGS = ["ID", "Nama", "Nama (en)", "Nama lain", "Jenis", "Berlaku di", "Wajib di"]
HEADINGS += ["Dasar hukum", "Persyaratan", "Jangka waktu", "Biaya", "Pengaduan"]
cli = test_cli.cli  # the fixture: the command with its own database
ROW = [
    "surat-pindah-uji",
    "Surat Keterangan Pindah",
    "Moving certificate",
    "SKPWNI; Surat Pindah",
    "Pendaftaran",
    "kabkota",
    "kabkota",
    "UU 24/2013 | Undang-Undang Nomor 24 Tahun 2013 | https://peraturan.go.id/uu-24-2013",
    "Kartu Keluarga; KTP-el",
    "P1D",
    "Rp 0",
    "SP4N-LAPOR! | https://www.lapor.go.id",
]


def _csv(tmp_path, rows, name="jenis.csv"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def test_the_national_list_loads_and_refreshes(cli):
    first = cli("types", "national")
    assert "created" in first.stderr and int(first.stderr.split("created ")[1].split(",")[0]) >= 80
    again = cli("types", "national")
    assert "created 0, updated 0" in again.stderr
    listed = cli("types", "list", "--level", "desa").stdout.splitlines()
    assert listed and all(len(line.split("\t")) == 5 for line in listed)
    shown = json.loads(cli("types", "show", "akta-kelahiran").stdout)
    assert shown["name"]["id"] and shown["instances"] == 0 and shown["version"] == 1


def test_a_csv_loads_with_indonesian_headings(cli, tmp_path):
    done = cli("types", "load", _csv(tmp_path, [HEADINGS, ROW]))
    assert "created 1" in done.stderr
    shown = json.loads(cli("types", "show", "surat-pindah-uji").stdout)
    assert shown["kind"] == "pendaftaran"
    assert shown["alt_names"] == {"id": ["SKPWNI", "Surat Pindah"]}
    assert shown["legal_basis"] == [
        {
            "identifier": "UU 24/2013",
            "title": "Undang-Undang Nomor 24 Tahun 2013",
            "url": "https://peraturan.go.id/uu-24-2013",
        }
    ]
    assert shown["defaults"] == {
        "requirements": [{"id": "Kartu Keluarga"}, {"id": "KTP-el"}],
        "processing_time": "P1D",
        "cost": {"amount": 0, "currency": "IDR"},
        "complaints": {"id": "SP4N-LAPOR!", "url": "https://www.lapor.go.id"},
    }


def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_stored(cli, tmp_path):
    good = ROW
    bad = [*ROW[:4], "sewa", *ROW[5:]]
    bad[0] = "surat-pindah-dua"
    cost = [*ROW[:10], "gratis kecuali hari libur", ROW[11]]
    cost[0] = "surat-pindah-tiga"
    result = cli("types", "load", _csv(tmp_path, [HEADINGS, good, bad, cost]), ok=False)
    assert result.exit_code == 1
    assert "row 3, column 'Jenis'" in result.stderr
    assert "row 4, column 'Biaya'" in result.stderr
    assert "nothing was stored" in result.stderr
    assert cli("types", "list", "--status", "all").stdout == ""


def test_english_headings_and_an_xlsx_workbook(cli, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Name", "Kind", "Applies to", "Processing time", "Cost"])
    sheet.append(["izin-uji", "Izin Uji", "permohonan", "kabkota; provinsi", "P14D", 50000])
    book.save(tmp_path / "jenis.xlsx")
    assert "created 1" in cli("types", "load", str(tmp_path / "jenis.xlsx")).stderr
    shown = json.loads(cli("types", "show", "izin-uji").stdout)
    assert shown["applies_to"] == ["kabkota", "provinsi"]
    assert shown["defaults"]["cost"] == {"amount": 50000, "currency": "IDR"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_an_export_loads_back_unchanged_and_one_edited_row_is_one_update(cli, tmp_path, fmt):
    cli("types", "national")
    out = tmp_path / f"jenis.{fmt}"
    cli("types", "export", "--format", fmt, "--out", str(out))
    reloaded = cli("types", "load", str(out)).stderr
    assert "created 0, updated 0" in reloaded
    if fmt != "csv":
        return
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["ID", "Nama", "Nama (en)"]
    edited = next(r for r in rows if r[0] == "akta-kelahiran")
    edited[rows[0].index("Jangka waktu")] = "P3D"
    path = _csv(tmp_path, rows, "diubah.csv")
    assert "created 0, updated 1" in cli("types", "load", path).stderr
    shown = json.loads(cli("types", "show", "akta-kelahiran").stdout)
    assert shown["defaults"]["processing_time"] == "P3D" and shown["version"] == 2
    assert shown.get("note") or shown.get("description")  # what a sheet lacks is kept


def test_retire_and_export_to_standard_output(cli, tmp_path):
    cli("types", "load", _csv(tmp_path, [HEADINGS, ROW]))
    itself = cli(
        "types", "retire", "surat-pindah-uji", "--superseded-by", "surat-pindah-uji", ok=False
    )
    assert itself.exit_code == 1 and "superseded by itself" in itself.stderr
    cli("types", "retire", "surat-pindah-uji")
    assert cli("types", "list").stdout == ""
    assert "retired" in cli("types", "list", "--status", "retired").stdout
    lines = cli("types", "export").stdout.splitlines()
    assert json.loads(lines[0])["status"] == "retired"
    workbook = tmp_path / "out.xlsx"
    cli("types", "export", "--format", "xlsx", "--out", str(workbook))
    sheet = load_workbook(workbook, read_only=True).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows())][:2] == ["ID", "Nama"]
