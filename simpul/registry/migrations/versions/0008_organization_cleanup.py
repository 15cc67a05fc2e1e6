"""organizations a harvest stored without the schema: names and URLs made safe again

Before 0008 a harvest from another Simpul node changed the name, homepage and URI of
organizations it held without checking them, so a hostile node could store a list as a name (pages
then failed) or a ``javascript:`` homepage. Such values are put right: a name that is not a
language map becomes the organization's id, and a homepage or URI the schema refuses is removed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 11:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def _name(value, org_id: str):
    from simpul.registry.schemas import LangText

    try:
        return LangText(max_length=300).deserialize(value)
    except Exception:  # anything the schema refuses
        return {"id": org_id}


def _url(value):
    from simpul.registry.schemas import safe_url

    return safe_url(value)


def upgrade() -> None:
    organizations = sa.table(
        "organizations",
        sa.column("id", sa.String),
        sa.column("name", JSON),
        sa.column("homepage", sa.String),
        sa.column("uri", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            organizations.c.id,
            organizations.c.name,
            organizations.c.homepage,
            organizations.c.uri,
        )
    ).all()
    for row in rows:
        fixed = {
            "name": _name(row.name, row.id),
            "homepage": _url(row.homepage) if row.homepage else None,
            "uri": _url(row.uri) if row.uri else None,
        }
        if fixed != {"name": row.name, "homepage": row.homepage, "uri": row.uri}:
            bind.execute(
                organizations.update().where(organizations.c.id == row.id).values(**fixed)
            )


def downgrade() -> None:
    pass  # the values put right are not brought back
