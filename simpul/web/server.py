"""Production serving with gunicorn (pre-fork workers)."""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication

from simpul import metrics

# gunicorn's access line, with the request id the response carries
ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'


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

    def child_exit(server, worker):  # its live gauges (connections in use) no longer count
        metrics.process_ended(worker.pid)

    json_logs = app.extensions["simpul"].settings.log_format == "json"
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 10,
        # JSON logs: the app writes the access lines itself (simpul.access), as JSON
        "accesslog": None if json_logs else "-",
        "access_log_format": ACCESS_FORMAT,
        "post_fork": post_fork,
        "child_exit": child_exit,
    }
    _Gunicorn(app, options).run()
