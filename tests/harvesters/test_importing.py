"""Checking a transformed record before storing: identity, name, authority in scope."""

from __future__ import annotations

import pytest

from simpul.harvesters.base import RecordProblem, Transformed
from simpul.harvesters.importing import Organizations, check


@pytest.fixture
def orgs(registry, harvests):
    harvests.org()
    harvests.org("kec-kota-barat", "kecamatan", "75.71.01", parent="kota-gorontalo")
    harvests.org("provinsi-gorontalo", "provinsi", "75")
    with registry.db.session() as session:
        return Organizations(session, "kota-gorontalo")


def test_the_writable_organizations_are_the_owner_and_below(orgs):
    assert orgs.writable == {"kota-gorontalo", "kec-kota-barat"}
    assert set(orgs.info) >= {"provinsi-gorontalo"}


def test_a_record_is_checked_leniently_with_gaps(orgs):
    checked = check(Transformed({"identifier": "Akta Lahir!", "name": {"id": "Akta"}}), orgs, "k")
    data = checked.prepared.data
    assert data["authority"] == "kota-gorontalo" and data["identifier"] == "Akta-Lahir"
    assert "requirements" in checked.gaps
    assert checked.prepared.organization.id == "kota-gorontalo"


def test_no_name_or_an_authority_out_of_scope_is_a_record_problem(orgs):
    with pytest.raises(RecordProblem, match="no name"):
        check(Transformed({"identifier": "a"}), orgs, "k")
    record = {"identifier": "a", "name": {"id": "A"}, "authority": "provinsi-gorontalo"}
    with pytest.raises(RecordProblem, match="neither the source's organization"):
        check(Transformed(record), orgs, "k")


def test_a_foreign_authority_is_kept_and_qualifies_the_identifier(orgs):
    record = {"identifier": "domisili", "name": {"id": "Surat Domisili"}, "authority": "dinas-x"}
    checked = check(Transformed(record), orgs, "k")
    data = checked.prepared.data
    assert data["authority"] == "kota-gorontalo"
    assert data["original_authority"] == {"name": {"id": "dinas-x"}}
    assert data["identifier"].endswith(".domisili") and data["identifier"] != "domisili"
