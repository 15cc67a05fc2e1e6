"""GET /api/v1/reports/crosstab: counts over two chosen dimensions with row and column totals,
and the coverage and cross-tables as CSV and XLSX (?format=)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from simpul.web.http import PROBLEM
from tests.conftest import running_app, service_record


@pytest.fixture
def app(database_url, tmp_path):
    with running_app(database_url, tmp_path, coverage_max_age=0) as app:
        yield app


@pytest.fixture
def setup(publisher):
    p = publisher
    p.org("pemprov-gorontalo", "provinsi", "75")
    p.org("pemkot-gorontalo", "kabkota", "75.71", parent="pemprov-gorontalo")
    p.org("pemkab-boalemo", "kabkota", "75.02", parent="pemprov-gorontalo")
    p.org("kemendagri", "pusat")
    city, regency = p.token("pemkot-gorontalo"), p.token("pemkab-boalemo")
    two = {"sectors": ["kependudukan", "kesehatan"], "integration": {"status": "integrated"}}
    for token, record in (
        (city, service_record("a")),
        (city, service_record("b", **two)),
        (regency, service_record("c", areas=["75.02"])),
        (p.token("kemendagri"), service_record("d")),
    ):
        assert p.publish(token, record).status_code == 201
    return p


def test_level_by_integration_with_totals(setup):
    body = setup.client.get("/api/v1/reports/crosstab?rows=level&cols=integration").get_json()
    assert [r["value"] for r in body["row_values"]] == ["kabkota", "pusat"]
    assert [c["value"] for c in body["col_values"]] == ["integrated", "inventoried"]
    assert body["cells"] == [[1, 2], [0, 1]]
    assert body["row_totals"] == [3, 1] and body["col_totals"] == [1, 3] and body["total"] == 4


def test_child_areas_and_sectors_count_a_service_once_in_each_total(setup):
    url = "/api/v1/reports/crosstab?rows=area&cols=sector&area=75"
    body = setup.client.get(url).get_json()
    assert [r["value"] for r in body["row_values"]] == ["75.02", "75.71"]
    assert [c["value"] for c in body["col_values"]] == ["kependudukan", "kesehatan"]
    assert body["cells"] == [[1, 0], [2, 1]]
    assert body["row_totals"] == [1, 2] and body["col_totals"] == [3, 1] and body["total"] == 3
    nation = setup.client.get("/api/v1/reports/crosstab?rows=area&cols=level").get_json()
    assert [r["value"] for r in nation["row_values"]] == ["00", "75"]  # central bodies apart
    only = setup.client.get(url + "&sector=kesehatan").get_json()
    assert only["total"] == 1 and only["row_totals"] == [1]


@pytest.mark.parametrize(
    ("query", "path"),
    [("rows=level&cols=level", "cols"), ("rows=phase&cols=level", "rows"), ("cols=level", "rows")],
)
def test_bad_dimensions_are_problems(setup, query, path):
    response = setup.client.get(f"/api/v1/reports/crosstab?{query}")
    assert (response.status_code, response.content_type) == (422, PROBLEM)
    assert response.get_json()["errors"][0]["path"] == path


def test_the_crosstab_as_csv_with_totals(setup):
    url = "/api/v1/reports/crosstab?rows=level&cols=integration&format=csv"
    response = setup.client.get(url)
    assert response.content_type.startswith("text/csv")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["level", "integrated", "inventoried", "total"]
    assert rows[-1] == ["total", "1", "3", "4"]


def test_the_coverage_as_xlsx_one_row_per_child_area(setup):
    response = setup.client.get("/api/v1/coverage?area=75&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    sheet = book[book.sheetnames[0]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("area", "name", "expected", "reported")
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["75"][6] == 3  # services: a number, not text
    assert by_code["75.71"][3] == 1 and len(by_code) == 1 + 6  # the province and its 6 children
    assert len(book.sheetnames) == 2  # and the sheet of filters
