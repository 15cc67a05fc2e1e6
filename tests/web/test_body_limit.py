"""A body over SIMPUL_MAX_BODY_BYTES is refused with 413 however it is sent (Content-Length or
chunked), over the servers ``simpul serve`` runs: nothing is stored and no job is queued."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.services.serve import serve

LIMIT = 4096


def _chunks(data: bytes, size: int = 1000):
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.fixture(scope="module", params=["gunicorn", "dev"])
def node(request, tmp_path_factory, sqlite_template):
    tmp_path = tmp_path_factory.mktemp(request.param)
    db = tmp_path / "simpul.db"
    db.write_bytes(sqlite_template.read_bytes())
    env = {
        **os.environ,
        "SIMPUL_DATABASE_URL": f"sqlite:///{db}",
        "SIMPUL_DATA_DIR": str(tmp_path),
        "SIMPUL_MAX_BODY_BYTES": str(LIMIT),
    }

    def simpul(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "simpul.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    simpul("orgs", "add", "--id", "kota-gorontalo", "--name", "Kota Gorontalo", "--level",
           "kabkota", "--area", "75.71")  # fmt: skip
    for source in ("sp", "sp2"):
        simpul("sources", "add", "--id", source, "--type", "spreadsheet", "--org",
               "kota-gorontalo", "--schedule", "manual")  # fmt: skip
    token = simpul("tokens", "create", "--org", "kota-gorontalo").split()[-1]
    served = serve(env, "--no-harvest", *(["--dev"] if request.param == "dev" else []))
    try:
        yield served.base, {"Authorization": f"Bearer {token}"}, tmp_path
    finally:
        served.stop()


def _csv(rows: int) -> bytes:
    lines = ["Kode,Nama Layanan,Persyaratan"]
    lines += [f"L{n:05d},Layanan nomor {n},Fotokopi KTP" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(node, chunked):
    base, auth, data_dir = node
    body = _csv(400)
    assert len(body) > LIMIT * 3
    headers = {**auth, "Content-Type": "text/csv"}
    response = requests.post(
        f"{base}/api/v1/sources/sp/upload",
        data=_chunks(body) if chunked else body,
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 413, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert f"larger than {LIMIT} bytes" in response.json()["detail"]
    jobs = requests.get(f"{base}/api/v1/sources/sp/jobs", timeout=5).json()
    assert jobs["total"] == 0
    assert not (Path(data_dir) / "uploads" / "sp").exists()


def test_a_chunked_body_of_the_limit_is_read_whole(node):
    base, auth, data_dir = node
    body = _csv(80)
    body += b"\n" * (LIMIT - len(body))  # exactly the limit
    headers = {**auth, "Content-Type": "text/csv"}
    response = requests.post(
        f"{base}/api/v1/sources/sp2/upload", data=_chunks(body), headers=headers, timeout=30
    )
    assert response.status_code == 202, response.text
    assert response.json()["upload"]["size"] == len(body)


def test_a_chunked_json_body_over_the_limit_is_refused(node):
    base, auth, _ = node
    body = b'{"identifier": "x", "name": {"id": "' + b"a" * (LIMIT * 2) + b'"}}'
    response = requests.post(
        f"{base}/api/v1/services",
        data=_chunks(body),
        headers={**auth, "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413, response.text
    listed = requests.get(f"{base}/api/v1/services", timeout=5).json()
    assert listed["total"] == 0
