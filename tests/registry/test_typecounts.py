"""Stored coverage and checklist counts (issues 14, 16): refreshed from the change log by the
coverage refresh, never by a write; every answer read from them is the live answer, a write
shows once the figures are refreshed, and a record ageing into stale shows at the day's full
count."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from simpul.registry import areacoverage, checklists, coverage, organizations, services, types
from simpul.registry.auth import SYSTEM
from simpul.registry.db import utcnow
from simpul.registry.models import Service
from tests.conftest import service_record
from tests.registry.test_coverage import (
    BIRTH,
    BOALEMO,
    CITY,
    DINKES_BOALEMO,
    DIRECTORATE,
    MINISTRY,
    NOT_OURS,
    OFFICE,
    PASSPORT,
    POHUWATO,
    PROVINCE,
    VILLAGE,
    _declare,
    _publish,
)
from tests.registry.test_coverage import world as world  # noqa: F401 (the fixture)

FAMILY = "kartu-keluarga"
ORGS = (CITY, OFFICE, BOALEMO, DINKES_BOALEMO, POHUWATO, PROVINCE, MINISTRY, DIRECTORATE)


def _refresh(registry, full=False):
    areacoverage.refresh(registry.db, threshold=1, full=full, daily=False)


def _answers(registry, stored: bool) -> dict:
    out = {}
    with registry.db.session() as session:
        for area in (None, "75", "75.71", "75.71.01"):
            for levels in ((), ("kabkota",), ("desa",), ("pusat",)):
                out[("summary", area, levels)] = coverage.coverage_summary(
                    session, area=area, levels=levels, stored=stored
                )
            out[("checklists", area)] = checklists.area_counts(session, area, stored=stored)
        for type_id in (BIRTH, VILLAGE, PASSPORT):
            for status in (None, *coverage.FILTERS):
                for area in (None, "75"):
                    out[("grid", type_id, status, area)] = coverage.type_coverage(
                        session, type_id, area=area, status=status, size=3, stored=stored
                    )
        for org in (*ORGS, "desa-dembe-i"):
            out[("types", org)] = coverage.organization_types(session, org, stored=stored)
            out[("checklist", org)] = checklists.organization_checklist(session, org, stored=stored)
    return out


def _offered(registry, type_id=BIRTH, area="75") -> int:
    with registry.db.session() as session:
        grid = coverage.type_coverage(session, type_id, area=area, stored=True)
    return grid["counts"]["offered"]


def test_every_stored_answer_is_the_live_one(world):
    _declare(world, BOALEMO, BIRTH, {"status": "covered", "covered_by": PROVINCE})
    _publish(world, OFFICE)  # a record published after a declaration wins
    _publish(world, DINKES_BOALEMO, "akta-2", areas=["75.02"])
    _publish(world, BOALEMO, "akta-3", areas=["75.02"])
    _publish(world, CITY, "akta-lama", status="inactive")
    _publish(world, "desa-dembe-i", "domisili", type_id=VILLAGE)
    _publish(world, DIRECTORATE, "paspor", type_id=PASSPORT)
    with world.db.transaction() as session:  # no type: not linked
        _replace(world, session, None, type_id=None, identifier="tanpa-jenis")
    _declare(world, POHUWATO, BIRTH, NOT_OURS)
    _declare(world, "kemenkes", PASSPORT, NOT_OURS)
    _refresh(world)
    assert _answers(world, stored=True) == _answers(world, stored=False)
    assert _offered(world) == 2


def test_a_write_shows_once_refreshed_and_not_before(world):
    _refresh(world)
    _publish(world, OFFICE)
    assert _offered(world) == 0  # the stored counts, as of the last refresh
    state = areacoverage.ensure_fresh(world.db, threshold=1, max_age=60)
    assert _offered(world) == 0 and state["cursor"] == 0  # younger than max_age: kept
    areacoverage.ensure_fresh(world.db, threshold=1, max_age=0)
    assert _offered(world) == 1
    with world.db.session() as session:
        found = checklists.organization_checklist(session, OFFICE, stored=True)
    assert found["counts"]["services"] == 1


@pytest.mark.parametrize("how", ["retired", "inactive", "unlinked"])
def test_a_record_gone_retired_or_unlinked_leaves_the_count(world, how):
    service_id = _publish(world, OFFICE)
    _refresh(world)
    assert _offered(world) == 1
    with world.db.transaction() as session:
        if how == "retired":
            services.retire(session, service_id, SYSTEM)
        else:
            status, type_id = ("inactive", BIRTH) if how == "inactive" else ("active", None)
            _replace(world, session, service_id, status=status, type_id=type_id)
    _refresh(world)
    assert _offered(world) == 0
    with world.db.session() as session:
        counts = checklists.organization_checklist(session, OFFICE, stored=True)["counts"]
    assert counts["services"] == (0 if how == "retired" else 1)
    assert counts["no-type"] == (1 if how == "unlinked" else 0)


def _replace(registry, session, service_id, *, status="active", type_id=BIRTH, identifier="akta"):
    """Replace a record of the office (publish a new one when ``service_id`` is None); without
    a type, with no type list, so that no type is matched either."""
    record = service_record(identifier, authority=OFFICE, type=type_id, status=status)
    if type_id is None:
        record.pop("type")
    kwargs = {"base_uri": registry.base_uri, "provenance": {}}
    kwargs["types"] = registry.type_index(session) if type_id else None
    if service_id is None:
        services.publish(session, record, SYSTEM, **kwargs)
    else:
        services.replace(session, service_id, record, SYSTEM, **kwargs)


def test_a_type_change_moves_the_record(world):
    with world.db.transaction() as session:
        raw = {"id": FAMILY, "name": {"id": "Kartu Keluarga"}, "kind": "pencatatan"}
        raw |= {"applies_to": ["kabkota"], "mandatory_at": []}
        types.create_type(session, raw, SYSTEM, base_uri=world.base_uri, provenance={})
    service_id = _publish(world, OFFICE)
    _refresh(world)
    assert (_offered(world, BIRTH), _offered(world, FAMILY)) == (1, 0)
    with world.db.transaction() as session:
        _replace(world, session, service_id, type_id=FAMILY)
    _refresh(world)
    assert (_offered(world, BIRTH), _offered(world, FAMILY)) == (0, 1)


def test_an_organization_moved_to_another_area_moves_its_counts(world):
    _publish(world, DINKES_BOALEMO, areas=["75.02"])
    _refresh(world)
    with world.db.session() as session:
        before = coverage.type_coverage(session, BIRTH, status="offered", stored=True)
    assert [item["area"] for item in before["items"]] == ["75.02"]
    with world.db.transaction() as session:
        raw = {"id": DINKES_BOALEMO, "name": {"id": "Dinkes"}, "level": "kabkota"}
        organizations.update_organization(session, DINKES_BOALEMO, raw | {"area": "75.04"})
    _refresh(world)
    with world.db.session() as session:
        after = coverage.type_coverage(session, BIRTH, status="offered", stored=True)
    assert [item["area"] for item in after["items"]] == ["75.04"]


def test_a_record_ageing_into_stale_counts_at_the_days_full_count(world):
    service_id = _publish(world, OFFICE)
    _refresh(world)
    with world.db.transaction() as session:  # ages without a write: no change logged
        old = utcnow() - checklists.STALE - timedelta(days=1)
        session.execute(update(Service).where(Service.id == service_id).values(modified=old))

    def stale() -> int:
        with world.db.session() as session:
            found = checklists.organization_checklist(session, OFFICE, stored=True)
        return found["counts"]["stale"]

    _refresh(world)
    assert stale() == 0  # the changes logged since: none
    _refresh(world, full=True)
    assert stale() == 1


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_long_write_holds_up_no_other_write_of_the_organization(world):
    """A harvest batch holds its transaction open: another record of the same organization is
    written and committed meanwhile, a refresh counts it, and the batch's record, committed
    last with the lower change number, is counted by the next refresh."""
    assert world.db.dialect == "postgresql"
    with world.db.session() as session:
        index = world.type_index(session)
    slow = world.db.engine.connect()
    slow_tx = slow.begin()
    with Session(bind=slow) as session:
        services.publish(
            session,
            service_record("lambat", authority=OFFICE, type=BIRTH),
            SYSTEM,
            base_uri=world.base_uri,
            provenance={},
            types=index,
        )
        session.flush()
        _alone(lambda: _publish(world, OFFICE, "cepat"))  # another record, committed
        _alone(lambda: _refresh(world))
        assert _services(world) == 1 and _offered(world, area="75.71") == 1
        slow_tx.commit()
    slow.close()
    _refresh(world)
    assert _services(world) == 2


def _services(registry) -> int:
    with registry.db.session() as session:
        found = checklists.organization_checklist(session, OFFICE, stored=True)
    return found["counts"]["services"]


def _alone(work, timeout: float = 60) -> None:
    """Run ``work`` in a thread of its own (its own transaction); fail if it waits (for the
    transaction held open) or fails."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported in the test's thread
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "waited for the transaction held open"
    assert not failed, failed
