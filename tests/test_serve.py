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


def _served_node(tmp_path, sqlite_template, **env_extra) -> dict[str, str]:
    """The environment of a node on a copy of the empty database, with an admin token made."""
    db = tmp_path / "simpul.db"
    db.write_bytes(sqlite_template.read_bytes())
    (tmp_path / "tmp").mkdir()
    env = {
        **os.environ,
        "SIMPUL_DATABASE_URL": f"sqlite:///{db}",
        "SIMPUL_DATA_DIR": str(tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),  # where serve makes its metrics folder
        **env_extra,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    for args in (
        ["orgs", "add", "--id", "kemendagri", "--name", "Kemendagri", "--level", "pusat"],
        ["tokens", "create", "--org", "kemendagri", "--role", "admin"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "simpul.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    env["TEST_ADMIN_TOKEN"] = done.stdout.split()[-1]
    return env


def _count(text: str, route: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "simpul_http_request_duration_seconds_count"
        and sample.labels.get("route") == route
    )


def test_metrics_add_up_every_worker_process_and_the_folder_is_removed(tmp_path, sqlite_template):
    env = _served_node(tmp_path, sqlite_template)
    server = serve(env, "--workers", "3", "--no-harvest")
    try:
        session = requests.Session()
        ids = set()
        for _ in range(30):  # new connections: gunicorn's workers share them out
            answer = requests.get(f"{server.base}/api/v1/codelists", timeout=5)
            assert answer.status_code == 200
            ids.add(answer.headers["X-Request-Id"])
        assert len(ids) == 30
        admin = {"Authorization": f"Bearer {env['TEST_ADMIN_TOKEN']}"}
        assert session.get(f"{server.base}/metrics", timeout=5).status_code == 401
        scraped = session.get(f"{server.base}/metrics", headers=admin, timeout=10)
        assert scraped.status_code == 200
        assert _count(scraped.text, "/api/v1/codelists") == 30  # whichever worker answered
        assert "simpul_db_connections_max" in scraped.text
        assert list((tmp_path / "tmp").glob("simpul-metrics-*"))
    finally:
        server.stop()
    assert not list((tmp_path / "tmp").glob("simpul-metrics-*"))


def test_a_metrics_port_serves_the_operator_on_loopback_only(tmp_path, sqlite_template):
    from tests.services.ports import free_port

    metrics_port = free_port()
    env = _served_node(tmp_path, sqlite_template, SIMPUL_METRICS_PORT=str(metrics_port))
    server = serve(env, "--workers", "2", "--no-harvest")
    try:
        for _ in range(5):
            assert requests.get(f"{server.base}/api/v1/codelists", timeout=5).status_code == 200
        admin = {"Authorization": f"Bearer {env['TEST_ADMIN_TOKEN']}"}
        assert requests.get(f"{server.base}/metrics", headers=admin, timeout=5).status_code == 404
        scraped = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10)
        assert scraped.status_code == 200
        assert _count(scraped.text, "/api/v1/codelists") == 5
        assert "simpul_outbox_pending_changes" in scraped.text
    finally:
        server.stop()


def test_dev_server_serves_metrics_too(tmp_path, sqlite_template):
    env = _served_node(tmp_path, sqlite_template)
    server = serve(env, "--dev", "--no-harvest")
    try:
        assert requests.get(f"{server.base}/api/v1/codelists", timeout=5).status_code == 200
        admin = {"Authorization": f"Bearer {env['TEST_ADMIN_TOKEN']}"}
        scraped = requests.get(f"{server.base}/metrics", headers=admin, timeout=10)
        assert scraped.status_code == 200
        assert _count(scraped.text, "/api/v1/codelists") == 1
    finally:
        server.stop()
