"""Layered settings: defaults, TOML file, environment, explicit overrides."""

from __future__ import annotations

import pytest

from simpul.config import load_settings
from simpul.errors import ConfigError


def test_defaults_put_everything_under_the_data_dir():
    settings = load_settings(environ={})
    assert settings.database_url == "sqlite:///var/simpul.db"
    assert settings.search_url == "embedded"
    assert settings.search_path == "var/search"
    assert settings.harvest_allow_private is False


def test_layers_in_order(tmp_path):
    toml = tmp_path / "simpul.toml"
    toml.write_text(
        '[simpul]\nnode_id = "kota-gorontalo"\nbase_uri = "https://a.go.id"\n'
        'database_url = "sqlite:////data/a.db"\n'
    )
    env = {
        "SIMPUL_CONFIG": str(toml),
        "SIMPUL_BASE_URI": "https://b.go.id",
        "SIMPUL_HARVEST_ALLOW_PRIVATE": "1",
    }
    settings = load_settings({"node_id": "override"}, environ=env)
    assert settings.node_id == "override"  # explicit beats environment and file
    assert settings.base_uri == "https://b.go.id"  # environment beats file
    assert settings.database_url == "sqlite:////data/a.db"  # file beats default
    assert settings.search_path == "/data/search"  # beside the SQLite database
    assert settings.harvest_allow_private is True


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"SIMPUL_HARVEST_ALLOW_PRIVATE": "maybe"}, "boolean"),
        ({"SIMPUL_MAX_BODY_BYTES": "lots"}, "integer"),
        ({"SIMPUL_DATABASE_URL": "mysql://x"}, "unsupported database"),
        ({"SIMPUL_BASE_URI": "simpul.go.id"}, "http(s) URL"),
        ({"SIMPUL_NODE_LEVEL": "negara"}, "node_level"),
        ({"SIMPUL_SEARCH_URL": "elastic"}, "search_url"),
        ({"SIMPUL_SEARCH_ENGINE": "solr"}, "search_engine: expected auto, elasticsearch"),
        ({"SIMPUL_SEARCH_CA_CERTS": "/nowhere/ca.pem"}, "search_ca_certs: no file"),
        ({"SIMPUL_TYPE_AUTO_LINK": "0"}, "type_auto_link: expected a score above 0"),
        ({"SIMPUL_TYPE_AUTO_LINK": "1.5"}, "type_auto_link: expected a score above 0"),
        ({"SIMPUL_TYPE_AUTO_LINK": "nan"}, "type_auto_link: expected a score above 0"),
        ({"SIMPUL_TYPE_AUTO_LINK": "high"}, "type_auto_link: expected a score above 0"),
        ({"SIMPUL_SEARCH_URL": "http://a:9200,elastic"}, "search_url"),
        ({"SIMPUL_SEARCH_SHARDS": "0"}, "search_shards"),
        ({"SIMPUL_SEARCH_REPLICAS": "-1"}, "search_replicas"),
        ({"SIMPUL_SEARCH_POOL_SIZE": "0"}, "search_pool_size"),
        ({"SIMPUL_LOG_FORMAT": "xml"}, "log_format: expected text or json"),
        ({"SIMPUL_METRICS_PORT": "70000"}, "metrics_port"),
    ],
)
def test_bad_values_are_named(env, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        load_settings(environ=env)


def test_bad_toml(tmp_path):
    toml = tmp_path / "bad.toml"
    toml.write_text("node_id = \n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(config_file=toml, environ={})
    toml.write_text('nodeid = "x"\n')
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(config_file=toml, environ={})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_file=tmp_path / "missing.toml", environ={})


def test_unknown_override_is_refused():
    with pytest.raises(ConfigError, match="unknown setting 'databse_url'"):
        load_settings({"databse_url": "x"}, environ={})


def test_node_area_must_be_a_kemendagri_code():
    with pytest.raises(ConfigError, match="node_area"):
        load_settings(environ={"SIMPUL_NODE_AREA": "75.99"})
    assert load_settings(environ={"SIMPUL_NODE_AREA": "75.71"}).node_area == "75.71"


@pytest.mark.parametrize(
    ("value", "threshold"), [(None, 0.65), ("0.8", 0.8), ("1", 1.0), ("off", None), ("OFF", None)]
)
def test_type_auto_link_is_a_threshold_or_off(value, threshold):
    env = {} if value is None else {"SIMPUL_TYPE_AUTO_LINK": value}
    assert load_settings(environ=env).type_auto_link_threshold == threshold


def test_type_auto_link_from_a_toml_number(tmp_path):
    toml = tmp_path / "simpul.toml"
    toml.write_text("[simpul]\ntype_auto_link = 0.9\n")
    assert load_settings(config_file=toml, environ={}).type_auto_link_threshold == 0.9


@pytest.mark.parametrize(
    "typed", ["https://simpul.go.id/", "https://simpul.go.id//", "https://simpul.go.id"]
)
def test_base_uri_with_a_trailing_slash_is_normalised(typed):
    assert load_settings(environ={"SIMPUL_BASE_URI": typed}).base_uri == "https://simpul.go.id"


def test_base_uri_with_a_path_keeps_it_without_the_trailing_slash():
    settings = load_settings(environ={"SIMPUL_BASE_URI": "https://portal.go.id/simpul/"})
    assert settings.base_uri == "https://portal.go.id/simpul"


def test_several_search_urls_are_one_setting():
    settings = load_settings(
        environ={"SIMPUL_SEARCH_URL": " http://es1:9200 , https://u:p@es2:9200,"}
    )
    assert settings.search_urls == ["http://es1:9200", "https://u:p@es2:9200"]
    assert load_settings(environ={}).search_urls == ["embedded"]


def test_a_bad_search_url_is_named_without_its_password():
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"SIMPUL_SEARCH_URL": "http://a:9200,ftp://u:hunter2@b"})
    assert "ftp://u:***@b" in str(caught.value) and "hunter2" not in str(caught.value)


def test_link_check_settings_are_bounded():
    settings = load_settings(environ={"SIMPUL_LINK_HOST_INTERVAL_MS": "250"})
    assert (settings.link_timeout, settings.link_host_interval_ms) == (10, 250)
    for name, value in (("LINK_CONCURRENCY", "0"), ("LINK_TIMEOUT", "301")):
        with pytest.raises(ConfigError, match=name.lower()):
            load_settings(environ={f"SIMPUL_{name}": value})
