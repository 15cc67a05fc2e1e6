"""Coverage of an area (issue 16: the nation with 1,000,000 services and 84,000 organizations
in < 500 ms, one province in < 100 ms, never more than a minute behind a write).

The data is the type-coverage benchmark's (``bench.coverage.build``: every provincial and
regency government, ``--records / 5`` village governments, ``--records`` services). Measured:
the first full refresh of the precomputed figures, a refresh with nothing new (the periodic cost),
and
in process (Flask test client, figures fresh) the nation and one province against a plain
``GET /api/v1/services`` page."""

from __future__ import annotations

import time

from bench.coverage import _median_ms, fresh_app
from simpul.registry import areacoverage


def area_coverage(ctx) -> dict:
    app, made = fresh_app(ctx, "areacoverage")
    reg = app.extensions["simpul"]
    start = time.perf_counter()
    areacoverage.refresh(reg.db, threshold=reg.settings.coverage_min_services, full=True)
    full = time.perf_counter() - start
    client = app.test_client()
    paths = {
        "nation_ms": "/api/v1/coverage?types=false",
        "province_ms": "/api/v1/coverage?area=75&types=false",
        "baseline_services_page_ms": "/api/v1/services?size=20",
    }
    result = {name: _median_ms(client, path) for name, path in paths.items()}
    start = time.perf_counter()
    areacoverage.refresh(reg.db, threshold=reg.settings.coverage_min_services)
    incremental = time.perf_counter() - start
    reg.close()
    base = result["baseline_services_page_ms"]
    return {
        "services": ctx.count,
        "organizations": made["organizations"],
        "full_refresh_seconds": round(full, 2),
        "idle_refresh_seconds": round(incremental, 2),
        **result,
        "ratio_nation_to_baseline": round(result["nation_ms"] / base, 3),
        "ratio_province_to_baseline": round(result["province_ms"] / base, 3),
    }
