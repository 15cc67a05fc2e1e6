"""The spreadsheet type: CSV and XLSX inventories with Indonesian headings, from a URL or an
upload, with a per-row error report."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from tests.data import TEST_DATA
from tests.services.http import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADINGS = [
    "No.",
    "Nama Layanan",
    "Persyaratan",
    "Sistem, Mekanisme dan Prosedur",
    "Jangka Waktu",
    "Biaya/Tarif",
    "Produk Layanan",
    "Penanganan Pengaduan, Saran dan Masukan",
    "Dasar Hukum",
    "Jumlah Pelaksana",
]
ROWS = [
    [
        1,
        "Penerbitan Kartu Keluarga",
        "1. Surat pengantar RT/RW\n2. Buku nikah",
        "1. Pemohon mengisi formulir 2. Petugas memverifikasi 3. KK dicetak",
        "3 hari kerja",
        "Tidak dipungut biaya",
        "Kartu Keluarga",
        "Kotak saran dan SP4N-LAPOR!",
        "UU No. 24 Tahun 2013",
        "4 orang",
    ],
    [2, "", "KTP", "", "", "", "", "", "", ""],  # no name: this row is reported
    [
        3,
        "Legalisir Dokumen",
        "Dokumen asli",
        "Serahkan dokumen",
        "1 jam",
        "Rp 5.000,-",
        "Dokumen terlegalisir",
        "",
        "",
        "",
    ],
]


def csv_bytes(rows=ROWS, delimiter=";", encoding="cp1252", title=True) -> bytes:
    out = io.StringIO()
    if title:
        out.write("STANDAR PELAYANAN DINAS KEPENDUDUKAN KOTA GORONTALO\r\n\r\n")
    for row in [HEADINGS, *rows]:
        cells = ['"' + str(c).replace('"', '""') + '"' for c in row]
        out.write(delimiter.join(cells) + "\r\n")
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows=ROWS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Standar Pelayanan"
    sheet.append(["Standar Pelayanan Dinas Kependudukan"])
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check_inventory(harvests, job):
    assert job.status == "finished", job.message
    assert job.counts["created"] == 2 and job.counts["errors"] == 1
    [(key, stage, message)] = [e for e in harvests.errors(job.id) if e[1] != "note"]
    assert stage == "transform" and message.startswith("row ")
    live = harvests.live()
    kk = live["penerbitan-kartu-keluarga"]
    assert kk["requirements"] == [{"id": "Surat pengantar RT/RW"}, {"id": "Buku nikah"}]
    assert [s["id"] for s in kk["procedure"]] == [
        "Pemohon mengisi formulir",
        "Petugas memverifikasi",
        "KK dicetak",
    ]
    assert kk["processing_time"] == "P3D"
    assert kk["cost"]["amount"] == 0
    assert kk["management"]["staff_count"] == 4
    assert kk["legal_basis"] == [{"title": "UU No. 24 Tahun 2013"}]
    legalisir = live["legalisir-dokumen"]
    assert legalisir["processing_time"] == "PT1H" and legalisir["cost"]["amount"] == 5000


def test_csv_with_a_title_row_semicolons_and_windows_encoding(harvests, remote):
    harvests.org()
    url = remote.route("/standar.csv", Response(csv_bytes(), "text/csv"))
    harvests.source("sp", "spreadsheet", url)
    check_inventory(harvests, harvests.run("sp"))


def test_xlsx_workbook(harvests, remote):
    harvests.org()
    url = remote.route("/standar.xlsx", Response(xlsx_bytes(), XLSX))
    harvests.source("sp", "spreadsheet", url)
    check_inventory(harvests, harvests.run("sp"))


def test_upload_over_the_api_then_worker(harvests, client, publisher):
    harvests.org()
    harvests.source("sp", "spreadsheet", "", schedule="manual")
    token = publisher.token("kota-gorontalo")
    response = client.post(
        "/api/v1/sources/sp/upload",
        data=xlsx_bytes(),
        headers={**publisher.auth(token), "Content-Type": XLSX},
    )
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["job"]["id"]
    from simpul.harvesters.worker import run_cycle

    run_cycle(harvests.registry)
    check_inventory(harvests, harvests.job(job_id))


def test_upload_needs_the_owner_token(harvests, client, publisher):
    harvests.org()
    harvests.org("kab-gorontalo", area="75.01")
    harvests.source("sp", "spreadsheet", "", schedule="manual")
    other = publisher.token("kab-gorontalo")
    response = client.post(
        "/api/v1/sources/sp/upload",
        data=csv_bytes(),
        headers={**publisher.auth(other), "Content-Type": "text/csv"},
    )
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    from sqlalchemy import func, select

    from simpul.registry.models import HarvestJob

    with harvests.registry.db.session() as session:  # no run was queued
        assert session.scalar(select(func.count()).select_from(HarvestJob)) == 0


def _applications(harvests) -> dict[str, dict]:
    from simpul.registry import applications

    with harvests.registry.db.session() as session:
        rows = applications.list_applications(session, size=100)[1]
        return {row.identifier: applications.application_to_dict(row) for row in rows}


def test_application_columns_beside_services_become_applications(harvests, remote):
    """The officers' "Nama Aplikasi" and "Terintegrasi SPLP" columns (noted as unmapped
    before) make one application per name, linking the services of its rows; a column that
    maps to nothing is still named once."""
    harvests.org()
    headings = [*HEADINGS, "Nama Aplikasi", "Terintegrasi SPLP", "Catatan Internal"]
    rows = [[*row, "SIAK Terpusat", "Ya", "cek"] for row in ROWS]
    out = io.StringIO()
    for row in [headings, *rows]:
        out.write(";".join('"' + str(c) + '"' for c in row) + "\r\n")
    url = remote.route("/standar.csv", Response(out.getvalue().encode(), "text/csv"))
    harvests.source("sp", "spreadsheet", url)
    job = harvests.run("sp")
    assert job.counts["created"] == 2 and job.counts["applications_created"] == 1
    notes = [(key, message) for key, stage, message in harvests.errors(job.id) if stage == "note"]
    assert notes == [
        (
            None,
            "1 column(s) map to no record field and were not imported: 'Catatan Internal' "
            "(map them with the 'columns' option where a field fits)",
        )
    ]
    assert job.counts["errors"] == 1  # the row without a name; a note is no error
    live = harvests.live()
    siak = _applications(harvests)["siak-terpusat"]
    assert siak["name"] == {"id": "SIAK Terpusat"} and siak["splp"] == {"status": "terhubung"}
    expected = [live["penerbitan-kartu-keluarga"]["id"], live["legalisir-dokumen"]["id"]]
    assert siak["services"] == expected
    again = harvests.run("sp")
    assert again.counts["applications_unchanged"] == 1


def test_an_aplikasi_sheet_beside_the_services_sheet(harvests, remote):
    harvests.org()
    book = Workbook()
    book.active.title = "Standar Pelayanan"
    for row in [HEADINGS, *ROWS]:
        book.active.append(row)
    sheet = book.create_sheet("Aplikasi")
    sheet.append(["Nama Aplikasi", "Jenis Aplikasi", "Status SPLP", "Layanan", "Hosting"])
    sheet.append(["Si Legal", "Android", "terdaftar", "legalisir-dokumen", "PDN"])
    sheet.append(["Rusak", "Hologram", "", "", ""])  # reported, the others kept
    sheet.append(["Asing", "web", "", "layanan-tak-dikenal", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    url = remote.route("/standar.xlsx", Response(buffer.getvalue(), XLSX))
    harvests.source("sp", "spreadsheet", url)
    job = harvests.run("sp")
    assert job.counts["created"] == 2
    assert job.counts["applications_created"] == 1 and job.counts["applications_error"] == 2
    problems = {k: m for k, stage, m in harvests.errors(job.id) if stage == "application"}
    assert set(problems) == {"Aplikasi:row:3", "Aplikasi:row:4"}
    assert "kind: unknown application kind 'Hologram'" in problems["Aplikasi:row:3"]
    assert "services[0]" in problems["Aplikasi:row:4"]
    legal = _applications(harvests)["si-legal"]
    assert (legal["kind"], legal["hosting"], legal["splp"]) == (
        "mobile",
        "pdn",
        {"status": "terdaftar"},
    )
    assert legal["services"] == [harvests.live()["legalisir-dokumen"]["id"]]
    assert legal["provenance"]["source"] == "sp"


def test_a_sheet_of_applications_alone(harvests, remote):
    harvests.org()
    text = "Nama Aplikasi;URL Aplikasi;Jenis Aplikasi;Status\r\n"
    text += "Portal Kota;https://gorontalokota.go.id;Aplikasi Web;Digunakan\r\n"
    url = remote.route("/aplikasi.csv", Response(text.encode(), "text/csv"))
    harvests.source("sp", "spreadsheet", url)
    job = harvests.run("sp")
    assert job.status == "finished", job.message
    assert job.counts["applications_created"] == 1 and not job.counts.get("created")
    portal = _applications(harvests)["portal-kota"]
    assert (portal["url"], portal["kind"], portal["lifecycle"]) == (
        "https://gorontalokota.go.id",
        "web",
        "digunakan",
    )


def test_reusable_column_mapping_on_a_village_letter_list(harvests, remote):
    harvests.org("desa-langge", level="desa", area="75.03.01.2007")
    data = (TEST_DATA / "samples/desa/layanan-surat-desa.csv").read_bytes()
    url = remote.route("/surat.csv", Response(data, "text/csv"))
    harvests.source(
        "opensid",
        "spreadsheet",
        url,
        org="desa-langge",
        options={"columns": {"kode_surat": "identifier", "nama": "name"}},
    )
    job = harvests.run("opensid")
    assert job.status == "finished"
    # 12 rows; two letters share the archive code 470 in the list: the second is a duplicate
    assert job.counts["created"] == 11 and job.counts["duplicates"] == 1
    live = harvests.live()
    assert live["470"]["name"] == {"id": "Keterangan Penduduk"}  # the first is kept
    assert live["331"]["name"] == {"id": "Pengantar Laporan Kehilangan"}
    assert live["331"]["areas"] == ["75.03.01.2007"]
    assert live["300"]["name"] == {"id": "Pengantar Izin Keramaian, Hajatan, dan Pesta"}


def test_no_heading_row(harvests, remote):
    harvests.org()
    url = remote.route("/x.csv", Response(b"a,b,c\n1,2,3\n", "text/csv"))
    harvests.source("sp", "spreadsheet", url)
    job = harvests.run("sp")
    assert job.status == "failed" and "Nama Layanan" in job.message


def test_zip_bomb_workbook_is_refused(harvests, remote):
    harvests.org()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            block = b"0" * (1024 * 1024)
            for _ in range(210):
                entry.write(block)
    url = remote.route("/bomb.xlsx", Response(buffer.getvalue(), XLSX))
    harvests.source("sp", "spreadsheet", url)
    job = harvests.run("sp")
    assert job.status == "failed" and "unpacks to" in job.message


@pytest.mark.parametrize("content", [b"\x00\x01\x02garbage" * 100, b"PK\x03\x04not a zip"])
def test_binary_garbage(harvests, remote, content):
    harvests.org()
    url = remote.route("/x", Response(content, "application/octet-stream"))
    harvests.source("sp", "spreadsheet", url)
    job = harvests.run("sp")
    assert job.status == "failed"
    assert "CSV" in job.message or "XLSX" in job.message
