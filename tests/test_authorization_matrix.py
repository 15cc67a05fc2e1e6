"""The authorization matrix: every write route of the API and the portal (every rule of
``app.url_map`` with POST, PUT, PATCH or DELETE) tried by every kind of caller, with the answer
each must get. A refused write leaves the database exactly as it was; an accepted one stored what
was asked. A write route without rows fails, and so does a row whose route is gone: a new
endpoint cannot ship without someone deciding who may call it.

The callers: nobody signed in, a made-up token, a revoked token, an editor of the organization
that owns the target (OWNER), an editor of another organization, an editor of OWNER's parent
organization, a node administrator, and an editor of an organization that exists here only
because another organization's ``simpul`` source brought it (registered as the federation
harvester registers organizations)."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import MetaData, select

from simpul.harvesters import jobs, sources
from simpul.harvesters.trust import register_organizations
from simpul.registry import (
    applications,
    criteria,
    declarations,
    organizations,
    roadmap,
    services,
    types,
)
from simpul.registry.auth import SYSTEM, create_token, revoke_token
from simpul.registry.db import utcnow
from simpul.registry.models import (
    ApiToken,
    HarvestJob,
    HarvestSource,
    ServiceType,
    TypeDeclaration,
)
from tests.conftest import application_record, running_app, service_record
from tests.web.portal.conftest import csrf_of

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
IGNORED = ("api_tokens", "last_used")  # bookkeeping of a token's use, not a write
# Portal sessions are bookkeeping of sign-ins, not records: a revoked caller's sign-out deletes
# its dead session row, which is right. Sign-in and sign-out cells check sessions themselves.
BOOKKEEPING_TABLES = {"portal_sessions"}
ACTORS = ("anonymous", "garbage", "revoked", "owner", "other", "parent", "admin", "federated")

OWNER = "disdukcapil-kota-gorontalo"
PARENT = "pemprov-gorontalo"
OTHER = "dinkes-kab-boalemo"
FEDERATED = "puskesmas-paguyaman"  # brought here by OTHER's simpul source
ADMIN_ORG = "kemendagri"
ORG_OF = {
    "owner": OWNER,
    "other": OTHER,
    "parent": PARENT,
    "admin": ADMIN_ORG,
    "federated": FEDERATED,
}
OWNER_ORG = {
    "name": {"id": "Dinas Kependudukan dan Pencatatan Sipil Kota Gorontalo"},
    "level": "kabkota",
    "area": "75.71",
    "parent": PARENT,
    "homepage": "https://dukcapil.gorontalokota.go.id",
}


@dataclass(frozen=True)
class Unchanged:
    """The answer, and not one row of the database changed."""

    status: int
    location: str | None = None  # a pattern the redirect target must match


@dataclass(frozen=True)
class Stored:
    """The answer, and the write is in the database as asked."""

    status: int
    location: str | None = None


A200, A401, A403 = Unchanged(200), Unchanged(401), Unchanged(403)
S200, S201, S202, S204 = Stored(200), Stored(201), Stored(202), Stored(204)
SIGN_IN = Unchanged(302, r"/publish/sign-in\?next=.*")  # sent to sign in, nothing written
EDITOR = Stored(302, r"/publish/services/[^/]+/edit\?saved=1")  # saved, back in the editor
DASHBOARD = Stored(302, "/publish")
APP_EDITOR = Stored(302, r"/publish/applications/[^/]+/edit")
JOB = Stored(302, r"/audit/jobs/[^/?]+")
TYPES = Stored(302, r"/publish/types\?org=.+")
HOME, SIGNED_OUT = Unchanged(302, "/"), Stored(302, "/")
REVIEWED = Stored(302, r"/publish/services/[^/]+/edit")  # resolved, back in the editor
BOARD = Stored(302, r"/publish/roadmap/[^/]+")  # moved, back on the board
ASSESSED = Stored(302, r"/publish/assessments/\d+")  # recorded, its result shown

# One row per route (and, for an organization PUT, per kind of change), then one answer per
# caller in the order of ACTORS:
#   anonymous, garbage, revoked, owner, other, parent, admin, federated
# fmt: off
ROWS: list[tuple[Any, ...]] = [
    ("POST", "/api/v1/services", "",
        A401, A401, A401, S201, A403, A403, S201, A403),
    ("PUT", "/api/v1/services/<service_id>", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    ("DELETE", "/api/v1/services/<service_id>", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    ("POST", "/api/v1/applications", "",
        A401, A401, A401, S201, A403, A403, S201, A403),
    ("PUT", "/api/v1/applications/<app_id>", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    ("DELETE", "/api/v1/applications/<app_id>", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    # readiness assessments: the target's editor self-assesses, an administrator (or a
    # coordinator of the area: tests/web/api/test_assessments_api.py) verifies
    ("POST", "/api/v1/assessments", "",
        A401, A401, A401, S201, A403, A403, S201, A403),
    # criteria sets and roadmap phases: the national coordinator's (or an administrator's);
    # roadmap items move by a coordinator of the area (tests/web/api/test_roadmap_api.py), never
    # by an editor
    ("POST", "/api/v1/criteria-sets", "",
        A401, A401, A401, A403, A403, A403, S201, A403),
    ("POST", "/api/v1/roadmap", "",
        A401, A401, A401, A403, A403, A403, S201, A403),
    ("PUT", "/api/v1/roadmap/<phase_id>", "",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("POST", "/api/v1/roadmap/<phase_id>/items/<target_id>/transitions", "",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("POST", "/api/v1/organizations", "",
        A401, A401, A401, A403, A403, A403, S201, A403),
    # an editor may change its organization's description, not its place in the federation
    ("PUT", "/api/v1/organizations/<org_id>", "descriptive",
        A401, A401, A401, S200, A403, A403, S200, A403),
    ("PUT", "/api/v1/organizations/<org_id>", "level",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("PUT", "/api/v1/organizations/<org_id>", "area",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("PUT", "/api/v1/organizations/<org_id>", "parent",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("PUT", "/api/v1/organizations/<org_id>", "uri",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("POST", "/api/v1/organizations/<org_id>/tokens", "",
        A401, A401, A401, A403, A403, A403, S201, A403),
    ("DELETE", "/api/v1/tokens/<token_id>", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    ("POST", "/api/v1/sources", "",
        A401, A401, A401, S201, A403, A403, S201, A403),
    ("PUT", "/api/v1/sources/<source_id>", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    ("DELETE", "/api/v1/sources/<source_id>", "",
        A401, A401, A401, S204, A403, A403, S204, A403),
    ("POST", "/api/v1/sources/<source_id>/harvest", "",
        A401, A401, A401, S202, A403, A403, S202, A403),
    ("POST", "/api/v1/sources/<source_id>/upload", "",
        A401, A401, A401, S202, A403, A403, S202, A403),
    ("POST", "/api/v1/harvest-jobs/<job_id>/cancel", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    ("POST", "/api/v1/harvest-jobs/<job_id>/held-deletions", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    # national service types: an administrator (or a national coordinator, tested in
    # tests/web/api/test_types_api.py); the agency confirms or rejects its record's type
    ("POST", "/api/v1/types", "",
        A401, A401, A401, A403, A403, A403, S201, A403),
    ("PUT", "/api/v1/types/<type_id>", "",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("DELETE", "/api/v1/types/<type_id>", "",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("POST", "/api/v1/types/<type_id>/retire", "",
        A401, A401, A401, A403, A403, A403, S200, A403),
    ("POST", "/api/v1/services/<service_id>/type", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    # resolving a review flag is the record's editor's (or an admin's)
    ("POST", "/api/v1/services/<service_id>/review", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    # checks a record without storing it: open to everyone, writes nothing
    ("POST", "/api/v1/validate", "",
        A200, A200, A200, A200, A200, A200, A200, A200),
    ("POST", "/publish/sign-in", "",
        A401, A401, A401, DASHBOARD, DASHBOARD, DASHBOARD, DASHBOARD, DASHBOARD),
    ("POST", "/publish/sign-out", "",
        HOME, HOME, HOME, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT),
    # an editor's form cannot name another authority: the service is its own organization's
    ("POST", "/publish/services/new", "",
        SIGN_IN, SIGN_IN, SIGN_IN, EDITOR, EDITOR, EDITOR, EDITOR, EDITOR),
    ("POST", "/publish/services/<service_id>/edit", "",
        SIGN_IN, SIGN_IN, SIGN_IN, EDITOR, A403, A403, EDITOR, A403),
    ("POST", "/publish/services/<service_id>/retire", "",
        SIGN_IN, SIGN_IN, SIGN_IN, DASHBOARD, A403, A403, DASHBOARD, A403),
    ("POST", "/publish/services/<service_id>/review", "",
        SIGN_IN, SIGN_IN, SIGN_IN, REVIEWED, A403, A403, REVIEWED, A403),
    # as for services: an editor's form writes its own organization's application
    ("POST", "/publish/applications/new", "",
        SIGN_IN, SIGN_IN, SIGN_IN, APP_EDITOR, APP_EDITOR, APP_EDITOR, APP_EDITOR, APP_EDITOR),
    ("POST", "/publish/applications/<app_id>/edit", "",
        SIGN_IN, SIGN_IN, SIGN_IN, APP_EDITOR, A403, A403, APP_EDITOR, A403),
    # the assessment form: the target's editor self-assesses, an administrator (or a
    # coordinator of the area: tests/web/portal/test_coordination.py) verifies
    ("POST", "/publish/assess/<kind>/<target_id>", "",
        SIGN_IN, SIGN_IN, SIGN_IN, ASSESSED, A403, A403, ASSESSED, A403),
    # the roadmap board's move form: coordinators of the area (tests/web/portal/
    # test_coordination.py) and administrators; never an editor
    ("POST", "/publish/roadmap/<phase_id>/items/<target_id>/move", "",
        SIGN_IN, SIGN_IN, SIGN_IN, A403, A403, A403, BOARD, A403),
    ("POST", "/publish/sources/<source_id>/harvest", "",
        SIGN_IN, SIGN_IN, SIGN_IN, JOB, A403, A403, JOB, A403),
    ("POST", "/publish/jobs/<job_id>/cancel", "",
        SIGN_IN, SIGN_IN, SIGN_IN, JOB, A403, A403, JOB, A403),
    ("POST", "/publish/jobs/<job_id>/held-deletions", "",
        SIGN_IN, SIGN_IN, SIGN_IN, JOB, A403, A403, JOB, A403),
    # declarations of service types (coordinators of the area may too: tests/registry and
    # tests/web/api/test_typecoverage.py, since the matrix has no coordinator caller)
    ("PUT", "/api/v1/organizations/<org_id>/types/<type_id>", "",
        A401, A401, A401, S200, A403, A403, S200, A403),
    ("DELETE", "/api/v1/organizations/<org_id>/types/<type_id>", "",
        A401, A401, A401, S204, A403, A403, S204, A403),
    ("POST", "/publish/types/<type_id>/declare", "",
        SIGN_IN, SIGN_IN, SIGN_IN, TYPES, A403, A403, TYPES, A403),
    ("POST", "/publish/types/<type_id>/withdraw", "",
        SIGN_IN, SIGN_IN, SIGN_IN, TYPES, A403, A403, TYPES, A403),
]
# fmt: on

CELLS = [
    (method, rule, variant, actor, expected)
    for method, rule, variant, *answers in ROWS
    for actor, expected in zip(ACTORS, answers, strict=True)
]


@dataclass
class Attempt:
    """One request of a cell: where it goes, what it sends, and how to see what it stored."""

    url: str
    body: dict[str, Any] | None = None  # JSON for the API, form fields for the portal
    data: bytes | None = None
    content_type: str | None = None
    browser: FlaskClient | None = None  # the portal's: a signed-in (or not) session
    csrf: str | None = None
    check: Callable[[Any], None] = lambda response: None
    cleanup: Callable[[], None] = field(default=lambda: None)


class World:
    """One database with the organizations, tokens and callers of the matrix. Each cell makes
    the targets it writes to (a service, a source, a job of OWNER), so cells never meet."""

    def __init__(self, app):
        self.app = app
        self.registry = app.extensions["simpul"]
        self.client = app.test_client()
        self.ids = itertools.count(1)
        self.tokens: dict[str, str | None] = {"anonymous": None}
        self.tables = MetaData()
        with self.registry.db.transaction() as session:
            self._organizations(session)
            for actor, org in ORG_OF.items():
                role = "admin" if actor == "admin" else "editor"
                self.tokens[actor] = create_token(session, org, role)[1]
            row, self.tokens["revoked"] = create_token(session, OWNER)
            revoke_token(session, row.id)
        self.tokens["garbage"] = "spl_aaaaaaaa_" + "x" * 43
        self.tables.reflect(self.registry.db.engine)

    @staticmethod
    def _organizations(session) -> None:
        for raw in (
            {"id": ADMIN_ORG, "name": {"id": "Kementerian Dalam Negeri"}, "level": "pusat"},
            {"id": PARENT, "name": {"id": "Pemerintah Provinsi Gorontalo"}, "level": "provinsi"}
            | {"area": "75"},
            {"id": OWNER, **OWNER_ORG},
            {"id": OTHER, "name": {"id": "Dinas Kesehatan Kabupaten Boalemo"}, "level": "kabkota"}
            | {"area": "75.02", "parent": PARENT},
        ):
            organizations.create_organization(session, raw)
        # OTHER federates a node of its own; the organizations that node knows are registered
        # here under OTHER, exactly as a simpul harvest registers them.
        sources.create_source(
            session,
            {
                "id": "simpul-boalemo",
                "organization": OTHER,
                "type": "simpul",
                "url": "https://simpul.boalemokab.go.id",
                "schedule": "manual",
            },
        )
        remote = [
            {
                "id": FEDERATED,
                "name": {"id": "Puskesmas Paguyaman"},
                "level": "kecamatan",
                "area": "75.02.01",
                "parent": "dinkes-boalemo-di-node-lain",  # unknown here: goes under OTHER
            }
        ]
        assert register_organizations(session, remote, OTHER).added == 1
        assert organizations.get_organization(session, FEDERATED).parent_id == OTHER

    # targets, made directly in the database by the operator (``system``)
    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self.ids)}"

    def service(self) -> tuple[str, str]:
        identifier = self.next_id("layanan")
        reg = self.registry
        with reg.db.transaction() as session:
            row, _ = services.publish(
                session,
                service_record(identifier, authority=OWNER),
                SYSTEM,
                base_uri=reg.base_uri,
                provenance=reg.provenance(SYSTEM, "api"),
            )
            return row.id, identifier

    def service_type(self) -> str:
        type_id = self.next_id("jenis")
        reg = self.registry
        with reg.db.transaction() as session:
            raw = _service_type(type_id)
            types.create_type(session, raw, SYSTEM, base_uri=reg.base_uri, provenance={})
        return type_id

    def flagged_service(self) -> str:
        """A service of OWNER linked to a type of its own, whose cost default then changed: the
        service waits for review."""
        reg, type_id = self.registry, self.next_id("jenis")
        kind = {"id": type_id, "name": {"id": "Jenis"}, "kind": "pencatatan"}
        kind |= {"applies_to": ["kabkota"], "defaults": {"cost": {"amount": 0}}}
        with reg.db.transaction() as session:
            types.create_type(session, kind, SYSTEM, base_uri=reg.base_uri, provenance={})
            row, _ = services.publish(
                session,
                service_record(self.next_id("layanan"), authority=OWNER, type=type_id),
                SYSTEM,
                base_uri=reg.base_uri,
                provenance={},
                types=reg.type_index(session),
            )
        kind["defaults"] = {"cost": {"amount": 5000}}
        with reg.db.transaction() as session:
            types.replace_type(session, type_id, kind, SYSTEM, base_uri="", provenance={})
        return row.id

    def application(self) -> tuple[str, str, str]:
        """An application of OWNER delivering a service of OWNER: (id, identifier, service)."""
        service_id, _ = self.service()
        identifier = self.next_id("aplikasi")
        reg = self.registry
        with reg.db.transaction() as session:
            row, _ = applications.publish(
                session,
                application_record(identifier, organization=OWNER, services=[service_id]),
                SYSTEM,
                base_uri=reg.base_uri,
                provenance=reg.provenance(SYSTEM, "api"),
            )
            return row.id, identifier, service_id

    def source(self, kind: str = "rdf") -> str:
        """A row as ``sources.create_source`` writes it (which spends ~0.1 s looking up
        harvester plugins; the matrix makes a hundred sources)."""
        source_id, now = self.next_id("sumber"), utcnow()
        url = "" if kind == "spreadsheet" else "https://data.gorontalokota.go.id/katalog.ttl"
        with self.registry.db.transaction() as session:
            session.add(
                HarvestSource(
                    id=source_id,
                    organization_id=OWNER,
                    type=kind,
                    url=url,
                    options={},
                    secrets={},
                    schedule="manual",
                    priority=0,
                    enabled=True,
                    state={},
                    created=now,
                    modified=now,
                )
            )
        return source_id

    def job(self, held: bool = False) -> str:
        source_id = self.source()
        with self.registry.db.transaction() as session:
            job, _ = jobs.queue(session, source_id)
            if held:
                job.status, job.finished = "finished", utcnow()
                job.held_status, job.held = "held", []
            return job.id

    def read(self, url: str) -> dict[str, Any]:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.get_json())
        return response.get_json()

    def job_row(self, job_id: str) -> HarvestJob:
        with self.registry.db.session() as session:
            return session.get(HarvestJob, job_id)

    def queued_jobs(self, source_id: str) -> list[HarvestJob]:
        with self.registry.db.session() as session:
            query = select(HarvestJob).where(
                HarvestJob.source_id == source_id, HarvestJob.status == "queued"
            )
            return list(session.scalars(query))

    def restore_owner(self) -> None:
        """Undo what a cell did to OWNER (a refused cell on a faulty build may have changed it)."""
        with self.registry.db.transaction() as session:
            row = organizations.get_organization(session, OWNER)
            now = organizations.organization_to_dict(row, "")
            if row.uri or any(now[key] != value for key, value in OWNER_ORG.items()):
                organizations.update_organization(session, OWNER, {"id": OWNER, **OWNER_ORG})

    def snapshot(self) -> dict[str, list[str]]:
        """Every row of every table (a token's last use is bookkeeping, not a write)."""
        out = {}
        with self.registry.db.engine.connect() as conn:
            for table in self.tables.sorted_tables:
                if table.name in BOOKKEEPING_TABLES:
                    continue
                names = [f'"{c.name}"' for c in table.columns if (table.name, c.name) != IGNORED]
                query = f'SELECT {", ".join(names)} FROM "{table.name}"'  # noqa: S608 (our schema)
                rows = conn.exec_driver_sql(query)
                out[table.name] = sorted(repr(tuple(row)) for row in rows)
        return out

    # callers
    def address(self) -> str:
        """A client address of its own, so that no per-address limit is shared between cells."""
        n = next(self.ids)
        return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    def headers(self, actor: str) -> dict[str, str]:
        token = self.tokens[actor]
        return {} if token is None else {"Authorization": f"Bearer {token}"}

    def browser(self, actor: str, sign_in: bool = True) -> tuple[FlaskClient, str]:
        """A browser of its own (cookies and client address), signed in with the caller's token
        as a person would; ``revoked`` signed in before its token was revoked and still holds the
        session cookie. Returns the browser and the CSRF token its forms carry."""
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = self.address()
        csrf = self.csrf(client)
        if not sign_in or actor == "anonymous":
            return client, csrf
        token = self.tokens[actor]
        revoked = None
        if actor == "revoked":
            with self.registry.db.transaction() as session:
                revoked, token = create_token(session, OWNER)
        answer = client.post("/publish/sign-in", data={"token": token, "csrf_token": csrf})
        assert answer.status_code == (401 if actor == "garbage" else 302), actor
        csrf = self.csrf(client)  # a new session has a new CSRF token
        if revoked is not None:
            with self.registry.db.transaction() as session:
                revoke_token(session, revoked.id)
        return client, csrf

    @staticmethod
    def csrf(client: FlaskClient) -> str:
        return csrf_of(client.get("/publish/sign-in").get_data(as_text=True))


SPECS: dict[tuple[str, str], Callable[[World, str, str], Attempt]] = {}


def spec(method: str, rule: str):
    def register(make: Callable[[World, str, str], Attempt]):
        SPECS[(method, rule)] = make
        return make

    return register


# the API
@spec("POST", "/api/v1/services")
def _publish(w: World, variant: str, actor: str) -> Attempt:
    identifier = w.next_id("layanan")

    def check(response):
        stored = w.read(response.headers["Location"])
        assert (stored["authority"], stored["identifier"]) == (OWNER, identifier)

    return Attempt("/api/v1/services", service_record(identifier, authority=OWNER), check=check)


@spec("PUT", "/api/v1/services/<service_id>")
def _replace(w: World, variant: str, actor: str) -> Attempt:
    service_id, identifier = w.service()

    def check(response):
        stored = w.read(f"/api/v1/services/{service_id}")
        assert (stored["version"], stored["processing_time"]) == (2, "P9D")

    body = service_record(identifier, authority=OWNER, processing_time="P9D")
    return Attempt(f"/api/v1/services/{service_id}", body, check=check)


@spec("DELETE", "/api/v1/services/<service_id>")
def _delete_service(w: World, variant: str, actor: str) -> Attempt:
    service_id, _ = w.service()

    def check(response):
        assert w.client.get(f"/api/v1/services/{service_id}").status_code == 410

    return Attempt(f"/api/v1/services/{service_id}", check=check)


@spec("POST", "/api/v1/applications")
def _publish_application(w: World, variant: str, actor: str) -> Attempt:
    service_id, _ = w.service()
    identifier = w.next_id("aplikasi")

    def check(response):
        stored = w.read(response.headers["Location"])
        assert (stored["organization"], stored["identifier"]) == (OWNER, identifier)
        assert stored["services"] == [service_id]

    body = application_record(identifier, organization=OWNER, services=[service_id])
    return Attempt("/api/v1/applications", body, check=check)


@spec("PUT", "/api/v1/applications/<app_id>")
def _replace_application(w: World, variant: str, actor: str) -> Attempt:
    app_id, identifier, service_id = w.application()

    def check(response):
        stored = w.read(f"/api/v1/applications/{app_id}")
        assert (stored["version"], stored["lifecycle"]) == (2, "dihentikan")

    body = application_record(identifier, services=[service_id], lifecycle="dihentikan")
    return Attempt(f"/api/v1/applications/{app_id}", body, check=check)


@spec("DELETE", "/api/v1/applications/<app_id>")
def _delete_application(w: World, variant: str, actor: str) -> Attempt:
    app_id, _, _ = w.application()

    def check(response):
        assert w.client.get(f"/api/v1/applications/{app_id}").status_code == 410

    return Attempt(f"/api/v1/applications/{app_id}", check=check)


@spec("POST", "/api/v1/assessments")
def _assess(w: World, variant: str, actor: str) -> Attempt:
    service_id, _ = w.service()
    codes = [c["code"] for c in criteria.shipped()["criteria"]]

    def check(response):
        stored = w.read(response.headers["Location"])
        assert stored["target"] == service_id and stored["verified"] is (actor == "admin")

    scores = dict.fromkeys(codes, {"score": 3, "evidence": "berita acara"})
    body = {"target_type": "service", "target": service_id, "scores": scores}
    return Attempt("/api/v1/assessments", body, check=check)


@spec("POST", "/api/v1/criteria-sets")
def _publish_criteria(w: World, variant: str, actor: str) -> Attempt:
    body = {**criteria.shipped(), "version": w.next_id("v")}

    def check(response):
        assert w.read(f"/api/v1/criteria-sets/{body['version']}")["version"] == body["version"]

    return Attempt("/api/v1/criteria-sets", body, check=check)


def _phase(w: World, phase_id: str) -> dict[str, Any]:
    return roadmap.default_phases(2027)[2] | {"id": phase_id, "number": 9}


@spec("POST", "/api/v1/roadmap")
def _create_phase(w: World, variant: str, actor: str) -> Attempt:
    body = _phase(w, w.next_id("fase"))

    def check(response):
        assert w.read(f"/api/v1/roadmap/{body['id']}")["scope"] == body["scope"]

    return Attempt("/api/v1/roadmap", body, check=check)


def _stored_phase(w: World) -> str:
    phase_id = w.next_id("fase")
    with w.registry.db.transaction() as session:
        roadmap.save_phase(
            session, _phase(w, phase_id) | {"scope": {"levels": ["kabkota"]}}, SYSTEM
        )
    return phase_id


@spec("PUT", "/api/v1/roadmap/<phase_id>")
def _replace_phase(w: World, variant: str, actor: str) -> Attempt:
    phase_id = _stored_phase(w)
    body = _phase(w, phase_id) | {"gate": {"min_class": "siap"}}

    def check(response):
        assert w.read(f"/api/v1/roadmap/{phase_id}")["gate"] == {"min_class": "siap"}

    return Attempt(f"/api/v1/roadmap/{phase_id}", body, check=check)


@spec("POST", "/api/v1/roadmap/<phase_id>/items/<target_id>/transitions")
def _move_item(w: World, variant: str, actor: str) -> Attempt:
    phase_id, (service_id, _) = _stored_phase(w), w.service()
    url = f"/api/v1/roadmap/{phase_id}/items/{service_id}"

    def check(response):
        assert w.read(url)["status"] == "tertunda"

    body = {"to": "tertunda", "reason": "anggaran belum tersedia"}
    return Attempt(f"{url}/transitions", body, check=check)


@spec("POST", "/publish/assess/<kind>/<target_id>")
def _assess_in_the_portal(w: World, variant: str, actor: str) -> Attempt:
    service_id, _ = w.service()
    browser, csrf = w.browser(actor)
    form = {}
    for c in criteria.shipped()["criteria"]:
        form |= {f"score-{c['code']}": "3", f"evidence-{c['code']}": "berita acara"}

    def check(response):
        stored = w.read(f"/api/v1/assessments?target={service_id}")["items"]
        assert [a["verified"] for a in stored] == [actor == "admin"]

    url = f"/publish/assess/service/{service_id}"
    return Attempt(url, form, browser=browser, csrf=csrf, check=check)


@spec("POST", "/publish/roadmap/<phase_id>/items/<target_id>/move")
def _move_from_board(w: World, variant: str, actor: str) -> Attempt:
    phase_id, (service_id, _) = _stored_phase(w), w.service()
    browser, csrf = w.browser(actor)

    def check(response):
        assert w.read(f"/api/v1/roadmap/{phase_id}/items/{service_id}")["status"] == "tertunda"

    body = {"to": "tertunda", "reason": "anggaran belum tersedia"}
    url = f"/publish/roadmap/{phase_id}/items/{service_id}/move"
    return Attempt(url, body, browser=browser, csrf=csrf, check=check)


@spec("POST", "/api/v1/organizations")
def _create_organization(w: World, variant: str, actor: str) -> Attempt:
    org_id = w.next_id("dinsos-kota-gorontalo")
    body = {"id": org_id, "name": {"id": "Dinas Sosial"}, "level": "kabkota", "area": "75.71"}
    body["parent"] = PARENT

    def check(response):
        assert w.read(f"/api/v1/organizations/{org_id}")["parent"] == PARENT

    return Attempt("/api/v1/organizations", body, check=check)


ORG_CHANGES = {
    "descriptive": {"homepage": "https://gorontalokota.go.id/dukcapil"},
    "level": {"level": "provinsi", "area": "75"},
    "area": {"area": "75.02"},
    "parent": {"parent": None},
    "uri": {"uri": "https://simpul.example.go.id/organizations/lain"},
}


@spec("PUT", "/api/v1/organizations/<org_id>")
def _update_organization(w: World, variant: str, actor: str) -> Attempt:
    name = {"id": f"Disdukcapil Kota Gorontalo ({w.next_id('versi')})"}
    body = {**OWNER_ORG, "name": name, **ORG_CHANGES[variant]}

    def check(response):
        stored = w.read(f"/api/v1/organizations/{OWNER}")
        assert {key: stored[key] for key in body} == body

    # whatever a cell did to OWNER is undone, so that the next cell starts from the same place
    return Attempt(f"/api/v1/organizations/{OWNER}", body, check=check, cleanup=w.restore_owner)


@spec("POST", "/api/v1/organizations/<org_id>/tokens")
def _create_token(w: World, variant: str, actor: str) -> Attempt:
    label = w.next_id("portal")

    def check(response):
        made = response.get_json()
        with w.registry.db.session() as session:
            row = session.get(ApiToken, made["id"])
            assert (row.organization_id, row.label) == (OWNER, label)

    return Attempt(f"/api/v1/organizations/{OWNER}/tokens", {"label": label}, check=check)


@spec("DELETE", "/api/v1/tokens/<token_id>")
def _revoke(w: World, variant: str, actor: str) -> Attempt:
    with w.registry.db.transaction() as session:
        token_id = create_token(session, OWNER)[0].id

    def check(response):
        with w.registry.db.session() as session:
            assert session.get(ApiToken, token_id).revoked_at is not None

    return Attempt(f"/api/v1/tokens/{token_id}", check=check)


@spec("POST", "/api/v1/sources")
def _create_source(w: World, variant: str, actor: str) -> Attempt:
    source_id = w.next_id("sumber")
    body = {"id": source_id, "organization": OWNER, "type": "rdf", "schedule": "manual"}
    body["url"] = "https://data.gorontalokota.go.id/katalog.ttl"

    def check(response):
        assert w.read(f"/api/v1/sources/{source_id}")["organization"] == OWNER

    return Attempt("/api/v1/sources", body, check=check)


@spec("PUT", "/api/v1/sources/<source_id>")
def _update_source(w: World, variant: str, actor: str) -> Attempt:
    source_id = w.source()

    def check(response):
        assert w.read(f"/api/v1/sources/{source_id}")["priority"] == 7

    return Attempt(f"/api/v1/sources/{source_id}", {"priority": 7}, check=check)


@spec("DELETE", "/api/v1/sources/<source_id>")
def _delete_source(w: World, variant: str, actor: str) -> Attempt:
    source_id = w.source()

    def check(response):
        assert w.client.get(f"/api/v1/sources/{source_id}").status_code == 404

    return Attempt(f"/api/v1/sources/{source_id}", check=check)


def _queued(w: World, source_id: str) -> Callable[[Any], None]:
    def check(response):
        assert len(w.queued_jobs(source_id)) == 1

    return check


@spec("POST", "/api/v1/sources/<source_id>/harvest")
def _queue(w: World, variant: str, actor: str) -> Attempt:
    source_id = w.source()
    return Attempt(f"/api/v1/sources/{source_id}/harvest", check=_queued(w, source_id))


@spec("POST", "/api/v1/sources/<source_id>/upload")
def _upload(w: World, variant: str, actor: str) -> Attempt:
    source_id = w.source("spreadsheet")
    inventory = b"Nama Layanan,Persyaratan\nSurat Keterangan Domisili,KTP\n"
    return Attempt(
        f"/api/v1/sources/{source_id}/upload",
        data=inventory,
        content_type="text/csv",
        check=_queued(w, source_id),
    )


def _job_status(w: World, job_id: str, column: str, value: str) -> Callable[[Any], None]:
    def check(response):
        assert getattr(w.job_row(job_id), column) == value

    return check


@spec("POST", "/api/v1/harvest-jobs/<job_id>/cancel")
def _cancel(w: World, variant: str, actor: str) -> Attempt:
    job_id = w.job()
    check = _job_status(w, job_id, "status", "cancelled")
    return Attempt(f"/api/v1/harvest-jobs/{job_id}/cancel", check=check)


@spec("POST", "/api/v1/harvest-jobs/<job_id>/held-deletions")
def _review(w: World, variant: str, actor: str) -> Attempt:
    job_id = w.job(held=True)
    check = _job_status(w, job_id, "held_status", "discarded")
    return Attempt(
        f"/api/v1/harvest-jobs/{job_id}/held-deletions", {"action": "discard"}, check=check
    )


def _service_type(type_id: str) -> dict[str, Any]:
    return {
        "id": type_id,
        "name": {"id": "Penerbitan Akta Kelahiran"},
        "kind": "pencatatan",
        "applies_to": ["kabkota"],
        "defaults": {"processing_time": "P1D"},
    }


@spec("POST", "/api/v1/types")
def _create_type(w: World, variant: str, actor: str) -> Attempt:
    type_id = w.next_id("jenis")

    def check(response):
        assert w.read(f"/api/v1/types/{type_id}")["version"] == 1

    return Attempt("/api/v1/types", _service_type(type_id), check=check)


@spec("PUT", "/api/v1/types/<type_id>")
def _replace_type(w: World, variant: str, actor: str) -> Attempt:
    type_id = w.service_type()
    body = {**_service_type(type_id), "defaults": {"processing_time": "P9D"}}

    def check(response):
        stored = w.read(f"/api/v1/types/{type_id}")
        assert (stored["version"], stored["defaults"]["processing_time"]) == (2, "P9D")

    return Attempt(f"/api/v1/types/{type_id}", body, check=check)


@spec("DELETE", "/api/v1/types/<type_id>")
def _delete_type(w: World, variant: str, actor: str) -> Attempt:
    type_id = w.service_type()

    def check(response):
        assert w.client.get(f"/api/v1/types/{type_id}").status_code == 410

    return Attempt(f"/api/v1/types/{type_id}", check=check)


@spec("POST", "/api/v1/types/<type_id>/retire")
def _retire_type(w: World, variant: str, actor: str) -> Attempt:
    type_id, successor = w.service_type(), w.service_type()

    def check(response):
        gone = w.client.get(f"/api/v1/types/{type_id}")
        assert (gone.status_code, gone.get_json()["superseded_by"]) == (410, successor)

    body = {"superseded_by": successor}
    return Attempt(f"/api/v1/types/{type_id}/retire", body, check=check)


@spec("POST", "/api/v1/services/<service_id>/type")
def _confirm_type(w: World, variant: str, actor: str) -> Attempt:
    service_id, type_id = w.service()[0], w.service_type()

    def check(response):
        stored = w.read(f"/api/v1/services/{service_id}")
        assert (stored["type"], stored["type_link"]["method"]) == (type_id, "manual")

    return Attempt(f"/api/v1/services/{service_id}/type", {"confirm": type_id}, check=check)


def _resolved(w: World, service_id: str) -> Callable[[Any], None]:
    def check(response):
        review = w.read(f"/api/v1/services/{service_id}/review")
        assert (review["pending"], review["review"]["status"]) == (False, "confirmed")

    return check


@spec("POST", "/api/v1/services/<service_id>/review")
def _resolve(w: World, variant: str, actor: str) -> Attempt:
    service_id = w.flagged_service()
    url = f"/api/v1/services/{service_id}/review"
    return Attempt(url, {"action": "confirm"}, check=_resolved(w, service_id))


@spec("POST", "/api/v1/validate")
def _validate(w: World, variant: str, actor: str) -> Attempt:
    return Attempt("/api/v1/validate", service_record(w.next_id("cek"), authority=OWNER))


# declarations of service types
DECLARED_TYPE = "akta-kelahiran"


def _declared(w: World) -> str:
    """OWNER's declaration of DECLARED_TYPE (the type made on first use); its reason."""
    reason = w.next_id("bukan-kewenangan")
    with w.registry.db.transaction() as session:
        if session.get(ServiceType, DECLARED_TYPE) is None:
            raw = {"id": DECLARED_TYPE, "name": {"id": "Penerbitan Akta Kelahiran"}}
            raw |= {"kind": "pencatatan", "applies_to": ["kabkota"]}
            types.create_type(session, raw, SYSTEM, base_uri=w.registry.base_uri, provenance={})
        body = {"status": "not-offered", "reason": {"id": reason}}
        declarations.declare(session, OWNER, DECLARED_TYPE, body, SYSTEM)
    return reason


def _declaration_check(w: World, reason: str | None) -> Callable[[Any], None]:
    def check(response):
        with w.registry.db.session() as session:
            row = session.get(TypeDeclaration, (OWNER, DECLARED_TYPE))
            assert (row.reason["id"] if row else None) == reason

    return check


@spec("PUT", "/api/v1/organizations/<org_id>/types/<type_id>")
def _declare(w: World, variant: str, actor: str) -> Attempt:
    _declared(w)
    reason = w.next_id("dilayani-kecamatan")
    body = {"status": "not-offered", "reason": {"id": reason}}
    url = f"/api/v1/organizations/{OWNER}/types/{DECLARED_TYPE}"
    return Attempt(url, body, check=_declaration_check(w, reason))


@spec("DELETE", "/api/v1/organizations/<org_id>/types/<type_id>")
def _withdraw(w: World, variant: str, actor: str) -> Attempt:
    _declared(w)
    url = f"/api/v1/organizations/{OWNER}/types/{DECLARED_TYPE}"
    return Attempt(url, check=_declaration_check(w, None))


@spec("POST", "/publish/types/<type_id>/declare")
def _portal_declare(w: World, variant: str, actor: str) -> Attempt:
    _declared(w)
    reason = w.next_id("dilayani-kecamatan")
    fields = {"org": OWNER, "status": "not-offered", "reason.id": reason}
    url = f"/publish/types/{DECLARED_TYPE}/declare"
    return _portal(w, actor, url, fields, _declaration_check(w, reason))


@spec("POST", "/publish/types/<type_id>/withdraw")
def _portal_withdraw(w: World, variant: str, actor: str) -> Attempt:
    _declared(w)
    url = f"/publish/types/{DECLARED_TYPE}/withdraw"
    return _portal(w, actor, url, {"org": OWNER}, _declaration_check(w, None))


# the portal
def _portal(w: World, actor: str, url: str, fields: dict[str, Any], check=None) -> Attempt:
    browser, csrf = w.browser(actor)
    return Attempt(url, fields, browser=browser, csrf=csrf, check=check or (lambda response: None))


@spec("POST", "/publish/sign-in")
def _sign_in(w: World, variant: str, actor: str) -> Attempt:
    browser, csrf = w.browser(actor, sign_in=False)
    token = w.tokens[actor] or ""

    def check(response):
        page = browser.get("/publish")
        assert page.status_code == 200
        assert f"/organizations/{ORG_OF[actor]}" in page.get_data(as_text=True)

    return Attempt("/publish/sign-in", {"token": token}, browser=browser, csrf=csrf, check=check)


@spec("POST", "/publish/sign-out")
def _sign_out(w: World, variant: str, actor: str) -> Attempt:
    browser, csrf = w.browser(actor)
    cookie = browser.get_cookie("simpul_session")

    def check(response):
        assert browser.get("/publish").status_code == 302
        # the session ends on the server too: the cookie from before, sent again, opens nothing
        replay = w.app.test_client()
        replay.set_cookie("simpul_session", cookie.value)
        assert replay.get("/publish").status_code == 302

    return Attempt("/publish/sign-out", {}, browser=browser, csrf=csrf, check=check)


def _edited_service(response) -> str:
    return re.search(r"/publish/services/([^/]+)/edit", response.headers["Location"]).group(1)


@spec("POST", "/publish/services/new")
def _portal_create(w: World, variant: str, actor: str) -> Attempt:
    identifier = w.next_id("layanan-portal")
    fields = {"identifier": identifier, "name.id": "Surat Keterangan Domisili", "authority": OWNER}
    writes_for = OWNER if actor in ("owner", "admin") else ORG_OF.get(actor)

    def check(response):
        stored = w.read(f"/api/v1/services/{_edited_service(response)}")
        assert (stored["authority"], stored["identifier"]) == (writes_for, identifier)

    return _portal(w, actor, "/publish/services/new", fields, check)


@spec("POST", "/publish/services/<service_id>/edit")
def _portal_edit(w: World, variant: str, actor: str) -> Attempt:
    service_id, identifier = w.service()
    fields = {"identifier": identifier, "name.id": "Akta Kelahiran (diubah lewat portal)"}

    def check(response):
        assert _edited_service(response) == service_id
        stored = w.read(f"/api/v1/services/{service_id}")
        assert (stored["version"], stored["name"]["id"]) == (2, fields["name.id"])

    return _portal(w, actor, f"/publish/services/{service_id}/edit", fields, check)


@spec("POST", "/publish/services/<service_id>/retire")
def _portal_retire(w: World, variant: str, actor: str) -> Attempt:
    service_id, _ = w.service()

    def check(response):
        assert w.client.get(f"/api/v1/services/{service_id}").status_code == 410

    return _portal(w, actor, f"/publish/services/{service_id}/retire", {}, check)


@spec("POST", "/publish/services/<service_id>/review")
def _portal_resolve(w: World, variant: str, actor: str) -> Attempt:
    service_id = w.flagged_service()
    url = f"/publish/services/{service_id}/review"
    return _portal(w, actor, url, {"action": "confirm"}, _resolved(w, service_id))


@spec("POST", "/publish/applications/new")
def _portal_create_application(w: World, variant: str, actor: str) -> Attempt:
    identifier = w.next_id("aplikasi-portal")
    fields = {"identifier": identifier, "name_id": "Aplikasi Portal", "organization": OWNER}
    writes_for = OWNER if actor in ("owner", "admin") else ORG_OF.get(actor)

    def check(response):
        app_id = re.search(r"/publish/applications/([^/]+)/edit", response.headers["Location"])
        stored = w.read(f"/api/v1/applications/{app_id.group(1)}")
        assert (stored["organization"], stored["identifier"]) == (writes_for, identifier)

    return _portal(w, actor, "/publish/applications/new", fields, check)


@spec("POST", "/publish/applications/<app_id>/edit")
def _portal_edit_application(w: World, variant: str, actor: str) -> Attempt:
    app_id, _, service_id = w.application()
    fields = {"name_id": "Aplikasi (diubah lewat portal)", "services": service_id}

    def check(response):
        stored = w.read(f"/api/v1/applications/{app_id}")
        assert (stored["version"], stored["name"]) == (2, {"id": fields["name_id"]})
        assert stored["services"] == [service_id]

    return _portal(w, actor, f"/publish/applications/{app_id}/edit", fields, check)


@spec("POST", "/publish/sources/<source_id>/harvest")
def _portal_queue(w: World, variant: str, actor: str) -> Attempt:
    source_id = w.source()
    return _portal(w, actor, f"/publish/sources/{source_id}/harvest", {}, _queued(w, source_id))


@spec("POST", "/publish/jobs/<job_id>/cancel")
def _portal_cancel(w: World, variant: str, actor: str) -> Attempt:
    job_id = w.job()
    check = _job_status(w, job_id, "status", "cancelled")
    return _portal(w, actor, f"/publish/jobs/{job_id}/cancel", {}, check)


@spec("POST", "/publish/jobs/<job_id>/held-deletions")
def _portal_review(w: World, variant: str, actor: str) -> Attempt:
    job_id = w.job(held=True)
    check = _job_status(w, job_id, "held_status", "discarded")
    return _portal(w, actor, f"/publish/jobs/{job_id}/held-deletions", {"action": "discard"}, check)


def send(w: World, method: str, actor: str, attempt: Attempt):
    if attempt.browser is not None:
        form = {**(attempt.body or {}), "csrf_token": attempt.csrf}
        return attempt.browser.open(attempt.url, method=method, data=form)
    w.client.environ_base["REMOTE_ADDR"] = w.address()
    options: dict[str, Any] = {"method": method, "headers": w.headers(actor)}
    if attempt.data is not None:
        options.update(data=attempt.data, content_type=attempt.content_type)
    elif attempt.body is not None:
        options["json"] = attempt.body
    return w.client.open(attempt.url, **options)


@pytest.fixture(scope="module")
def world(request, tmp_path_factory, sqlite_template):
    """One app and database per kind of database, shared by the cells of this module."""
    folder = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, folder / "simpul.db")
        url = f"sqlite:///{folder / 'simpul.db'}"
    else:
        url = request.getfixturevalue("postgres_session").new_database()
    with running_app(url, folder) as app:
        yield World(app)


