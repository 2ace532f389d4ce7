"""Analytics (issue 17): the parks evaluated and their imported statistics, staff decisions
on chain members, the supply-demand market's listings and matches (a match reaches
"connected" only with both sides' consent: a check constraint).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('eval_park',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('home', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_park')),
    sa.UniqueConstraint('code', name=op.f('uq_eval_park_code'))
    )
    op.create_table('chain_member',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('chain', sa.String(length=64), nullable=False),
    sa.Column('segment', sa.String(length=64), nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('leader', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('decided_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("decision IN ('include', 'exclude')", name=op.f('ck_chain_member_decision')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_chain_member_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_member')),
    sa.UniqueConstraint('chain', 'segment', 'entity_id', name=op.f('uq_chain_member_chain'))
    )
    with op.batch_alter_table('chain_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chain_member_entity_id'), ['entity_id'], unique=False)

    op.create_table('market_listing',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('specs', T.JSONText(), nullable=False),
    sa.Column('qualifications', T.JSONText(), nullable=False),
    sa.Column('volume', sa.Integer(), nullable=True),
    sa.Column('needed_by', sa.Date(), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("side IN ('demand', 'offer')", name=op.f('ck_market_listing_side')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_market_listing_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_listing'))
    )
    with op.batch_alter_table('market_listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_listing_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index('ix_market_listing_open', ['side', 'state', 'category'], unique=False)

    op.create_table('park_statistic',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('park_id', T.BigKey, nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', T.Exact(), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('batch_id', T.BigKey, nullable=True),
    sa.Column('recorded_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_park_statistic_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['park_id'], ['eval_park.id'], name=op.f('fk_park_statistic_park_id_eval_park')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_statistic')),
    sa.UniqueConstraint('park_id', 'indicator', 'year', name=op.f('uq_park_statistic_park_id'))
    )
    with op.batch_alter_table('park_statistic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_park_statistic_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_park_statistic_year'), ['year'], unique=False)

    op.create_table('market_match',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('demand_id', T.BigKey, nullable=False),
    sa.Column('offer_id', T.BigKey, nullable=False),
    sa.Column('score', T.Exact(), nullable=False),
    sa.Column('explanation', T.JSONText(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('demand_consent_at', T.UTCDateTime(timezone=True), nullable=True),
    sa.Column('demand_consent_by', sa.String(length=64), nullable=True),
    sa.Column('offer_consent_at', T.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offer_consent_by', sa.String(length=64), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('created_at', T.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state NOT IN ('connected', 'deal', 'no_deal') OR "
                       "(demand_consent_at IS NOT NULL AND offer_consent_at IS NOT NULL)",
                       name=op.f('ck_market_match_both_consents')),
    sa.ForeignKeyConstraint(['demand_id'], ['market_listing.id'],
                            name=op.f('fk_market_match_demand_id_market_listing')),
    sa.ForeignKeyConstraint(['offer_id'], ['market_listing.id'], name=op.f('fk_market_match_offer_id_market_listing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_match')),
    sa.UniqueConstraint('demand_id', 'offer_id', name=op.f('uq_market_match_demand_id'))
    )
    with op.batch_alter_table('market_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_match_demand_id'), ['demand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_match_offer_id'), ['offer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('market_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_match_offer_id'))
        batch_op.drop_index(batch_op.f('ix_market_match_demand_id'))

    op.drop_table('market_match')
    with op.batch_alter_table('park_statistic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_park_statistic_year'))
        batch_op.drop_index(batch_op.f('ix_park_statistic_batch_id'))

    op.drop_table('park_statistic')
    with op.batch_alter_table('market_listing', schema=None) as batch_op:
        batch_op.drop_index('ix_market_listing_open')
        batch_op.drop_index(batch_op.f('ix_market_listing_entity_id'))

    op.drop_table('market_listing')
    with op.batch_alter_table('chain_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chain_member_entity_id'))

    op.drop_table('chain_member')
    op.drop_table('eval_park')
