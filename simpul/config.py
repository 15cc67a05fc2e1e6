"""Layered configuration: defaults, then a TOML file, then ``SIMPUL_*`` environment variables.

Validated once, into a frozen :class:`Settings`. Nothing here runs at import time.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from simpul.errors import ConfigError


def redact_url(url: str) -> str:
    """``url`` with the password it may carry replaced by ``***``, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


@dataclass(frozen=True)
class Settings:
    """Every setting Simpul reads. Environment names: ``SIMPUL_`` + the field name in capitals."""

    data_dir: str = "var"
    database_url: str = ""  # default: SQLite file in data_dir
    search_url: str = "embedded"
    search_path: str = ""  # default: beside the SQLite database, else data_dir/search
    search_index: str = "simpul"  # search server: prefix of the index names and alias
    search_engine: str = "auto"  # search server: auto (ask it), elasticsearch or opensearch
    search_ca_certs: str = ""  # search server over https: PEM file of the CAs to trust
    search_shards: int = 1  # search server: primary shards of each new index
    search_replicas: int = 0  # search server: replicas of each shard of a new index
    search_pool_size: int = 10  # search server: connections kept open per node and process
    base_uri: str = "http://127.0.0.1:8000"
    node_id: str = "simpul-local"
    node_level: str = "pusat"
    node_area: str = "00"
    harvest_allow_private: bool = False
    harvest_max_bytes: int = 200 * 1024 * 1024  # cap of a source's options.fetch.max_bytes
    harvest_max_timeout: int = 600  # seconds: cap of a source's fetch timeouts
    link_timeout: int = 10  # seconds: a link check's connect and read timeout
    link_concurrency: int = 8  # link checks at once (simpul links check)
    link_host_concurrency: int = 2  # link checks at once to one host
    link_host_interval_ms: int = 1000  # between link checks to one host
    link_recheck_hours: int = 20  # a link checked more recently is not checked again
    search_sync_ms: int = 500  # how often a server process drains the change log into the index
    coverage_min_services: int = 5  # coverage: an organization "above threshold" has this many
    coverage_max_age: int = 30  # coverage: seconds before a read refreshes the figures
    max_body_bytes: int = 2 * 1024 * 1024
    validate_max_bytes: int = 512 * 1024  # POST /api/v1/validate: body size (413 beyond)
    validate_max_triples: int = 10_000  # POST /api/v1/validate: triples checked (413 beyond)
    validate_max_nodes: int = 100  # POST /api/v1/validate: nodes the shapes check (413 beyond)
    validate_rate_limit: str = "30/minute"  # POST /api/v1/validate, per client address
    auth_failure_limit: str = "20/minute"  # failed tokens or sign-ins per client address
    rate_limit_storage_uri: str = "memory://"  # shared by processes: e.g. redis://host:6379
    proxy_hops: int = 0  # trusted reverse proxies in front: how many X-Forwarded-For hops
    log_level: str = "INFO"
    # matching a record to a national service type: the score from which the link is made
    # automatically (0 < x <= 1), or "off"; the default was tuned on the judged set (issue 14)
    type_auto_link: str = "0.65"
    log_format: str = "text"  # text, or json: one JSON object a line, with the request id
    metrics_port: int = 0  # 0: /metrics on the app, admin token; else its own loopback port
    secret_key: str = field(default="", repr=False)  # signs portal sessions; default: data_dir
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def type_auto_link_threshold(self) -> float | None:
        """``type_auto_link`` as a number, or None when automatic linking is off."""
        if self.type_auto_link.strip().lower() == "off":
            return None
        return float(self.type_auto_link)

    @property
    def search_urls(self) -> list[str]:
        """The search server's nodes: ``search_url`` is one URL or a comma-separated list."""
        return [url.strip() for url in self.search_url.split(",") if url.strip()]

    @property
    def sqlite_path(self) -> Path | None:
        if not self.database_url.startswith("sqlite:///"):
            return None
        return Path(self.database_url.removeprefix("sqlite:///"))


