"""change feed: the writing transaction of each change (PostgreSQL)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 00:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On PostgreSQL a change numbered N can commit after N+1 is visible. Recording the writing
    # transaction lets the feed hold back changes while any older transaction may still commit.
    is_pg = op.get_bind().dialect.name == "postgresql"
    default = sa.text("(pg_current_xact_id()::text)::bigint") if is_pg else None
    with op.batch_alter_table("changes") as batch:
        batch.add_column(sa.Column("txid", sa.BigInteger(), nullable=True, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("txid")
