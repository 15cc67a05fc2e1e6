"""The index follows the change log without skipping a change whose transaction commits late
(found by the resilience test: several app and worker processes write at once)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from simpul.registry import services
from simpul.registry.auth import SYSTEM
from simpul.registry.indexing import lag, sync
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