def _coerce(name: str, kind: type, raw: Any) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{name}: expected a boolean (1/0, true/false), got {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected an integer, got {raw!r}") from None
    if kind is str:
        if not isinstance(raw, str | int | float):
            raise ConfigError(f"{name}: expected a string, got {type(raw).__name__}")
        return str(raw)
    return raw


_TYPES = {"str": str, "bool": bool, "int": int}


def _field_types() -> dict[str, type]:
    return {f.name: _TYPES.get(str(f.type), dict) for f in fields(Settings)}


def load_settings(
    overrides: dict[str, Any] | None = None,
    *,
    config_file: str | os.PathLike | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build settings from defaults, a TOML file (``SIMPUL_CONFIG`` or ``config_file``),
    the environment, then explicit ``overrides`` (tests, the app factory's argument)."""
    environ = os.environ if environ is None else environ
    types = _field_types()
    values: dict[str, Any] = {}
    path = config_file or environ.get("SIMPUL_CONFIG")
    if path:
        values.update(_read_toml(Path(path), types))
    for name in types:
        env_name = f"SIMPUL_{name.upper()}"
        if env_name in environ and name != "extra":
            values[name] = environ[env_name]
    for key, value in (overrides or {}).items():
        key = key.lower().removeprefix("simpul_")
        if key not in types:
            raise ConfigError(f"unknown setting {key!r}; known: {', '.join(sorted(types))}")
        values[key] = value
    coerced = {k: _coerce(k, types[k], v) for k, v in values.items()}
    return _finish(Settings(**coerced))


def _read_toml(path: Path, types: dict[str, type]) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    section = data.get("simpul", data)
    unknown = sorted(set(section) - set(types))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return dict(section)


def _finish(settings: Settings) -> Settings:
    """Derive defaults that depend on other settings, then validate the whole."""
    changes: dict[str, Any] = {"base_uri": settings.base_uri.rstrip("/")}  # as users type it
    data_dir = Path(settings.data_dir)
    if not settings.database_url:
        changes["database_url"] = f"sqlite:///{(data_dir / 'simpul.db').as_posix()}"
    settings = dataclasses.replace(settings, **changes)
    if not settings.search_path:
        sqlite = settings.sqlite_path
        base = sqlite.parent if sqlite else data_dir
        settings = dataclasses.replace(settings, search_path=str(base / "search"))
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    scheme = urlsplit(settings.database_url).scheme
    if not scheme.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"database_url: unsupported database {scheme!r}; use sqlite:/// or postgresql://"
        )
    base = urlsplit(settings.base_uri)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ConfigError(f"base_uri: expected an http(s) URL, got {settings.base_uri!r}")
    from simpul.reference.areas import load_areas
    from simpul.reference.codelists import LEVELS

    if settings.node_level not in LEVELS:
        raise ConfigError(f"node_level: expected one of {', '.join(LEVELS)}")

    if settings.node_area not in load_areas():
        raise ConfigError(f"node_area: {load_areas().check(settings.node_area)}")
    _validate_search_urls(settings.search_urls)
    if settings.search_engine not in ("auto", "elasticsearch", "opensearch"):
        raise ConfigError("search_engine: expected auto, elasticsearch or opensearch")
    if settings.search_ca_certs and not Path(settings.search_ca_certs).is_file():
        raise ConfigError(f"search_ca_certs: no file {settings.search_ca_certs!r}")
    if not re.match(r"^[a-z0-9][a-z0-9_-]{0,100}$", settings.search_index):
        raise ConfigError("search_index: use lowercase letters, digits, '-' or '_'")
    if settings.max_body_bytes < 1024:
        raise ConfigError("max_body_bytes: must be at least 1024")
    if settings.harvest_max_bytes < 1024:
        raise ConfigError("harvest_max_bytes: must be at least 1024")
    if settings.harvest_max_timeout < 1:
        raise ConfigError("harvest_max_timeout: must be at least 1 (seconds)")
    _validate_type_auto_link(settings.type_auto_link)
    if settings.coverage_min_services < 1:
        raise ConfigError("coverage_min_services: must be at least 1")
    if not 0 <= settings.coverage_max_age <= 60:
        raise ConfigError("coverage_max_age: between 0 and 60 (seconds)")
    _validate_links(settings)
    _validate_limits(settings)
    _validate_operations(settings)


def _validate_links(settings: Settings) -> None:
    ranges = {
        "link_timeout": (1, 300),
        "link_concurrency": (1, 64),
        "link_host_concurrency": (1, 16),
        "link_host_interval_ms": (0, 60_000),
        "link_recheck_hours": (1, 24 * 30),
    }
    for name, (low, high) in ranges.items():
        if not low <= getattr(settings, name) <= high:
            raise ConfigError(f"{name}: must be from {low} to {high}")


def _validate_search_urls(urls: list[str]) -> None:
    if urls == ["embedded"]:
        return
    for url in urls or [""]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                "search_url: expected 'embedded', or the http(s) URL of Elasticsearch or "
                f"OpenSearch (several nodes separated by commas); got {redact_url(url)!r}"
            )


def _validate_operations(settings: Settings) -> None:
    if settings.log_format not in ("text", "json"):
        raise ConfigError(f"log_format: expected text or json, got {settings.log_format!r}")
    if not 0 <= settings.metrics_port <= 65535:
        raise ConfigError("metrics_port: expected 0 (on the app, admin token) or a TCP port")
    if not 1 <= settings.search_shards <= 1024:
        raise ConfigError("search_shards: expected 1 to 1024 primary shards")
    if not 0 <= settings.search_replicas <= 16:
        raise ConfigError("search_replicas: expected 0 to 16 replicas")
    if not 1 <= settings.search_pool_size <= 1000:
        raise ConfigError("search_pool_size: expected 1 to 1000 connections")


def _validate_type_auto_link(value: str) -> None:
    if value.strip().lower() == "off":
        return
    try:
        threshold = float(value)
    except ValueError:
        threshold = math.nan
    if not 0 < threshold <= 1:  # also refuses nan
        raise ConfigError(
            f"type_auto_link: expected a score above 0 and at most 1, or 'off'; got {value!r}"
        )


def _validate_limits(settings: Settings) -> None:
    from limits import parse_many

    for name in ("validate_rate_limit", "auth_failure_limit"):
        try:
            parse_many(getattr(settings, name))
        except ValueError:
            raise ConfigError(
                f"{name}: expected a rate such as '20/minute' or '100 per hour', "
                f"got {getattr(settings, name)!r}"
            ) from None
    if "://" not in settings.rate_limit_storage_uri:
        raise ConfigError("rate_limit_storage_uri: expected memory:// or a URI such as redis://")
    for name in ("validate_max_bytes", "validate_max_triples", "validate_max_nodes", "proxy_hops"):
        if getattr(settings, name) < 0:
            raise ConfigError(f"{name}: must not be negative")
