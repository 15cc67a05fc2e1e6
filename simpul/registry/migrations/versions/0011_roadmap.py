"""readiness assessments, criteria sets and the integration roadmap (phases, items, history)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 12:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, VARCHAR

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
# byte order for the range queries on area codes (PostgreSQL's locale collations skip '.')
AREA = sa.String(16).with_variant(VARCHAR(16, collation="C"), "postgresql")


def _fk(column: str, table: str, target: str, **kw) -> sa.ForeignKey:
    return sa.ForeignKey(target, name=f"fk_{table}_{column}_{target.split('.')[0]}", **kw)


def upgrade() -> None:
    op.create_table(
        "criteria_sets",
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_criteria_sets"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("target_type", sa.String(12), nullable=False),
        sa.Column("target_id", sa.String(32), nullable=False),
        sa.Column(
            "organization_id",
            sa.String(100),
            _fk("organization_id", "assessments", "organizations.id"),
            nullable=False,
        ),
        sa.Column("area", AREA, nullable=False),
        sa.Column(
            "criteria_version",
            sa.String(40),
            _fk("criteria_version", "assessments", "criteria_sets.version"),
            nullable=False,
        ),
        sa.Column("scores", JSON, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("assessor_organization", sa.String(100), nullable=True),
        sa.Column("assessed_on", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assessments"),
    )
    op.create_index("ix_assessments_target", "assessments", ["target_id", "verified", "id"])
    op.create_index("ix_assessments_area", "assessments", ["area", "id"])
    op.create_index("ix_assessments_organization", "assessments", ["organization_id", "id"])
    op.create_table(
        "roadmap_phases",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("modified", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_roadmap_phases"),
    )
    op.create_table(
        "roadmap_items",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column(
            "phase_id",
            sa.String(40),
            _fk("phase_id", "roadmap_items", "roadmap_phases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("target_type", sa.String(12), nullable=False),
        sa.Column("target_id", sa.String(32), nullable=False),
        sa.Column("organization_id", sa.String(100), nullable=False),
        sa.Column("area", AREA, nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("sectors", sa.String(400), nullable=False),
        sa.Column("status", sa.String(28), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("modified", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_roadmap_items"),
        sa.UniqueConstraint(
            "phase_id", "target_type", "target_id", name="uq_roadmap_items_target"
        ),
    )
    op.create_index("ix_roadmap_items_board", "roadmap_items", ["phase_id", "status", "area"])
    op.create_index("ix_roadmap_items_target_id", "roadmap_items", ["target_id"])
    op.create_table(
        "roadmap_history",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column(
            "item_id",
            BIGID,
            _fk("item_id", "roadmap_history", "roadmap_items.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("from_status", sa.String(28), nullable=True),
        sa.Column("to_status", sa.String(28), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_roadmap_history"),
    )
    op.create_index("ix_roadmap_history_item", "roadmap_history", ["item_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_roadmap_history_item", table_name="roadmap_history")
    op.drop_table("roadmap_history")
    op.drop_index("ix_roadmap_items_target_id", table_name="roadmap_items")
    op.drop_index("ix_roadmap_items_board", table_name="roadmap_items")
    op.drop_table("roadmap_items")
    op.drop_table("roadmap_phases")
    for name in ("organization", "area", "target"):
        op.drop_index(f"ix_assessments_{name}", table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("criteria_sets")