def write_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) & WRITE_METHODS
    }


@pytest.mark.parametrize("world", ["sqlite"], indirect=True, scope="module")
def test_every_write_route_has_rows_and_every_row_a_route(world):
    routes = write_routes(world.app)
    table = {(method, rule) for method, rule, *_ in ROWS}
    assert not routes - table, f"write routes without rows in the matrix: {routes - table}"
    assert not table - routes, f"rows whose route is gone: {table - routes}"
    assert set(SPECS) == table, "every route of the matrix needs a way to try it (SPECS)"


def cell_id(method: str, rule: str, variant: str, actor: str, expected) -> str:
    return f"{method} {rule}{' ' + variant if variant else ''} {actor}"


CELL_NAMES = ("method", "rule", "variant", "actor", "expected")
# Every cell on SQLite; on PostgreSQL half of the callers, which still try every route with a
# success, a refusal for a stranger and one for a dead token.
POSTGRES_SAMPLE = ("revoked", "owner", "admin", "federated")


@pytest.mark.postgresql
@pytest.mark.parametrize("world", ["postgresql"], indirect=True, scope="module")
@pytest.mark.parametrize(
    CELL_NAMES,
    [cell for cell in CELLS if cell[3] in POSTGRES_SAMPLE],
    ids=[cell_id(*cell) for cell in CELLS if cell[3] in POSTGRES_SAMPLE],
)
def test_cell_on_postgresql(world, method, rule, variant, actor, expected):
    run_cell(world, method, actor, variant, rule, expected)


@pytest.mark.parametrize("world", ["sqlite"], indirect=True, scope="module")
@pytest.mark.parametrize(CELL_NAMES, CELLS, ids=[cell_id(*cell) for cell in CELLS])
def test_cell(world, method, rule, variant, actor, expected):
    run_cell(world, method, actor, variant, rule, expected)


def run_cell(world: World, method: str, actor: str, variant: str, rule: str, expected) -> None:
    """Try one cell: the answer, then the database (untouched, or holding the write)."""
    attempt = SPECS[(method, rule)](world, variant, actor)
    try:
        before = world.snapshot() if isinstance(expected, Unchanged) else None
        response = send(world, method, actor, attempt)
        body = response.get_data(as_text=True)[:300]
        assert response.status_code == expected.status, (actor, response.status_code, body)
        if expected.location is not None:
            location = response.headers.get("Location", "")
            assert re.fullmatch(expected.location, location), (actor, location)
        if before is not None:
            after = world.snapshot()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            assert not changed, f"a refused {method} by {actor} changed the database: {changed}"
        else:
            attempt.check(response)
    finally:
        attempt.cleanup()
