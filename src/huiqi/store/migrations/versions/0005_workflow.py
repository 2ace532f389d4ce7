"""The workflow core: the domain-event outbox (append-only, like the audit log) and China's
working-day calendar as administrators declare it (days, and years entered in full).

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "domain_events",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("occurred_at", T.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("payload", T.JSONText(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_events")),
    )
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_domain_events_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_domain_events_occurred_at"), ["occurred_at"],
                              unique=False)
        batch_op.create_index("ix_domain_events_subject", ["subject_type", "subject_id", "id"],
                              unique=False)
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_working_day", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", T.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", T.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
    )
    _append_only()


def downgrade() -> None:
    _drop_append_only()
    op.drop_table("calendar_year")
    op.drop_table("calendar_day")
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_events_subject")
        batch_op.drop_index(batch_op.f("ix_domain_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_domain_events_kind"))
    op.drop_table("domain_events")


# Events are facts about the past: the database refuses to change or remove one.
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER domain_events_no_update BEFORE UPDATE ON domain_events BEGIN "
    "SELECT RAISE(ABORT, 'domain_events is append-only'); END",
    "CREATE TRIGGER domain_events_no_delete BEFORE DELETE ON domain_events BEGIN "
    "SELECT RAISE(ABORT, 'domain_events is append-only'); END",
)
_PG_FUNCTION = """
CREATE FUNCTION huiqi_domain_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'domain_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER domain_events_append_only BEFORE UPDATE OR DELETE ON domain_events "
    "FOR EACH ROW EXECUTE FUNCTION huiqi_domain_events_append_only()",
    "CREATE TRIGGER domain_events_no_truncate BEFORE TRUNCATE ON domain_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION huiqi_domain_events_append_only()",
)


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for sql in _PG_TRIGGERS:
            op.execute(sql)
    else:
        for sql in _SQLITE_TRIGGERS:
            op.execute(sql)


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER domain_events_no_truncate ON domain_events")
        op.execute("DROP TRIGGER domain_events_append_only ON domain_events")
        op.execute("DROP FUNCTION huiqi_domain_events_append_only()")
    else:
        op.execute("DROP TRIGGER domain_events_no_delete")
        op.execute("DROP TRIGGER domain_events_no_update")
