"""national service types: the list, its versions, declarations, and the link of each service

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 14:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "service_types",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("uri", sa.String(500), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("functional_version", sa.Integer(), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("modified", TS, nullable=False),
        sa.Column("retired_at", TS, nullable=True),
        sa.Column("provenance", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_types"),
        sa.UniqueConstraint("uri", name="uq_service_types_uri"),
    )
    op.create_table(
        "service_type_versions",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column(
            "type_id",
            sa.String(100),
            sa.ForeignKey(
                "service_types.id",
                ondelete="CASCADE",
                name="fk_service_type_versions_type_id_service_types",
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("functional", sa.Boolean(), nullable=False),
        sa.Column("changed", JSON, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_type_versions"),
        sa.UniqueConstraint("type_id", "version", name="uq_service_type_versions_tv"),
    )
    op.create_table(
        "type_declarations",
        sa.Column(
            "organization_id",
            sa.String(100),
            sa.ForeignKey(
                "organizations.id",
                ondelete="CASCADE",
                name="fk_type_declarations_organization_id_organizations",
            ),
            nullable=False,
        ),
        sa.Column(
            "type_id",
            sa.String(100),
            sa.ForeignKey(
                "service_types.id",
                ondelete="CASCADE",
                name="fk_type_declarations_type_id_service_types",
            ),
            nullable=False,
        ),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", JSON, nullable=True),
        sa.Column("covered_by", sa.String(100), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "type_id", name="pk_type_declarations"),
    )
    op.create_index("ix_type_declarations_type_id", "type_declarations", ["type_id"])
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("type_id", sa.String(100), nullable=True))
        batch.add_column(sa.Column("type_link", sa.String(12), nullable=True))
        batch.add_column(sa.Column("type_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("review", JSON, nullable=True))
        batch.add_column(sa.Column("review_status", sa.String(16), nullable=True))
    op.create_index("ix_services_type", "services", ["type_id", "deleted_at"])
    op.create_index("ix_services_review", "services", ["review_status", "authority"])


def downgrade() -> None:
    op.drop_index("ix_services_review", table_name="services")
    op.drop_index("ix_services_type", table_name="services")
    with op.batch_alter_table("services") as batch:
        for column in ("review_status", "review", "type_score", "type_link", "type_id"):
            batch.drop_column(column)
    op.drop_index("ix_type_declarations_type_id", table_name="type_declarations")
    op.drop_table("type_declarations")
    op.drop_table("service_type_versions")
    op.drop_table("service_types")
