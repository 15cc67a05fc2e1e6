"""Fixtures as in flaskr: ``app``, ``client``, and a ``publisher`` helper. Tests that take ``app``
run twice: on SQLite and on a real PostgreSQL server started for the session."""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from simpul.registry.auth import create_token
from simpul.registry.db import Database
from simpul.registry.organizations import create_organization
from simpul.web import create_app
from tests.services.postgres import PostgresServer, start_postgres

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_counter = itertools.count()


def need_service(what: str) -> None:
    """A missing service skips locally but fails under CI=true."""
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: services must be installed by the project's files)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "simpul.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@dataclass
class PostgresSession:
    """Where this session's PostgreSQL databases live: ``base`` (the server's URL without a
    database), ``admin`` (the database to connect to for CREATE DATABASE) and ``template``
    (migrated once; each test's database is a copy of it). Names carry ``tag``, unique to the
    session, so two sessions on one server never collide."""

    base: str
    admin: str
    tag: str = field(default_factory=lambda: f"{os.getpid()}_{secrets.token_hex(3)}")
    created: list[str] = field(default_factory=list)
    server: PostgresServer | None = None  # the session's own server (not an operator's)

    @property
    def template(self) -> str:
        return f"simpul_template_{self.tag}"

    def execute(self, statement: str) -> None:
        with psycopg.connect(f"{self.base}/{self.admin}", autocommit=True) as conn:
            conn.execute(statement)

    def create_template(self) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {self.template}")
        self.execute(f"CREATE DATABASE {self.template}")
        self.created.append(self.template)
        template = Database(f"{self.base}/{self.template}")
        template.upgrade()
        template.dispose()

    def new_database(self) -> str:
        name = f"test_{self.tag}_{next(_counter)}"
        self.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        self.created.append(name)
        return f"{self.base}/{name}"

    def drop_created(self) -> None:
        for name in reversed(self.created):
            self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.created.clear()


@pytest.fixture(scope="session")
def postgres_session():
    """The session's template on the server of ``SIMPUL_TEST_PG_URL`` (an operator's own,
    ``postgresql://user@host:port/database``; everything the session creates there is dropped
    at the end), or on a throwaway server started for the session."""
    external = os.environ.get("SIMPUL_TEST_PG_URL")
    if external:
        base, _, admin = external.rstrip("/").rpartition("/")
        session = PostgresSession(base, admin or "postgres")
        try:
            session.create_template()
            yield session
        finally:
            session.drop_created()
        return
    server = start_postgres()
    if server is None:
        need_service("PostgreSQL (Debian package postgresql)")
    try:
        session = PostgresSession(server.url("").rstrip("/"), "postgres", server=server)
        session.create_template()
        yield session
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server(postgres_session) -> str:
    """The PostgreSQL server's URL without a database."""
    return postgres_session.base


def _search_node(variable: str, what: str, start):
    """The cluster named by ``variable``, or a node started by ``start`` for the session."""
    external = os.environ.get(variable)
    if external:
        yield external
        return
    node = start()
    if node is None:
        need_service(f"{what} (java and mvn, to start a node from Maven Central)")
    try:
        yield node.url
    finally:
        node.stop()


@pytest.fixture(scope="session")
def opensearch_url():
    """A real OpenSearch node (started from Maven Central), or SIMPUL_TEST_OS_URL."""
    from tests.services.opensearch import start_opensearch

    yield from _search_node("SIMPUL_TEST_OS_URL", "OpenSearch", start_opensearch)


@pytest.fixture(scope="session")
def elasticsearch_url():
    """A real Elasticsearch node (its distribution from Maven Central), or SIMPUL_TEST_ES_URL."""
    from tests.services.elasticsearch import start_elasticsearch

    yield from _search_node("SIMPUL_TEST_ES_URL", "Elasticsearch", start_elasticsearch)


@pytest.fixture(scope="session")
def secured_elasticsearch():
    """A real Elasticsearch node as production runs it: HTTPS with its own CA, and a user."""
    from tests.services.elasticsearch import start_elasticsearch

    node = start_elasticsearch(secured=True)
    if node is None:
        need_service("Elasticsearch (java and mvn, to start a node from Maven Central)")
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        target = tmp_path / "simpul.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    return request.getfixturevalue("postgres_session").new_database()


@contextmanager
def running_app(database_url: str, tmp_path: Path, **settings):
    """The app the tests drive: its own data folder, no background sync; ``settings`` on top."""
    app = create_app(
        {
            "database_url": database_url,
            "data_dir": str(tmp_path),
            "base_uri": "http://simpul.test",
            "search_sync_ms": 0,
            **settings,
        }
    )
    app.config["TESTING"] = True
    try:
        yield app
    finally:
        app.extensions["simpul"].close()


