"""``deploy/``: the units run commands and options that exist, the scripts parse, and the nginx
example forwards what ``SIMPUL_PROXY_HOPS`` expects."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import click
import pytest

from simpul.cli import main
from simpul.config import load_settings

DEPLOY = Path(__file__).parents[1] / "deploy"


def _simpul_commands(unit: str) -> list[list[str]]:
    """Every ``simpul ...`` invocation of a unit's ExecStart lines (also commented ones)."""
    found = []
    for line in (DEPLOY / unit).read_text().splitlines():
        for match in re.finditer(r"/\.venv/bin/simpul ([^'\n]*)", line):
            found.append(shlex.split(match.group(1).replace("%%", "%")))
    return found


@pytest.mark.parametrize(
    "unit",
    ["simpul.service", "simpul-worker.service", "simpul-backup.service", "simpul-links.service"],
)
def test_units_run_commands_and_options_that_exist(unit):
    commands = _simpul_commands(unit)
    assert commands or unit == "simpul-backup.service"
    for words in commands:
        command = main.get_command(click.Context(main), words[0])
        assert command is not None, words
        known = {opt for param in command.params for opt in getattr(param, "opts", [])}
        known |= {opt for param in command.params for opt in getattr(param, "secondary_opts", [])}
        for word in words[1:]:
            if word.startswith("--"):
                assert word in known, f"{unit}: simpul {words[0]} has no {word}"


def test_the_links_timer_starts_the_link_check():
    timer = (DEPLOY / "simpul-links.timer").read_text()
    assert "OnCalendar=" in timer
    assert _simpul_commands("simpul-links.service") == [["links", "check"]]


def test_the_backup_timer_starts_the_backup_service():
    timer = (DEPLOY / "simpul-backup.timer").read_text()
    assert "OnCalendar=" in timer and (DEPLOY / "simpul-backup.service").exists()
    assert "pg-backup.sh" in (DEPLOY / "simpul-backup.service").read_text()


@pytest.mark.parametrize("script", ["pg-backup.sh", "pg-restore.sh"])
def test_scripts_parse_and_explain_their_usage(script):
    assert subprocess.run(["sh", "-n", str(DEPLOY / script)]).returncode == 0
    usage = subprocess.run(["sh", str(DEPLOY / script)], capture_output=True, text=True)
    assert usage.returncode == 64 and "usage:" in usage.stderr


def test_the_example_settings_are_valid():
    values = {}
    for line in (DEPLOY / "simpul.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    settings = load_settings(environ=values)
    assert settings.proxy_hops == 1 and len(settings.search_urls) == 3


def test_nginx_forwards_one_hop_and_the_request_id():
    conf = (DEPLOY / "nginx-simpul.conf").read_text()
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf
    assert "X-Request-Id $request_id" in conf and "SIMPUL_PROXY_HOPS=1" in conf
