"""``simpul roadmap seed|refresh|board`` and the roadmap of ``simpul demo``."""

from __future__ import annotations

import json

from tests.conftest import service_record
from tests.test_cli import add_dinkes, cli  # noqa: F401 (fixture)

ORG = "dinkes-kota-gorontalo"


def test_seed_refresh_and_board(cli):  # noqa: F811
    add_dinkes(cli)
    lines = "\n".join(
        json.dumps(service_record(i, authority=ORG, sectors=["kesehatan"]))
        for i in ("imunisasi", "rujukan")
    )
    cli("load", "-", "--org", ORG, input=lines)
    seeded = cli("roadmap", "seed")
    assert "phases created: 1, 2, 3" in seeded.stderr
    assert "none (all exist)" in cli("roadmap", "seed").stderr
    refreshed = cli("roadmap", "refresh")
    assert "phase 2: 2 new items" in refreshed.stderr
    assert "phase 1: 0 new items" in refreshed.stderr  # no central services
    assert "phase 2: 0 new items" in cli("roadmap", "refresh").stderr
    board = cli("roadmap", "board", "2", "--area", "75").stdout
    assert "direncanakan" in board and "2  (waits on assessment)" in board


def test_the_demo_has_a_roadmap(cli):  # noqa: F811
    cli("demo")
    board = cli("roadmap", "board", "2").stdout.splitlines()
    planned = next(line for line in board if line.startswith("direncanakan"))
    assert int(planned.split()[1]) > 0
