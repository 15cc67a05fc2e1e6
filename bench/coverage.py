"""The coverage grid of national service types (issue 14: the nation, 552 local governments x
80 types and 83,762 villages x 20 village types, answers in < 300 ms).

The data is built straight through the core's bulk path, without record checks: the shipped
national list, the government of every province and regency/city, village governments, and
``--records`` services linked to types (60% provincial and regency ones, 40% village ones) stored
with ``publish_many`` in batches. Then, in process (Flask test client), the whole-nation summary
of the provincial and regency types, the summary of the village types, and the grid of the
village type with the most instances, against a plain ``GET /api/v1/services`` page at the same
size."""

from __future__ import annotations

import random
import time

from sqlalchemy import insert

from simpul.config import load_settings
from simpul.reference.areas import load_areas
from simpul.registry import areacoverage, services, types
from simpul.registry.auth import SYSTEM
from simpul.registry.context import Registry
from simpul.registry.coverage_units import area_codes
from simpul.registry.db import utcnow
from simpul.registry.models import Organization

BATCH = 5000
LOCAL = ("provinsi", "kabkota")


def _organizations(registry: Registry, villages: int) -> dict[str, list[tuple[str, str, str]]]:
    """Governments of every province and regency, and ``villages`` village governments spread
    over the country; (id, level, area) by level."""
    areas, now = load_areas(), utcnow()
    chosen = {level: area_codes(level) for level in LOCAL}
    every = area_codes("desa")
    step = max(1, len(every) // max(1, villages))
    chosen["desa"] = every[::step][:villages]
    out: dict[str, list[tuple[str, str, str]]] = {}
    rows = []
    for level, codes in chosen.items():
        out[level] = [(f"pemda-{code.replace('.', '-')}", level, code) for code in codes]
        rows += [
            {
                "id": org_id,
                "name": {"id": f"Pemerintah {areas.get(code).name}"},
                "level": level,
                "area": code,
                "created": now,
                "modified": now,
            }
            for org_id, level, code in out[level]
        ]
    with registry.db.transaction() as session:
        for start in range(0, len(rows), BATCH):
            session.execute(insert(Organization.__table__), rows[start : start + BATCH])
    return out


def _services(
    registry: Registry, orgs: dict, count: int, by_level: dict, prefix: str = "layanan"
) -> None:
    rng = random.Random(14)
    pending: list[services.Prepared] = []
    for n in range(count):
        level = "desa" if n % 5 >= 3 or set(orgs) == {"desa"} else rng.choice(LOCAL)
        org_id, _, area = rng.choice(orgs[level])
        type_id = rng.choice(by_level[level])
        data = {
            "identifier": f"{prefix}-{n}",
            "authority": org_id,
            "name": {"id": f"Layanan {type_id} {n}"},
            "areas": [area],
            "status": "active",
        }
        org = services.OrgInfo(org_id, level, area)
        link = types.Link(type_id, "manual")
        pending.append(services.Prepared(data, services.content_hash(data), org, link=link))
        if len(pending) == BATCH:
            _store(registry, pending)
            pending = []
    _store(registry, pending)


def _store(registry: Registry, batch: list) -> None:
    if batch:
        with registry.db.transaction() as session:
            services.publish_many(
                session, batch, SYSTEM, base_uri=registry.base_uri, provenance={"method": "bench"}
            )


def build(url: str, count: int) -> dict:
    registry = Registry(load_settings({"database_url": url}, environ={}))
    registry.db.upgrade()
    with registry.db.transaction() as session:
        types.load_types(
            session, types.national_list(), SYSTEM, base_uri=registry.base_uri, provenance={}
        )
        listed = types.list_types(session)
        by_level = {lvl: [t.id for t in listed if lvl in t.data["applies_to"]] for lvl in LOCAL}
        by_level["desa"] = [t.id for t in listed if "desa" in t.data["applies_to"]]
    start = time.perf_counter()
    orgs = _organizations(registry, villages=min(83_762, max(1000, count // 5)))
    _services(registry, orgs, count, by_level)
    built = time.perf_counter() - start
    registry.close()
    made = {"by_level": by_level, "organizations": sum(map(len, orgs.values())), "built": built}
    return made | {"orgs": orgs, "busiest_org": orgs["kabkota"][0][0]}


def _refresh_times(registry, made: dict, changed: int = 100) -> dict:
    """The stored counts' full count (the worker's, once a day), then the incremental step
    after ``changed`` new records of as many organizations (a request's, or the worker's)."""
    threshold = registry.settings.coverage_min_services
    start = time.perf_counter()
    areacoverage.refresh(registry.db, threshold=threshold, full=True)
    full = time.perf_counter() - start
    rng = random.Random(16)
    by_level = {"desa": made["by_level"]["desa"]}
    orgs = {"desa": rng.sample(made["orgs"]["desa"], min(changed, len(made["orgs"]["desa"])))}
    _services(registry, orgs, changed, by_level, prefix="bench-refresh")
    start = time.perf_counter()
    areacoverage.refresh(registry.db, threshold=threshold, daily=False)
    step = time.perf_counter() - start
    return {"refresh_full_s": round(full, 2), f"refresh_{changed}_changes_ms": round(step * 1000)}


def fresh_app(ctx, name: str):
    """A new database ``name``.db in the work folder, filled by ``build``, and the app on it
    (figures kept for a minute, no index sync): the coverage benchmarks' common start."""
    from simpul.web import create_app

    for stale in ctx.workdir.glob(f"{name}.db*"):
        stale.unlink()
    url = f"sqlite:///{ctx.workdir / name}.db"
    made = build(url, ctx.count)
    app = create_app({"database_url": url, "search_sync_ms": 0, "coverage_max_age": 60})
    return app, made


def _median_ms(client, path: str, runs: int = 15) -> float:
    client.get(path)  # warm: area list, type index, SQLite pages
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
    return round(sorted(samples)[len(samples) // 2], 1)


def type_coverage(ctx) -> dict:
    from simpul.web import create_app

    db = ctx.workdir / "coverage.db"
    for stale in ctx.workdir.glob("coverage.db*"):
        stale.unlink()
    url = f"sqlite:///{db}"
    made = build(url, ctx.count)
    app = create_app({"database_url": url, "search_sync_ms": 0})
    client = app.test_client()
    refresh = _refresh_times(app.extensions["simpul"], made)
    local = client.get("/api/v1/coverage/types?level=provinsi&level=kabkota").get_json()
    village = client.get("/api/v1/coverage/types?level=desa").get_json()
    busiest = max(village["items"], key=lambda item: item["counts"]["offered"])["type"]["id"]
    paths = {
        "summary_local_ms": "/api/v1/coverage/types?level=provinsi&level=kabkota",
        "summary_villages_ms": "/api/v1/coverage/types?level=desa",
        "grid_village_type_ms": f"/api/v1/types/{busiest}/coverage?size=100",
        "grid_village_type_gaps_ms": f"/api/v1/types/{busiest}/coverage?status=unknown&size=100",
        "organization_types_ms": f"/api/v1/organizations/{made['busiest_org']}/types",
        "checklists_nation_ms": "/api/v1/checklists",
        "baseline_services_page_ms": "/api/v1/services?size=20",
    }
    result = {name: _median_ms(client, path) for name, path in paths.items()}
    app.extensions["simpul"].close()
    return {
        "services": ctx.count,
        "organizations": made["organizations"],
        "build_seconds": round(made["built"], 1),
        "local_types": local["total"],
        "local_units": local["totals"]["units"],
        "village_types": village["total"],
        "village_units_per_type": village["items"][0]["counts"]["units"],
        **refresh,
        **result,
        "ratio_summary_local_to_baseline": round(
            result["summary_local_ms"] / result["baseline_services_page_ms"], 1
        ),
        "ratio_grid_village_type_to_baseline": round(
            result["grid_village_type_ms"] / result["baseline_services_page_ms"], 1
        ),
    }
