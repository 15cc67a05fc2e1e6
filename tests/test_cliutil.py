"""``cliutil.registry``: every command's registry comes from the settings it was given, is
refused on a database that is not migrated (except where asked), and closes with the command."""

from __future__ import annotations

import shutil

import click
import pytest
from click.testing import CliRunner

from simpul.cli import main
from simpul.cliutil import registry
from simpul.errors import ConfigError
from simpul.search import open_backend


def config_for(tmp_path, database_url: str):
    config = tmp_path / "simpul.toml"
    config.write_text(
        f'[simpul]\ndatabase_url = "{database_url}"\ndata_dir = "{tmp_path}"\n'
        'base_uri = "http://gorontalo.simpul.test"\n'
    )
    return config


def context(config, **obj) -> click.Context:
    return click.Context(main, obj={"config_file": str(config), **obj})


@pytest.fixture
def migrated(tmp_path, sqlite_template) -> str:
    shutil.copy(sqlite_template, tmp_path / "simpul.db")
    return f"sqlite:///{tmp_path / 'simpul.db'}"


@pytest.fixture
def empty(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


def test_the_registry_reads_the_config_file_the_command_was_given(tmp_path, migrated):
    with context(config_for(tmp_path, migrated), open_search=open_backend) as ctx:
        reg = registry(ctx)
        assert reg.settings.database_url == migrated
        assert reg.base_uri == "http://gorontalo.simpul.test"
        assert reg.db.current_revision() == reg.db.head_revision()
        assert reg._open_search is open_backend


def test_a_database_not_up_to_date_is_refused_with_what_to_run(tmp_path, empty):
    ctx = context(config_for(tmp_path, empty))
    with ctx, pytest.raises(click.ClickException) as raised:
        registry(ctx)
    message = raised.value.message
    assert empty in message and "not up to date" in message
    assert "run 'simpul db upgrade'" in message


def test_a_command_on_an_old_database_exits_with_the_message(tmp_path, empty):
    config = config_for(tmp_path, empty)
    result = CliRunner().invoke(main, ["--config", str(config), "sources", "list"])
    assert result.exit_code == 1
    assert "simpul db upgrade" in result.stderr


def test_unmigrated_databases_are_allowed_where_asked(tmp_path, empty):
    with context(config_for(tmp_path, empty)) as ctx:
        reg = registry(ctx, migrated=False)
        assert reg.db.current_revision() != reg.db.head_revision()


def test_the_registry_closes_with_the_command(tmp_path, migrated):
    with context(config_for(tmp_path, migrated)) as ctx:
        reg = registry(ctx)
        pool = reg.db.engine.pool
    assert reg.db.engine.pool is not pool  # disposed: the connections are closed


def test_without_a_search_opener_the_registry_has_no_search(tmp_path, migrated):
    with context(config_for(tmp_path, migrated)) as ctx:
        reg = registry(ctx)
        with pytest.raises(ConfigError):
            reg.search  # noqa: B018
