"""checklist counts per organization, kept by triggers on services in the writing transaction

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 12:00:00

Every write path (the API, bulk loads, harvests, review flags, type links, plain SQL) changes
``services`` rows; triggers on that table add each row's change to its authority's counts in
the same transaction, so the counts are never behind a write and no request counts records.
``stale`` follows writes the same way; records that age into it without a write are counted by
the daily full count (``registry.checklists.recount``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TASKS = ("services", "no_channels", "no_english", "no_type", "review_pending", "stale")
PENDING = "('type-changed', 'type-retired')"  # registry.reviews.PENDING


def _terms(row: str, cutoff: str) -> dict[str, str]:
    """What one services row adds to each count (0 or 1), as SQL over ``row``."""
    flag = "CASE WHEN {} THEN 1 ELSE 0 END"
    return {
        "services": "1",
        "no_channels": flag.format(f"({row}.chores & 1) != 0"),
        "no_english": flag.format(f"({row}.chores & 2) != 0"),
        "no_type": flag.format(f"{row}.type_id IS NULL"),
        "review_pending": flag.format(f"{row}.review_status IN {PENDING}"),
        "stale": flag.format(f"{row}.modified < {cutoff}"),
    }


def upgrade() -> None:
    op.create_table(
        "checklist_counts",
        sa.Column("organization_id", sa.String(100), nullable=False),
        *(sa.Column(task, sa.Integer(), nullable=False, server_default="0") for task in TASKS),
        sa.PrimaryKeyConstraint("organization_id", name="pk_checklist_counts"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()
    _fill()


def _fill() -> None:
    terms = _terms("services", _cutoff(op.get_bind().dialect.name))
    sums = ", ".join(f"SUM({terms[t]})" for t in TASKS)
    op.execute(
        f"INSERT INTO checklist_counts (organization_id, {', '.join(TASKS)}) "
        f"SELECT authority, {sums} FROM services WHERE deleted_at IS NULL GROUP BY authority"
    )


def _cutoff(dialect: str) -> str:
    if dialect == "postgresql":
        return "(now() - interval '365 days')"
    return "strftime('%Y-%m-%d %H:%M:%f', 'now', '-365 days')"


WATCHED = ("authority", "deleted_at", "chores", "type_id", "review_status", "modified")


def _sqlite() -> None:
    cutoff = _cutoff("sqlite")

    def apply(row: str, sign: str) -> str:
        terms = _terms(row, cutoff)
        sets = ", ".join(f"{t} = {t} {sign} {terms[t]}" for t in TASKS)
        return (
            f"INSERT OR IGNORE INTO checklist_counts (organization_id) VALUES ({row}.authority);"
            f" UPDATE checklist_counts SET {sets} WHERE organization_id = {row}.authority;"
        )

    live_new, live_old = "NEW.deleted_at IS NULL", "OLD.deleted_at IS NULL"
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    op.execute(
        f"CREATE TRIGGER checklist_counts_insert AFTER INSERT ON services "
        f"WHEN {live_new} BEGIN {apply('NEW', '+')} END"
    )
    op.execute(
        f"CREATE TRIGGER checklist_counts_delete AFTER DELETE ON services "
        f"WHEN {live_old} BEGIN {apply('OLD', '-')} END"
    )
    op.execute(
        f"CREATE TRIGGER checklist_counts_update_old AFTER UPDATE ON services "
        f"WHEN {live_old} AND ({changed}) BEGIN {apply('OLD', '-')} END"
    )
    op.execute(
        f"CREATE TRIGGER checklist_counts_update_new AFTER UPDATE ON services "
        f"WHEN {live_new} AND ({changed}) BEGIN {apply('NEW', '+')} END"
    )


def _postgresql() -> None:
    """Statement triggers with transition tables: one grouped upsert per statement, however
    many rows it wrote (a bulk load's batch is one statement)."""
    cutoff = _cutoff("postgresql")

    def delta(table: str, sign: str) -> str:
        terms = _terms("r", cutoff)
        sums = ", ".join(f"{sign}SUM({terms[t]})" for t in TASKS)
        return f"SELECT r.authority, {sums} FROM {table} r WHERE r.deleted_at IS NULL GROUP BY 1"

    adds = ", ".join(f"{t} = checklist_counts.{t} + EXCLUDED.{t}" for t in TASKS)
    for name, parts in (
        ("insert", [delta("new_rows", "")]),
        ("delete", [delta("old_rows", "-")]),
        ("update", [delta("old_rows", "-"), delta("new_rows", "")]),
    ):
        union = " UNION ALL ".join(parts)
        total = ", ".join(f"SUM({t})" for t in TASKS)
        op.execute(
            f"""
            CREATE FUNCTION checklist_counts_{name}() RETURNS trigger AS $$
            BEGIN
                INSERT INTO checklist_counts (organization_id, {", ".join(TASKS)})
                SELECT authority, {total}
                FROM ({union}) AS d (authority, {", ".join(TASKS)})
                GROUP BY authority ORDER BY authority
                ON CONFLICT (organization_id) DO UPDATE SET {adds};
                RETURN NULL;
            END $$ LANGUAGE plpgsql
            """
        )
        tables = {
            "insert": "NEW TABLE AS new_rows",
            "delete": "OLD TABLE AS old_rows",
            "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[name]
        op.execute(
            f"CREATE TRIGGER checklist_counts_{name} AFTER {name.upper()} ON services "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION checklist_counts_{name}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS checklist_counts_{name} ON services")
            op.execute(f"DROP FUNCTION IF EXISTS checklist_counts_{name}()")
    else:
        for name in ("insert", "delete", "update_old", "update_new"):
            op.execute(f"DROP TRIGGER IF EXISTS checklist_counts_{name}")
    op.drop_table("checklist_counts")
