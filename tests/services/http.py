"""A real HTTP server on an ephemeral loopback port, serving what a test puts on it.

Routes map a path to a response: bytes with a media type, or a function of the request that
returns one. Every request is recorded, so tests can check conditional requests and paging.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Response:
    body: bytes = b""
    content_type: str = "application/json"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (timeouts)


Route = Response | Callable[[Request], Response]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        request = Request(
            parts.path,
            {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            {k.lower(): v for k, v in self.headers.items()},
        )
        self.server.requests.append(request)
        route = self.server.routes.get(parts.path)
        if route is None:
            response = Response(b'{"error": "not found"}', status=404)
        else:
            response = route(request) if callable(route) else route
        if response.delay:
            time.sleep(response.delay)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(response.body)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Route]
    requests: list[Request]

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up early (timeouts, size limits) are what tests provoke


class RemoteServer:
    def __init__(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.routes = {}
        self._server.requests = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, response: Route) -> str:
        self._server.routes[path] = response
        return self.url(path)

    @property
    def requests(self) -> list[Request]:
        return self._server.requests

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
