"""Push, the rest (issue 15): the enterprises whose facts changed, not yet told
(``fact_change``, see :mod:`huiqi.registry.changes`).

Revision ID: 0015
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0015"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fact_change',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('before', T.JSONText(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('at', T.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'],
                            name=op.f('fk_fact_change_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_change'))
    )
    op.create_index(op.f('ix_fact_change_entity_id'), 'fact_change', ['entity_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_fact_change_entity_id'), table_name='fact_change')
    op.drop_table('fact_change')
