"""Storage model. The database is the source of truth; every other view (search index, RDF,
change feed) is derived from these tables.

- ``organizations``: publishers; their level and area fix the level of their services.
- ``services``: the current state of each record (live, or a tombstone when ``deleted_at`` is set).
- ``service_versions``: every state a record ever had, with who changed it and when.
- ``changes``: an append-only log written in the same transaction as the record. It is the outbox
  that feeds the search index and the change feed other nodes harvest.
- ``api_tokens``: hashed bearer tokens per organization.
- ``harvest_sources``, ``harvest_jobs``, ``harvest_records``, ``harvest_errors``: the remote
  catalogs Simpul harvests, each run of one, the fetched original of every remote record beside
  the service it became, and what went wrong per record.
- ``service_types``, ``service_type_versions``: the national list of service types (jenis
  layanan) that local services instantiate, with every version; ``type_declarations``: what an
  organization says of a type it does not offer itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, VARCHAR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
# SQLite only auto-increments INTEGER PRIMARY KEY columns.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)
# Area codes compared as ranges ('75' <= code < '75/'): byte order on PostgreSQL too, whose
# locale collations ignore punctuation.
AreaCode = String(16).with_variant(VARCHAR(16, collation="C"), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[dict[str, str]] = mapped_column(Json)
    level: Mapped[str] = mapped_column(String(12), index=True)
    area: Mapped[str | None] = mapped_column(String(16), index=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    uri: Mapped[str | None] = mapped_column(String(500))
    homepage: Mapped[str | None] = mapped_column(String(500))
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("authority", "identifier", name="uq_services_authority_identifier"),
        Index("ix_services_live_modified", "deleted_at", "modified"),
        # completeness per organization (portal, audit) from the index alone
        Index("ix_services_completeness", "deleted_at", "authority", "completeness"),
        # instances of a type (coverage, comparison, review flags, grouping); the coverage
        # counts of live active instances by authority from the index alone
        Index("ix_services_type_coverage", "type_id", "deleted_at", "status", "authority"),
        Index("ix_services_review", "review_status", "authority"),
        # the checklist counts of every organization of an area from the index alone
        Index(
            "ix_services_checklist",
            "deleted_at",
            "authority",
            "chores",
            "modified",
            "type_id",
            "review_status",
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uri: Mapped[str] = mapped_column(String(500), unique=True)
    # Looked up through the unique (authority, identifier) index; no index of its own, which
    # planners would pick for bulk lookups and then scan a whole authority.
    authority: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    identifier: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(12))
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)
    deleted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    provenance: Mapped[dict[str, Any]] = mapped_column(Json)
    # how many of the 14 components of the service standard the record has (quality.present),
    # kept so that completeness per organization is one aggregate query
    completeness: Mapped[int | None] = mapped_column(SmallInteger)
    # The national service type the record instantiates: the agency's own ``type`` (manual) or
    # one the matcher chose (automatic, with its score in ``type_score``).
    type_id: Mapped[str | None] = mapped_column(String(100))
    type_link: Mapped[str | None] = mapped_column(String(12))  # manual, automatic
    type_score: Mapped[float | None] = mapped_column(Float)
    # A pending review after the type changed: {"status", "since", "type_version", ...}
    review: Mapped[dict[str, Any] | None] = mapped_column(Json)
    review_status: Mapped[str | None] = mapped_column(String(16))
    # housekeeping bits of the record (quality.chores): no reachable channel, no English
    chores: Mapped[int | None] = mapped_column(SmallInteger)


class ServiceVersion(Base):
    __tablename__ = "service_versions"
    __table_args__ = (UniqueConstraint("service_id", "version", name="uq_service_versions_sv"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))  # created, updated, deleted, restored
    # The content at this version; NULL while it is the record's current content (services.data).
    data: Mapped[dict[str, Any] | None] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp)


class Change(Base):
    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(32), index=True)  # or the application's id
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(Timestamp)
    # what changed: a service, or an application (migration 0020)
    kind: Mapped[str] = mapped_column(String(12), server_default="service", default="service")
    # PostgreSQL: id of the writing transaction (server default), see migration 0002
    txid: Mapped[int | None] = mapped_column(BigInteger)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(12))
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(Timestamp)
    last_used: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


class HarvestSource(Base):
    __tablename__ = "harvest_sources"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    type: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(2000))
    options: Mapped[dict[str, Any]] = mapped_column(Json)
    # Credentials for the remote (API keys, passwords): used when fetching, never returned.
    secrets: Mapped[dict[str, Any]] = mapped_column(Json)
    schedule: Mapped[str] = mapped_column(String(40))  # ISO 8601 duration or "manual"
    priority: Mapped[int] = mapped_column(Integer)  # higher wins when two sources disagree
    enabled: Mapped[bool] = mapped_column(Boolean)
    # What incremental runs need: newest remote modification seen, HTTP validators, last full run.
    state: Mapped[dict[str, Any]] = mapped_column(Json)
    next_run_at: Mapped[datetime | None] = mapped_column(Timestamp, index=True)
    last_job_id: Mapped[str | None] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)


class HarvestJob(Base):
    __tablename__ = "harvest_jobs"
    __table_args__ = (Index("ix_harvest_jobs_source_created", "source_id", "created"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("harvest_sources.id", ondelete="CASCADE"))
    # queued, running, then one final state: finished, incomplete (the source broke part way),
    # failed, timed_out, interrupted (the process died), cancelled
    status: Mapped[str] = mapped_column(String(12), index=True)
    mode: Mapped[str] = mapped_column(String(12))  # full, incremental, retransform
    created: Mapped[datetime] = mapped_column(Timestamp)
    started: Mapped[datetime | None] = mapped_column(Timestamp)
    finished: Mapped[datetime | None] = mapped_column(Timestamp)
    heartbeat: Mapped[datetime | None] = mapped_column(Timestamp)
    worker: Mapped[str | None] = mapped_column(String(200))
    counts: Mapped[dict[str, int]] = mapped_column(Json)
    gaps: Mapped[dict[str, int]] = mapped_column(Json)  # missing field -> number of records
    message: Mapped[str | None] = mapped_column(String(4000))
    # Deletions held for review: service ids, and what became of them (held/applied/discarded)
    held: Mapped[list[str] | None] = mapped_column(Json)
    held_status: Mapped[str | None] = mapped_column(String(12))


class HarvestRecord(Base):
    """One remote record of one source: its stable key, the original as fetched, and the
    service it became (None when it could not be imported)."""

    __tablename__ = "harvest_records"
    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_harvest_records_source_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("harvest_sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(1000))
    uri: Mapped[str | None] = mapped_column(String(1000), index=True)
    service_id: Mapped[str | None] = mapped_column(String(32), index=True)
    original: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(100))
    original_hash: Mapped[str] = mapped_column(String(64))
    mapping_version: Mapped[str] = mapped_column(String(64))
    # ok, error (not imported), shadowed (another source or a hand edit wins), gone (vanished)
    status: Mapped[str] = mapped_column(String(12))
    gaps: Mapped[list[str] | None] = mapped_column(Json)
    errors: Mapped[list[str] | None] = mapped_column(Json)
    fetched_at: Mapped[datetime] = mapped_column(Timestamp)
    seen_job_id: Mapped[str] = mapped_column(String(32))


class HarvestError(Base):
    __tablename__ = "harvest_errors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(
        ForeignKey("harvest_jobs.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str | None] = mapped_column(String(1000))
    # gather, fetch, transform (the record was not imported), duplicate, note (imported, but
    # something was dropped or is worth knowing)
    stage: Mapped[str] = mapped_column(String(12))
    message: Mapped[str] = mapped_column(String(4000))


class IntegrationApi(Base):
    """The integration inventory: APIs found on an API gateway (SPLP). A linked API is also an
    ``api`` channel of the service it serves; an unlinked one waits here to be assessed."""

    __tablename__ = "integration_apis"
    __table_args__ = (
        UniqueConstraint("source_id", "key", name="uq_integration_apis_source_key"),
        Index("ix_integration_apis_service_key", "service_authority", "service_identifier"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("harvest_sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))  # the gateway's id of the API
    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[str | None] = mapped_column(String(100))
    context: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(4000))
    provider: Mapped[str | None] = mapped_column(String(200))
    gateway_url: Mapped[str | None] = mapped_column(String(1000))
    operations: Mapped[int] = mapped_column(Integer)
    openapi_version: Mapped[str | None] = mapped_column(String(20))
    # linked: an api channel of (service_authority, service_identifier); unlinked; gone
    status: Mapped[str] = mapped_column(String(12), index=True)
    service_authority: Mapped[str | None] = mapped_column(String(100))
    service_identifier: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(200))  # what the mapping rule gave
    modified: Mapped[datetime] = mapped_column(Timestamp)


class Rendering(Base):
    """A record's own RDF as a writer rendered it, kept so whole-catalog exports copy text
    instead of rendering again; ``key`` says what it was rendered from (stale when it differs)."""

    __tablename__ = "renderings"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    fmt: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    refs: Mapped[list[str]] = mapped_column(Json)


class PortalSession(Base):
    """The server's half of a signed-in portal session: the cookie carries a random secret, this
    row its SHA-256. Signing out deletes the row, so a copied cookie is worthless afterwards."""

    __tablename__ = "portal_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[str] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    created: Mapped[datetime] = mapped_column(Timestamp)
    expires: Mapped[datetime] = mapped_column(Timestamp, index=True)


class ServiceType(Base):
    """A national service type (jenis layanan): what local services instantiate. ``data`` holds
    the record as the coordinator published it (names, kind, sectors, where it applies and is
    mandatory, legal basis, default texts of the citizen-facing components)."""

    __tablename__ = "service_types"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    uri: Mapped[str] = mapped_column(String(500), unique=True)
    status: Mapped[str] = mapped_column(String(12))  # active, retired
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    # the version whose change was functional (a component, legal basis, kind or scope changed)
    functional_version: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)
    retired_at: Mapped[datetime | None] = mapped_column(Timestamp)
    provenance: Mapped[dict[str, Any]] = mapped_column(Json)


class ServiceTypeVersion(Base):
    __tablename__ = "service_type_versions"
    __table_args__ = (UniqueConstraint("type_id", "version", name="uq_service_type_versions_tv"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type_id: Mapped[str] = mapped_column(ForeignKey("service_types.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))  # created, updated, retired, restored
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    functional: Mapped[bool] = mapped_column(Boolean)
    changed: Mapped[list[str]] = mapped_column(Json)  # the sections that changed
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp)


class TypeDeclaration(Base):
    """An organization's word on a type it does not offer itself: ``not-offered`` (with a
    reason) or ``covered`` by another organization."""

    __tablename__ = "type_declarations"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    type_id: Mapped[str] = mapped_column(
        ForeignKey("service_types.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(12))  # not-offered, covered
    reason: Mapped[dict[str, str] | None] = mapped_column(Json)
    covered_by: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp)


class Application(Base):
    """An application (aplikasi) behind e-services, owned by one organization; ``data`` holds
    the record as published, the columns what lists filter on."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("organization_id", "identifier", name="uq_applications_org_identifier"),
        Index("ix_applications_live_modified", "deleted_at", "modified"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uri: Mapped[str] = mapped_column(String(500), unique=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    identifier: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))  # active; deleted once tombstoned
    kind: Mapped[str | None] = mapped_column(String(12), index=True)
    lifecycle: Mapped[str | None] = mapped_column(String(16), index=True)
    splp_status: Mapped[str | None] = mapped_column(String(12), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)
    deleted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    provenance: Mapped[dict[str, Any]] = mapped_column(Json)


