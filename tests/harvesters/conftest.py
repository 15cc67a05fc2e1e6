"""Harvest tests: real HTTP servers on loopback ports (allowed explicitly, as an operator would)."""

from __future__ import annotations

import pytest

from simpul.harvesters.runner import harvest
from simpul.harvesters.sources import create_source, get_job
from simpul.registry.organizations import create_organization
from tests.conftest import running_app
from tests.services.http import RemoteServer


@pytest.fixture
def app(database_url, tmp_path):
    with running_app(database_url, tmp_path, harvest_allow_private=True) as app:
        yield app


@pytest.fixture
def remote():
    server = RemoteServer()
    yield server
    server.close()


class Harvests:
    """Registers organizations and sources, runs harvests, reads what they left."""

    def __init__(self, registry):
        self.registry = registry

    def org(self, org_id="kota-gorontalo", level="kabkota", area="75.71", parent=None) -> str:
        raw = {
            "id": org_id,
            "name": {"id": org_id.replace("-", " ").title()},
            "level": level,
            "area": None if level == "pusat" else area,
            "parent": parent,
        }
        with self.registry.db.transaction() as session:
            create_organization(session, raw)
        return org_id

    def source(self, source_id, kind, url, org="kota-gorontalo", **fields) -> str:
        raw = {"id": source_id, "type": kind, "url": url, "organization": org, **fields}
        with self.registry.db.transaction() as session:
            create_source(session, raw)
        return source_id

    def run(self, source_id, mode="auto"):
        return harvest(self.registry, source_id, mode)

    def errors(self, job_id):
        from simpul.harvesters.sources import job_errors

        with self.registry.db.session() as session:
            _, rows = job_errors(session, job_id, 0, 10_000)
            return [(r.key, r.stage, r.message) for r in rows]

    def job(self, job_id):
        with self.registry.db.session() as session:
            return get_job(session, job_id)

    def live(self, authority=None):
        from simpul.registry.services import list_services, service_to_dict

        with self.registry.db.session() as session:
            _, rows = list_services(session, authority=authority, size=100_000)
            return {r.identifier: service_to_dict(r) for r in rows}

    def all_rows(self):
        from sqlalchemy import select

        from simpul.registry.models import Service

        with self.registry.db.session() as session:
            return {r.identifier: r for r in session.scalars(select(Service))}


@pytest.fixture
def harvests(registry) -> Harvests:
    return Harvests(registry)
