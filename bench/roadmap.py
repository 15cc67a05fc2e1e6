"""The roadmap board of one province (issue 15): ``--records`` services and a fifth as many
applications spread over the 38 provinces (a provincial office and regencies in each), items
made by ``simpul roadmap refresh``'s core, then the phase 2 board of one province with and
without filters. Target: < 300 ms with 1,000,000 services and 200,000 applications.

Services and applications are inserted as rows (the board reads the items, and the names of the
cards it shows), so the set-up takes seconds rather than a full publish."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from sqlalchemy import insert

from simpul.config import load_settings
from simpul.registry import roadmap, roadmap_board
from simpul.registry.context import Registry
from simpul.registry.models import Application, Organization, Service

PROVINCES = [
    f"{n:02d}"
    for n in (
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        31,
        32,
        33,
        34,
        35,
        36,
        51,
        52,
        53,
        61,
        62,
        63,
        64,
        65,
        71,
        72,
        73,
        74,
        75,
        76,
        81,
        82,
        91,
        92,
        93,
        94,
        95,
        96,
    )
]
REGENCIES = 10  # per province, with synthetic codes (the board reads them as prefixes)
SECTORS = ["kesehatan", "pendidikan", "sosial", "kependudukan", "perizinan"]
CHUNK = 20_000


def _organizations(session, now) -> list[tuple[str, str]]:
    orgs = []
    for p in PROVINCES:
        orgs.append((f"pemprov-{p}", "provinsi", p))
        orgs += [(f"pemkab-{p}-{r}", "kabkota", f"{p}.{r:02d}") for r in range(1, REGENCIES + 1)]
    session.execute(
        insert(Organization),
        [
            {"id": o, "name": {"id": o}, "level": lv, "area": a, "created": now, "modified": now}
            for o, lv, a in orgs
        ],
    )
    return [(o, lv) for o, lv, _ in orgs]


def _rows(model, count: int, orgs, now, kind: str):
    common = {
        "status": "active",
        "content_hash": "x",
        "version": 1,
        "created": now,
        "modified": now,
        "provenance": {},
    }
    batch = []
    for i in range(count):
        org, level = orgs[i % len(orgs)]
        row = {
            "id": f"{kind[0]}{i:09d}",
            "uri": f"http://b/{kind}/{i}",
            "identifier": f"{kind}-{i}",
            "data": {"name": {"id": f"{kind} {i}"}, "sectors": [SECTORS[i % len(SECTORS)]]},
            **common,
        }
        row |= {"authority": org, "level": level} if model is Service else {"organization_id": org}
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _time(session, **filters) -> float:
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        roadmap_board.board(session, "2", **filters)
        runs.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(runs), 1)


def roadmap_board_bench(ctx) -> dict:
    db = ctx.workdir / "roadmap.db"
    for stale in ctx.workdir.glob("roadmap.db*"):
        stale.unlink()
    registry = Registry(load_settings({"database_url": f"sqlite:///{db}"}, environ={}))
    registry.db.upgrade()
    now, apps = datetime.now(UTC), ctx.count // 5
    with registry.db.transaction() as session:
        orgs = _organizations(session, now)
        for model, count, kind in ((Service, ctx.count, "service"), (Application, apps, "app")):
            for batch in _rows(model, count, orgs, now, kind):
                session.execute(insert(model), batch)
        roadmap.seed(session)
    start = time.perf_counter()
    with registry.db.transaction() as session:
        made = roadmap_board.refresh(session)
    refresh_s = time.perf_counter() - start
    with registry.db.session() as session:
        whole = roadmap_board.board(session, "2", area="75")
        out = {
            "services": ctx.count,
            "applications": apps,
            "items": sum(made.values()),
            "refresh_seconds": round(refresh_s, 2),
            "province_items": whole["total"],
            "board_province_ms": _time(session, area="75"),
            "board_province_sector_ms": _time(session, area="75", sector="kesehatan"),
            "board_regency_level_ms": _time(session, area="75.01", level="kabkota"),
            "board_nation_ms": _time(session),
            "target_ms": 300,
        }
    registry.close()
    return out
