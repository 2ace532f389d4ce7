"""Programmes: calls on clauses of a published pack, applications with their materials,
review assignments (with recusal) and scores, conflicts declared by reviewers, objections
filed during 公示, and payments (issue 12, items 3–8).

Revision ID: 0007
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviewer_conflict",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("entity_id", T.BigKey, nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("declared_at", T.UTCDateTime(), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_reviewer_conflict_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewer_conflict")),
        sa.UniqueConstraint("reviewer", "entity_id", name=op.f("uq_reviewer_conflict_reviewer")),
    )
    with op.batch_alter_table("reviewer_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviewer_conflict_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviewer_conflict_reviewer"), ["reviewer"], unique=False)

    op.create_table(
        "programme",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("pack_key", sa.String(length=64), nullable=False),
        sa.Column("pack_version_id", T.BigKey, nullable=False),
        sa.Column("clause_key", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("budget", T.Money(), nullable=False),
        sa.Column("budget_year", T.Money(), nullable=True),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column("may_be_vacant", sa.Boolean(), nullable=False),
        sa.Column("committed", T.Money(), nullable=False),
        sa.Column("awarded", sa.Integer(), nullable=False),
        sa.Column("materials", T.JSONText(), nullable=False),
        sa.Column("durations", T.JSONText(), nullable=False),
        sa.Column("rubric", T.JSONText(), nullable=True),
        sa.Column("exclusive_group", sa.String(length=64), nullable=True),
        sa.Column("enterprise_year_cap", T.Money(), nullable=True),
        sa.Column("honour", T.JSONText(), nullable=True),
        sa.Column("reviewers", T.JSONText(), nullable=False),
        sa.Column("decided_at", T.UTCDateTime(), nullable=True),
        sa.Column("decision", T.JSONText(), nullable=True),
        sa.Column("created_at", T.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["pack_version_id"], ["pack_version.id"], name=op.f("fk_programme_pack_version_id_pack_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("key", name=op.f("uq_programme_key")),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_pack_version_id"), ["pack_version_id"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("programme_id", T.BigKey, nullable=False),
        sa.Column("entity_id", T.BigKey, nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("facts", T.JSONText(), nullable=False),
        sa.Column("precheck", T.JSONText(), nullable=True),
        sa.Column("submitted_at", T.UTCDateTime(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("score", T.Exact(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("amount", T.Money(), nullable=True),
        sa.Column("amount_rule", T.Money(), nullable=True),
        sa.Column("version_key", sa.String(length=200), nullable=True),
        sa.Column("paid", T.Money(), nullable=False),
        sa.Column("explanation", T.JSONText(), nullable=True),
        sa.Column("created_at", T.UTCDateTime(), nullable=False),
        sa.Column("updated_at", T.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_application_entity_id_entity")),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_application_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("programme_id", "entity_id", name=op.f("uq_application_programme_id")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_state"), ["state"], unique=False)

    op.create_table(
        "application_material",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("application_id", T.BigKey, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", T.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_application_material_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_material")),
    )
    with op.batch_alter_table("application_material", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_material_application_id"), ["application_id"], unique=False)

    op.create_table(
        "objection",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("application_id", T.BigKey, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("filed_at", T.UTCDateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("answered_at", T.UTCDateTime(), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_objection_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection")),
    )
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objection_application_id"), ["application_id"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("application_id", T.BigKey, nullable=False),
        sa.Column("amount", T.Money(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", T.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_payment_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_application_id"), ["application_id"], unique=False)

    op.create_table(
        "review_assignment",
        sa.Column("id", T.BigKey, nullable=False),
        sa.Column("application_id", T.BigKey, nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("scores", T.JSONText(), nullable=True),
        sa.Column("total", T.Exact(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("assigned_at", T.UTCDateTime(), nullable=False),
        sa.Column("done_at", T.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_review_assignment_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignment")),
        sa.UniqueConstraint("application_id", "reviewer", name=op.f("uq_review_assignment_application_id")),
    )
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_assignment_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_assignment_reviewer"), ["reviewer"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignment_reviewer"))
        batch_op.drop_index(batch_op.f("ix_review_assignment_application_id"))

    op.drop_table("review_assignment")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_application_id"))

    op.drop_table("payment")
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_application_id"))

    op.drop_table("objection")
    with op.batch_alter_table("application_material", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_material_application_id"))

    op.drop_table("application_material")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_state"))
        batch_op.drop_index(batch_op.f("ix_application_programme_id"))
        batch_op.drop_index(batch_op.f("ix_application_entity_id"))

    op.drop_table("application")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_pack_version_id"))

    op.drop_table("programme")
    with op.batch_alter_table("reviewer_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewer_conflict_reviewer"))
        batch_op.drop_index(batch_op.f("ix_reviewer_conflict_entity_id"))

    op.drop_table("reviewer_conflict")