class ApplicationVersion(Base):
    __tablename__ = "application_versions"
    __table_args__ = (
        UniqueConstraint("application_id", "version", name="uq_application_versions_av"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))  # created, updated, deleted, restored
    # The content at this version; NULL while it is the application's current content.
    data: Mapped[dict[str, Any] | None] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp)


class ApplicationService(Base):
    """A service an application delivers (many to many; both belong to one organization)."""

    __tablename__ = "application_services"
    __table_args__ = (Index("ix_application_services_service", "service_id", "application_id"),)

    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[str] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )


class ReportAuthority(Base):
    """Counts over one authority's live active services (``registry/areacoverage.py``),
    refreshed from the change log."""

    __tablename__ = "report_authorities"

    organization_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    services: Mapped[int] = mapped_column(Integer)
    completeness: Mapped[int] = mapped_column(BigInteger)  # sum of the components present
    stale: Mapped[int] = mapped_column(Integer)  # unchanged for 12 months
    integration: Mapped[dict[str, int]] = mapped_column(Json)  # status -> services


class ReportTypeCount(Base):
    """Live active services of one authority linked to one type (``registry/typecounts.py``),
    with the authority's coverage unit copied in (its level, and its area or, for a central
    organization, its id) so a summary counts units without reading the organizations."""

    __tablename__ = "report_type_counts"
    __table_args__ = (
        Index("ix_report_type_counts_unit", "type_id", "level", "valid", "unit"),
        Index("ix_report_type_counts_org", "organization_id"),
    )

    type_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(String(100))
    valid: Mapped[bool] = mapped_column(Boolean)  # the unit is a Kemendagri area of its level
    services: Mapped[int] = mapped_column(Integer)


