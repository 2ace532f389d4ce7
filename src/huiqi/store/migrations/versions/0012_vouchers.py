"""Vouchers and challenge lists (issue 13): schemes, providers and their service items, vouchers (yearly
quotas), service contracts, quarterly claims, and the double-entry ledger (accounts,
balanced transactions, entries) that holds every amount; 揭榜挂帅 lists, their tasks,
applications (consortia) and accepted milestones.

Revision ID: 0012
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", T.BigKey, primary_key=True)


def upgrade() -> None:
    op.create_table(
        "voucher_scheme", _id(),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("pack_key", sa.String(64), nullable=True),
        sa.Column("clause_key", sa.String(200), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("params", T.JSONText(), nullable=False),
        sa.Column("created_at", T.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("key", name=op.f("uq_voucher_scheme_key")))
    op.create_table(
        "voucher_provider", _id(),
        sa.Column("scheme_id", T.BigKey, sa.ForeignKey("voucher_scheme.id"), nullable=False),
        sa.Column("entity_id", T.BigKey, sa.ForeignKey("entity.id"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("in_zone", sa.Boolean(), nullable=False),
        sa.Column("recognised_on", sa.Date(), nullable=True),
        sa.Column("lapses_on", sa.Date(), nullable=True),
        sa.Column("score", T.Exact(), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", T.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("scheme_id", "entity_id", name=op.f("uq_voucher_provider_scheme_id")))
    op.create_index(op.f("ix_voucher_provider_scheme_id"), "voucher_provider", ["scheme_id"])
    op.create_index(op.f("ix_voucher_provider_entity_id"), "voucher_provider", ["entity_id"])
    op.create_table(
        "voucher_item", _id(),
        sa.Column("provider_id", T.BigKey, sa.ForeignKey("voucher_provider.id"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("service_class", sa.String(16), nullable=False),
        sa.Column("price", T.Money(), nullable=False),
        sa.UniqueConstraint("provider_id", "code", name=op.f("uq_voucher_item_provider_id")))
    op.create_index(op.f("ix_voucher_item_provider_id"), "voucher_item", ["provider_id"])
    op.create_table(
        "voucher", _id(),
        sa.Column("scheme_id", T.BigKey, sa.ForeignKey("voucher_scheme.id"), nullable=False),
        sa.Column("entity_id", T.BigKey, sa.ForeignKey("entity.id"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("amount", T.Money(), nullable=False),
        sa.Column("share", T.Exact(), nullable=False),
        sa.Column("tsme", sa.Boolean(), nullable=False),
        sa.Column("version_key", sa.String(200), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("scheme_id", "entity_id", name=op.f("uq_voucher_scheme_id")))
    op.create_index(op.f("ix_voucher_scheme_id"), "voucher", ["scheme_id"])
    op.create_index(op.f("ix_voucher_entity_id"), "voucher", ["entity_id"])
    op.create_table(
        "voucher_claim", _id(),
        sa.Column("provider_id", T.BigKey, sa.ForeignKey("voucher_provider.id"), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("amount", T.Money(), nullable=False),
        sa.Column("bonus", T.Money(), nullable=True),
        sa.Column("reference", sa.String(100), nullable=True),
        sa.Column("claimed_at", T.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", T.UTCDateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("provider_id", "period", name=op.f("uq_voucher_claim_provider_id")))
    op.create_index(op.f("ix_voucher_claim_provider_id"), "voucher_claim", ["provider_id"])
    op.create_table(
        "voucher_contract", _id(),
        sa.Column("voucher_id", T.BigKey, sa.ForeignKey("voucher.id"), nullable=False),
        sa.Column("provider_id", T.BigKey, sa.ForeignKey("voucher_provider.id"), nullable=False),
        sa.Column("item_id", T.BigKey, sa.ForeignKey("voucher_item.id"), nullable=True),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("amount", T.Money(), nullable=False),
        sa.Column("deducted", T.Money(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("claim_id", T.BigKey, sa.ForeignKey("voucher_claim.id"), nullable=True),
        sa.Column("created_at", T.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("provider_id", "number", name=op.f("uq_voucher_contract_provider_id")))
    for col in ("voucher_id", "provider_id", "state", "claim_id"):
        op.create_index(op.f(f"ix_voucher_contract_{col}"), "voucher_contract", [col])
    op.create_table(
        "ledger_account", _id(),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scheme_id", T.BigKey, sa.ForeignKey("voucher_scheme.id"), nullable=False),
        sa.UniqueConstraint("code", name=op.f("uq_ledger_account_code")))
    op.create_index(op.f("ix_ledger_account_kind"), "ledger_account", ["kind"])
    op.create_index(op.f("ix_ledger_account_scheme_id"), "ledger_account", ["scheme_id"])
    op.create_table(
        "ledger_txn", _id(),
        sa.Column("scheme_id", T.BigKey, sa.ForeignKey("voucher_scheme.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("posted_at", T.UTCDateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(64), nullable=False),
        sa.Column("memo", sa.String(500), nullable=True),
        sa.UniqueConstraint("reference", name=op.f("uq_ledger_txn_reference")))
    op.create_index(op.f("ix_ledger_txn_kind"), "ledger_txn", ["kind"])
    op.create_index(op.f("ix_ledger_txn_scheme_id"), "ledger_txn", ["scheme_id"])
    op.create_table(
        "ledger_entry", _id(),
        sa.Column("txn_id", T.BigKey, sa.ForeignKey("ledger_txn.id"), nullable=False),
        sa.Column("account_id", T.BigKey, sa.ForeignKey("ledger_account.id"), nullable=False),
        sa.Column("amount", T.Money(), nullable=False))
    op.create_index(op.f("ix_ledger_entry_txn_id"), "ledger_entry", ["txn_id"])
    op.create_index(op.f("ix_ledger_entry_account_id"), "ledger_entry", ["account_id"])

    op.create_table(
        "challenge_list", _id(),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("budget", T.Money(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("rubric", T.JSONText(), nullable=False),
        sa.Column("created_at", T.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("key", name=op.f("uq_challenge_list_key")))
    op.create_table(
        "challenge_task", _id(),
        sa.Column("list_id", T.BigKey, sa.ForeignKey("challenge_list.id"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("group_zh", sa.String(100), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("indicators", T.JSONText(), nullable=False),
        sa.Column("qualifications", T.JSONText(), nullable=False),
        sa.Column("packaging", sa.String(200), nullable=False),
        sa.Column("deliverables", T.JSONText(), nullable=False),
        sa.Column("period_months", sa.Integer(), nullable=False),
        sa.Column("budget", T.Money(), nullable=False),
        sa.Column("winners", sa.Integer(), nullable=False),
        sa.Column("milestones", T.JSONText(), nullable=False),
        sa.UniqueConstraint("list_id", "code", name=op.f("uq_challenge_task_list_id")))
    op.create_index(op.f("ix_challenge_task_list_id"), "challenge_task", ["list_id"])
    op.create_table(
        "challenge_application", _id(),
        sa.Column("task_id", T.BigKey, sa.ForeignKey("challenge_task.id"), nullable=False),
        sa.Column("lead_code", sa.String(18), nullable=False),
        sa.Column("lead_name", sa.String(200), nullable=False),
        sa.Column("province", sa.String(32), nullable=False),
        sa.Column("members", T.JSONText(), nullable=False),
        sa.Column("agreement_sha256", sa.String(64), nullable=True),
        sa.Column("agreement_name", sa.String(255), nullable=True),
        sa.Column("proposal", sa.String(2000), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("scores", T.JSONText(), nullable=True),
        sa.Column("score", T.Exact(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("award", T.Money(), nullable=True),
        sa.Column("paid", T.Money(), nullable=False),
        sa.Column("submitted_at", T.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("task_id", "lead_code", name=op.f("uq_challenge_application_task_id")))
    op.create_index(op.f("ix_challenge_application_task_id"), "challenge_application", ["task_id"])
    op.create_index(op.f("ix_challenge_application_state"), "challenge_application", ["state"])
    op.create_table(
        "challenge_milestone", _id(),
        sa.Column("application_id", T.BigKey, sa.ForeignKey("challenge_application.id"),
                  nullable=False),
        sa.Column("milestone", sa.String(32), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("accepted_by", sa.String(64), nullable=False),
        sa.Column("reviewers", T.JSONText(), nullable=False),
        sa.Column("amount", T.Money(), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.UniqueConstraint("application_id", "milestone",
                            name=op.f("uq_challenge_milestone_application_id")))
    op.create_index(op.f("ix_challenge_milestone_application_id"), "challenge_milestone",
                    ["application_id"])


def downgrade() -> None:
    for t in ("challenge_milestone", "challenge_application", "challenge_task", "challenge_list",
              "ledger_entry", "ledger_txn", "ledger_account", "voucher_contract", "voucher_claim",
              "voucher", "voucher_item", "voucher_provider", "voucher_scheme"):
        op.drop_table(t)
