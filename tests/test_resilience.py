"""Simpul as a province runs it, under failures (issue 18).

PostgreSQL (the session's server), a three-node OpenSearch cluster (an index of 3 shards with 1
replica), two ``simpul serve`` and two ``simpul worker`` processes. While publishers POST and
PUT through both apps, harvests of sources on a loopback HTTP server are queued every second
and claimed by both workers, and searches are asked of both apps, the test kills a search node
and starts it again, kills a worker in the middle of a job and starts it again, restarts
PostgreSQL and kills an app and starts it again. Then it checks that no write was lost or
duplicated (database and index, ids and versions, against what the publishers were answered),
that every job ended, that searches were answered (503 with Retry-After while the search tier
is down, never another 5xx) and that the index caught up after each recovery (the seconds are
printed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import orjson
import psycopg
import pytest
import requests

from simpul.harvesters.jobs import FINAL
from tests.conftest import need_service, service_record
from tests.services.http import RemoteServer, Response
from tests.services.search_cluster import start_cluster
from tests.services.serve import serve

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]
FEED_SIZE = 30  # records of each harvested source
SOURCES = ("feed-a", "feed-b")
# The index catches up within a few seconds of each recovery on an idle machine (the figures
# printed; docs/operations.md); the limit asserted is wider because a loaded CI machine restarts a
# JVM slowly: what it catches is a sync that stopped or fell behind for good, not a slow second.
CATCH_UP = 60.0
PUBLISHER_ORG, HARVEST_ORG = "dinas-publik", "kota-gorontalo"
TERMINATE = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
UNFINISHED = "SELECT count(*) FROM harvest_jobs WHERE status IN ('queued', 'running', 'cancelling')"


@pytest.fixture(scope="module")
def cluster():
    if os.environ.get("SIMPUL_TEST_OS_URL"):
        pytest.skip("the failure test starts its own three nodes")
    found = start_cluster(heap="256m")
    if found is None:
        need_service("OpenSearch (java and mvn, to start nodes from Maven Central)")
    try:
        yield found
    finally:
        found.stop()


class Feed:
    """A source's records on a loopback server: their text changes at every fetch, and the
    answer takes a while, so that a job is running when its worker is killed."""

    def __init__(self, remote: RemoteServer, name: str):
        self.name, self.fetches = name, 0
        self.url = remote.route(f"/{name}", self.answer)

    def answer(self, _request) -> Response:
        self.fetches += 1
        items = [
            {"identifier": f"{self.name}-{n}", "name": {"id": f"Layanan {n} ({self.fetches})"}}
            for n in range(FEED_SIZE)
        ]
        return Response(orjson.dumps(items), delay=1.5)


class Apps:
    """The app processes; requests go to each in turn, and to the next one when one is down."""

    def __init__(self, env: dict[str, str], started: list):
        self.env, self.started = env, started
        self.served = [self.start() for _ in range(2)]
        self.turn = 0
        self.lock = threading.Lock()

    def start(self):
        served = serve(self.env, "--workers", "1", "--no-harvest", seconds=300)
        self.started.append(served)
        return served

    def request(self, method: str, path: str, **kwargs) -> requests.Response | None:
        """The answer of one app (None when neither answered: the write's fate is unknown)."""
        for _ in range(2):
            with self.lock:
                self.turn += 1
                base = self.served[self.turn % len(self.served)].base
            try:
                return requests.request(method, base + path, timeout=30, **kwargs)
            except requests.ConnectionError:
                continue
            except requests.Timeout:
                return None
        return None

    def kill(self, number: int) -> None:
        """SIGKILL the app process and its gunicorn workers, then start a new one."""
        proc = self.served[number].proc
        children = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        for pid in children:
            _kill(pid)
        proc.wait()
        replacement = self.start()
        with self.lock:
            self.served[number] = replacement


class Load:
    """Publishers, harvest queuers and searchers running until ``stop``; what they were
    answered is kept for the checks."""

    def __init__(self, apps: Apps, token: str, harvest_token: str):
        self.apps, self.token, self.harvest_token = apps, token, harvest_token
        self.stopped = threading.Event()
        self.acked: dict[str, int] = {}  # service id -> version the publisher was answered
        self.unsure: Counter = Counter()  # service id -> PUTs whose answer never came
        self.unsure_posts: list[str] = []  # identifiers of POSTs whose answer never came
        self.statuses: dict[str, Counter] = {"publish": Counter(), "search": Counter()}
        self.bad: list[str] = []  # 5xx other than 503 with Retry-After
        self.refused: list[str] = []  # 4xx other than 409 (a job already running)
        self.queued = 0
        self.threads = [
            threading.Thread(target=self.publish, args=(n,), daemon=True) for n in range(2)
        ] + [threading.Thread(target=t, daemon=True) for t in (self.search, self.harvest)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(60)

    def _note(self, kind: str, answer: requests.Response | None) -> None:
        status = "no answer" if answer is None else answer.status_code
        self.statuses[kind][status] += 1
        if answer is not None and 400 <= answer.status_code < 500 and answer.status_code != 409:
            self.refused.append(f"{kind} {answer.status_code}: {answer.text[:300]}")
        if answer is not None and answer.status_code >= 500:  # noqa: SIM102 (two reasons)
            if answer.status_code != 503 or "Retry-After" not in answer.headers:
                self.bad.append(f"{kind} {answer.status_code}: {answer.text[:300]}")

    def publish(self, number: int) -> None:
        auth = {"Authorization": f"Bearer {self.token}"}
        made: list[tuple[str, str]] = []  # (id, identifier)
        count = 0
        while not self.stopped.is_set():
            count += 1
            if made and count % 3 == 0:  # every third write replaces an earlier record
                service_id, identifier = made[count % len(made)]
                record = service_record(identifier, keywords=[str(count)])
                answer = self.apps.request("PUT", f"/api/v1/services/{service_id}", json=record,
                                           headers=auth)  # fmt: skip
                self._note("publish", answer)
                if answer is None:
                    self.unsure[service_id] += 1
                elif answer.status_code == 200:
                    self.acked[service_id] = answer.json()["version"]
            else:
                identifier = f"p{number}-{len(made) + len(self.unsure_posts)}"
                answer = self.apps.request("POST", "/api/v1/services", headers=auth,
                                           json=service_record(identifier))  # fmt: skip
                self._note("publish", answer)
                if answer is None:
                    self.unsure_posts.append(identifier)
                elif answer.status_code == 201:
                    body = answer.json()
                    made.append((body["id"], identifier))
                    self.acked[body["id"]] = body["version"]
            self.stopped.wait(0.05)

    def search(self) -> None:
        while not self.stopped.is_set():
            self._note("search", self.apps.request("GET", "/api/v1/search?q=layanan+akta"))
            self.stopped.wait(0.2)

    def harvest(self) -> None:
        auth = {"Authorization": f"Bearer {self.harvest_token}"}
        while not self.stopped.is_set():
            for source in SOURCES:
                answer = self.apps.request("POST", f"/api/v1/sources/{source}/harvest",
                                           headers=auth)  # fmt: skip
                self._note("publish", answer)
                self.queued += answer is not None and answer.status_code == 202
            self.stopped.wait(1.0)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


class Worker:
    def __init__(self, env: dict[str, str], log: Path):
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "simpul.cli", "worker", "--poll", "1",
                 "--concurrency", "2"],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "simpul.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _setup(env: dict[str, str], feeds: list[Feed]) -> tuple[str, str]:
    for org in (PUBLISHER_ORG, HARVEST_ORG):
        _cli(env, "orgs", "add", "--id", org, "--name", org.replace("-", " ").title(),
             "--level", "kabkota", "--area", "75.71")  # fmt: skip
    for feed in feeds:
        _cli(env, "sources", "add", "--id", feed.name, "--type", "json", "--url", feed.url,
             "--org", HARVEST_ORG, "--option", "key=identifier",
             "--schedule", "manual")  # fmt: skip
    token = _cli(env, "tokens", "create", "--org", PUBLISHER_ORG).split()[-1]
    return token, _cli(env, "tokens", "create", "--org", HARVEST_ORG).split()[-1]


class Watch:
    """The database and the index, read directly."""

    def __init__(self, database: str, cluster, prefix: str):
        self.database, self.cluster, self.prefix = database, cluster, prefix

    def rows(self, query: str) -> list[tuple]:
        with psycopg.connect(self.database) as conn:
            return conn.execute(query).fetchall()

    def newest_change(self) -> int:
        return self.rows("SELECT coalesce(max(seq), 0) FROM changes")[0][0]

    def cursor(self) -> int:
        for url in self.cluster.urls:
            try:
                found = requests.get(f"{url}/{self.prefix}-state/_doc/cursor", timeout=5)
                return found.json()["_source"]["cursor"] if found.ok else 0
            except (requests.RequestException, KeyError, ValueError):
                continue
        return 0

    def catch_up(self, seconds: float = 2 * CATCH_UP) -> float:
        """Seconds until the index has applied every change made until now."""
        started, target = time.monotonic(), self.newest_change()
        while self.cursor() < target:
            assert time.monotonic() - started < seconds, "the index did not catch up"
            time.sleep(0.1)
        return time.monotonic() - started

    def indexed(self) -> dict[str, str]:
        for url in self.cluster.urls:
            try:
                body = {"size": 10_000, "_source": ["id", "modified"], "query": {"match_all": {}}}
                hits = requests.post(f"{url}/{self.prefix}-services/_search", json=body,
                                     timeout=30).json()["hits"]["hits"]  # fmt: skip
                return {hit["_source"]["id"]: hit["_source"]["modified"] for hit in hits}
            except requests.RequestException:
                continue
        raise AssertionError("no search node answered")


def _same_time(indexed: str, stored: datetime) -> bool:
    return datetime.fromisoformat(indexed.replace("Z", "+00:00")) == stored


def _running_job_of(watch: Watch, pid: int, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = watch.rows("SELECT id, worker FROM harvest_jobs WHERE status = 'running'")
        for job_id, worker in rows:
            if worker and worker.endswith(f":{pid}"):
                return job_id
        time.sleep(0.1)
    raise AssertionError(f"worker {pid} ran no job in {seconds} s")


def test_no_write_is_lost_while_processes_and_servers_fail(cluster, postgres_session, tmp_path):
    database = postgres_session.new_database()
    prefix = f"chaos-{os.getpid()}"
    config = tmp_path / "simpul.toml"
    config.write_text("[extra.harvest]\nstale_after = 4.0\nheartbeat = 1.0\n")
    env = {
        **os.environ,
        "SIMPUL_DATABASE_URL": database,
        "SIMPUL_SEARCH_URL": ",".join(cluster.urls),
        "SIMPUL_SEARCH_SHARDS": "3",
        "SIMPUL_SEARCH_REPLICAS": "1",
        "SIMPUL_SEARCH_INDEX": prefix,
        "SIMPUL_HARVEST_ALLOW_PRIVATE": "1",
        "SIMPUL_DATA_DIR": str(tmp_path),
        "SIMPUL_CONFIG": str(config),
    }
    remote = RemoteServer()
    feeds = [Feed(remote, name) for name in SOURCES]
    token, harvest_token = _setup(env, feeds)
    watch = Watch(database, cluster, prefix)
    started: list = []  # what to stop, whatever happens
    try:
        apps = Apps(env, started)
        workers = [Worker(env, tmp_path / f"worker{n}.log") for n in range(2)]
        started.extend(workers)
        load = Load(apps, token, harvest_token)
        figures, killed_job = _break_things(env, cluster, postgres_session, watch, apps,
                                            workers, load, tmp_path)  # fmt: skip
        deadline = time.monotonic() + 90
        while watch.rows(UNFINISHED)[0][0]:
            if time.monotonic() > deadline:
                raise AssertionError(_stuck(watch, workers, tmp_path))
            time.sleep(0.5)
        figures["catch-up at the end (s)"] = watch.catch_up()
        _check(watch, load, killed_job, figures)
    finally:
        for process in started:
            process.stop()
        remote.close()


def _stuck(watch: Watch, workers: list, tmp_path: Path) -> str:
    """What the unfinished jobs and the live workers were doing (their threads' stacks)."""
    for worker in workers:
        if worker.proc.poll() is None:
            worker.proc.send_signal(signal.SIGUSR1)
    time.sleep(2)
    jobs = watch.rows("SELECT id, status, worker, heartbeat, message FROM harvest_jobs "
                      "WHERE status NOT IN ('finished', 'failed', 'interrupted')")  # fmt: skip
    logs = "\n".join(
        f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-150:])
        for log in sorted(tmp_path.glob("worker*.log"))
    )
    return f"jobs still unfinished after 90 s: {jobs}\n{logs}"


