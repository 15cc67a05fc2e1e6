"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request, send_from_directory
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from simpul import __version__
from simpul.config import Settings, load_settings
from simpul.errors import DatabaseUnavailable, PayloadTooLarge, SimpulError, TooManyRequests
from simpul.registry.context import Registry
from simpul.registry.outage import database_unavailable
from simpul.search import open_backend
from simpul.web.api.problems import Api
from simpul.web.body import CappedRequest
from simpul.web.guards import init_guards
from simpul.web.http import problem
from simpul.web.metrics import init_metrics
from simpul.web.throttle import init_throttle, too_many
from simpul.web.tracing import init_tracing

log = logging.getLogger(__name__)
DB_AWAY = "the database does not answer (nothing was stored); try again after Retry-After seconds"


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then TOML file, then ``SIMPUL_*`` environment, then ``config``."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = Flask(__name__)
    init_guards(app)
    init_tracing(app, settings)
    init_metrics(app, settings)
    app.request_class = CappedRequest  # a chunked body over the limit: 413, never cut short
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
        API_TITLE="Simpul",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/v1/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Registry of Indonesian public services (Registri layanan publik)."
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    registry = app.extensions["simpul"] = Registry(settings, search=open_backend)
    # each server process drains the change log into the index (one writes, all read)
    app.before_request(registry.start_search_sync)
    _register_api(app)
    _register_errors(app)
    from simpul.web.portal import init_portal

    init_portal(app, settings)
    init_throttle(app, settings)
    CORS(
        app,
        resources={r"/*": {"origins": "*"}},
        methods=["GET", "HEAD", "OPTIONS"],
        expose_headers=["ETag", "Link", "Location", "X-Request-Id"],
        supports_credentials=False,
        send_wildcard=True,
    )
    return app


def _register_api(app: Flask) -> None:
    from swagger_ui_bundle import swagger_ui_path

    from simpul.web.api import (
        applications,
        assessments,
        checklists,
        exports,
        harvest,
        linked_data,
        meta,
        organizations,
        reports,
        reviews,
        roadmap,
        search,
        services,
        typecompare,
        typecoverage,
        types,
    )

    api = Api(app)
    for module in (
        services,
        types,
        typecoverage,
        organizations,
        meta,
        linked_data,
        search,
        harvest,
        exports,
        reviews,
        typecompare,
        reports,
        checklists,
        assessments,
        roadmap,
    ):
        api.register_blueprint(module.blp)
    api.register_blueprint(applications.blp)
    api.register_blueprint(applications.service_blp)
    app.register_blueprint(meta.health_bp)

    @app.get("/api/v1/docs/assets/<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)


def _register_errors(app: Flask) -> None:
    app.register_error_handler(SimpulError, problem)

    @app.errorhandler(HTTPException)
    def http_problem(exc: HTTPException):
        if exc.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"]
            return problem(PayloadTooLarge(f"the request body is larger than {limit} bytes"))
        if exc.code == 429:
            return problem(TooManyRequests(too_many(exc.description or "")))
        err = SimpulError(exc.description or exc.name)
        err.status, err.title = exc.code or 500, exc.name
        err.code = exc.name.lower().replace(" ", "-")
        response = problem(err)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if database_unavailable(exc):  # a restart or a cut connection: worth a retry
            log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
            return problem(DatabaseUnavailable(DB_AWAY))
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(SimpulError("an unexpected error occurred; it has been logged"))
