"""Another Simpul node, in this process but behind a real HTTP server on a loopback port
(werkzeug's threaded server), with its own SQLite database and base URI."""

from __future__ import annotations

import threading
from pathlib import Path

from werkzeug.serving import make_server

from simpul.web import create_app


class Node:
    def __init__(self, folder: Path, node_id: str = "simpul-remote", **settings):
        # bound first, on a port the kernel picks, so the app can be made with its base URI
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self.app = create_app(
            {
                "database_url": f"sqlite:///{folder / 'node.db'}",
                "data_dir": str(folder),
                "base_uri": self.base,
                "node_id": node_id,
                "search_sync_ms": 0,
                **settings,
            }
        )
        self.registry = self.app.extensions["simpul"]
        self.registry.db.upgrade()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.registry.close()
