"""Review decisions (issue 11, items 2–3): decisions on conditions a person judges, a
verdict or the scores of a scored review, per entity, pack version and condition.

Revision ID: 0017
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_decision',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('pack', sa.String(length=64), nullable=False),
    sa.Column('version_key', sa.String(length=200), nullable=False),
    sa.Column('condition', sa.String(length=300), nullable=False),
    sa.Column('verdict', sa.Boolean(), nullable=True),
    sa.Column('scored', sa.Boolean(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('decided_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'],
                            name=op.f('fk_review_decision_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_decision'))
    )
    op.create_index('ix_review_decision_key', 'review_decision',
                    ['pack', 'entity_id', 'condition', 'id'], unique=False)
    op.create_table('review_score',
    sa.Column('decision_id', T.BigKey, nullable=False),
    sa.Column('part', sa.String(length=64), nullable=False),
    sa.Column('score', T.Exact(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['review_decision.id'],
                            name=op.f('fk_review_score_decision_id_review_decision')),
    sa.PrimaryKeyConstraint('decision_id', 'part', name=op.f('pk_review_score'))
    )


def downgrade() -> None:
    op.drop_table('review_score')
    op.drop_index('ix_review_decision_key', table_name='review_decision')
    op.drop_table('review_decision')
