"""Consortium agreements' files (揭榜挂帅) and competitions (炬火种, issue 13): the
competition with its stages' rubrics, panels and prizes; problems posted by enterprises;
teams registered for a problem, their scores, ranks, prizes and certificates.

Revision ID: 0014
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", T.BigKey, primary_key=True)


def upgrade() -> None:
    op.create_table(
        "challenge_agreement", _id(),
        sa.Column("application_id", T.BigKey, sa.ForeignKey("challenge_application.id"),
                  nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", T.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("application_id", name=op.f("uq_challenge_agreement_application_id")))
    op.create_table(
        "competition", _id(),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("organiser", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rubrics", T.JSONText(), nullable=False),
        sa.Column("panels", T.JSONText(), nullable=False),
        sa.Column("prizes", T.JSONText(), nullable=False),
        sa.Column("finalists", sa.Integer(), nullable=False),
        sa.Column("created_at", T.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("key", name=op.f("uq_competition_key")))
    op.create_table(
        "competition_problem", _id(),
        sa.Column("competition_id", T.BigKey, sa.ForeignKey("competition.id"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("entity_code", sa.String(18), nullable=False),
        sa.Column("entity_name", sa.String(200), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("description", sa.String(4000), nullable=False),
        sa.Column("prize", T.Money(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("posted_at", T.UTCDateTime(), nullable=False),
        sa.Column("posted_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("competition_id", "code",
                            name=op.f("uq_competition_problem_competition_id")))
    for col in ("competition_id", "entity_code", "state"):
        op.create_index(op.f(f"ix_competition_problem_{col}"), "competition_problem", [col])
    op.create_table(
        "competition_team", _id(),
        sa.Column("problem_id", T.BigKey, sa.ForeignKey("competition_problem.id"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("university", sa.String(200), nullable=False),
        sa.Column("members", T.JSONText(), nullable=False),
        sa.Column("mentor", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("preliminary", T.JSONText(), nullable=True),
        sa.Column("preliminary_score", T.Exact(), nullable=True),
        sa.Column("final", T.JSONText(), nullable=True),
        sa.Column("final_score", T.Exact(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("award", sa.String(32), nullable=True),
        sa.Column("prize", T.Money(), nullable=True),
        sa.Column("certificate", sa.String(40), nullable=True),
        sa.Column("registered_at", T.UTCDateTime(), nullable=False),
        sa.Column("registered_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("problem_id", "name", name=op.f("uq_competition_team_problem_id")),
        sa.UniqueConstraint("certificate", name=op.f("uq_competition_team_certificate")))
    for col in ("problem_id", "university", "state"):
        op.create_index(op.f(f"ix_competition_team_{col}"), "competition_team", [col])


def downgrade() -> None:
    for t in ("competition_team", "competition_problem", "competition", "challenge_agreement"):
        op.drop_table(t)
