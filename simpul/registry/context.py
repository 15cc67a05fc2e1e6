"""The registry as the CLI, the web app and the harvesters see it: settings plus database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simpul.config import Settings
from simpul.errors import ConfigError
from simpul.registry.auth import Actor
from simpul.registry.db import Database, utcnow

OpenSearch = Callable[[Settings], Any]  # settings -> a backend (``simpul.search.base.Search``)


class Registry:
    """``search`` opens the search backend on first use; the entry points hand it over (the
    core builds no backend: ``simpul.search`` sits below it and knows nothing of it)."""

    def __init__(self, settings: Settings, search: OpenSearch | None = None):
        self.settings = settings
        self.db = Database(settings.database_url)
        self._open_search = search
        self._search = None
        self._sync = None

    @property
    def search(self):
        """The search backend, opened on first use."""
        if self._search is None:
            if self._open_search is None:
                raise ConfigError("this registry was given no search backend")
            self._search = self._open_search(self.settings)
        return self._search

    def start_search_sync(self) -> None:
        """Drain the change log into the index in the background (server processes)."""
        if self._sync is None and self.settings.search_sync_ms > 0:
            from simpul.registry.indexing import SyncThread

            self._sync = SyncThread(self, self.search, self.settings.search_sync_ms / 1000)
            self._sync.start()

    def type_index(self, session):
        """The node's service types (``registry.types.TypeIndex``), current as of ``session``."""
        from simpul.registry.types import load_index

        return load_index(session, self.settings.type_auto_link_threshold)

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
