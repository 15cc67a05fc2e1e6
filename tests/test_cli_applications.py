"""``simpul applications load`` and ``list`` as officers use them: JSON Lines, and CSV/XLSX
with the Indonesian headings they have."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook

from simpul.registry import applications
from tests.conftest import application_record, service_record
from tests.test_cli import _registry, add_dinkes, cli  # noqa: F401 (fixture)

ORG = "dinkes-kota-gorontalo"
HEADINGS = [
    "No.",
    "Nama Aplikasi",
    "Nama Singkat",
    "URL Aplikasi",
    "Jenis Aplikasi",
    "Kategori",
    "Status",
    "Unit Pengelola",
    "Unit Pengembang",
    "Hosting",
    "Status SPLP",
    "ID API SPLP",
    "Layanan",
    "Tingkat Keamanan",
    "Audit Terakhir",
]
ROWS = [
    [
        1,
        "Sistem Informasi Puskesmas",
        "SIMPUS",
        "https://simpus.gorontalokota.go.id",
        "Aplikasi Web",
        "Aplikasi Khusus",
        "Digunakan",
        "Bidang Yankes",
        "Diskominfo",
        "Pusat Data Daerah",
        "Sudah terintegrasi",
        "simpus-v1; simpus-v2",
        "imunisasi; rujukan",
        "Tinggi",
        "30/06/2025",
    ],
    [
        2,
        "Halo Dinkes",
        "",
        "",
        "WhatsApp",
        "Umum",
        "Dikembangkan",
        "",
        "",
        "Cloud",
        "Belum",
        "",
        "",
        "",
        "",
    ],
]


def _services(run) -> dict[str, str]:
    add_dinkes(run)
    lines = "\n".join(
        json.dumps(service_record(i, authority=ORG)) for i in ("imunisasi", "rujukan")
    )
    run("load", "-", "--org", ORG, input=lines)
    reg = _registry(run)
    with reg.db.session() as session:
        from simpul.registry.services import list_services

        ids = {row.identifier: row.id for row in list_services(session)[1]}
    reg.close()
    return ids


def _stored(run) -> dict[str, dict]:
    reg = _registry(run)
    with reg.db.session() as session:
        rows = applications.list_applications(session, size=100)[1]
        out = {row.identifier: applications.application_to_dict(row) for row in rows}
    reg.close()
    return out


def test_jsonl_load_links_services_by_identifier_and_reports_bad_lines(cli, tmp_path):  # noqa: F811
    ids = _services(cli)
    good = application_record(services=["imunisasi"])
    bad = application_record("rusak", kind="website")
    path = tmp_path / "aplikasi.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps(bad)]) + "\n")
    result = cli("applications", "load", str(path), "--org", ORG, ok=False)
    assert result.exit_code == 1
    assert ":2: malformed JSON" in result.stderr
    assert ":3: kind: unknown application kind 'website'" in result.stderr
    assert "created 1" in result.stderr
    assert _stored(cli)["sidukcapil"]["services"] == [ids["imunisasi"]]
    again = cli("applications", "load", str(path), "--org", ORG, ok=False)
    assert "unchanged 1" in again.stderr


def _check_sheet(run, ids):
    stored = _stored(run)
    simpus = stored["sistem-informasi-puskesmas"]
    assert simpus["short_name"] == "SIMPUS"
    assert (simpus["kind"], simpus["category"], simpus["lifecycle"]) == (
        "web",
        "khusus",
        "digunakan",
    )
    assert simpus["hosting"] == "pusat-data-daerah"
    assert simpus["operator"] == {"name": "Bidang Yankes"}
    assert simpus["splp"] == {"status": "terhubung", "apis": ["simpus-v1", "simpus-v2"]}
    assert simpus["services"] == [ids["imunisasi"], ids["rujukan"]]
    assert simpus["security"] == {"level": "tinggi", "last_audit": "2025-06-30"}
    halo = stored["halo-dinkes"]
    assert (halo["kind"], halo["category"], halo["lifecycle"]) == (
        "chatbot",
        "umum",
        "dikembangkan",
    )
    assert halo["splp"] == {"status": "belum"}
    listed = run("applications", "list", "--org", ORG, "--kind", "chatbot").output
    assert listed.count("\n") == 1 and "halo-dinkes" in listed


def test_csv_with_indonesian_headings(cli, tmp_path):  # noqa: F811
    ids = _services(cli)
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([HEADINGS, *ROWS])
    path = tmp_path / "aplikasi.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    result = cli("applications", "load", str(path), "--org", ORG)
    assert "created 2" in result.stderr
    _check_sheet(cli, ids)


def test_xlsx_reads_the_aplikasi_sheet(cli, tmp_path):  # noqa: F811
    ids = _services(cli)
    book = Workbook()
    book.active.title = "Layanan"
    book.active.append(["Nama Layanan"])
    sheet = book.create_sheet("Aplikasi")
    sheet.append(["Daftar Aplikasi Dinas Kesehatan"])  # a title row above the headings
    for row in [HEADINGS, *ROWS]:
        sheet.append(row)
    path = tmp_path / "inventaris.xlsx"
    book.save(path)
    cli("applications", "load", str(path), "--org", ORG)
    _check_sheet(cli, ids)


def test_a_row_linking_an_unknown_service_is_refused_by_row(cli, tmp_path):  # noqa: F811
    _services(cli)
    text = io.StringIO()
    csv.writer(text).writerows([HEADINGS, ROWS[0][:12] + ["tidak-ada"] + ROWS[0][13:]])
    path = tmp_path / "aplikasi.csv"
    path.write_text(text.getvalue())
    result = cli("applications", "load", str(path), "--org", ORG, ok=False)
    assert result.exit_code == 1
    assert ":2: services[0]:" in result.stderr and "tidak-ada" in result.stderr
    assert _stored(cli) == {}