def _break_things(env, cluster, postgres_session, watch, apps, workers, load, tmp_path):
    """The failures, one after the other while the load runs; the catch-up times."""
    figures: dict[str, float] = {}
    try:
        load.start()
        time.sleep(5)
        # a search node: SIGKILL, then started again on its data (it rejoins in the background
        # while the other failures happen)
        cluster.nodes[1].kill()
        rejoined = threading.Thread(target=cluster.restart, args=(1,), daemon=True)
        rejoined.start()
        # a worker in the middle of a job: SIGKILL; the job ends interrupted, a new one runs
        killed_job = _running_job_of(watch, workers[0].proc.pid)
        workers[0].kill()
        workers.append(Worker(env, tmp_path / "worker2.log"))
        apps.started.append(workers[-1])
        # PostgreSQL: stopped (clients cut off), down for 3 s, started again
        if postgres_session.server is not None:
            postgres_session.server.restart(down=3.0)
        else:  # an operator's server is not ours to restart: every connection is cut instead
            watch.rows(TERMINATE)
        figures["catch-up after PostgreSQL (s)"] = watch.catch_up()
        # an app: SIGKILL with its gunicorn worker, then a new one
        apps.kill(0)
        figures["catch-up after the app (s)"] = watch.catch_up()
        rejoined.join(480)
        cluster.wait_for("yellow")
        figures["catch-up after the search node (s)"] = watch.catch_up()
        time.sleep(3)
    finally:
        load.stop()
    return figures, killed_job


