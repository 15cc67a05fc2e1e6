"""The reference portal: server-rendered pages on the registry's own app.

Citizens search and read services; publishers sign in with their organization's token and edit
their records; operators and auditors see harvest sources, exports and validation. Indonesian by
default, English on request; every page works without JavaScript, which only adds suggestions
and type-ahead."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from simpul.config import Settings
from simpul.web.http import register_page

csrf = CSRFProtect()


def init_portal(app: Flask, settings: Settings) -> None:
    """Sessions, CSRF protection, translations and the portal's blueprints."""
    from simpul.web.portal import (
        apps,
        audit,
        citizen,
        coordination,
        dashboards,
        i18n,
        publisher,
        typedecl,
        typepages,
        views,
    )

    app.config.update(
        SECRET_KEY=settings.secret_key or _secret_key(Path(settings.data_dir)),
        SESSION_COOKIE_NAME="simpul_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_uri.startswith("https://"),
        WTF_CSRF_CHECK_DEFAULT=False,  # the API takes bearer tokens, not cookies
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),  # a working day; then sign in again
    )
    csrf.init_app(app)
    i18n.init_app(app)
    app.jinja_env.filters["harvest"] = views.harvest_word
    modules = (citizen, publisher, typedecl, audit, typepages, apps, coordination, dashboards)
    for module in modules:
        app.register_blueprint(module.bp)
    register_page(app, "service", citizen.service_page)  # a service URI asked for by a browser
    register_page(app, "type", typepages.type_page)  # a type URI asked for by a browser
    register_page(app, "types", typepages.type_index)  # the scheme's URI, by a browser
    register_page(app, "application", apps.application_page)  # an application URI, likewise
    if not _routed(app, "/types/<"):  # until the API negotiates the type URI (HTML, JSON, RDF)
        app.add_url_rule("/types/<type_id>", "type_page", typepages.type_page)
    register_page(app, "error", views.error_page)


def _routed(app: Flask, prefix: str) -> bool:
    rules = app.url_map.iter_rules()
    return any(rule.rule.startswith(prefix) and rule.rule.count("/") == 2 for rule in rules)


def _secret_key(data_dir: Path) -> str:
    """The key that signs session cookies: made once per data folder, kept private to its owner,
    shared by every server process of the node."""
    path = data_dir / "secret_key"
    try:
        return path.read_text("ascii").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key
