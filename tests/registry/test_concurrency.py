"""Concurrent writers against a real ``simpul serve`` (gunicorn, several processes and threads) on
SQLite and PostgreSQL: a precondition is checked inside the write's transaction, so of many
clients holding the same ETag exactly one wins, the others get 412 and no write is lost or
doubled; races never answer 5xx."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from simpul.errors import ConcurrentWrite, Conflict
from simpul.registry import records, services
from simpul.registry.auth import SYSTEM, create_token
from simpul.registry.db import Database, utcnow
from simpul.registry.models import Organization
from simpul.registry.organizations import create_organization
from tests.services.serve import serve

CLIENTS = 20
ROUNDS = 5
ORG = "disdukcapil-kota-gorontalo"


class Server:
    def __init__(self, base: str, token: str):
        self.base = base
        self.api = f"{base}/api/v1/services"
        self.headers = {"Authorization": f"Bearer {token}"}

    def publish(self, identifier: str) -> requests.Response:
        return requests.post(self.api, json=record(identifier), headers=self.headers, timeout=60)

    def versions(self, service_id: str) -> list[dict]:
        return requests.get(f"{self.api}/{service_id}/versions", timeout=30).json()["items"]


def record(identifier: str, note: str = "") -> dict:
    return {
        "identifier": identifier,
        "name": {"id": f"Penerbitan Akta Kelahiran {note}".strip()},
        "description": {"id": f"Versi dari klien {note or 'awal'}"},
        "sectors": ["kependudukan"],
    }


def _database(kind: str, tmp: Path, request) -> str:
    if kind == "sqlite":
        target = tmp / "simpul.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    return request.getfixturevalue("postgres_session").new_database()


def _token(url: str) -> str:
    db = Database(url)
    try:
        with db.transaction() as session:
            create_organization(
                session,
                {
                    "id": ORG,
                    "name": {"id": "Disdukcapil Kota Gorontalo"},
                    "level": "kabkota",
                    "area": "75.71",
                },
            )
            _, token = create_token(session, ORG, "editor")
    finally:
        db.dispose()
    return token


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def server(request, tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"concurrency-{request.param}")
    url = _database(request.param, tmp, request)
    token = _token(url)
    env = {
        **os.environ,
        "SIMPUL_DATABASE_URL": url,
        "SIMPUL_DATA_DIR": str(tmp),
        "SIMPUL_SEARCH_SYNC_MS": "0",
    }
    served = serve(env, "--no-harvest", "--workers", "3")
    try:
        yield Server(served.base, token)
    finally:
        served.stop()


def together(count: int, call: Callable[[int], requests.Response]) -> list[requests.Response]:
    """``count`` clients, each on its own thread and connection, released at the same moment."""
    barrier = threading.Barrier(count)
    answers: list[requests.Response | BaseException | None] = [None] * count

    def client(i: int) -> None:
        barrier.wait()
        try:
            answers[i] = call(i)
        except BaseException as exc:  # noqa: BLE001 - reported below with its client
            answers[i] = exc

    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [a for a in answers if not isinstance(a, requests.Response)]
    assert not failed, failed
    return answers


def statuses(answers: list[requests.Response]) -> list[int]:
    errors = [a.text for a in answers if a.status_code >= 500]
    assert not errors, errors[:3]
    return sorted(a.status_code for a in answers)


def assert_contiguous(history: list[dict], expected: int) -> None:
    assert [v["version"] for v in history] == list(range(1, expected + 1))


def test_one_of_many_puts_with_the_same_etag_wins_each_round(server):
    created = server.publish("akta-kelahiran")
    assert created.status_code == 201, created.text
    service_id, tag = created.json()["id"], created.headers["ETag"]
    item = f"{server.api}/{service_id}"
    for round_ in range(ROUNDS):

        def put(i: int, tag=tag, round_=round_) -> requests.Response:
            body = record("akta-kelahiran", f"{round_}-{i}")
            headers = {**server.headers, "If-Match": tag}
            return requests.put(item, json=body, headers=headers, timeout=60)

        answers = together(CLIENTS, put)
        assert statuses(answers) == [200] + [412] * (CLIENTS - 1)
        [winner] = [a for a in answers if a.status_code == 200]
        assert all(a.json()["code"] == "precondition-failed" for a in answers if a is not winner)
        tag = winner.headers["ETag"]
        stored = requests.get(item, timeout=30)
        assert stored.headers["ETag"] == tag
        assert stored.json()["description"] == winner.json()["description"]
        assert stored.json()["version"] == round_ + 2
    assert_contiguous(server.versions(service_id), ROUNDS + 1)


def test_one_of_many_deletes_with_the_same_etag_wins(server):
    created = server.publish("akta-kematian")
    service_id, tag = created.json()["id"], created.headers["ETag"]
    item = f"{server.api}/{service_id}"
    headers = {**server.headers, "If-Match": tag}

    answers = together(CLIENTS, lambda i: requests.delete(item, headers=headers, timeout=60))

    codes = statuses(answers)
    assert codes.count(200) == 1
    assert set(codes) <= {200, 410, 412}  # after the winner: gone, or changed since read
    history = server.versions(service_id)
    assert_contiguous(history, 2)
    assert history[-1]["action"] == "deleted"


def test_puts_without_if_match_all_land_each_as_one_version(server):
    created = server.publish("surat-pindah")
    service_id = created.json()["id"]
    item = f"{server.api}/{service_id}"

    def put(i: int) -> requests.Response:
        body = record("surat-pindah", f"tanpa-etag-{i}")
        return requests.put(item, json=body, headers=server.headers, timeout=60)

    answers = together(CLIENTS, put)

    assert statuses(answers) == [200] * CLIENTS
    assert sorted(a.json()["version"] for a in answers) == list(range(2, CLIENTS + 2))
    history = server.versions(service_id)
    assert_contiguous(history, CLIENTS + 1)
    last = max(answers, key=lambda a: a.json()["version"])
    assert requests.get(item, timeout=30).json()["description"] == last.json()["description"]


def test_concurrent_posts_of_one_new_identifier_create_one_record(server):
    answers = together(CLIENTS, lambda i: server.publish("kartu-keluarga"))

    assert statuses(answers) == [201] + [409] * (CLIENTS - 1)
    [winner] = [a for a in answers if a.status_code == 201]
    assert {a.json()["existing"] for a in answers if a is not winner} == {winner.json()["id"]}
    listed = requests.get(server.api, params={"identifier": "kartu-keluarga"}, timeout=30).json()
    assert [i["id"] for i in listed["items"]] == [winner.json()["id"]]
    assert_contiguous(server.versions(winner.json()["id"]), 1)


# -- the pieces, in one process -------------------------------------------------------------------
def _prepared(session, identifier: str, note: str) -> services.Prepared:
    return services.prepare(record(identifier, note), services.session_lookup(session), ORG)


def test_a_batch_updates_many_records_and_a_stale_version_is_refused(registry):
    from tests.conftest import Publisher

    Publisher(registry, None).org(ORG)
    keys = ["akta-kelahiran", "akta-kematian", "surat-pindah"]
    with registry.db.transaction() as session:
        first = [_prepared(session, k, "1") for k in keys]
        services.publish_many(session, first, SYSTEM, base_uri="http://x", provenance={})
    with registry.db.transaction() as session:  # the driver counts every row of a batch
        second = [_prepared(session, k, "2") for k in keys]
        outcomes = services.publish_many(
            session, second, SYSTEM, base_uri="http://x", provenance={}
        )
    assert [o for _, o in outcomes] == [services.Outcome.UPDATED] * 3
    service_id = outcomes[0][0]
    with pytest.raises(ConcurrentWrite), registry.db.transaction() as session:
        stale = {"id": service_id, "_prior": 1, "version": 2, "status": "inactive"}
        records.update_rows(
            session, services.SERVICES, [stale]
        )  # it is at version 2: nothing may change
    with registry.db.session() as session:
        assert services.get(session, service_id).status == "active"


def test_write_runs_again_when_a_key_was_taken_meanwhile_and_then_answers_409(registry):
    from tests.conftest import Publisher

    Publisher(registry, None).org(ORG)
    attempts = []

    def taken(session):
        attempts.append(1)
        create_organization(session, {"id": ORG, "name": {"id": "x"}, "level": "pusat"}, SYSTEM)

    def duplicate(session):  # a key taken between the check and the insert
        attempts.append(1)
        session.add(
            Organization(
                id=ORG, name={"id": "x"}, level="pusat", created=utcnow(), modified=utcnow()
            )
        )
        session.flush()

    with pytest.raises(Conflict):  # decided afresh on the first run: no retry needed
        registry.db.write(taken)
    assert len(attempts) == 1
    attempts.clear()
    with pytest.raises(ConcurrentWrite) as raised:
        registry.db.write(duplicate)
    assert len(attempts) == 3 and raised.value.status == 409
