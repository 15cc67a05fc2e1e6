"""``simpul serve`` (what ``make run`` ends with) answers over a real socket."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import requests

from tests.services.serve import serve


def wait_for(base: str, seconds: float = 30) -> requests.Response:
    """The server's /health once it answers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(f"{base}/health", timeout=2)
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)


def test_serve_answers_on_loopback(tmp_path, sqlite_template):
    db = tmp_path / "simpul.db"
    db.write_bytes(sqlite_template.read_bytes())
    env = {**os.environ, "SIMPUL_DATABASE_URL": f"sqlite:///{db}"}
    demo = subprocess.run(
        [sys.executable, "-m", "simpul.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    server = serve(env)
    try:
        base = server.base
        health = wait_for(base)
        assert health.json()["status"] == "ok"
        listed = requests.get(f"{base}/api/v1/services?size=1", timeout=5).json()
        assert listed["total"] >= 150
        docs = requests.get(f"{base}/api/v1/docs", timeout=5)
        assert docs.status_code == 200
        assert "swagger-ui" in docs.text
    finally:
        server.stop()


def test_a_run_queued_over_the_api_is_harvested_by_the_worker_beside_the_server(
    tmp_path, sqlite_template
):
    import orjson

    from tests.services.http import RemoteServer, Response

    db = tmp_path / "simpul.db"
    db.write_bytes(sqlite_template.read_bytes())
    env = {
        **os.environ,
        "SIMPUL_DATABASE_URL": f"sqlite:///{db}",
        "SIMPUL_HARVEST_ALLOW_PRIVATE": "1",
        "SIMPUL_DATA_DIR": str(tmp_path),
    }

    def simpul(*args):
        done = subprocess.run(
            [sys.executable, "-m", "simpul.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    remote = RemoteServer()
    items = [{"identifier": f"layanan-{n}", "name": {"id": f"Layanan {n}"}} for n in range(5)]
    url = remote.route("/layanan", Response(orjson.dumps(items)))
    simpul(
        "orgs",
        "add",
        "--id",
        "kota-gorontalo",
        "--name",
        "Kota Gorontalo",
        "--level",
        "kabkota",
        "--area",
        "75.71",
    )
    simpul(
        "sources",
        "add",
        "--id",
        "portal",
        "--type",
        "json",
        "--url",
        url,
        "--org",
        "kota-gorontalo",
        "--option",
        "key=identifier",
        "--schedule",
        "manual",
    )
    token = simpul("tokens", "create", "--org", "kota-gorontalo").split()[-1]
    server = serve(env)
    try:
        base = server.base
        queued = requests.post(
            f"{base}/api/v1/sources/portal/harvest",
            timeout=5,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert queued.status_code == 202
        job_url = base + queued.headers["Location"]
        deadline = time.monotonic() + 60
        while (job := requests.get(job_url, timeout=5).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.3)
        assert job["status"] == "finished" and job["counts"]["created"] == 5
        listed = requests.get(f"{base}/api/v1/services?authority=kota-gorontalo", timeout=5)
        assert listed.json()["total"] == 5
    finally:
        server.stop()
        remote.close()
