"""The registry as the CLI, the web app and the harvesters see it: settings plus database."""

from __future__ import annotations

from typing import Any

from simpul.config import Settings
from simpul.registry.auth import Actor
from simpul.registry.db import Database, utcnow


class Registry:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.db = Database(settings.database_url)

    @property
    def base_uri(self) -> str:
        return self.settings.base_uri

    def provenance(self, actor: Actor, method: str, **extra: Any) -> dict[str, Any]:
        """Where a write came from; harvesters add source, job and fetch details."""
        return {
            "method": method,
            "node": self.settings.node_id,
            "actor": actor.name,
            "at": utcnow().isoformat(),
            **extra,
        }

    def close(self) -> None:
        self.db.dispose()
