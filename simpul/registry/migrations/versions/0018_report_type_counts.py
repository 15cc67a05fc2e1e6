"""stored coverage counts: live active services per (type, authority) with the authority's unit,
and the housekeeping counts per authority, both refreshed from the change log (issues 14, 16)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 22:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "report_type_counts",
        sa.Column("type_id", sa.String(100), nullable=False),
        sa.Column("organization_id", sa.String(100), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("type_id", "organization_id", name="pk_report_type_counts"),
    )
    op.create_index(
        "ix_report_type_counts_unit", "report_type_counts", ["type_id", "level", "valid", "unit"]
    )
    op.create_index("ix_report_type_counts_org", "report_type_counts", ["organization_id"])
    op.create_table(
        "report_chores",
        sa.Column("organization_id", sa.String(100), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.PrimaryKeyConstraint("organization_id", name="pk_report_chores"),
    )
    # the stored counts start empty: the next refresh counts everything
    op.execute("DELETE FROM report_state WHERE key = 'coverage'")


def downgrade() -> None:
    op.drop_table("report_chores")
    op.drop_index("ix_report_type_counts_org", table_name="report_type_counts")
    op.drop_index("ix_report_type_counts_unit", table_name="report_type_counts")
    op.drop_table("report_type_counts")
