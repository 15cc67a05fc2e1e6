"""The ``simpul`` command as operators use it (the README's commands among them)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from simpul.cli import main
from simpul.config import load_settings
from simpul.registry.context import Registry
from simpul.registry.db import Database
from simpul.registry.models import Change, Service, ServiceVersion
from simpul.web import create_app
from tests.conftest import service_record


@pytest.fixture
def cli(database_url, tmp_path):
    env = {
        "SIMPUL_DATABASE_URL": database_url,
        "SIMPUL_DATA_DIR": str(tmp_path),
        "SIMPUL_BASE_URI": "http://simpul.test",
    }
    runner = CliRunner()

    def run(*args, input=None, ok=True):
        result = runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    run.env = env
    return run


def add_dinkes(cli) -> None:
    cli(
        "orgs",
        "add",
        "--id",
        "dinkes-kota-gorontalo",
        "--name",
        "Dinas Kesehatan",
        "--level",
        "kabkota",
        "--area",
        "75.71",
    )


def _registry(cli) -> Registry:
    return Registry(load_settings(environ=cli.env))


def _counts(cli) -> tuple[int, int, int]:
    reg = _registry(cli)
    with reg.db.session() as session:
        out = tuple(
            session.scalar(select(func.count()).select_from(m))
            for m in (Service, ServiceVersion, Change)
        )
    reg.close()
    return out


def test_help_lists_the_commands():
    result = CliRunner().invoke(main, ["--help"])
    for command in ("serve", "db", "orgs", "tokens", "load", "demo", "backup", "restore"):
        assert command in result.output


def test_db_upgrade_creates_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    runner = CliRunner()
    env = {"SIMPUL_DATABASE_URL": url}
    refused = runner.invoke(main, ["orgs", "list"], env=env)
    assert refused.exit_code != 0
    assert "simpul db upgrade" in refused.output
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    db = Database(url)
    head = db.head_revision()  # whichever migration is last
    db.dispose()
    assert runner.invoke(main, ["db", "current"], env=env).output.strip() == head
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0  # idempotent


@pytest.mark.parametrize("engine", ["auto", "elasticsearch", "opensearch"])
def test_reindex_with_the_search_server_down_is_a_clear_error(tmp_path, engine):
    from tests.services.ports import closed_port

    runner = CliRunner()
    with closed_port() as port:
        env = {
            "SIMPUL_DATABASE_URL": f"sqlite:///{tmp_path / 'simpul.db'}",
            "SIMPUL_SEARCH_URL": f"http://simpul:hunter2@127.0.0.1:{port}",
            "SIMPUL_SEARCH_ENGINE": engine,
        }
        assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
        result = runner.invoke(main, ["reindex"], env=env)
    assert result.exit_code == 2, result.exception  # 2: a failure outside the input
    assert "does not answer" in result.output and "simpul:***@127.0.0.1" in result.output
    assert "hunter2" not in result.output and "Traceback" not in result.output


def test_backup_and_restore_as_the_readme_shows(cli, tmp_path):
    """SQLite: a backup restored into a fresh node; PostgreSQL: the way to the scripts."""
    add_dinkes(cli)
    backup = tmp_path / "cadangan.db"
    if not cli.env["SIMPUL_DATABASE_URL"].startswith("sqlite"):
        result = cli("backup", str(backup), ok=False)
        assert result.exit_code == 1 and "deploy/pg-backup.sh" in result.stderr
        return
    assert "wrote" in cli("backup", str(backup)).stderr
    fresh = {**cli.env, "SIMPUL_DATABASE_URL": f"sqlite:///{tmp_path / 'baru' / 'simpul.db'}"}
    fresh["SIMPUL_DATA_DIR"] = str(tmp_path / "baru")
    restored = CliRunner().invoke(main, ["restore", str(backup)], env=fresh)
    assert restored.exit_code == 0, restored.output
    listed = CliRunner().invoke(main, ["orgs", "list"], env=fresh)
    assert "dinkes-kota-gorontalo" in listed.stdout


def test_orgs_tokens_and_publish_with_the_printed_token(cli):
    cli(
        "orgs",
        "add",
        "--id",
        "disdukcapil-kota-gorontalo",
        "--name",
        "Dinas Kependudukan dan Pencatatan Sipil Kota Gorontalo",
        "--level",
        "kabkota",
        "--area",
        "75.71",
    )
    result = cli("tokens", "create", "--org", "disdukcapil-kota-gorontalo")
    token = result.stdout.split()[-1]
    assert token.startswith("spl_")
    assert "not be shown again" in result.stderr
    app = create_app(load_settings(environ=cli.env))
    client = app.test_client()
    response = client.post(
        "/api/v1/services", json=service_record(), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201
    listed = cli("tokens", "list").stdout
    _, token_id, secret = token.split("_", 2)  # the secret itself may contain '_'
    assert token_id in listed and secret not in listed
    cli("tokens", "revoke", token_id)
    again = client.post(
        "/api/v1/services",
        json=service_record("lain"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 401
    app.extensions["simpul"].close()


def test_orgs_add_reports_bad_input(cli):
    result = cli(
        "orgs", "add", "--id", "x", "--name", "X", "--level", "kabkota", "--area", "99.99", ok=False
    )
    assert result.exit_code == 1
    assert "area" in result.stderr and "unknown area code" in result.stderr


def test_tokens_create_for_unknown_org_fails(cli):
    result = cli("tokens", "create", "--org", "nobody", ok=False)
    assert result.exit_code == 1
    assert "no organization 'nobody'" in result.stderr


def _jsonl(tmp_path, lines) -> str:
    path = tmp_path / "services.jsonl"
    path.write_bytes(
        b"\n".join(line if isinstance(line, bytes) else json.dumps(line).encode() for line in lines)
        + b"\n"
    )
    return str(path)


def test_load_reports_bad_lines_and_stores_the_good(cli, tmp_path):
    add_dinkes(cli)
    path = _jsonl(
        tmp_path,
        [
            service_record("satu"),
            b'{"identifier": "rusak", ',
            service_record("dua", processing_time="dua hari"),
            service_record("tiga", authority="lain-org"),
            b"",
            "\ufeff".encode() + b"[1]",
            service_record("empat"),
            b'{"identifier": "\xff"}',
        ],
    )
    result = cli("load", path, "--org", "dinkes-kota-gorontalo", ok=False)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(path)]
    assert [e.split(":")[1] for e in errors] == ["2", "3", "4", "6", "8"]
    assert "malformed JSON" in errors[0]
    assert "processing_time" in errors[1]
    assert "authority" in errors[2]
    assert "created 2" in result.stderr
    assert _counts(cli) == (2, 2, 2)
    again = cli("load", path, "--org", "dinkes-kota-gorontalo", ok=False)
    assert "unchanged 2" in again.stderr
    assert _counts(cli) == (2, 2, 2)


def test_load_updates_changed_records(cli, tmp_path):
    add_dinkes(cli)
    cli("load", _jsonl(tmp_path, [service_record("satu")]), "--org", "dinkes-kota-gorontalo")
    result = cli(
        "load",
        _jsonl(tmp_path, [service_record("satu", processing_time="P3D")]),
        "--org",
        "dinkes-kota-gorontalo",
    )
    assert "updated 1" in result.stderr
    assert _counts(cli) == (1, 2, 2)


def test_load_for_unknown_org(cli, tmp_path):
    result = cli("load", _jsonl(tmp_path, [service_record()]), "--org", "nobody", ok=False)
    assert result.exit_code == 1
    assert "simpul orgs add" in result.stderr


@pytest.mark.slow
def test_crash_mid_load_leaves_whole_records(cli, tmp_path):
    """Kill -9 mid-load: each record is stored with its version and change, or not at all."""
    add_dinkes(cli)
    path = _jsonl(tmp_path, [service_record(f"layanan-{n}") for n in range(30000)])
    env = {**os.environ, **cli.env}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simpul.cli",
            "load",
            path,
            "--org",
            "dinkes-kota-gorontalo",
            "--batch-size",
            "200",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while _counts(cli)[0] < 1000 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    services, versions, changes = _counts(cli)
    assert 0 < services < 30000, "the load should have been interrupted mid-way"
    assert services == versions == changes
    # Re-running completes the load without duplicates.
    cli("load", path, "--org", "dinkes-kota-gorontalo")
    assert _counts(cli) == (30000, 30000, 30000)


def test_demo_is_loaded_once(cli):
    first = cli("demo")
    created = int(re.search(r"\((\d+) new\)", first.stderr).group(1))
    assert created >= 150
    counts = _counts(cli)
    assert counts[0] == created
    second = cli("demo")
    assert "(0 new)" in second.stderr
    assert _counts(cli) == counts
