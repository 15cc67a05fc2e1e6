"""Production serving with gunicorn (pre-fork workers)."""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run_gunicorn(app: Flask, host: str, port: int, workers: int) -> None:
    def post_fork(server, worker):  # connections opened before the fork stay with the master
        registry = app.extensions["simpul"]
        registry.db.engine.dispose(close=False)
        registry.start_search_sync()

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "post_fork": post_fork,
    }
    _Gunicorn(app, options).run()
