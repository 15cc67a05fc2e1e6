"""the instances of a type counted from an index alone: (type_id, deleted_at, status, authority)
replaces (type_id, deleted_at), of which it is an extension

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-30 17:00:00
"""

from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_services_type_coverage", "services", ["type_id", "deleted_at", "status", "authority"]
    )
    op.drop_index("ix_services_type", table_name="services")


def downgrade() -> None:
    op.create_index("ix_services_type", "services", ["type_id", "deleted_at"])
    op.drop_index("ix_services_type_coverage", table_name="services")
