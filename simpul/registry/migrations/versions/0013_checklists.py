"""agency checklists: housekeeping bits of each record, and the links of live records with what
their checks said

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 5000
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
CHECKLIST_COLUMNS = ["deleted_at", "authority", "chores", "modified", "type_id", "review_status"]


def upgrade() -> None:
    op.add_column("services", sa.Column("chores", sa.SmallInteger(), nullable=True))
    _backfill()
    op.create_index("ix_services_checklist", "services", CHECKLIST_COLUMNS)
    op.create_table(
        "links",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(1000), nullable=True),
        sa.Column("checked_at", TS, nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failing_since", TS, nullable=True),
        sa.Column("ok_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
    )
    op.create_index("ix_links_checked_at", "links", ["checked_at"])
    op.create_table(
        "link_refs",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column(
            "link_id",
            sa.String(64),
            sa.ForeignKey("links.id", name="fk_link_refs_link_id_links", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "service_id",
            sa.String(32),
            sa.ForeignKey(
                "services.id", name="fk_link_refs_service_id_services", ondelete="CASCADE"
            ),
            nullable=True,
        ),
        sa.Column(
            "organization_id",
            sa.String(100),
            sa.ForeignKey(
                "organizations.id",
                name="fk_link_refs_organization_id_organizations",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("field", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_refs"),
    )
    for column in ("link_id", "service_id", "organization_id"):
        op.create_index(f"ix_link_refs_{column}", "link_refs", [column])


def _backfill() -> None:
    from simpul.registry.quality import chores

    services = sa.table(
        "services",
        sa.column("id", sa.String),
        sa.column("data", sa.JSON),
        sa.column("chores", sa.SmallInteger),
    )
    bind = op.get_bind()
    last = ""
    while True:
        rows = bind.execute(
            sa.select(services.c.id, services.c.data)
            .where(services.c.id > last)
            .order_by(services.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            services.update().where(services.c.id == sa.bindparam("key")),
            [{"key": r.id, "chores": chores(r.data or {})} for r in rows],
        )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_table("link_refs")
    op.drop_table("links")
    op.drop_index("ix_services_checklist", table_name="services")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("chores")
