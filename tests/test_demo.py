"""The demo federation reads like real service pages and covers what the registry promises."""

from __future__ import annotations

from collections import Counter

from simpul.demo import demo_organizations, demo_services

STANDARD = (
    "requirements",
    "procedure",
    "processing_time",
    "cost",
    "outputs",
    "complaints",
    "legal_basis",
)


def test_federation_spans_every_level():
    levels = Counter(org["level"] for org in demo_organizations())
    assert set(levels) == {"pusat", "provinsi", "kabkota", "kecamatan", "desa"}
    ids = {org["id"] for org in demo_organizations()}
    for agency in (
        "ditjen-dukcapil",
        "kemenkes",
        "kemendikdasmen",
        "kemensos",
        "polri",
        "bkn",
        "bpjs-kesehatan",
        "pemprov-gorontalo",
    ):
        assert agency in ids
    regencies = {org["area"] for org in demo_organizations() if org["level"] == "kabkota"}
    assert regencies == {"75.01", "75.02", "75.03", "75.04", "75.05", "75.71"}


def test_services_cover_the_sectors_and_the_standard():
    records = demo_services()
    assert len(records) >= 150
    assert len({(r["authority"], r["identifier"]) for r in records}) == len(records)
    sectors = Counter(s for r in records for s in r["sectors"])
    for sector in (
        "pendidikan",
        "kesehatan",
        "sosial",
        "kepolisian",
        "kependudukan",
        "kepegawaian",
    ):
        assert sectors[sector] >= 5, sector
    for record in records:
        missing = [c for c in STANDARD if not record.get(c)]
        assert not missing, (record["authority"], record["identifier"], missing)
        assert record["name"]["id"] and record["name"].get("en")


def test_api_channels_travel_over_splp():
    channels = [c for r in demo_services() for c in r.get("channels", []) if c["type"] == "api"]
    assert channels and all(c.get("splp") for c in channels)
