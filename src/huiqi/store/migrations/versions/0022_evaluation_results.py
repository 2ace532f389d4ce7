"""Evaluation results (issue 17): each year's evaluation as last computed, with the
revision of the statistics it was computed from, so that the evaluation page answers from
it (and a restarted server too) while the worker computes a new one.

Revision ID: 0022
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0022"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation_result',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.String(length=200), nullable=False),
    sa.Column('draws', sa.Integer(), nullable=False),
    sa.Column('arrays', sa.LargeBinary(), nullable=False),
    sa.Column('what_if', T.JSONText(), nullable=False),
    sa.Column('computed_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_evaluation_result'))
    )


def downgrade() -> None:
    op.drop_table('evaluation_result')
