"""SHACL reports against Simpul's CPSV-AP-ID shapes: of a stored record, of a draft checked like a
publish, and of a record that breaks a shape; a draft too big to check is refused first."""

from __future__ import annotations

import dataclasses

import pytest

from simpul.errors import NotFound, PayloadTooLarge, ValidationFailed
from simpul.registry import validation
from simpul.registry.services import get_live, service_to_dict
from tests.conftest import service_record

ORG = "disdukcapil-kota-gorontalo"
MINIMAL = {
    "identifier": "sks",
    "authority": ORG,
    "name": {"id": "Surat Keterangan Sehat"},
    "description": {"id": "Surat keterangan sehat."},
}


def _fields(report, severity):
    return {r["field"] for r in report["results"] if r["severity"] == severity}


def test_a_stored_complete_record_conforms(registry, publisher):
    sid = publisher.publish_one(ORG)["id"]
    with registry.db.session() as session:
        report = validation.stored_report(session, registry.base_uri, sid)
    assert report["conforms"] is True
    assert report["violations"] == 0
    assert report["warnings"] == 0, report["results"]


def test_a_stored_record_that_breaks_a_shape_is_reported_by_field(registry, publisher):
    sid = publisher.publish_one(ORG)["id"]
    with registry.db.session() as session:
        record = service_to_dict(get_live(session, sid))
        report = validation.record_report(
            session, registry.base_uri, {**record, "processing_time": "tiga hari"}
        )
    assert report["conforms"] is False
    assert report["violations"] >= 1
    assert "processing_time" in _fields(report, "violation")
    problem = next(r for r in report["results"] if r["field"] == "processing_time")
    assert set(problem["message"]) >= {"id", "en"}


def test_a_missing_record_is_not_found(registry, publisher):
    publisher.org(ORG)
    with registry.db.session() as session, pytest.raises(NotFound):
        validation.stored_report(session, registry.base_uri, "tidak-ada")


def test_a_complete_draft_conforms_and_nothing_is_stored(registry, publisher):
    publisher.org(ORG)
    with registry.db.session() as session:
        report = validation.draft_report(session, registry.settings, service_record(authority=ORG))
        assert report["conforms"] is True and report["warnings"] == 0, report["results"]
    with registry.db.session() as session, pytest.raises(NotFound):
        get_live(session, "draft")


def test_a_minimal_draft_conforms_with_warnings_naming_what_is_missing(registry, publisher):
    publisher.org(ORG)
    with registry.db.session() as session:
        report = validation.draft_report(session, registry.settings, MINIMAL)
    assert report["conforms"] is True
    assert report["violations"] == 0
    assert report["warnings"] >= 1
    assert "processing_time" in _fields(report, "warning")


def test_a_draft_is_checked_like_a_publish(registry, publisher):
    publisher.org(ORG)
    with registry.db.session() as session, pytest.raises(ValidationFailed) as error:
        validation.draft_report(
            session, registry.settings, {**MINIMAL, "processing_time": "tiga hari"}
        )
    assert "processing_time" in {e["path"] for e in error.value.errors}


def test_a_draft_too_big_to_check_is_refused_before_validating(registry, publisher):
    publisher.org(ORG)
    small = dataclasses.replace(registry.settings, validate_max_triples=10)
    with registry.db.session() as session, pytest.raises(PayloadTooLarge) as error:
        validation.draft_report(session, small, service_record(authority=ORG))
    assert "up to 10 triples" in error.value.detail
