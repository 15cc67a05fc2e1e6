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
        self._search = None
        self._sync = None

    @property
    def search(self):
        """The search backend, opened on first use."""
        if self._search is None:
            if self.settings.search_url == "embedded":
                from simpul.search.embedded import EmbeddedBackend

                self._search = EmbeddedBackend(self.settings.search_path)
            else:
                from simpul.search.cluster import ClusterBackend

                self._search = ClusterBackend(
                    self.settings.search_url,
                    self.settings.search_index,
                    engine=self.settings.search_engine,
                    ca_certs=self.settings.search_ca_certs or None,
                )
        return self._search

    def start_search_sync(self) -> None:
        """Drain the change log into the index in the background (server processes)."""
        if self._sync is None and self.settings.search_sync_ms > 0:
            from simpul.registry.indexing import SyncThread

            self._sync = SyncThread(self, self.search, self.settings.search_sync_ms / 1000)
            self._sync.start()

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

    def close_search(self) -> None:
        if self._sync is not None:
            self._sync.stop()
            self._sync.join(5)
            self._sync = None
        if self._search is not None:
            self._search.close()
            self._search = None

    def close(self) -> None:
        if self._sync is not None:
            self._sync.stop()
            self._sync.join(5)
        if self._search is not None:
            self._search.close()
        self.db.dispose()