@contextmanager
def app_on_search_server(tmp_path: Path, sqlite_template: Path, search_url: str, **settings):
    """An app on a copy of the empty SQLite database that indexes into a search server under
    an index prefix of its own, dropped afterwards."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, tmp_path / "simpul.db")
    index = f"test-{os.getpid()}-{next(_counter)}"
    database = f"sqlite:///{tmp_path / 'simpul.db'}"
    with running_app(
        database, tmp_path, search_url=search_url, search_index=index, **settings
    ) as app:
        try:
            yield app
        finally:
            search = app.extensions["simpul"].search
            with suppress(Exception):  # a server the test made unreachable keeps its indexes
                search.client.indices.delete(index=f"{index}-*", ignore_unavailable=True)


@pytest.fixture
def app(database_url, tmp_path):
    with running_app(database_url, tmp_path) as app:
        yield app


@pytest.fixture
def registry(app):
    return app.extensions["simpul"]


@pytest.fixture
def client(app):
    return app.test_client()


class Publisher:
    """Creates organizations and tokens, and sends authenticated requests."""

    def __init__(self, registry, client):
        self.registry = registry
        self.client = client

    def org(self, org_id: str, level: str = "kabkota", area: str | None = "75.71", **extra) -> str:
        raw = {
            "id": org_id,
            "name": {"id": org_id.replace("-", " ").title()},
            "level": level,
            "area": None if level == "pusat" else area,
            **extra,
        }
        with self.registry.db.transaction() as session:
            create_organization(session, raw)
        return org_id

    def token(self, org_id: str, role: str = "editor") -> str:
        with self.registry.db.transaction() as session:
            return create_token(session, org_id, role)[1]

    @staticmethod
    def auth(token: str, **headers) -> dict:
        return {"Authorization": f"Bearer {token}", **headers}

    def publish(self, token: str, record: dict, **headers):
        return self.client.post(
            "/api/v1/services", json=record, headers=self.auth(token, **headers)
        )

    def publish_one(self, org_id: str = "disdukcapil-kota-gorontalo", **fields) -> dict:
        """An organization, its token and one service record (``service_record``) published."""
        self.org(org_id, "kabkota", "75.71")
        response = self.publish(self.token(org_id), service_record(**fields))
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def publisher(registry, client) -> Publisher:
    return Publisher(registry, client)


def service_record(identifier: str = "akta-kelahiran", **fields) -> dict:
    """A complete record that fills every field of the publish format."""
    record = {
        "identifier": identifier,
        "name": {"id": "Penerbitan Akta Kelahiran", "en": "Birth Certificate Issuance"},
        "description": {"id": "Pencatatan kelahiran penduduk.", "en": "Birth registration."},
        "keywords": ["akta lahir"],
        "sectors": ["kependudukan"],
        "audiences": ["masyarakat"],
        "life_events": ["kelahiran"],
        "areas": ["75.71"],
        "channels": [
            {"type": "online", "url": "https://dukcapil.gorontalokota.go.id"},
            {"type": "api", "url": "https://splp.example.go.id/akta", "splp": True},
            {"type": "loket", "name": {"id": "Loket Disdukcapil"}, "address": "Jl. Nani Wartabone"},
        ],
        "requirements": [{"id": "Fotokopi Kartu Keluarga"}],
        "procedure": [{"id": "Pemohon mengisi formulir"}],
        "processing_time": "P1D",
        "cost": {"amount": 0, "currency": "IDR"},
        "outputs": [{"id": "Akta Kelahiran"}],
        "complaints": {"id": "Pengaduan melalui SP4N-LAPOR!", "url": "https://www.lapor.go.id"},
        "legal_basis": [
            {"title": "UU No. 24 Tahun 2013", "url": "https://peraturan.go.id/uu-24-2013"}
        ],
        "management": {
            "facilities": {"id": "Ruang tunggu"},
            "staff_competence": {"id": "Terlatih"},
            "internal_supervision": {"id": "Inspektorat"},
            "staff_count": 4,
            "service_guarantee": {"id": "Maklumat pelayanan"},
            "safety_guarantee": {"id": "Data dijaga"},
            "performance_evaluation": {"id": "Survei kepuasan"},
        },
        "integration": {"status": "inventoried", "splp_api": None},
        "contact": {"email": "layanan@gorontalokota.go.id", "phone": "+62 435 123456"},
        "homepage": "https://gorontalokota.go.id",
        "languages": ["id", "en"],
        "status": "active",
    }
    record.update(fields)
    return record


def application_record(identifier: str = "sidukcapil", **fields) -> dict:
    """An application that fills every field of its publish format (services: none)."""
    record = {
        "identifier": identifier,
        "name": {"id": "Sistem Informasi Kependudukan", "en": "Civil Registration System"},
        "short_name": "SIDUKCAPIL",
        "description": {"id": "Aplikasi pelayanan administrasi kependudukan."},
        "keywords": ["dukcapil"],
        "sectors": ["kependudukan"],
        "url": "https://sidukcapil.gorontalokota.go.id",
        "store_urls": ["https://play.google.com/store/apps/details?id=id.go.sidukcapil"],
        "documentation_url": "https://sidukcapil.gorontalokota.go.id/docs",
        "kind": "web",
        "category": "khusus",
        "lifecycle": "digunakan",
        "operator": {"name": "Bidang Pelayanan Pencatatan Sipil"},
        "developer": {"name": "PT Contoh Teknologi"},
        "hosting": "pusat-data-daerah",
        "interfaces": [
            {
                "type": "rest",
                "url": "https://api.gorontalokota.go.id/dukcapil",
                "openapi": "https://api.gorontalokota.go.id/dukcapil/openapi.json",
                "authentication": "oauth2",
            }
        ],
        "splp": {"status": "terdaftar", "apis": ["dukcapil-akta-v1"]},
        "security": {"level": "tinggi", "last_audit": "2025-06-30"},
        "documents": [{"title": "Manual pengguna", "url": "https://example.go.id/manual.pdf"}],
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}
