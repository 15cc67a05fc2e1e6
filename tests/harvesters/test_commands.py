"""The harvesting commands through ``simpul``'s Click entry, for what ``test_cli.py`` leaves out:
bad ``--option`` pairs, the SOURCE_ID/--all/--file rules, uploading a spreadsheet with --file,
removing a source, reviewing held deletions, cancelling a job, and ``federation status``."""

from __future__ import annotations

import json

import orjson
import pytest
from click.testing import CliRunner

from simpul.cli import main
from simpul.config import load_settings
from simpul.registry.context import Registry
from tests.services.http import Response


@pytest.fixture
def cli(database_url, tmp_path):
    env = {
        "SIMPUL_DATABASE_URL": database_url,
        "SIMPUL_DATA_DIR": str(tmp_path),
        "SIMPUL_BASE_URI": "http://simpul.test",
        "SIMPUL_HARVEST_ALLOW_PRIVATE": "1",
    }
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    run.env = env
    run("orgs", "add", "--id", "kota-gorontalo", "--name", "Kota Gorontalo",
        "--level", "kabkota", "--area", "75.71")  # fmt: skip
    return run


def live_identifiers(cli) -> set[str]:
    from sqlalchemy import select

    from simpul.registry.models import Service

    reg = Registry(load_settings(environ=cli.env))
    try:
        with reg.db.session() as session:
            rows = session.scalars(select(Service.identifier).where(Service.deleted_at.is_(None)))
            return set(rows)
    finally:
        reg.close()


def add_json_source(cli, url: str, source_id: str = "portal", *extra: str):
    return cli("sources", "add", "--id", source_id, "--type", "json", "--url", url,
               "--org", "kota-gorontalo", "--option", "key=identifier", *extra)  # fmt: skip


def job_id_of(result) -> str:
    return result.stderr.split("job ")[1].split()[0]


def test_an_option_without_equals_is_refused_naming_the_option(cli):
    result = cli("sources", "add", "--id", "p", "--type", "json", "--url", "http://x.test/",
                 "--org", "kota-gorontalo", "--option", "keyidentifier", ok=False)  # fmt: skip
    assert result.exit_code == 2
    assert "--option" in result.stderr and "expected KEY=VALUE" in result.stderr
    assert "'keyidentifier'" in result.stderr
    assert cli("sources", "list").stdout == ""


def test_options_that_read_as_json_are_stored_as_json(cli, remote):
    remote.route("/api", Response(orjson.dumps([{"identifier": "a", "name": {"id": "A"}}])))
    add_json_source(cli, remote.url("/api"), "portal", "--option", "max_delete_share=0.25",
                    "--option", 'pagination={"style": "page", "size": 50}')  # fmt: skip
    reg = Registry(load_settings(environ=cli.env))
    try:
        from simpul.harvesters.sources import get_source

        with reg.db.session() as session:
            options = get_source(session, "portal").options
    finally:
        reg.close()
    assert options["key"] == "identifier"
    assert options["max_delete_share"] == 0.25
    assert options["pagination"]["style"] == "page" and options["pagination"]["size"] == 50


@pytest.mark.parametrize(
    "args", [("harvest",), ("harvest", "portal", "--all")], ids=["neither", "both"]
)
def test_harvest_needs_one_source_or_all(cli, args):
    result = cli(*args, ok=False)
    assert result.exit_code == 2
    assert "give one SOURCE_ID or --all" in result.stderr


def test_harvesting_an_unknown_source_fails_naming_it(cli):
    result = cli("harvest", "nowhere", ok=False)
    assert result.exit_code == 1
    assert "nowhere" in result.stderr


def test_file_uploads_a_spreadsheet_and_harvests_it(cli, tmp_path):
    cli("sources", "add", "--id", "sp", "--type", "spreadsheet", "--org", "kota-gorontalo",
        "--schedule", "manual")  # fmt: skip
    upload = tmp_path / "layanan.csv"
    upload.write_text(
        "Kode,Nama Layanan,Persyaratan\nL1,Akta Kelahiran,Fotokopi KK\nL2,KTP Elektronik,KK\n"
    )
    result = cli("harvest", "sp", "--file", str(upload))
    assert "finished" in result.stderr and "created 2" in result.stderr
    assert live_identifiers(cli) == {"L1", "L2"}


