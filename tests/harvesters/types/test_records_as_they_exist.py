"""Real-shaped CPSV-AP catalogs in other languages, harvested as they exist: every service is
kept, and what it lacks is counted in the job and named in the record's quality block."""

from __future__ import annotations

from tests.data import TEST_DATA
from tests.services.http import Response

TURTLE = "text/turtle"


def _serve(remote, name: str) -> str:
    data = (TEST_DATA / "samples/cpsv" / name).read_bytes()
    return remote.route(f"/{name}", Response(data, TURTLE))


def test_a_norwegian_catalog_keeps_all_four_services(harvests, remote):
    harvests.org("kemenpan", level="pusat")
    harvests.source("fjordvik", "rdf", _serve(remote, "cpsv-ap-no-services.ttl"), org="kemenpan")
    job = harvests.run("fjordvik")
    assert job.status == "finished", job.message
    assert job.counts["created"] == 4 and not job.counts.get("errors"), harvests.errors(job.id)
    assert job.gaps["no-indonesian-name"] == 4
    live = harvests.live()
    assert len(live) == 4
    kindergarten = next(r for r in live.values() if r["identifier"].endswith(".1"))
    assert kindergarten["name"] == {
        "nb": "Søknad om barnehageplass",
        "nn": "Søknad om barnehageplass",
    }
    assert kindergarten["description"] == {
        "nb": "Elektronisk søknad om plass i kommunal eller privat barnehage."
    }
    assert kindergarten["original_authority"]["name"] == {"nb": "Fjordvik kommune"}
    loan = next(r for r in live.values() if r["identifier"].endswith(".2"))
    assert loan["quality"]["gaps"] == [
        {"code": "no-indonesian-name", "field": "name", "message": "no Indonesian name (only nb)"}
    ]
    assert loan["cost"] == {"amount": 0, "currency": "NOK"}
    assert harvests.run("fjordvik").counts["unchanged"] == 4


def test_a_city_catalog_keeps_all_nineteen_services(harvests, remote):
    harvests.org("kemenpan", level="pusat")
    harvests.source("stadt", "rdf", _serve(remote, "cpsv-ap-city-services.ttl"), org="kemenpan")
    job = harvests.run("stadt")
    assert job.status == "finished", job.message
    assert job.counts["created"] == 19 and not job.counts.get("errors"), harvests.errors(job.id)
    # untagged titles are in the source's language (id by default); three are tagged de/en
    assert job.gaps["no-indonesian-name"] == 3
    assert job.gaps["name-long"] == 1
    live = harvests.live()
    assert len(live) == 19
    by_name = {next(iter(r["name"].values())): r for r in live.values()}
    assert by_name["Arbeitsstipendium für Literatur"]["name"] == {
        "de": "Arbeitsstipendium für Literatur"
    }
    long = next(r for r in live.values() if len(next(iter(r["name"].values()))) > 300)
    assert long["name"]["id"].startswith("Antragstellung für einen Aufenthaltstitel")
    assert long["name"]["id"].endswith("bei der zuständigen Abteilung")  # kept whole
    assert [g["code"] for g in long["quality"]["gaps"]] == ["name-long"]
