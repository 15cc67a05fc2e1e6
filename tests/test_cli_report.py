"""``simpul report coverage|crosstab|services|snapshot`` as an operator runs them, and the
snapshots read back through GET /api/v1/coverage/history."""

from __future__ import annotations

import csv
import io

import openpyxl

from simpul.web import create_app
from tests.test_cli import cli  # noqa: F401 (the fixture)


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_report_coverage_crosstab_and_services(cli, tmp_path):  # noqa: F811
    cli("db", "upgrade")
    cli("demo")
    rows = _rows(cli("report", "coverage", "--area", "75").stdout_bytes)
    assert rows[0][:4] == ["area", "name", "expected", "reported"]
    assert rows[1][0] == "75" and int(rows[1][6]) > 0  # the province has services
    target = tmp_path / "tabulasi.xlsx"
    cli("report", "crosstab", "--rows", "level", "--cols", "integration", "--format", "xlsx",
        "--out", str(target))  # fmt: skip
    sheet = openpyxl.load_workbook(target).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "level" and values[-1][0] == "total"
    assert values[-1][-1] == sum(row[-1] for row in values[1:-1])
    services = _rows(cli("report", "services", "--area", "75").stdout_bytes)
    assert services[0][0] == "id" and len(services) > 1
    bad = cli("report", "coverage", "--area", "75.79", ok=False)
    assert bad.exit_code == 2 and "--area" in bad.stderr


def test_snapshot_is_once_a_day_and_read_back(cli, tmp_path):  # noqa: F811
    cli("db", "upgrade")
    cli("demo")
    first = cli("report", "snapshot").stderr
    again = cli("report", "snapshot").stderr
    assert first == again and "snapshot of" in first
    app = create_app({"database_url": cli.env["SIMPUL_DATABASE_URL"], "data_dir": str(tmp_path)})
    try:
        body = app.test_client().get("/api/v1/coverage/history?area=75").get_json()
        assert len(body["items"]) == 1 and body["items"][0]["services"] > 0
        bad = app.test_client().get("/api/v1/coverage/history?from=2026-02-01&to=2026-01-01")
        assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "to"
    finally:
        app.extensions["simpul"].close()
