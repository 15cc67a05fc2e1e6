"""A spreadsheet pass over a file that is not the whole file never deletes: a CSV cut in the
middle of a row, a workbook cut short, or an upload whose stored bytes differ from those
received fail the job, and every published service stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from simpul.harvesters.sources import get_source
from simpul.harvesters.worker import run_cycle
from tests.harvesters.types.test_spreadsheet import HEADINGS, XLSX, csv_bytes, xlsx_bytes

ROWS = [
    [n, f"Layanan Nomor {n}", "Fotokopi KTP", "Datang ke loket", "1 hari", "Gratis", "Surat",
     "SP4N-LAPOR!", "Perda 1/2020", "2 orang"]
    for n in range(1, 21)
]  # fmt: skip


def _upload(harvests, client, publisher, data: bytes, media_type: str):
    token = publisher.token("kota-gorontalo")
    response = client.post(
        "/api/v1/sources/sp/upload",
        data=data,
        headers={**publisher.auth(token), "Content-Type": media_type},
    )
    assert response.status_code == 202, response.get_json()
    run_cycle(harvests.registry)
    return harvests.job(response.get_json()["job"]["id"])


@pytest.fixture
def published(harvests, client, publisher):
    """A spreadsheet source whose 20 services are published."""
    harvests.org()
    harvests.source("sp", "spreadsheet", "", schedule="manual")
    job = _upload(harvests, client, publisher, csv_bytes(ROWS, ",", "utf-8", False), "text/csv")
    assert job.status == "finished" and job.counts["created"] == 20, job.message
    return lambda data, media_type: _upload(harvests, client, publisher, data, media_type)


def _nothing_deleted(harvests, job) -> None:
    assert job.status == "failed", (job.status, job.message)
    assert "nothing was deleted" in job.message
    assert not job.counts.get("deleted")
    assert len(harvests.live()) == 20
    assert all(row.deleted_at is None for row in harvests.all_rows().values())


def test_a_csv_cut_in_the_middle_of_a_row_deletes_nothing(harvests, published):
    whole = csv_bytes(ROWS, ",", "utf-8", False)
    cut = whole[: whole.index(b"Layanan Nomor 19") + 20]  # inside row 19: rows 19 and 20 lost
    job = published(cut, "text/csv")
    _nothing_deleted(harvests, job)
    assert "cut short" in job.message and "3 of the 10 columns" in job.message


def test_a_csv_cut_inside_a_quoted_cell_after_a_line_break_deletes_nothing(harvests, published):
    rows = [*ROWS[:18], [19, "Layanan Nomor 19", "1. KTP\n2. KK\n3. Akta", "", "", "", "", "",
                         "", ""]]  # fmt: skip
    whole = csv_bytes(rows, ",", "utf-8", False)
    cut = whole[: whole.index(b"2. KK")]  # ends with the line break inside the quotes
    job = published(cut, "text/csv")
    _nothing_deleted(harvests, job)


def test_a_workbook_cut_short_deletes_nothing(harvests, published):
    whole = xlsx_bytes(ROWS)
    job = published(whole[: len(whole) * 9 // 10], XLSX)
    _nothing_deleted(harvests, job)
    assert "cut short" in job.message


def test_an_upload_changed_on_disk_is_not_harvested(harvests, published, registry):
    whole = csv_bytes(ROWS[:19], ",", "utf-8", False)  # a whole file: one service less
    with registry.db.transaction() as session:
        source = get_source(session, "sp")
        source.schedule = "manual"
        upload = dict(source.state["upload"])
    stored = Path(upload["path"])
    stored.write_bytes(stored.read_bytes()[:-200])  # not the bytes that were received
    job = harvests.run("sp", "full")
    _nothing_deleted(harvests, job)
    assert "is not the file that was received" in job.message
    # the same file uploaded again is harvested (and deletes what it lost)
    assert published(whole, "text/csv").counts["deleted"] == 1


def test_a_csv_without_a_final_line_break_is_whole(harvests, published):
    whole = csv_bytes(ROWS, ",", "utf-8", False).rstrip(b"\r\n")
    job = published(whole, "text/csv")
    assert job.status == "finished" and job.counts["unchanged"] == 20, job.message
    assert HEADINGS
