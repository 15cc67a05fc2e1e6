"""The versioned-record core (``registry.records``) as its three kinds use it: ids, the words of
each kind's answers, tombstones as versions, and the bulk pipeline applications share with
service records."""

from __future__ import annotations

import base64
import io
import time

import orjson
import pytest
from sqlalchemy import select

from simpul.errors import Gone, NotFound, PreconditionFailed
from simpul.registry import applications, records, services, types
from simpul.registry.appload import jsonl_records, load_applications
from simpul.registry.auth import SYSTEM
from simpul.registry.models import Change
from tests.conftest import application_record, service_record

ORG = "disdukcapil-kota-gorontalo"


def test_new_ids_spell_the_time_in_base32hex_and_sort_by_it():
    before = time.time_ns() // 1_000_000
    first = records.new_id()
    time.sleep(0.002)
    second = records.new_id()
    after = time.time_ns() // 1_000_000
    for made in (first, second):
        assert len(made) == 16 and made == made.lower()
        raw = base64.b32hexdecode(made.upper())
        assert before <= int.from_bytes(raw[:6], "big") <= after
    assert first < second


def _published(registry):
    with registry.db.transaction() as session:
        service, _ = services.publish(
            session,
            service_record("akta", authority=ORG),
            SYSTEM,
            base_uri="http://x",
            provenance={},
        )
        app, _ = applications.publish(
            session,
            application_record("sidukcapil", organization=ORG, services=["akta"]),
            SYSTEM,
            base_uri="http://x",
            provenance={},
        )
        return service.id, app.id


def test_each_kind_answers_in_its_own_words(registry, publisher):
    publisher.org(ORG)
    service_id, app_id = _published(registry)
    with registry.db.transaction() as session:
        types.load_types(
            session, types.national_list()[:1], SYSTEM, base_uri="http://x", provenance={}
        )
    type_id = types.national_list()[0]["id"]
    stale = {'"0-000000000000"'}
    expected = {
        services.SERVICES: (service_id, "the record changed", "re-apply your edit"),
        applications.APPLICATIONS: (app_id, "the application changed", "re-apply your edit"),
        types.TYPES: (type_id, "the type changed", "fetch it again"),
    }
    with registry.db.session() as session:
        for kind, (record_id, start, end) in expected.items():
            row = records.get_live(session, kind, record_id)
            with pytest.raises(PreconditionFailed) as failed:
                records.check_precondition(kind, row, stale)
            assert failed.value.detail.startswith(start) and failed.value.detail.endswith(end)
            assert failed.value.extra["current_etag"] == records.etag(kind, row)
            with pytest.raises(NotFound, match=f"^no {kind.noun} 'nope'$"):
                records.get(session, kind, "nope")
            with pytest.raises(NotFound, match=f"^{kind.noun} '{record_id}' has no version 9$"):
                records.version_row(session, kind, record_id, 9)
    assert types.type_etag(row).startswith('"t1-')


def test_a_tombstone_is_a_version_that_keeps_the_content_before_it(registry, publisher):
    publisher.org(ORG)
    _, app_id = _published(registry)
    with registry.db.transaction() as session:
        assert records.retire_many(session, applications.APPLICATIONS, [app_id], SYSTEM) == [app_id]
        assert records.retire_many(session, applications.APPLICATIONS, [app_id], SYSTEM) == []
    with registry.db.session() as session:
        with pytest.raises(Gone) as gone:
            applications.get_live(session, app_id)
        assert gone.value.extra["tombstone"]["version"] == 2
        assert applications.get(session, app_id).status == "deleted"
        history = [(v.version, v.action) for v in applications.versions(session, app_id)]
        assert history == [(1, "created"), (2, "deleted")]
        assert applications.version(session, app_id, 1)["data"]["identifier"] == "sidukcapil"
        feed = session.execute(
            select(Change.version, Change.action, Change.kind).where(Change.service_id == app_id)
        ).all()
        assert sorted(feed) == [(1, "created", "application"), (2, "deleted", "application")]


def test_application_lines_travel_unparsed_to_the_checking_processes(registry, publisher):
    publisher.org(ORG)
    _published(registry)
    lines = [
        b"\xef\xbb\xbf" + orjson.dumps(application_record("satu", services=["akta"])),
        b"   ",  # blank: skipped, not an error
        b'{"identifier": "rusak", "name": ',
        orjson.dumps(application_record("dua")),
        orjson.dumps(application_record("tiga", organization="lain")),
    ]
    stream = io.BytesIO(b"\n".join(lines) + b"\n")
    assert all(isinstance(raw, bytes) for _, raw in jsonl_records(io.BytesIO(lines[0])))
    report = load_applications(registry, jsonl_records(stream), ORG, workers=2)
    assert report.counts["created"] == 2 and report.counts["error"] == 2
    assert [number for number, _ in report.errors] == [3, 5]
    assert report.errors[0][1].startswith("malformed JSON at column")
    assert "organization" in report.errors[1][1]