def _check(watch: Watch, load: Load, killed_job: str, figures: dict[str, float]) -> None:
    rows = watch.rows("SELECT id, authority, identifier, version, modified, deleted_at "
                      "FROM services")  # fmt: skip
    jobs = dict(watch.rows("SELECT id, status FROM harvest_jobs"))
    live = {row[0]: row for row in rows if row[5] is None}
    indexed = watch.indexed()
    counts = {
        "records published (201/200)": len(load.acked),
        "writes without an answer": len(load.unsure_posts) + sum(load.unsure.values()),
        "records harvested": sum(1 for r in rows if r[1] == HARVEST_ORG),
        "jobs": len(jobs),
        "jobs by state": dict(Counter(jobs.values())),
        "publish answers": dict(load.statuses["publish"]),
        "search answers": dict(load.statuses["search"]),
        "503s": load.statuses["publish"][503] + load.statuses["search"][503],
        **{k: round(v, 2) for k, v in figures.items()},
    }
    print(
        "\nresilience figures:",
        orjson.dumps(counts, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode(),
    )
    assert not load.bad, load.bad[:5]
    assert not load.refused, load.refused[:5]
    keys = Counter((r[1], r[2]) for r in rows)
    assert [k for k, n in keys.items() if n > 1] == []  # nothing duplicated
    for service_id, version in load.acked.items():  # nothing lost, nothing rolled back
        assert service_id in live, f"{service_id} was answered 201/200 but is not stored"
        stored = live[service_id][3]
        assert version <= stored <= version + load.unsure[service_id], service_id
    published = {r[0] for r in rows if r[1] == PUBLISHER_ORG}
    unanswered = published - set(load.acked)
    assert len(unanswered) <= len(load.unsure_posts)
    harvested = [r for r in rows if r[1] == HARVEST_ORG]
    assert len(harvested) == FEED_SIZE * len(SOURCES)
    assert set(indexed) == set(live), (set(live) - set(indexed), set(indexed) - set(live))
    stale = [i for i, row in live.items() if not _same_time(indexed[i], row[4])]
    assert stale == [], stale[:5]
    assert all(status in FINAL for status in jobs.values()), jobs
    assert jobs[killed_job] == "interrupted"
    assert load.statuses["search"][200] > 0
    for name, seconds in figures.items():
        assert seconds <= CATCH_UP, f"{name}: {seconds:.1f} s"
