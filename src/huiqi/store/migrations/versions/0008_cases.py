"""Service cases (issue 14): timers the worker fires exactly once, and the cases of the
approval agency, supervision, enterprise requests and cross-district moves with their agents,
files, ratings and the service standard (templates, categories, escalation) as data.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_standard',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('body', T.JSONText(), nullable=False),
    sa.Column('updated_at', T.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_standard')),
    sa.UniqueConstraint('kind', 'code', name=op.f('uq_case_standard_kind'))
    )
    op.create_table('timers',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('due_at', T.UTCDateTime(), nullable=False),
    sa.Column('subject_type', sa.String(length=64), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('payload', T.JSONText(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('created_at', T.UTCDateTime(), nullable=False),
    sa.Column('fired_at', T.UTCDateTime(), nullable=True),
    sa.Column('fired_by', sa.String(length=64), nullable=True),
    sa.Column('cancelled_at', T.UTCDateTime(), nullable=True),
    sa.Column('failed_at', T.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timers')),
    sa.UniqueConstraint('key', name=op.f('uq_timers_key'))
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index('ix_timers_pending', ['fired_at', 'failed_at', 'cancelled_at', 'due_at'], unique=False)

    op.create_table('service_case',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=True),
    sa.Column('parent_id', T.BigKey, nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('green', sa.Boolean(), nullable=False),
    sa.Column('target_days', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('details', T.JSONText(), nullable=False),
    sa.Column('evaluation', T.Exact(), nullable=True),
    sa.Column('created_at', T.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_service_case_entity_id_entity')),
    sa.ForeignKeyConstraint(['parent_id'], ['service_case.id'], name=op.f('fk_service_case_parent_id_service_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_case'))
    )
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_case_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_case_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_case_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_case_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_case_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_case_state'), ['state'], unique=False)

    op.create_table('case_agent',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('case_id', T.BigKey, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('lead', sa.Boolean(), nullable=False),
    sa.Column('assigned_at', T.UTCDateTime(), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_case_agent_case_id_service_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_agent')),
    sa.UniqueConstraint('case_id', 'username', name=op.f('uq_case_agent_case_id'))
    )
    with op.batch_alter_table('case_agent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_agent_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_agent_username'), ['username'], unique=False)

    op.create_table('case_file',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('case_id', T.BigKey, nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', T.UTCDateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_case_file_case_id_service_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_file'))
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_case_id'), ['case_id'], unique=False)

    op.create_table('case_rating',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('case_id', T.BigKey, nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('appeal', sa.Text(), nullable=True),
    sa.Column('rated_at', T.UTCDateTime(), nullable=False),
    sa.Column('rated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_case_rating_case_id_service_case')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_case_rating_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_rating')),
    sa.UniqueConstraint('case_id', 'rated_by', name=op.f('uq_case_rating_case_id'))
    )
    with op.batch_alter_table('case_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_rating_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_rating_entity_id'), ['entity_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_rating_entity_id'))
        batch_op.drop_index(batch_op.f('ix_case_rating_case_id'))

    op.drop_table('case_rating')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_file_case_id'))

    op.drop_table('case_file')
    with op.batch_alter_table('case_agent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_agent_username'))
        batch_op.drop_index(batch_op.f('ix_case_agent_case_id'))

    op.drop_table('case_agent')
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_case_state'))
        batch_op.drop_index(batch_op.f('ix_service_case_parent_id'))
        batch_op.drop_index(batch_op.f('ix_service_case_kind'))
        batch_op.drop_index(batch_op.f('ix_service_case_entity_id'))
        batch_op.drop_index(batch_op.f('ix_service_case_department'))
        batch_op.drop_index(batch_op.f('ix_service_case_category'))

    op.drop_table('service_case')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_pending')

    op.drop_table('timers')
    op.drop_table('case_standard')
