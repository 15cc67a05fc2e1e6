"""the workspace up the federation: provenance of assessments and roadmap items a child node
sent, and the daily coverage snapshots child nodes reported for their areas

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("origin_uri", sa.String(2000), nullable=True))
        batch.add_column(sa.Column("provenance", JSON, nullable=True))
        batch.create_index("ix_assessments_origin_uri", ["origin_uri"])
    with op.batch_alter_table("roadmap_items") as batch:
        batch.add_column(sa.Column("provenance", JSON, nullable=True))
    op.create_table(
        "report_snapshots_reported",
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("area", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("node", sa.String(200), nullable=True),
        sa.Column("figures", JSON, nullable=False),
        sa.Column("received", TS, nullable=False),
        sa.PrimaryKeyConstraint("source_id", "area", "day", name="pk_report_snapshots_reported"),
    )
    op.create_index(
        "ix_report_snapshots_reported_area", "report_snapshots_reported", ["area", "day"]
    )


def downgrade() -> None:
    op.drop_index("ix_report_snapshots_reported_area", table_name="report_snapshots_reported")
    op.drop_table("report_snapshots_reported")
    op.execute("DELETE FROM changes WHERE kind IN ('assessment', 'roadmap')")
    with op.batch_alter_table("roadmap_items") as batch:
        batch.drop_column("provenance")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_index("ix_assessments_origin_uri")
        batch.drop_column("provenance")
        batch.drop_column("origin_uri")
