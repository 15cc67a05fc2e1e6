"""``simpul orgs seed`` and ``simpul export --format csv|xlsx`` as operators run them."""

from __future__ import annotations

import csv
import io

import openpyxl

from simpul.reference.areas import is_within
from tests.test_cli import add_dinkes, cli  # noqa: F401 (the fixture)


def test_orgs_seed_dry_run_prints_and_writes_nothing_then_seeds_once(cli):  # noqa: F811
    cli("db", "upgrade")
    dry = cli("orgs", "seed", "--levels", "provinsi,kabkota", "--area", "75", "--dry-run")
    lines = dry.stdout.splitlines()
    assert len(lines) == 7
    assert "pemkot-gorontalo\tkabkota\t75.71\tpemprov-gorontalo\tPemerintah Kota Gorontalo" in lines
    assert "7 organizations would be created" in dry.stderr
    assert cli("orgs", "list").stdout == ""
    done = cli("orgs", "seed", "--levels", "provinsi,kabkota", "--area", "75")
    assert "created 7 organizations" in done.stderr
    again = cli("orgs", "seed", "--levels", "provinsi,kabkota", "--area", "75")
    assert "nothing to change" in again.stderr and "6 already registered" in again.stderr
    listed = cli("orgs", "list", "--expected", "--level", "kabkota").stdout.splitlines()
    assert len(listed) == 6


def test_orgs_seed_keeps_an_existing_government_and_counts_offices_out(cli):  # noqa: F811
    cli("db", "upgrade")
    add_dinkes(cli)  # a regency office registered on its own: taken as 75.71's government
    out = cli("orgs", "seed", "--levels", "kabkota", "--area", "75.71")
    assert "1 already registered, 0 to create" in out.stderr


def test_orgs_seed_refuses_what_it_cannot_do(cli):  # noqa: F811
    cli("db", "upgrade")
    bad = cli("orgs", "seed", "--levels", "desa", "--area", "75.71", ok=False)
    assert bad.exit_code == 1 and "add kabkota to the levels" in bad.stderr
    bad = cli("orgs", "seed", "--levels", "kota", ok=False)
    assert bad.exit_code == 1 and "unknown level kota" in bad.stderr


def test_export_writes_the_service_list_as_csv_and_xlsx(cli, tmp_path):  # noqa: F811
    cli("db", "upgrade")
    cli("demo")
    out = cli("export", "--format", "csv", "--authority", "kemenkes").stdout_bytes
    assert out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(out[3:].decode("utf-8"), newline="")))
    assert rows and {r["authority"] for r in rows} == {"kemenkes"}
    target = tmp_path / "layanan.xlsx"
    cli("export", "--format", "xlsx", "--area", "75.03.01.2007", "--out", str(target))
    book = openpyxl.load_workbook(target)
    areas = [row[7].value for row in book["Layanan"].iter_rows(min_row=2)]
    village = "75.03.01.2007"
    assert areas and all(any(is_within(village, a) for a in row.split("; ")) for row in areas)
    assert any(r[0].value == "area" for r in book["Filter"].iter_rows())
    bad = cli("export", "--format", "csv", "--area", "75.79", ok=False)
    assert bad.exit_code == 2 and "75.71" in bad.stderr
