"""The web layer: the Flask app factory, request guards, the HTTP API and the reference portal.

Only this package (and the command line) imports Flask; routes parse, call the core
(``simpul.registry``) and serialise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from simpul.config import Settings


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    from simpul.web.app import create_app as _create_app

    return _create_app(config)
