"""``simpul serve`` (what ``make run`` ends with) answers over a real socket."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import requests

from tests.services.postgres import free_port


def test_serve_answers_on_loopback(tmp_path, sqlite_template):
    db = tmp_path / "simpul.db"
    db.write_bytes(sqlite_template.read_bytes())
    port = free_port()
    env = {**os.environ, "SIMPUL_DATABASE_URL": f"sqlite:///{db}"}
    demo = subprocess.run(
        [sys.executable, "-m", "simpul.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    server = subprocess.Popen(
        [sys.executable, "-m", "simpul.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"{base}/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        listed = requests.get(f"{base}/api/v1/services?size=1", timeout=5).json()
        assert listed["total"] >= 150
        docs = requests.get(f"{base}/api/v1/docs", timeout=5)
        assert docs.status_code == 200
    finally:
        server.terminate()
        server.wait(15)