class ReportChores(Base):
    """The housekeeping counts of one authority's live records (``registry/checklists.py``),
    refreshed from the change log with the coverage figures."""

    __tablename__ = "report_chores"

    organization_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    counts: Mapped[dict[str, int]] = mapped_column(Json)  # services and each record task


class ReportArea(Base):
    """The coverage figures of one area (``00``: the nation), rolled up from the authorities."""

    __tablename__ = "report_areas"

    area: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent: Mapped[str | None] = mapped_column(String(16), index=True)
    figures: Mapped[dict[str, Any]] = mapped_column(Json)


class ReportState(Base):
    __tablename__ = "report_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(Json)


class ReportSnapshot(Base):
    """The coverage figures of one area on one day (``simpul report snapshot``)."""

    __tablename__ = "report_snapshots"

    area: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    figures: Mapped[dict[str, Any]] = mapped_column(Json)


class ReportedSnapshot(Base):
    """The coverage figures of one area on one day as a child node reported them (harvested by a
    ``simpul`` source), kept beside this node's own and never recomputed here."""

    __tablename__ = "report_snapshots_reported"
    __table_args__ = (Index("ix_report_snapshots_reported_area", "area", "day"),)

    source_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    area: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    node: Mapped[str | None] = mapped_column(String(200))
    figures: Mapped[dict[str, Any]] = mapped_column(Json)
    received: Mapped[datetime] = mapped_column(Timestamp)


