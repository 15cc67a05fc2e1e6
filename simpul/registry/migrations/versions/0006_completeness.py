"""completeness of each record, for per-organization summaries

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 04:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    from simpul.registry.quality import present

    op.add_column("services", sa.Column("completeness", sa.SmallInteger(), nullable=True))
    services = sa.table(
        "services",
        sa.column("id", sa.String),
        sa.column("data", sa.JSON),
        sa.column("completeness", sa.SmallInteger),
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
            [{"key": r.id, "completeness": present(r.data or {})} for r in rows],
        )
        last = rows[-1].id
    op.create_index(
        "ix_services_completeness", "services", ["deleted_at", "authority", "completeness"]
    )


def downgrade() -> None:
    op.drop_index("ix_services_completeness", table_name="services")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("completeness")
