"""The registry: record model, storage, publish API. ``create_app`` builds the web app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from simpul.config import Settings


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    from simpul.registry.app import create_app as _create_app

    return _create_app(config)
