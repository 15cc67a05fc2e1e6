"""The coverage dashboard (issue 16: ``/laporan``), rendered in process on the type-coverage
benchmark's data (``bench.coverage.build``: every provincial and regency government, ``--records
/ 5`` village governments, ``--records`` services), with a snapshot, the seeded roadmap phases
and their items. Measured: the nation (38 provinces), one province (its regencies) and one
regency (its districts), figures fresh, against the JSON coverage of the nation; and the
nation when the mandatory types' grid is not kept (the first view within max_age). The page reads
the precomputed figures and grouped queries only, so its cost should not grow with the number
of children."""

from __future__ import annotations

import time

from bench.coverage import _median_ms, fresh_app
from simpul.registry import areacoverage, dashboard, roadmap, roadmap_board, snapshots


def dashboard_pages(ctx) -> dict:
    app, made = fresh_app(ctx, "dashboard")
    reg = app.extensions["simpul"]
    threshold = reg.settings.coverage_min_services
    areacoverage.refresh(reg.db, threshold=threshold, full=True)
    snapshots.take_snapshot(reg.db, threshold=threshold)
    start = time.perf_counter()
    with reg.db.transaction() as session:
        roadmap.seed(session)
        items = sum(roadmap_board.refresh(session).values())
    made_items = time.perf_counter() - start
    client = app.test_client()
    paths = {
        "nation_ms": "/laporan",
        "province_ms": "/laporan?area=75",
        "regency_ms": "/laporan?area=75.71",
        "nation_sorted_ms": "/laporan?sort=-share",
        "baseline_coverage_json_ms": "/api/v1/coverage",
    }
    result = {name: _median_ms(client, path, runs=7) for name, path in paths.items()}
    result["nation_grid_not_kept_ms"] = _uncached_ms(client, "/laporan")
    reg.close()
    return {
        "services": ctx.count,
        "organizations": made["organizations"],
        "roadmap_items": items,
        "roadmap_items_seconds": round(made_items, 2),
        **result,
    }


def _uncached_ms(client, path: str, runs: int = 5) -> float:
    """The page when the mandatory types' grid is read again (the first view in a while)."""
    samples = []
    for _ in range(runs):
        dashboard._SUMMARIES.clear()
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
    return round(sorted(samples)[runs // 2], 1)
