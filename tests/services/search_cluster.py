"""A three-node OpenSearch cluster on loopback, one JVM a node, for failure tests.

Each node is the Maven Central runner (``tests/services/opensearch.py``) started with one node
of its own and an ``opensearch.yml`` written before it starts: a transport port of its own,
the other nodes as seeds, and the three transport addresses as the initial cluster managers (the
runner names every node "Node 1", so bootstrapping goes by address). A node can be killed
(SIGKILL) and started again on the same folder and HTTP port: it rejoins with its data.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.services import maven
from tests.services.opensearch import MAIN, _free, jars
from tests.services.ports import free_port

YAML = """\
transport.port: {transport}
network.host: 127.0.0.1
discovery.seed_hosts: [{seeds}]
cluster.initial_cluster_manager_nodes: [{seeds}]
cluster.routing.allocation.disk.threshold_enabled: false
"""


class ClusterNode:
    def __init__(self, lib: Path, root: Path, number: int, cluster: str, heap: str):
        self.lib, self.cluster, self.heap = lib, cluster, heap
        self.base = root / f"node{number}"
        self.transport = free_port()
        self.http_base = _free_base(number)
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def configure(self, seeds: str) -> None:
        config = self.base / "node_1" / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "opensearch.yml").write_text(YAML.format(transport=self.transport, seeds=seeds))

    @property
    def log(self) -> Path:
        return self.base / "node.log"

    def start(self) -> None:
        """Start the JVM (returns at once; ``wait`` for its HTTP port)."""
        out = self.log.open("a")
        self.proc = subprocess.Popen(
            ["java", f"-Xms{self.heap}", f"-Xmx{self.heap}", "-cp", f"{self.lib}/*", MAIN,
             "-basePath", str(self.base), "-numOfNode", "1",
             "-baseHttpPort", str(self.http_base), "-clusterName", self.cluster],
            stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        out.close()

    def wait(self, seconds: float = 420) -> None:
        """Until the node answers on its HTTP port as a member of the cluster."""
        deadline = time.monotonic() + seconds
        while not self.url:
            ports = re.findall(r"HTTP Port:\s+(\d+)", self.log.read_text(errors="replace"))
            if ports:
                self.url = f"http://127.0.0.1:{ports[-1]}"
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"OpenSearch node {self.base.name} did not start")
            time.sleep(0.2)
        maven.wait_until_ready(self.proc, self._mine, deadline - time.monotonic(),
                               "OpenSearch node", self.log)  # fmt: skip

    def _mine(self) -> bool:
        answer = requests.get(self.url, timeout=2)
        return answer.ok and answer.json().get("cluster_name") == self.cluster

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


class SearchCluster:
    """Three nodes; ``urls`` for ``SIMPUL_SEARCH_URL`` (the HTTP port of a restarted node is
    the one it had, as the runner takes the first free port from its base)."""

    def __init__(self, lib: Path, heap: str = "256m", size: int = 3):
        self.root = Path(tempfile.mkdtemp(prefix="simpul-cluster-"))
        cluster = f"simpul-chaos-{os.getpid()}-{self.root.name[-6:]}"
        self.nodes = [ClusterNode(lib, self.root, n, cluster, heap) for n in range(size)]
        seeds = ", ".join(f'"127.0.0.1:{node.transport}"' for node in self.nodes)
        for node in self.nodes:
            node.configure(seeds)
        try:
            for node in self.nodes:
                node.start()
            for node in self.nodes:
                node.wait()
            self.wait_for("yellow")
        except BaseException:
            self.stop()
            raise

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def health(self) -> dict:
        for url in self.urls:
            try:
                return requests.get(f"{url}/_cluster/health", timeout=5).json()
            except requests.RequestException:
                continue
        return {"status": "unreachable"}

    def wait_for(self, status: str, nodes: int | None = None, seconds: float = 120) -> None:
        nodes = nodes or len(self.nodes)
        deadline = time.monotonic() + seconds
        wanted = ("green",) if status == "green" else ("yellow", "green")
        while time.monotonic() < deadline:
            health = self.health()
            if health.get("status") in wanted and health.get("number_of_nodes") == nodes:
                return
            time.sleep(0.5)
        raise RuntimeError(f"the cluster is not {status} with {nodes} nodes: {self.health()}")

    def restart(self, number: int) -> None:
        node = self.nodes[number]
        node.kill()
        node.url = ""
        node.start()
        node.wait()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        if not os.environ.get("SIMPUL_KEEP_CLUSTER"):
            shutil.rmtree(self.root, ignore_errors=True)


def _free_base(number: int) -> int:
    """A base for the runner's HTTP port search (it takes base + 1 when free); the nodes of
    one cluster look in blocks of their own, ten ports apart."""
    for port in range(9201 + number * 10, 9300, 30):
        if all(_free(p) for p in range(port, port + 3)):
            return port - 1
    raise RuntimeError("no free port in 9201-9299 for OpenSearch")


def start_cluster(heap: str = "256m") -> SearchCluster | None:
    lib = jars()
    return None if lib is None else SearchCluster(lib, heap)
