"""The audit log becomes a hash chain, and repeated refusals can be counted in one entry.

Adds ``count`` (1 for every entry so far), ``prev_hash`` and ``hash`` (see
:mod:`huiqi.store.chain`), and chains the entries already there, in id order. No two
entries may follow the same one (a unique ``prev_hash``). The append-only triggers are
lifted only while the existing entries get their hashes, within this migration's
transaction. Going back down removes the three columns (the chain is lost; the entries stay).

Revision ID: 0004
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import chain
from huiqi.store import types as T

revision = "0004"
down_revision = "0005"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    _drop_append_only()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("count", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_prev_hash"), ["prev_hash"])
    _append_only()


def downgrade() -> None:
    _drop_append_only()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_prev_hash"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("count")
    _append_only()


_LOG = sa.table(
    "audit_log", sa.column("id", T.BigKey), sa.column("at", T.UTCDateTime()),
    sa.column("actor", sa.String), sa.column("role", sa.String), sa.column("action", sa.String),
    sa.column("outcome", sa.String), sa.column("target", sa.String),
    sa.column("before", T.JSONText()), sa.column("after", T.JSONText()),
    sa.column("detail", sa.Text), sa.column("count", sa.Integer),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String))


def _chain_existing() -> None:
    """Give every entry already in the log its place in the chain, in id order."""
    bind = op.get_bind()
    prev, last = chain.GENESIS, None
    update = _LOG.update().where(_LOG.c.id == sa.bindparam("k")).values(
        prev_hash=sa.bindparam("p"), hash=sa.bindparam("h"))
    while True:
        stmt = sa.select(_LOG).order_by(_LOG.c.id).limit(_BATCH)
        if last is not None:
            stmt = stmt.where(_LOG.c.id > last)
        rows = [dict(r._mapping) for r in bind.execute(stmt)]
        if not rows:
            return
        params = []
        for r in rows:
            h = chain.digest(prev, r)
            params.append({"k": r["id"], "p": prev, "h": h})
            prev, last = h, r["id"]
        bind.execute(update, params)


# The audit log is append-only: the database itself refuses to change or remove an entry
# (as created by 0001; SQLite loses a table's triggers when a migration copies the table).
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
    "SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN "
    "SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
_PG_TRIGGERS = (
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION huiqi_audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION huiqi_audit_log_append_only()",
)


def _append_only() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for sql in _PG_TRIGGERS if pg else _SQLITE_TRIGGERS:
        op.execute(sql)


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute("DROP TRIGGER audit_log_no_update")
