"""The batch store on its own: a StoreContext, one transaction per batch, the trust rules."""

from __future__ import annotations

from types import MappingProxyType

import orjson
import pytest
from sqlalchemy import select

from simpul.harvesters import jobs
from simpul.harvesters.base import Harvester, Item, RecordProblem, SourceSpec, Transformed
from simpul.harvesters.fetching import Fetcher, FetchPolicy
from simpul.harvesters.importing import Organizations
from simpul.harvesters.report import JobReport
from simpul.harvesters.storing import BatchStore, StoreContext
from simpul.registry.auth import Actor
from simpul.registry.models import HarvestError, HarvestRecord, Service


class Plain(Harvester):
    """A record is its JSON original; ``{"bad": ...}`` cannot be mapped."""

    name = "plain"

    def transform(self, item: Item) -> Transformed:
        record = orjson.loads(item.original)
        if "bad" in record:
            raise RecordProblem(record["bad"])
        return Transformed(record)


def _item(identifier: str, **record) -> Item:
    record = {"identifier": identifier, "name": {"id": identifier.title()}, **record}
    return Item(identifier, orjson.dumps(record))


@pytest.fixture
def make_store(registry, harvests):
    harvests.org()
    harvests.org("kec-kota-barat", "kecamatan", "75.71.01", parent="kota-gorontalo")
    harvests.org("provinsi-gorontalo", "provinsi", "75")
    harvests.source("lembar", "spreadsheet", "")

    def make(retransform: bool = False) -> BatchStore:
        with registry.db.transaction() as session:
            earlier = jobs.active_job(session, "lembar")
            if earlier is not None:  # one job at a time: the earlier run ends
                jobs.finish(session, earlier.id, "complete", counts={}, gaps={}, message=None)
            job, _ = jobs.queue(session, "lembar")
            jobs.claim(session, job.id, "test")
            orgs = Organizations(session, "kota-gorontalo")
        spec = SourceSpec("lembar", "https://u:pw@x.go.id/", "kota-gorontalo", {}, {}, {})
        context = StoreContext(
            db=registry.db,
            base_uri=registry.base_uri,
            provenance=registry.provenance,
            spec=spec,
            priority=0,
            priorities=MappingProxyType({"lembar": 0}),
            job_id=job.id,
            actor=Actor("harvest:lembar", "kota-gorontalo", "system"),
            mapping="plain/1",
            retransform=retransform,
            harvester=Plain(spec, Fetcher(FetchPolicy())),
            orgs=orgs,
            report=JobReport(job.id, spec.url),
        )
        return BatchStore(context)

    return make


def _services(registry) -> dict[str, Service]:
    with registry.db.session() as session:
        return {s.identifier: s for s in session.scalars(select(Service))}


def test_the_context_is_frozen(make_store):
    store = make_store()
    with pytest.raises(AttributeError):
        store.ctx.job_id = "another"  # type: ignore[misc]


def test_a_batch_is_stored_with_provenance_and_counted(make_store, registry):
    store = make_store()
    store.store([_item("akta"), _item("ktp", authority="kec-kota-barat")], [], {})
    services = _services(registry)
    assert services["akta"].authority == "kota-gorontalo"
    assert services["ktp"].authority == "kec-kota-barat"  # below the source's organization
    provenance = services["akta"].provenance
    assert (provenance["source"], provenance["job"]) == ("lembar", store.ctx.job_id)
    assert provenance["mapping"] == "plain/1" and provenance["method"] == "harvest"
    assert store.ctx.report.counts == {"created": 2}
    with registry.db.session() as session:
        job = jobs.get_job(session, store.ctx.job_id)
        assert job.counts == {"created": 2} and job.status == "running"
        keys = {r.key: r.status for r in session.scalars(select(HarvestRecord))}
    assert keys == {"akta": "ok", "ktp": "ok"}


def test_unchanged_records_are_skipped_unless_retransforming(make_store, registry):
    make_store().store([_item("akta")], [], {})
    again = make_store()
    with registry.db.session() as session:
        row = again.prior(session, ["akta", "nothing"])["akta"]
    assert again.unchanged(_item("akta"), row)
    assert not again.unchanged(_item("akta", keywords=["x"]), row)
    assert not make_store(retransform=True).unchanged(_item("akta"), row)
    again.store([_item("akta")], [], {})
    assert again.ctx.report.counts == {"unchanged": 1}


def test_a_record_outside_the_sources_organization_is_refused(make_store, registry):
    store = make_store()
    store.store([_item("pajak", authority="provinsi-gorontalo"), _item("akta")], [], {})
    assert set(_services(registry)) == {"akta"}
    assert store.ctx.report.counts == {"created": 1, "errors": 1}
    with registry.db.session() as session:
        [error] = session.scalars(select(HarvestError)).all()
        row = session.scalar(select(HarvestRecord).where(HarvestRecord.key == "pajak"))
    assert (error.key, error.stage) == ("pajak", "transform")
    assert "provinsi-gorontalo" in error.message
    assert row.status == "error" and row.service_id is None


def test_a_failed_transform_is_kept_with_its_error_and_scrubbed(make_store, registry):
    store = make_store()
    store.store([Item("rusak", orjson.dumps({"bad": "see https://u:pw@x.go.id/"}))], [], {})
    with registry.db.session() as session:
        [error] = session.scalars(select(HarvestError)).all()
        row = session.scalar(select(HarvestRecord).where(HarvestRecord.key == "rusak"))
    assert "pw" not in error.message and "***" in error.message
    assert row.status == "error"
    assert store.ctx.report.counts == {"errors": 1}


def test_a_tombstone_retires_what_the_source_brought(make_store, registry):
    make_store().store([_item("akta")], [], {})
    store = make_store()
    store.store([Item("akta", b"", tombstone=True)], [], {})
    assert _services(registry)["akta"].deleted_at is not None
    assert store.ctx.report.counts == {"deleted": 1, "tombstones": 1}
