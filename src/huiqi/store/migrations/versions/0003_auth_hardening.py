"""Sign-in hardening: failed sign-ins kept per user name and client address (so that no one
can lock an account out from elsewhere), the last TOTP time-step accepted (no replay),
and a key being bound kept apart from the one in use.

Going up, the per-account failure counters and locks are dropped (a lock lasted minutes;
the new table starts empty), and a key that was being bound (stored, not yet enabled)
moves to ``totp_pending``. Going down, pending keys move back and the counters return
at zero.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _account() -> sa.TableClause:
    return sa.table("account", sa.column("totp_secret", sa.String),
                    sa.column("totp_pending", sa.String), sa.column("totp_enabled", sa.Boolean))


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", T.UTCDateTime(), nullable=True),
        sa.Column("last_at", T.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
        sa.UniqueConstraint("username", "address", name=op.f("uq_login_failure_username")))
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_last_at"), ["last_at"], unique=False)
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_pending", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")
    account = _account()
    op.execute(account.update()
               .where(account.c.totp_enabled.is_(sa.false()), account.c.totp_secret.isnot(None))
               .values(totp_pending=account.c.totp_secret, totp_secret=None))


def downgrade() -> None:
    account = _account()
    op.execute(account.update()
               .where(account.c.totp_enabled.is_(sa.false()), account.c.totp_pending.isnot(None))
               .values(totp_secret=account.c.totp_pending))
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("locked_until", T.UTCDateTime(), nullable=True))
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_pending")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.alter_column("failed_logins", server_default=None)
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_last_at"))
    op.drop_table("login_failure")
