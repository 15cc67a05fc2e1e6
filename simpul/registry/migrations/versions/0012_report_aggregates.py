"""coverage reports: per-authority counts, per-area figures, the refresh state, daily snapshots

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "report_authorities",
        sa.Column("organization_id", sa.String(100), nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.Column("completeness", sa.BigInteger(), nullable=False),
        sa.Column("stale", sa.Integer(), nullable=False),
        sa.Column("integration", JSON, nullable=False),
        sa.PrimaryKeyConstraint("organization_id", name="pk_report_authorities"),
    )
    op.create_table(
        "report_areas",
        sa.Column("area", sa.String(16), nullable=False),
        sa.Column("parent", sa.String(16), nullable=True),
        sa.Column("figures", JSON, nullable=False),
        sa.PrimaryKeyConstraint("area", name="pk_report_areas"),
    )
    op.create_index("ix_report_areas_parent", "report_areas", ["parent"])
    op.create_table(
        "report_state",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_report_state"),
    )
    op.create_table(
        "report_snapshots",
        sa.Column("area", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("figures", JSON, nullable=False),
        sa.PrimaryKeyConstraint("area", "day", name="pk_report_snapshots"),
    )


def downgrade() -> None:
    op.drop_table("report_snapshots")
    op.drop_table("report_state")
    op.drop_index("ix_report_areas_parent", table_name="report_areas")
    op.drop_table("report_areas")
    op.drop_table("report_authorities")
