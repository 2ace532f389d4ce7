"""Second-factor keys sealed at rest: room for the sealed form (AES-GCM, ~84 characters).

Keys stored before are read as they are and sealed at the account's next sign-in
(``huiqi.service.seal``). Going back down, sealed keys cannot be kept in 64 characters
(nor opened here, without the service's secret key): those accounts' second factor is
turned off, to be bound again.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.alter_column("totp_secret", existing_type=sa.String(length=64),
                              type_=sa.String(length=255), existing_nullable=True)


def downgrade() -> None:
    account = sa.table("account", sa.column("totp_secret", sa.String),
                       sa.column("totp_enabled", sa.Boolean))
    op.execute(account.update().where(account.c.totp_secret.like("v1:%"))
               .values(totp_secret=None, totp_enabled=False))
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.alter_column("totp_secret", existing_type=sa.String(length=255),
                              type_=sa.String(length=64), existing_nullable=True)