class Link(Base):
    """A distinct URL of the live records and what the last checks said of it
    (``simpul links check``). It fails after 2 consecutive failures at least a day apart."""

    __tablename__ = "links"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the URL
    url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[int | None] = mapped_column(Integer)  # the last HTTP status
    error: Mapped[str | None] = mapped_column(String(1000))  # why the last check failed
    checked_at: Mapped[datetime | None] = mapped_column(Timestamp, index=True)
    failures: Mapped[int] = mapped_column(Integer)  # consecutive
    failing_since: Mapped[datetime | None] = mapped_column(Timestamp)
    ok_at: Mapped[datetime | None] = mapped_column(Timestamp)


class LinkRef(Base):
    """Where a link appears: a field of a live service, or an organization's homepage.
    Rebuilt from the records at each check."""

    __tablename__ = "link_refs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(200))


class CriteriaSet(Base):
    """A version of the readiness criteria (``reference/data/assessment-criteria-v1.json`` ships
    as ``v1``); the national coordinator publishes replacements. The newest is the current one."""

    __tablename__ = "criteria_sets"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    actor: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(Timestamp)


class Assessment(Base):
    """A readiness assessment (asesmen kesiapan integrasi) of a service or an application.
    Append-only: never updated; the latest verified one of a target is what gates use."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_target", "target_id", "verified", "id"),
        Index("ix_assessments_area", "area", "id"),
        Index("ix_assessments_organization", "organization_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    target_type: Mapped[str] = mapped_column(String(12))  # service, application
    target_id: Mapped[str] = mapped_column(String(32))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    area: Mapped[str] = mapped_column(AreaCode)  # the target organization's area ('00': nation)
    criteria_version: Mapped[str] = mapped_column(ForeignKey("criteria_sets.version"))
    scores: Mapped[dict[str, Any]] = mapped_column(Json)
    score: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(String(16))  # siap, siap-bersyarat, belum-siap
    verified: Mapped[bool] = mapped_column(Boolean)  # False: a self-assessment
    actor: Mapped[str] = mapped_column(String(200))
    assessor_organization: Mapped[str | None] = mapped_column(String(100))
    assessed_on: Mapped[str] = mapped_column(String(10))  # ISO date
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(Timestamp)
    # an assessment a child node sent (migration 0015): its URI at the origin and where from;
    # both None for this node's own
    origin_uri: Mapped[str | None] = mapped_column(String(2000), index=True)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(Json)


class RoadmapPhase(Base):
    """A phase of the integration roadmap (peta jalan): scope, period, targets and gate in
    ``data``."""

    __tablename__ = "roadmap_phases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    created: Mapped[datetime] = mapped_column(Timestamp)
    modified: Mapped[datetime] = mapped_column(Timestamp)


class RoadmapItem(Base):
    """A service or application in a phase's scope, with its integration status. ``area``,
    ``level`` and ``sectors`` (``,a,b,``) are copied from the record so the board is one
    indexed query."""

    __tablename__ = "roadmap_items"
    __table_args__ = (
        UniqueConstraint("phase_id", "target_type", "target_id", name="uq_roadmap_items_target"),
        Index("ix_roadmap_items_board", "phase_id", "status", "area"),
        Index("ix_roadmap_items_target_id", "target_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    phase_id: Mapped[str] = mapped_column(ForeignKey("roadmap_phases.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[str] = mapped_column(String(32))
    organization_id: Mapped[str] = mapped_column(String(100))
    area: Mapped[str] = mapped_column(AreaCode)
    level: Mapped[str] = mapped_column(String(12))
    sectors: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(28))
    reason: Mapped[str | None] = mapped_column(Text)
    modified: Mapped[datetime] = mapped_column(Timestamp)
    # set while the item's status is a child node's (migration 0015); None once this node's
    # coordinator or evidence moves it
    provenance: Mapped[dict[str, Any] | None] = mapped_column(Json)


class RoadmapHistory(Base):
    __tablename__ = "roadmap_history"
    __table_args__ = (Index("ix_roadmap_history_item", "item_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("roadmap_items.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(Timestamp)
    actor: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(28))
    to_status: Mapped[str] = mapped_column(String(28))
    note: Mapped[str | None] = mapped_column(Text)
