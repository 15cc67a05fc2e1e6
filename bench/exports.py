"""Spreadsheet exports (issue 16): the service list as CSV and as XLSX, each in a child process so
that its time and peak memory are its own. Target: 1,000,000 services in < 60 s within 300 MB.

Baseline in the same run: plain ``sqlite3`` reading the same columns (``json_extract``) and
Python's ``csv`` writing them, no BOM, no neutralising, no ORM."""

from __future__ import annotations

import subprocess
import sys

_RUN = """
import sys, time
from simpul.config import load_settings
from simpul.registry.catalog import CatalogFilter
from simpul.registry.context import Registry
from simpul.registry.exports import service_table
from simpul import tables

reg = Registry(load_settings({{"database_url": {url!r}}}, environ={{}}))
size = rows = 0
start, cpu = time.perf_counter(), time.process_time()
with reg.db.session() as session:
    table = service_table(session, CatalogFilter())
    def counted(inner):
        global rows
        for row in inner:
            rows += 1
            yield row
    table.rows = counted(table.rows)
    chunks = tables.csv_chunks(table) if {fmt!r} == "csv" else tables.xlsx_chunks([table])
    with open({out!r}, "wb") as fh:
        for chunk in chunks:
            size += len(chunk)
            fh.write(chunk)
elapsed = time.perf_counter() - start
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) // 1024
print(elapsed, size, peak, rows, time.process_time() - cpu)
"""

_BASELINE = """
import csv, sqlite3, time
start = time.perf_counter()
conn = sqlite3.connect({path!r})
query = (
    "SELECT s.id, s.identifier, s.authority, json_extract(o.name, '$.id'),"
    " json_extract(s.data, '$.name.id'), json_extract(s.data, '$.name.en'), s.level,"
    " json_extract(s.data, '$.areas'), json_extract(s.data, '$.sectors'), s.status,"
    " json_extract(s.data, '$.integration.status'), s.completeness, s.modified, s.uri"
    " FROM services s LEFT JOIN organizations o ON o.id = s.authority"
    " WHERE s.deleted_at IS NULL ORDER BY s.id"
)
rows = 0
cpu = time.process_time()
with open({out!r}, "w", newline="") as fh:
    writer = csv.writer(fh)
    for row in conn.execute(query):
        writer.writerow(row)
        rows += 1
elapsed = time.perf_counter() - start
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) // 1024
print(elapsed, 0, peak, rows, time.process_time() - cpu)
"""


def _child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    elapsed, size, peak, rows, cpu = out.stdout.split()
    return {
        "rows": int(rows),
        "seconds": round(float(elapsed), 3),
        # CPU time of the export alone: on a shared machine, what wall time would be unloaded
        "cpu_seconds": round(float(cpu), 3),
        "rows_per_cpu_s": round(int(rows) / float(cpu)),
        "rows_per_s": round(int(rows) / float(elapsed)),
        "bytes": int(size),
        "peak_rss_mb": int(peak),  # VmHWM: this process's own (ru_maxrss counts the parent's)
    }


def export_tables(ctx, url: str) -> dict:
    path = url.removeprefix("sqlite:///")
    result = {}
    for fmt in ("csv", "xlsx"):
        out = str(ctx.workdir / f"services.{fmt}")
        result[fmt] = _child(_RUN.format(url=url, fmt=fmt, out=out))
    baseline = _child(_BASELINE.format(path=path, out=str(ctx.workdir / "baseline.csv")))
    result["baseline_plain_sqlite_csv"] = baseline
    for fmt in ("csv", "xlsx"):
        result[fmt]["ratio_to_baseline"] = round(
            result[fmt]["rows_per_s"] / max(1, baseline["rows_per_s"]), 3
        )
    return result
