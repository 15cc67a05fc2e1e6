"""applications (aplikasi): the records, their versions, and the services each delivers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("uri", sa.String(500), nullable=False),
        sa.Column(
            "organization_id",
            sa.String(100),
            sa.ForeignKey(
                "organizations.id", name="fk_applications_organization_id_organizations"
            ),
            nullable=False,
        ),
        sa.Column("identifier", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(12), nullable=True),
        sa.Column("lifecycle", sa.String(16), nullable=True),
        sa.Column("splp_status", sa.String(12), nullable=True),
        sa.Column("data", JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("modified", TS, nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.Column("provenance", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_applications"),
        sa.UniqueConstraint("uri", name="uq_applications_uri"),
        sa.UniqueConstraint(
            "organization_id", "identifier", name="uq_applications_org_identifier"
        ),
    )
    op.create_index("ix_applications_live_modified", "applications", ["deleted_at", "modified"])
    for column in ("kind", "lifecycle", "splp_status"):
        op.create_index(f"ix_applications_{column}", "applications", [column])
    op.create_table(
        "application_versions",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column(
            "application_id",
            sa.String(32),
            sa.ForeignKey(
                "applications.id",
                ondelete="CASCADE",
                name="fk_application_versions_application_id_applications",
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("data", JSON, nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_application_versions"),
        sa.UniqueConstraint("application_id", "version", name="uq_application_versions_av"),
    )
    op.create_table(
        "application_services",
        sa.Column(
            "application_id",
            sa.String(32),
            sa.ForeignKey(
                "applications.id",
                ondelete="CASCADE",
                name="fk_application_services_application_id_applications",
            ),
            nullable=False,
        ),
        sa.Column(
            "service_id",
            sa.String(32),
            sa.ForeignKey(
                "services.id",
                ondelete="CASCADE",
                name="fk_application_services_service_id_services",
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("application_id", "service_id", name="pk_application_services"),
    )
    op.create_index(
        "ix_application_services_service", "application_services", ["service_id", "application_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_application_services_service", table_name="application_services")
    op.drop_table("application_services")
    op.drop_table("application_versions")
    for column in ("splp_status", "lifecycle", "kind"):
        op.drop_index(f"ix_applications_{column}", table_name="applications")
    op.drop_index("ix_applications_live_modified", table_name="applications")
    op.drop_table("applications")
