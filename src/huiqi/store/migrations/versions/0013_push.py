"""Push (issue 15): messages (the inbox, unique per idempotency key), their deliveries by
external channel (pending → sending → sent | dead), subscriptions.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push_message',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('detail', T.JSONText(), nullable=False),
    sa.Column('created_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', T.UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived_at', T.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'],
                            name=op.f('fk_push_message_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_message')),
    sa.UniqueConstraint('key', name=op.f('uq_push_message_key'))
    )
    op.create_index('ix_push_message_inbox', 'push_message',
                    ['entity_id', 'archived_at', 'id'], unique=False)
    op.create_table('push_delivery',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('message_id', T.BigKey, nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('due_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.Column('digest', sa.String(length=16), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', T.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', T.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', T.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dead_at', T.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'],
                            name=op.f('fk_push_delivery_entity_id_entity')),
    sa.ForeignKeyConstraint(['message_id'], ['push_message.id'],
                            name=op.f('fk_push_delivery_message_id_push_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_delivery')),
    sa.UniqueConstraint('message_id', 'channel', 'address',
                        name=op.f('uq_push_delivery_message_id'))
    )
    op.create_index('ix_push_delivery_due', 'push_delivery', ['state', 'due_at'], unique=False)
    op.create_index('ix_push_delivery_entity', 'push_delivery', ['entity_id', 'id'],
                    unique=False)
    op.create_index('ix_push_delivery_rate', 'push_delivery', ['channel', 'claimed_at'],
                    unique=False)
    op.create_table('push_cursor',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', T.BigKey, nullable=False),
    sa.Column('updated_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_push_cursor'))
    )
    op.create_table('push_subscription',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('account_id', T.BigKey, nullable=True),
    sa.Column('topics', T.JSONText(), nullable=False),
    sa.Column('channels', T.JSONText(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('quiet_from', sa.Integer(), nullable=True),
    sa.Column('quiet_until', sa.Integer(), nullable=True),
    sa.Column('digest', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                            name=op.f('fk_push_subscription_account_id_account')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'],
                            name=op.f('fk_push_subscription_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('entity_id', 'account_id',
                        name=op.f('uq_push_subscription_entity_id'))
    )


def downgrade() -> None:
    op.drop_table('push_subscription')
    op.drop_table('push_cursor')
    op.drop_index('ix_push_delivery_rate', table_name='push_delivery')
    op.drop_index('ix_push_delivery_entity', table_name='push_delivery')
    op.drop_index('ix_push_delivery_due', table_name='push_delivery')
    op.drop_table('push_delivery')
    op.drop_index('ix_push_message_inbox', table_name='push_message')
    op.drop_table('push_message')
