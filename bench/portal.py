"""The reference portal in process: the HTML pages citizens and auditors open, each against the
JSON request that carries the same data, run in the same process (the ratio is what the page
adds: templates, translations, labels)."""

from __future__ import annotations

import random
import time
from urllib.parse import urlencode

QUERIES = [
    "akta kelahiran",
    "surat keterangan",
    "izin usaha",
    "KTP",
    "SKTM",
    "kartu keluarga",
    "bantuan sosial",
    "pelayanan",
    "perpanjangn",
    "birth certificate",
]


def portal_pages(ctx) -> dict:
    """Service pages, search pages with facets and the area picker, the organization page and
    the audit summary of a registry of ``--records`` services."""
    from bench.__main__ import AUTHORITY, _ensure_db, _service_ids, _summary
    from simpul.registry.indexing import rebuild
    from simpul.web import create_app

    url = ctx.sqlite_url or _ensure_db(ctx)
    search_path = ctx.workdir / "search"
    app = create_app(
        {"database_url": url, "search_path": str(search_path), "data_dir": str(ctx.workdir)}
    )
    registry = app.extensions["simpul"]
    if registry.search.count() < ctx.count:
        rebuild(registry, registry.search)
    client = app.test_client()
    ids = _service_ids(url, 1000)
    rng = random.Random(5)
    areas = ["75", "75.71", "75.71.01", "75.71.01.1001", "31.71", "11"]
    searches = [
        {"q": rng.choice(QUERIES), **({"area": rng.choice(areas)} if rng.random() < 0.5 else {})}
        for _ in range(300)
    ]

    def timed(paths: list[str], accept: str) -> tuple[list[float], int]:
        out, size = [], 0
        for path in paths:
            start = time.perf_counter()
            response = client.get(path, headers={"Accept": accept})
            out.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            size = max(size, len(response.data))
        return out, size

    html = "text/html"
    timed([f"/services/{i}" for i in ids[:100]], html)  # warm up templates and caches
    service, service_bytes = timed([f"/services/{i}" for i in ids], html)
    service_json, _ = timed([f"/api/v1/services/{i}" for i in ids], "application/json")
    search, search_bytes = timed([f"/search?{urlencode(s)}" for s in searches], html)
    search_json, _ = timed([f"/api/v1/search?{urlencode(s)}" for s in searches], "application/json")
    organization, _ = timed([f"/organizations/{AUTHORITY}"] * 100, html)  # 100: enough for a p99
    audit, _ = timed(["/audit"] * 100, html)
    registry.close()
    page, api = _summary(service), _summary(service_json)
    found, found_api = _summary(search), _summary(search_json)
    return {
        "services": ctx.count,
        "service_page": {**page, "largest_bytes": service_bytes},
        "service_json_baseline": api,
        "ratio_service_page_p50_to_json": round(page["p50_ms"] / api["p50_ms"], 2),
        "search_page": {**found, "largest_bytes": search_bytes},
        "search_json_baseline": found_api,
        "ratio_search_page_p50_to_json": round(found["p50_ms"] / found_api["p50_ms"], 2),
        "organization_page_all_services": _summary(organization),
        "audit_summary": _summary(audit),
    }
