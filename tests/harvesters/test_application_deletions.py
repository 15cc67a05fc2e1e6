"""Applications that vanish from a harvested spreadsheet are tombstoned under the rule services
follow: a few at once go, too many at once are held for review (applied or discarded there);
one an agency took over by hand stays."""

from __future__ import annotations

from simpul.harvesters.deletions import review_held
from simpul.registry import applications
from simpul.registry.auth import SYSTEM
from tests.services.http import Response

HEADING = "Nama Aplikasi;URL Aplikasi;Jenis Aplikasi\r\n"


def _sheet(remote, names: list[str]) -> str:
    text = HEADING + "".join(f"{n};https://{n.lower()}.go.id;Aplikasi Web\r\n" for n in names)
    return remote.route("/aplikasi.csv", Response(text.encode(), "text/csv"))


def _live(harvests) -> dict[str, str]:
    with harvests.registry.db.session() as session:
        rows = applications.list_applications(session, size=100)[1]
        return {row.identifier: row.id for row in rows}


NAMES = [f"App{n}" for n in range(10)]


def test_a_vanished_application_is_tombstoned(harvests, remote):
    harvests.org()
    harvests.source("sp", "spreadsheet", _sheet(remote, NAMES))
    assert harvests.run("sp").counts["applications_created"] == 10
    _sheet(remote, NAMES[1:])  # one of ten (10%) gone: under the 20% rule
    job = harvests.run("sp")
    assert job.status == "finished", job.message
    assert job.counts["applications_deleted"] == 1
    assert set(_live(harvests)) == {n.lower() for n in NAMES[1:]}


def test_too_many_vanishing_at_once_are_held_then_applied(harvests, remote):
    harvests.org()
    harvests.source("sp", "spreadsheet", _sheet(remote, NAMES))
    harvests.run("sp")
    taken = _live(harvests)["app0"]
    with harvests.registry.db.transaction() as session:  # an agency edits one by hand
        row = applications.get_live(session, taken)
        raw = {**row.data, "lifecycle": "digunakan"}
        reg = harvests.registry
        applications.replace(
            session,
            taken,
            raw,
            SYSTEM,
            base_uri=reg.base_uri,
            provenance=reg.provenance(SYSTEM, "api"),
        )
    _sheet(remote, NAMES[5:])  # half of them gone
    job = harvests.run("sp")
    assert job.held_status == "held" and not job.counts.get("applications_deleted")
    assert len(_live(harvests)) == 10
    with harvests.registry.db.transaction() as session:
        review_held(session, job.id, apply=True)
    # the four still harvested from the sheet go; the one taken over by hand stays
    assert set(_live(harvests)) == {"app0", *(n.lower() for n in NAMES[5:])}


def test_held_deletions_discarded_keep_the_applications(harvests, remote):
    harvests.org()
    harvests.source("sp", "spreadsheet", _sheet(remote, NAMES))
    harvests.run("sp")
    remote.route("/aplikasi.csv", Response(HEADING.encode(), "text/csv"))
    job = harvests.run("sp")
    assert job.held_status == "held", job.message
    with harvests.registry.db.transaction() as session:
        review_held(session, job.id, apply=False)
    assert len(_live(harvests)) == 10
