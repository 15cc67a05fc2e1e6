"""the change feed carries applications: a kind per change (service, application)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(12), nullable=False, server_default="service")
        )


def downgrade() -> None:
    op.execute("DELETE FROM changes WHERE kind <> 'service'")
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("kind")
