"""The four-level demonstration (``make federation-demo``): desa, kabkota, provinsi and pusat
nodes as separate processes on loopback ports. A service published at the village node travels
up, each level harvesting the one below, and arrives at the national node with its identity and
the chain of nodes it went through.

    python -m simpul.demo.federation [--folder DIR] [--keep-running]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

LEVELS = [
    # node id, level, area, its organization
    ("desa-langge", "desa", "75.03.01.2007", "pemdes-langge", "Pemerintah Desa Langge"),
    (
        "kab-bone-bolango",
        "kabkota",
        "75.03",
        "pemkab-bone-bolango",
        "Pemerintah Kabupaten Bone Bolango",
    ),
    ("prov-gorontalo", "provinsi", "75", "pemprov-gorontalo", "Pemerintah Provinsi Gorontalo"),
    (
        "pusat",
        "pusat",
        "00",
        "kemenpan-rb",
        "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
    ),
]
SERVICE = {
    "identifier": "surat-keterangan-domisili",
    "name": {"id": "Surat Keterangan Domisili", "en": "Certificate of Domicile"},
    "description": {"id": "Surat keterangan tempat tinggal bagi warga Desa Langge."},
    "requirements": [{"id": "Surat pengantar RT/RW"}, {"id": "Fotokopi Kartu Keluarga"}],
    "procedure": [{"id": "Datang ke kantor desa"}, {"id": "Petugas mencetak surat"}],
    "processing_time": "PT1H",
    "cost": {"amount": 0},
    "outputs": [{"id": "Surat Keterangan Domisili"}],
    "sectors": ["kependudukan"],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DemoNode:
    node_id: str
    level: str
    area: str
    org: str
    org_name: str
    folder: Path
    port: int
    server: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SIMPUL_DATA_DIR": str(self.folder),
            "SIMPUL_NODE_ID": self.node_id,
            "SIMPUL_NODE_LEVEL": self.level,
            "SIMPUL_NODE_AREA": self.area,
            "SIMPUL_BASE_URI": self.base,
            "SIMPUL_HARVEST_ALLOW_PRIVATE": "1",
            "SIMPUL_SEARCH_SYNC_MS": "0",
        }

    def simpul(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "simpul.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.node_id}: simpul {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def start(self) -> None:
        log = (self.folder / "server.log").open("w")
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simpul.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: gunicorn and its workers
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.server.poll() is None:
            if self._answers():
                return
            time.sleep(0.2)
        # the port was free when chosen; a process that took it meanwhile is not this node
        raise RuntimeError(
            f"{self.node_id} did not start on port {self.port} (is the port taken?); "
            f"see {self.folder / 'server.log'}"
        )

    def _answers(self) -> bool:
        """Does this node answer on its port (and not some other process that took it)?"""
        try:
            node = requests.get(f"{self.base}/api/v1/node", timeout=2).json()
        except (requests.ConnectionError, requests.Timeout, ValueError):
            return False
        return isinstance(node, dict) and node.get("id") == self.node_id

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL to the server and its workers at once (a crash, not a shutdown)."""
        self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        if self.server is None or self.server.poll() is not None:
            return
        try:
            os.killpg(self.server.pid, signum)
        except ProcessLookupError:
            return
        self.server.wait(15)


def build(folder: Path) -> list[DemoNode]:
    nodes = []
    for node_id, level, area, org, name in LEVELS:
        node = DemoNode(node_id, level, area, org, name, folder / node_id, _free_port())
        node.folder.mkdir(parents=True, exist_ok=True)
        node.simpul("db", "upgrade")
        node.simpul(
            "orgs",
            "add",
            "--id",
            org,
            "--name",
            name,
            "--level",
            level,
            *(["--area", area] if level != "pusat" else []),
        )
        nodes.append(node)
    for child, parent in zip(nodes, nodes[1:], strict=False):
        parent.simpul(
            "sources",
            "add",
            "--id",
            child.node_id,
            "--type",
            "simpul",
            "--url",
            child.base,
            "--org",
            parent.org,
            "--schedule",
            "PT5M",
        )
    return nodes


def publish(node: DemoNode) -> dict:
    token = node.simpul("tokens", "create", "--org", node.org).split()[-1]
    response = requests.post(
        f"{node.base}/api/v1/services",
        json=SERVICE,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def fetch(url: str, accept: str = "application/json") -> bytes:
    response = requests.get(url, headers={"Accept": accept}, timeout=10)
    response.raise_for_status()
    return response.content


def run(folder: Path, keep_running: bool = False, out=sys.stdout) -> dict:
    nodes = build(folder)
    try:
        for node in nodes:
            node.start()
        print("nodes:", ", ".join(f"{n.node_id} {n.base}" for n in nodes), file=out)
        record = publish(nodes[0])
        print(f"published at {nodes[0].node_id}: {record['uri']}", file=out)
        for child, parent in zip(nodes, nodes[1:], strict=False):
            parent.simpul("harvest", child.node_id)
            print(f"{parent.node_id} harvested {child.node_id}", file=out)
        top = nodes[-1]
        arrived = json.loads(fetch(f"{top.base}/api/v1/services/{record['id']}"))
        print(f"at {top.node_id}: {arrived['uri']} (authority {arrived['authority']})", file=out)
        print("provenance chain: " + " -> ".join(arrived["provenance"]["chain"]), file=out)
        turtle = fetch(f"{top.base}/api/v1/services/{record['id']}", "text/turtle").decode()
        prov = [line.strip() for line in turtle.splitlines() if "prov:" in line]
        print("\n".join(prov), file=out)
        if keep_running:
            print("running; Ctrl-C stops the four nodes", file=out)
            while True:
                time.sleep(3600)
        return {"published": record, "arrived": arrived, "nodes": [n.base for n in nodes]}
    except KeyboardInterrupt:
        return {}
    finally:
        for node in nodes:
            node.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--keep-running", action="store_true")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="simpul-federation-"))
    run(folder, args.keep_running)


if __name__ == "__main__":
    main()
