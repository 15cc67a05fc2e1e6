"""A job's report: counts, gaps, scrubbed errors with a cap, snapshots."""

from __future__ import annotations

from sqlalchemy import func, select

from simpul.harvesters import jobs
from simpul.harvesters.report import JobReport
from simpul.registry.models import HarvestError

URL = "https://user:s3cret@data.go.id/api?token=abcdef"


def test_errors_are_scrubbed_of_the_sources_credentials():
    report = JobReport("j1", URL)
    row = report.error(f"{URL}#1", "fetch", f"GET {URL} answered 500 (token abcdef)" + "x" * 5000)
    assert "s3cret" not in row["key"] and "abcdef" not in row["message"]
    assert len(row["message"]) == 4000
    assert (row["job_id"], row["stage"]) == ("j1", "fetch")


def test_snapshot_and_restore_in_place():
    report = JobReport("j1", URL)
    counts = report.counts
    report.counts["created"] += 2
    snapshot = report.snapshot()
    report.counts["created"] += 5
    report.gaps["cost"] += 1
    report.restore(snapshot)
    assert report.counts is counts and report.counts == {"created": 2}
    assert report.gaps == {}


def test_error_rows_stop_at_the_cap_while_counts_go_on(registry, harvests):
    harvests.org()
    harvests.source("lembar", "spreadsheet", "")
    with registry.db.transaction() as session:
        job, _ = jobs.queue(session, "lembar")
    report = JobReport(job.id, URL, max_errors=3)
    with registry.db.transaction() as session:
        report.log(session, [report.error(str(i), "transform", "bad") for i in range(2)])
    for i in range(3):
        report.log_now(registry.db, f"n{i}", "gather", "down")
    with registry.db.transaction() as session:
        report.save(session, mode="full")
    with registry.db.session() as session:
        assert session.scalar(select(func.count()).select_from(HarvestError)) == 3
        saved = jobs.get_job(session, job.id)
    assert report.counts["errors"] == 3 and report.logged == 3
    assert (saved.mode, saved.counts) == ("full", {"errors": 3})