def test_file_is_only_for_spreadsheet_sources(cli, remote, tmp_path):
    add_json_source(cli, remote.url("/api"))
    upload = tmp_path / "layanan.csv"
    upload.write_text("Kode,Nama Layanan\nL1,Akta\n")
    result = cli("harvest", "portal", "--file", str(upload), ok=False)
    assert result.exit_code == 2
    assert "--file is for spreadsheet sources; portal is json" in result.stderr
    assert remote.requests == []  # nothing harvested


def test_file_goes_with_one_source(cli, tmp_path):
    upload = tmp_path / "layanan.csv"
    upload.write_text("Kode,Nama Layanan\nL1,Akta\n")
    result = cli("harvest", "--all", "--file", str(upload), ok=False)
    assert result.exit_code == 2 and "--file goes with one SOURCE_ID" in result.stderr


def test_a_removed_source_is_gone_and_its_services_stay(cli, remote):
    remote.route("/api", Response(orjson.dumps([{"identifier": "a", "name": {"id": "A"}}])))
    add_json_source(cli, remote.url("/api"))
    cli("harvest", "portal")
    removed = cli("sources", "remove", "portal")
    assert "removed portal" in removed.stderr
    assert cli("sources", "list").stdout == ""
    assert live_identifiers(cli) == {"a"}
    assert cli("harvest", "portal", ok=False).exit_code == 1


def vanishing(remote) -> list[dict]:
    items = [{"identifier": f"layanan-{n}", "name": {"id": f"Layanan {n}"}} for n in range(10)]
    remote.route("/api", lambda request: Response(orjson.dumps(items)))
    return items


@pytest.mark.parametrize("apply", [True, False], ids=["apply", "discard"])
def test_jobs_review_applies_or_discards_held_deletions(cli, remote, apply):
    items = vanishing(remote)
    add_json_source(cli, remote.url("/api"))
    cli("harvest", "portal")
    del items[4:]  # 6 of 10 vanish at once: held for review
    held = cli("harvest", "portal")
    assert "held for review" in held.stderr
    job_id = job_id_of(held)
    assert len(live_identifiers(cli)) == 10

    result = cli("jobs", "review", job_id, "--apply" if apply else "--discard")
    word = "applied" if apply else "discarded"
    assert f"job {job_id}: held deletions {word}" in result.stderr
    assert len(live_identifiers(cli)) == (4 if apply else 10)

    again = cli("jobs", "review", job_id, "--apply", ok=False)
    assert again.exit_code == 1 and "error:" in again.stderr


def test_jobs_review_needs_apply_or_discard(cli):
    result = cli("jobs", "review", "1", ok=False)
    assert result.exit_code == 2 and "--apply" in result.stderr


def test_a_finished_job_cannot_be_cancelled(cli, remote):
    remote.route("/api", Response(orjson.dumps([{"identifier": "a", "name": {"id": "A"}}])))
    add_json_source(cli, remote.url("/api"))
    job_id = job_id_of(cli("harvest", "portal"))
    result = cli("jobs", "cancel", job_id, ok=False)
    assert result.exit_code == 1 and "error:" in result.stderr
    assert "finished" in cli("jobs", "show", job_id).stderr


def test_federation_status_without_children_says_how_to_add_one(cli):
    result = cli("federation", "status")
    assert result.stdout == ""
    assert "no child nodes" in result.stderr and "--type simpul" in result.stderr
    assert json.loads(cli("federation", "status", "--json").stdout) == []


def add_child(cli, url: str):
    cli("sources", "add", "--id", "child", "--type", "simpul", "--url", url,
        "--org", "kota-gorontalo", "--schedule", "manual")  # fmt: skip


def test_federation_status_lists_a_child_never_run(cli, remote):
    add_child(cli, remote.url("/"))
    line = cli("federation", "status").stdout.strip()
    assert line.split("\t") == ["child", "?", remote.url("/"), "lag ?", "never run", "-"]
    [child] = json.loads(cli("federation", "status", "--json").stdout)
    assert child["source"] == "child" and child["url"] == remote.url("/")
    assert child["last_job"] is None and child["lag"] is None


def test_federation_status_shows_a_failed_child_and_its_error(cli, remote):
    remote.route("/", Response(b"down", "text/plain", status=503))
    add_child(cli, remote.url("/"))
    cli("harvest", "child", ok=False)
    result = cli("federation", "status")
    assert "\tfailed\t" in result.stdout
    assert "last error:" in result.stderr
    [child] = json.loads(cli("federation", "status", "--json").stdout)
    assert child["last_job"]["status"] == "failed"
    assert child["last_error"]["message"]
