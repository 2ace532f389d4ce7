"""Self-service data and policy notes: values an enterprise gives for facts that affect money,
pending until staff confirm them (``fact_claim``), and the officer's 解读 of a policy
(``policy_note``). See :mod:`huiqi.registry.claims`.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_claim",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("entity_id", T.BigKey, nullable=False),
        sa.Column("fact", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", T.UTCDateTime(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", T.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"],
                                name=op.f("fk_fact_claim_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_claim")),
    )
    with op.batch_alter_table("fact_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fact_claim_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fact_claim_status"), ["status"], unique=False)
    op.create_table(
        "policy_note",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("pack", sa.String(length=64), nullable=False),
        sa.Column("policy", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", T.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_note")),
        sa.UniqueConstraint("pack", "policy", name=op.f("uq_policy_note_pack")),
    )


def downgrade() -> None:
    op.drop_table("policy_note")
    with op.batch_alter_table("fact_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fact_claim_status"))
        batch_op.drop_index(batch_op.f("ix_fact_claim_entity_id"))
    op.drop_table("fact_claim")
