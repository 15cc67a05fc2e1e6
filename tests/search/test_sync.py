"""The index follows the change log without skipping a change whose transaction commits late
(found by the resilience test: several app and worker processes write at once)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from simpul.registry import services
from simpul.registry.auth import SYSTEM
from simpul.registry.indexing import catch_up, lag, sync
from tests.conftest import service_record


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_record_committed_late_reaches_the_index(publisher, registry):
    """PostgreSQL numbers a change when it is written, not when it commits: a sync that ran
    between the two must leave its cursor before the open transaction's change, or the record
    it commits never reaches the index."""
    assert registry.db.dialect == "postgresql"
    owner = publisher.token(publisher.org("disdukcapil-kota-gorontalo"))
    search = registry.search
    slow = registry.db.engine.connect()
    slow_tx = slow.begin()
    with Session(bind=slow) as session:  # written first, so its change has the lower number
        services.publish(
            session,
            service_record("lambat", authority="disdukcapil-kota-gorontalo"),
            SYSTEM,
            base_uri=registry.base_uri,
            provenance=registry.provenance(SYSTEM, "test"),
        )
        session.flush()
        publisher.publish(owner, service_record("cepat"))  # a higher number, committed first
        sync(registry, search)
        slow_tx.commit()
    slow.close()
    sync(registry, search)
    assert search.count() == 2
    assert lag(registry, search) == 0


def test_a_starting_server_catches_up_without_chasing_new_writes(publisher, registry):
    """``simpul serve`` brings the index up to date before it serves: the changes made until
    then, not those written meanwhile, or a server restarted under steady writes never starts."""
    owner = publisher.token(publisher.org("disdukcapil-kota-gorontalo"))
    publisher.publish(owner, service_record("awal"))
    search = registry.search
    written = []

    class Busy:
        """The index, with a new record published while each batch is indexed."""

        def __getattr__(self, name):
            return getattr(search, name)

        def index_documents(self, documents):
            assert len(written) < 5, "the catch-up chases the new writes"
            written.append(publisher.publish(owner, service_record(f"baru-{len(written)}")))
            search.index_documents(documents)

    assert catch_up(registry, Busy()) == 1
    assert lag(registry, search) == 1  # the record written meanwhile: the sync thread's work
