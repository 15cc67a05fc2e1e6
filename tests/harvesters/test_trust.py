"""Trust: a source writes only within its organization's subtree (level and area)."""

from __future__ import annotations

from simpul.harvesters.trust import outside, register_organizations
from simpul.registry.models import Organization
from simpul.registry.services import OrgInfo

CITY = OrgInfo("kota-gorontalo", "kabkota", "75.71")


def test_outside_says_why_by_level_or_area():
    assert outside(CITY, "kecamatan", "75.71.01") is None
    assert "level 'provinsi' is above" in outside(CITY, "provinsi", "75")
    assert "area '75.72' lies outside" in outside(CITY, "kabkota", "75.72")
    assert "area '00' lies outside" in outside(CITY, "kabkota", None)


def test_remote_organizations_are_registered_inside_the_subtree_only(registry, harvests):
    harvests.org()
    remote = [
        {
            "id": "kec-kota-barat",
            "name": {"id": "Kec. Kota Barat"},
            "level": "kecamatan",
            "area": "75.71.01",
            "parent": "kota-gorontalo",
        },
        {"id": "pemprov-jatim", "name": {"id": "Pemprov Jatim"}, "level": "provinsi", "area": "35"},
        {"id": "desa-x", "name": {"id": "Desa X"}, "level": "desa", "area": "35.01.01.2001"},
        "not an object",
    ]
    with registry.db.transaction() as session:
        done = register_organizations(session, remote, "kota-gorontalo")
    assert done.added == 1
    assert set(done.refused) == {"pemprov-jatim", "desa-x", "organizations[3]"}
    with registry.db.session() as session:
        added = session.get(Organization, "kec-kota-barat")
        assert added.parent_id == "kota-gorontalo"
        assert session.get(Organization, "pemprov-jatim") is None
