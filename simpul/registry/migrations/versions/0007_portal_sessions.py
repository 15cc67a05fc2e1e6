"""portal sessions, ended on the server at sign-out

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.String(length=16), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_portal_sessions_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sessions")),
    )
    op.create_index(op.f("ix_portal_sessions_token_id"), "portal_sessions", ["token_id"])
    op.create_index(op.f("ix_portal_sessions_expires"), "portal_sessions", ["expires"])


def downgrade() -> None:
    op.drop_index(op.f("ix_portal_sessions_expires"), table_name="portal_sessions")
    op.drop_index(op.f("ix_portal_sessions_token_id"), table_name="portal_sessions")
    op.drop_table("portal_sessions")
