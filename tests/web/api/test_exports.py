"""GET /api/v1/exports/services: the service list as CSV or XLSX, with the list's filters."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.conftest import service_record


def publish(publisher, org_id, level, area, identifier, name, **fields):
    publisher.org(org_id, level, area)
    record = service_record(identifier, name={"id": name, "en": f"{name} (en)"}, **fields)
    response = publisher.publish(publisher.token(org_id), record)
    assert response.status_code == 201, response.get_json()["errors"]
    return response.get_json()


def catalog(publisher):
    publish(publisher, "kemenkes", "pusat", None, "vaksin", '=Vaksinasi, "Nasional"', areas=["00"])
    publish(publisher, "dinkes-kota", "kabkota", "75.71", "rujukan", "Rujukan Puskesmas")
    publish(
        publisher,
        "dinkes-boalemo",
        "kabkota",
        "75.02",
        "posyandu",
        "Posyandu",
        status="planned",
        areas=["75.02"],
    )


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data[3:].decode("utf-8"), newline="")))


def test_every_live_service_is_a_row_with_the_useful_columns(publisher, client):
    catalog(publisher)
    got = {row["identifier"]: row for row in rows(client.get("/api/v1/exports/services"))}
    assert set(got) == {"vaksin", "rujukan", "posyandu"}
    vaksin = got["vaksin"]
    assert vaksin["name_id"] == '\'=Vaksinasi, "Nasional"'  # quoted, and inert in Excel
    assert vaksin["authority"] == "kemenkes" and vaksin["level"] == "pusat"
    assert vaksin["authority_name"] == "Kemenkes" and vaksin["name_en"].endswith("(en)")
    assert vaksin["areas"] == "00" and vaksin["sectors"] == "kependudukan"
    assert vaksin["integration_status"] and vaksin["completeness"] == "14"
    assert vaksin["uri"].endswith(vaksin["id"]) and vaksin["modified"].startswith("20")
    response = client.get("/api/v1/exports/services")
    assert "attachment" in response.headers["Content-Disposition"]


def test_the_filters_select_the_rows(publisher, client):
    catalog(publisher)

    def identifiers(query: str) -> set[str]:
        return {r["identifier"] for r in rows(client.get(f"/api/v1/exports/services?{query}"))}

    assert identifiers("authority=dinkes-kota") == {"rujukan"}
    assert identifiers("level=kabkota") == {"rujukan", "posyandu"}
    assert identifiers("area=75.71.01") == {"vaksin", "rujukan"}  # national services reach it
    assert identifiers("status=planned") == {"posyandu"}
    assert identifiers("area=75.02&level=kabkota&status=planned") == {"posyandu"}


def test_xlsx_holds_the_same_rows_numbers_as_numbers_and_the_filters(publisher, client):
    catalog(publisher)
    response = client.get("/api/v1/exports/services?format=xlsx&level=kabkota")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["Layanan"]
    header = [cell.value for cell in sheet[1]]
    records = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]
    assert {r["identifier"] for r in records} == {"rujukan", "posyandu"}
    assert all(isinstance(r["completeness"], int) for r in records)
    assert sheet.freeze_panes == "A2"
    recorded = {row[0].value: row[1].value for row in book["Filter"].iter_rows(min_row=2)}
    assert recorded["level"] == "kabkota" and "generated (UTC)" in recorded


def test_bad_parameters_are_clear_problems(client):
    response = client.get("/api/v1/exports/services?area=75.79")
    assert response.status_code == 404 and "75.71" in response.get_json()["detail"]
    response = client.get("/api/v1/exports/services?format=pdf")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "format" in response.get_data(as_text=True)
