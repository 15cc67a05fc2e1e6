"""GET /api/v1/coverage: the figures of an area and of each child area, from precomputed rows
that a read refreshes when they are older than SIMPUL_COVERAGE_MAX_AGE; national services apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from simpul.harvesters import worker
from simpul.registry import areacoverage
from simpul.registry.models import ReportState, Service
from simpul.web.http import PROBLEM
from tests.conftest import running_app, service_record

PROVINCE, CITY, OFFICE, REGENCY = "pemprov-gorontalo", "pemkot-gorontalo", "dukcapil-kota", "pemkab"


@pytest.fixture
def app(database_url, tmp_path):
    with running_app(database_url, tmp_path, coverage_max_age=0, coverage_min_services=2) as app:
        yield app


@pytest.fixture
def setup(publisher):
    p = publisher
    p.org(PROVINCE, "provinsi", "75")
    p.org(CITY, "kabkota", "75.71", parent=PROVINCE)
    p.org(OFFICE, "kabkota", "75.71", parent=CITY)  # an office: reports through the city
    p.org(REGENCY, "kabkota", "75.02", parent=PROVINCE)
    p.org("kemendagri", "pusat")
    token = p.token(OFFICE)
    for n, status in enumerate(["inventoried", "assessed"]):
        record = service_record(f"layanan-{n}", integration={"status": status, "splp_api": None})
        assert p.publish(token, record).status_code == 201
    assert p.publish(p.token("kemendagri"), service_record("nasional")).status_code == 201
    return p


def _get(p, area=None):
    query = f"?area={area}" if area else ""
    response = p.client.get(f"/api/v1/coverage{query}&types=false".replace("&", "?", not query))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_nation_with_national_services_apart(setup):
    nation = _get(setup)
    assert nation["organizations"] == {
        "expected": 4,
        "reported": 2,
        "not_reported": 2,
        "above_threshold": 1,
    }
    assert nation["services"] == 3 and nation["completeness"] == 1.0
    assert nation["national"]["services"] == 1
    assert nation["national"]["organizations"]["expected"] == 1
    gorontalo = next(c for c in nation["children"] if c["area"]["code"] == "75")
    assert gorontalo["services"] == 2 and gorontalo["organizations"]["expected"] == 3
    assert gorontalo["integration"] == {"assessed": 1, "inventoried": 1}
    assert sum(c["services"] for c in nation["children"]) == 2  # national ones in no province
    assert len(nation["children"]) == 38
    assert gorontalo["links"]["not_reported"] == (
        "/api/v1/organizations?expected=true&reported=false&area=75"
    )


def test_a_province_drills_down_to_its_regencies(setup):
    province = _get(setup, "75")
    assert province["area"]["code"] == "75" and "national" not in province
    by_code = {c["area"]["code"]: c for c in province["children"]}
    assert by_code["75.71"]["organizations"]["reported"] == 1
    assert by_code["75.02"]["organizations"]["not_reported"] == 1
    assert by_code["75.01"]["organizations"]["expected"] == 0  # nobody registered there
    city = _get(setup, "75.71")
    assert city["services"] == 2 and city["children"]  # its districts, all zeros
    assert all(c["services"] == 0 for c in city["children"])


def test_a_write_shows_at_once_with_no_max_age(setup):
    p = setup
    p.publish(p.token(REGENCY), service_record("baru", areas=["75.02"]))
    assert _get(p, "75")["organizations"]["reported"] == 2


def test_stale_records_and_a_daily_full_count(setup):
    p = setup
    with p.registry.db.transaction() as session:
        old = areacoverage.stale_cutoff() - timedelta(days=1)
        session.execute(
            update(Service).where(Service.identifier == "layanan-0").values(modified=old)
        )
    areacoverage.refresh(p.registry.db, threshold=2, full=True)  # no write logged: full count
    assert _get(p, "75")["stale"] == 1


def test_an_unknown_area_is_a_problem(setup):
    response = setup.client.get("/api/v1/coverage?area=75.79")
    assert (response.status_code, response.content_type) == (422, PROBLEM)
    assert response.get_json()["errors"][0]["path"] == "area"


def test_the_mandatory_types_totals(setup):
    body = setup.client.get("/api/v1/coverage?area=75").get_json()
    assert body["types"] == {"expected": 0, "offered": 0, "gaps": 0}


def _total(p, link: str) -> int:
    response = p.client.get(link)
    assert response.status_code == 200, (link, response.get_json())
    return response.get_json()["total"]


def test_every_figure_links_to_the_records_behind_it(setup):
    p = setup
    province = _get(p, "75")
    links = province["links"]
    assert _total(p, links["expected"]) == province["organizations"]["expected"] == 3
    assert _total(p, links["reported"]) == province["organizations"]["reported"] == 1
    assert _total(p, links["not_reported"]) == 2
    assert _total(p, links["services"]) == province["services"] == 2
    assert _total(p, links["stale"]) == province["stale"] == 0
    assessed = links["integration"].replace("{status}", "assessed")
    assert _total(p, assessed) == province["integration"]["assessed"] == 1
    national = _get(p)["national"]["links"]
    assert _total(p, national["services"]) == 1


def test_a_request_never_counts_everything_again(setup):
    """The first request of a day applies the logged changes only, never the full count; the
    worker runs that count when due, with the day's snapshot, and the figures say when."""
    p = setup
    first = _get(p, "75")
    with p.registry.db.transaction() as session:
        old = areacoverage.stale_cutoff() - timedelta(days=1)
        session.execute(  # ages into stale without a write (no change logged)
            update(Service).where(Service.identifier == "layanan-0").values(modified=old)
        )
        state = session.get(ReportState, "coverage")
        state.value = state.value | {"day": "2000-01-01", "counted": "2000-01-01T00:00:00"}
    later = _get(p, "75")  # a new day: the request still counts only what was logged
    assert later["stale"] == 0 and later["counted"] == "2000-01-01T00:00:00"
    assert later["refreshed"] > first["refreshed"]
    assert worker.coverage(p.registry) == "snapshot"
    counted = _get(p, "75")
    assert counted["stale"] == 1 and counted["counted"] > "2000-01-02"
    history = p.client.get("/api/v1/coverage/history?area=75").get_json()["items"]
    assert [item["stale"] for item in history] == [1]
    assert worker.coverage(p.registry) == "refresh"  # done for the day
