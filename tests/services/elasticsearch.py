"""A throwaway Elasticsearch node on the JVM, from Maven Central.

Elastic publishes each release's minimal distribution, ``org.elasticsearch.distribution.integ-test-
zip:elasticsearch`` (the server with its transport and security modules, no bundled JDK), to Maven
Central. Maven fetches it once into ``~/.cache/simpul``; each test session unpacks it into a
temporary folder and starts one node on free loopback ports with the machine's Java 17 (again
on other ports when another process took one before the node could bind it).

The node of most tests runs without security. ``secured=True`` starts one as production nodes
run: HTTPS with a certificate from its own CA (made by the distribution's
``elasticsearch-certutil``) and a user in the file realm (``elasticsearch-users``); ``url`` then
carries no credentials, and ``ca``, ``user`` and ``password`` say how to reach it.
Elasticsearch refuses to run as root, so under root the node runs as ``nobody``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

import requests

from tests.services import maven
from tests.services.maven import CACHE
from tests.services.ports import PortTaken, free_port, is_clash, start_with_retries

VERSION = "8.19.0"
# what docs/search.md says Simpul's search user needs, for the index prefixes the tests use
ROLE = """
simpul:
  cluster: ["monitor"]
  indices:
    - names: ["test-*", "sec-*"]
      privileges: ["create_index", "delete_index", "manage", "read", "write"]
"""
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{VERSION}:zip"


def distribution() -> Path | None:
    """The distribution's zip, downloaded by Maven on first use; None without Java or Maven."""
    if not maven.available():
        return None
    archive = CACHE / f"elasticsearch-{VERSION}.zip"
    if not archive.exists():
        maven.fetch(
            ARTIFACT, "dependency:copy", f"-Dartifact={ARTIFACT}", f"-DoutputDirectory={CACHE}"
        )
    return archive


def java_home() -> str:
    return str(Path(os.path.realpath(shutil.which("java"))).parents[1])


class ElasticsearchNode:
    user, password = "simpul", "simpul-test-secret"

    def __init__(self, archive: Path, heap: str, secured: bool, http: int):
        self.folder = Path(tempfile.mkdtemp(prefix="simpul-elasticsearch-"))
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(self.folder)
        home = self.folder / f"elasticsearch-{VERSION}"
        for name in ("data", "logs", "tmp"):
            (self.folder / name).mkdir()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_JAVA_HOME": java_home(),
            "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
            "ES_TMPDIR": str(self.folder / "tmp"),
            "HOME": str(self.folder),
        }
        security = {"xpack.security.enabled": "false"}
        self.ca: Path | None = None
        if secured:
            security = self._secure(home, env)
        as_user = {}
        if os.geteuid() == 0:  # Elasticsearch will not run as root
            nobody = pwd.getpwnam("nobody")
            for path in [self.folder, *self.folder.rglob("*")]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid, follow_symlinks=False)
            self.folder.chmod(0o755)
            as_user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        transport = free_port()
        self.url = f"{'https' if secured else 'http'}://127.0.0.1:{http}"
        self.log = (self.folder / "node.log").open("w")
        cluster = f"simpul-tests-{os.getpid()}-{http}"
        settings = {
            "cluster.name": cluster,
            "discovery.type": "single-node",
            "network.host": "127.0.0.1",
            "http.port": http,
            "transport.port": transport,
            "path.data": self.folder / "data",
            "path.logs": self.folder / "logs",
            **security,
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            "action.destructive_requires_name": "false",
        }
        self.proc = subprocess.Popen(
            # through bash, so that a temporary folder mounted noexec does not matter
            ["bash", str(home / "bin" / "elasticsearch")]
            + [f"-E{key}={value}" for key, value in settings.items()],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.folder,
            start_new_session=True,
            **as_user,
        )
        credentials = {"auth": (self.user, self.password), "verify": str(self.ca)}

        def green_or_yellow() -> bool:
            health = requests.get(
                f"{self.url}/_cluster/health", timeout=2, **(credentials if secured else {})
            )
            mine = health.ok and health.json()["cluster_name"] == cluster  # not a stranger
            return mine and health.json()["status"] in ("green", "yellow")

        try:
            maven.wait_until_ready(
                self.proc, green_or_yellow, 180, "Elasticsearch", self.folder / "node.log"
            )
        except RuntimeError as exc:
            said = (self.folder / "node.log").read_text(errors="replace")
            self.stop()
            if is_clash(said):
                raise PortTaken(f"Elasticsearch on ports {http} and {transport}") from exc
            raise

    def _secure(self, home: Path, env: dict[str, str]) -> dict[str, str]:
        """A CA, a certificate for 127.0.0.1 signed by it, and a user holding only the
        privileges ``docs/search.md`` asks for (on index names ``test-*`` and ``sec-*``), made
        with the distribution's own tools; the settings that switch HTTPS and authentication
        on."""

        def tool(*args: str) -> None:
            subprocess.run(
                ["bash", str(home / "bin" / args[0]), *args[1:]],
                env=env,
                check=True,
                capture_output=True,
                timeout=120,
            )

        certs = home / "config" / "certs"
        certs.mkdir()
        tool("elasticsearch-certutil", "ca", "--pem", "--silent", "--out", str(certs / "ca.zip"))
        with zipfile.ZipFile(certs / "ca.zip") as zipped:
            zipped.extractall(certs)
        tool(
            "elasticsearch-certutil",
            "cert",
            "--pem",
            "--silent",
            "--ca-cert",
            str(certs / "ca" / "ca.crt"),
            "--ca-key",
            str(certs / "ca" / "ca.key"),
            "--ip",
            "127.0.0.1",
            "--dns",
            "localhost",
            "--name",
            "node",
            "--out",
            str(certs / "node.zip"),
        )
        with zipfile.ZipFile(certs / "node.zip") as zipped:
            zipped.extractall(certs)
        with (home / "config" / "roles.yml").open("a") as roles:
            roles.write(ROLE)
        tool("elasticsearch-users", "useradd", self.user, "-p", self.password, "-r", "simpul")
        self.ca = certs / "ca" / "ca.crt"
        return {
            "xpack.security.enabled": "true",
            "xpack.security.http.ssl.enabled": "true",
            "xpack.security.http.ssl.key": "certs/node/node.key",
            "xpack.security.http.ssl.certificate": "certs/node/node.crt",
            "xpack.security.http.ssl.certificate_authorities": "certs/ca/ca.crt",
        }

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_elasticsearch(heap: str = "512m", secured: bool = False) -> ElasticsearchNode | None:
    archive = distribution()
    if archive is None:
        return None
    return start_with_retries(lambda port: ElasticsearchNode(archive, heap, secured, port))
