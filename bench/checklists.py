"""Agency checklists (issue 16): the checklist counts of a province with ``--records`` services
(1,000,000 at full size) should be fast.

A fresh SQLite database with the national list of types, the governments of one province
(Jawa Barat, 32: the province, its 27 regencies and cities, its 5,957 villages) and ``--records``
services of those governments stored with ``publish_many``: a third without a reachable
channel, a quarter without English, 10% left 13 months old, some linked to a type. Then, in
process (Flask test client), the province's counts per regency and per organization, one
regency's, the busiest organization's checklist with its items, against a plain
``GET /api/v1/services`` page."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from sqlalchemy import insert, update

from bench.coverage import BATCH, _median_ms, _store
from simpul.config import load_settings
from simpul.reference.areas import load_areas
from simpul.registry import services, types
from simpul.registry.auth import SYSTEM
from simpul.registry.context import Registry
from simpul.registry.coverage_units import area_codes
from simpul.registry.db import utcnow
from simpul.registry.models import Organization, Service

PROVINCE = "32"


def _organizations(registry: Registry) -> list[tuple[str, str, str]]:
    areas, now = load_areas(), utcnow()
    orgs = [(f"pemda-{PROVINCE}", "provinsi", PROVINCE)]
    for level in ("kabkota", "desa"):
        orgs += [(f"pemda-{c.replace('.', '-')}", level, c) for c in area_codes(level, PROVINCE)]
    rows = [
        {"id": i, "name": {"id": f"Pemerintah {areas.get(code).name}"}, "level": level}
        | {"area": code, "created": now, "modified": now}
        for i, level, code in orgs
    ]
    with registry.db.transaction() as session:
        for start in range(0, len(rows), BATCH):
            session.execute(insert(Organization.__table__), rows[start : start + BATCH])
    return orgs


def _record(rng: random.Random, n: int, org_id: str, area: str) -> dict:
    data = {
        "identifier": f"layanan-{n}",
        "authority": org_id,
        "name": {"id": f"Layanan {n}"} | ({} if n % 4 == 0 else {"en": f"Service {n}"}),
        "description": {"id": "Uraian.", "en": "Description."},
        "areas": [area],
        "status": "active",
        "channels": [{"type": "online", "url": f"https://layanan-{n % 500}.go.id/"}],
    }
    if n % 3 == 0:
        data["channels"] = [{"type": rng.choice(("online", "telepon"))}]
    return data


def build(url: str, count: int) -> dict:
    registry = Registry(load_settings({"database_url": url}, environ={}))
    registry.db.upgrade()
    with registry.db.transaction() as session:
        types.load_types(
            session, types.national_list(), SYSTEM, base_uri=registry.base_uri, provenance={}
        )
        by_level = {
            lvl: [t.id for t in types.list_types(session) if lvl in t.data["applies_to"]]
            for lvl in ("provinsi", "kabkota", "desa")
        }
    start = time.perf_counter()
    orgs = _organizations(registry)
    rng, pending = random.Random(16), []
    for n in range(count):
        # half of the records belong to the province and its regencies, half to villages
        org_id, level, area = rng.choice(orgs[:28]) if n % 2 else rng.choice(orgs)
        link = types.Link(rng.choice(by_level[level]), "manual") if n % 5 == 0 else None
        data = _record(rng, n, org_id, area)
        org = services.OrgInfo(org_id, level, area)
        pending.append(services.Prepared(data, services.content_hash(data), org, link=link))
        if len(pending) == BATCH:
            _store(registry, pending)
            pending = []
    _store(registry, pending)
    with registry.db.transaction() as session:
        old = utcnow() - timedelta(days=400)
        session.execute(update(Service).where(Service.identifier.like("%0")).values(modified=old))
    built = time.perf_counter() - start
    registry.close()
    return {"organizations": len(orgs), "built": built}


def checklist_counts(ctx) -> dict:
    from simpul.web import create_app

    for stale in ctx.workdir.glob("checklists.db*"):
        stale.unlink()
    url = f"sqlite:///{ctx.workdir / 'checklists.db'}"
    made = build(url, ctx.count)
    client = create_app({"database_url": url, "search_sync_ms": 0}).test_client()
    province = client.get(f"/api/v1/checklists?area={PROVINCE}").get_json()
    busiest = max(province["by_organization"], key=lambda row: row["counts"]["services"])
    paths = {
        "province_ms": f"/api/v1/checklists?area={PROVINCE}",
        "regency_ms": f"/api/v1/checklists?area={PROVINCE}.04",
        "busiest_organization_ms": f"/api/v1/organizations/{busiest['organization']}/checklist",
        "baseline_services_page_ms": "/api/v1/services?size=20",
    }
    timings = {name: _median_ms(client, path, runs=7) for name, path in paths.items()}
    baseline = max(timings["baseline_services_page_ms"], 0.1)
    return {
        "services": ctx.count,
        "organizations": made["organizations"],
        "build_seconds": round(made["built"], 1),
        "province_totals": province["totals"],
        **timings,
        "ratio_province_to_services_page": round(timings["province_ms"] / baseline, 1),
    }
