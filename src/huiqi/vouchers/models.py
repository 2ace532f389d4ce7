"""The tables of vouchers (migration 0012; the consortium agreements' files, 0014)::

    voucher_scheme ─┬─ voucher ── voucher_contract ── (voucher_claim)
                    └─ voucher_provider ── voucher_item
    ledger_account ── ledger_entry ── ledger_txn

A scheme is one year's round of a park's vouchers (its budget, the deduction shares and
the bonus as dated parameters). Money is never a column that is edited: every amount
moves by a :class:`LedgerTxn` whose :class:`LedgerEntry` rows sum to zero, and a balance
is the sum of an account's entries (:mod:`huiqi.vouchers.ledger`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base
from huiqi.store.stored_file import StoredFile
from huiqi.store.types import BigKey, Exact, JSONText, Money, UTCDateTime


class VoucherScheme(Base):
    """One year's vouchers of a park: the budget, the clause the quota comes from, the
    parameters (deduction shares, bonus share and cap, each dated, marked assumed)."""

    __tablename__ = "voucher_scheme"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    pack_key: Mapped[str | None] = mapped_column(String(64))
    clause_key: Mapped[str | None] = mapped_column(String(200))
    valid_until: Mapped[dt.date] = mapped_column(Date)   # vouchers expire after this day
    #: {share: {date: ratio}, share_tsme: {...}, bonus_share: {...}, bonus_cap: {...},
    #:  assumed: {name: text}}
    params: Mapped[Any] = mapped_column(JSONText())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class VoucherProvider(Base):
    """A service provider (火炬创新平台): applied → recognised (after the panel's
    evaluation) → lapsed; or rejected. Only a recognised provider accepts vouchers."""

    __tablename__ = "voucher_provider"
    __table_args__ = (UniqueConstraint("scheme_id", "entity_id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("voucher_scheme.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))   # applied | recognised | rejected | lapsed
    in_zone: Mapped[bool] = mapped_column(Boolean)   # registered and taxed in the zone: bonus
    recognised_on: Mapped[dt.date | None] = mapped_column(Date)
    lapses_on: Mapped[dt.date | None] = mapped_column(Date)
    score: Mapped[Decimal | None] = mapped_column(Exact())   # the panel's weighted score
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class VoucherItem(Base):
    """A service a provider offers against vouchers, with its class and list price."""

    __tablename__ = "voucher_item"
    __table_args__ = (UniqueConstraint("provider_id", "code"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("voucher_provider.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    service_class: Mapped[str] = mapped_column(String(16))  # finance|talent|technology|intermediary
    price: Mapped[Decimal] = mapped_column(Money())


class Voucher(Base):
    """An enterprise's yearly quota: issued → expired (or revoked). Its balance is the
    ledger's (account ``quota:<id>``), never a column."""

    __tablename__ = "voucher"
    __table_args__ = (UniqueConstraint("scheme_id", "entity_id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("voucher_scheme.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))   # issued | expired
    amount: Mapped[Decimal] = mapped_column(Money())  # as issued (the clause's amount)
    share: Mapped[Decimal] = mapped_column(Exact())   # deduction share of a contract
    tsme: Mapped[bool] = mapped_column(Boolean)       # 科技型中小企业 at issue
    version_key: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(String(64))


class VoucherContract(Base):
    """A service contract redeemed against a voucher: redeemed → delivered → confirmed →
    claimed → settled; or cancelled before delivery (the deduction goes back to the quota).
    ``(provider_id, number)`` is unique: a contract is never redeemed twice."""

    __tablename__ = "voucher_contract"
    __table_args__ = (UniqueConstraint("provider_id", "number"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("voucher.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("voucher_provider.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("voucher_item.id"))
    number: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money())     # the contract's amount
    deducted: Mapped[Decimal] = mapped_column(Money())   # what the voucher pays
    state: Mapped[str] = mapped_column(String(16), index=True)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("voucher_claim.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class VoucherClaim(Base):
    """A provider's claim for a quarter (``2025Q2``): the confirmed contracts of the quarter;
    claimed → settled. One claim per provider and quarter; settling twice changes nothing."""

    __tablename__ = "voucher_claim"
    __table_args__ = (UniqueConstraint("provider_id", "period"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("voucher_provider.id"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))   # claimed | settled
    amount: Mapped[Decimal] = mapped_column(Money())
    bonus: Mapped[Decimal | None] = mapped_column(Money())
    reference: Mapped[str | None] = mapped_column(String(100))   # the payment's reference
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    settled_by: Mapped[str | None] = mapped_column(String(64))


class LedgerAccount(Base):
    """An account of the ledger, named by what it holds: ``funding:<scheme>``,
    ``budget:<scheme>``, ``quota:<voucher>``, ``held:<provider>`` (redeemed, not yet
    delivered), ``receivable:<provider>``, ``payments:<scheme>``, ``expiries:<scheme>``."""

    __tablename__ = "ledger_account"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("voucher_scheme.id"), index=True)


class LedgerTxn(Base):
    """One balanced transaction; ``reference`` is unique (the operation's idempotency key:
    ``settle:<claim>`` can be posted once)."""

    __tablename__ = "ledger_txn"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("voucher_scheme.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    posted_on: Mapped[dt.date] = mapped_column(Date)
    posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    posted_by: Mapped[str] = mapped_column(String(64))
    memo: Mapped[str | None] = mapped_column(String(500))


class LedgerEntry(Base):
    """One leg of a transaction: a signed amount (debit positive) on one account."""

    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    txn_id: Mapped[int] = mapped_column(ForeignKey("ledger_txn.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())


# ---------------------------------------------------------------------- 揭榜挂帅 challenge lists

class ChallengeList(Base):
    """A list of tasks (榜单) published by the park, with its budget; the awards of its
    selected teams never exceed it (the list's row is locked while selecting)."""

    __tablename__ = "challenge_list"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    budget: Mapped[Decimal] = mapped_column(Money())
    state: Mapped[str] = mapped_column(String(16))   # draft | published | closed
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    #: the panel's rubric (the programmes' shape): criteria with weights, pass mark
    rubric: Mapped[Any] = mapped_column(JSONText())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class ChallengeTask(Base):
    """One task of a list: a chip (its class, its category in the market's vocabulary, its
    indicators, packaging, deliverables, period), its share of the budget, one winner or
    several (赛马), and its milestones with the share of the award each pays."""

    __tablename__ = "challenge_task"
    __table_args__ = (UniqueConstraint("list_id", "code"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("challenge_list.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    group_zh: Mapped[str] = mapped_column(String(100))    # the class of chips
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))     # analytics' market vocabulary
    indicators: Mapped[Any] = mapped_column(JSONText())   # {spec: wanted} in that vocabulary
    qualifications: Mapped[Any] = mapped_column(JSONText())
    packaging: Mapped[str] = mapped_column(String(200))
    deliverables: Mapped[Any] = mapped_column(JSONText())  # [text]
    period_months: Mapped[int] = mapped_column(Integer)
    budget: Mapped[Decimal] = mapped_column(Money())
    winners: Mapped[int] = mapped_column(Integer)         # 1, or more for 赛马
    milestones: Mapped[Any] = mapped_column(JSONText())   # [{id, zh, en, share}]


class ChallengeApplication(Base):
    """An application to a task, alone or as a consortium (lead + members with roles, the
    agreement's digest); one per task per applicant (lead or member)."""

    __tablename__ = "challenge_application"
    __table_args__ = (UniqueConstraint("task_id", "lead_code"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("challenge_task.id"), index=True)
    lead_code: Mapped[str] = mapped_column(String(18))
    lead_name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(32))
    members: Mapped[Any] = mapped_column(JSONText())      # [{code, name, role}]
    agreement_sha256: Mapped[str | None] = mapped_column(String(64))
    agreement_name: Mapped[str | None] = mapped_column(String(255))
    proposal: Mapped[str] = mapped_column(String(2000))
    state: Mapped[str] = mapped_column(String(16), index=True)  # submitted|selected|not_selected
    scores: Mapped[Any] = mapped_column(JSONText(), nullable=True)  # the panel's reviews
    score: Mapped[Decimal | None] = mapped_column(Exact())
    rank: Mapped[int | None] = mapped_column(Integer)
    award: Mapped[Decimal | None] = mapped_column(Money())
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str] = mapped_column(String(64))


class ChallengeMilestone(Base):
    """A milestone accepted by the reviewers, and the staged payment it released."""

    __tablename__ = "challenge_milestone"
    __table_args__ = (UniqueConstraint("application_id", "milestone"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("challenge_application.id"), index=True)
    milestone: Mapped[str] = mapped_column(String(32))
    accepted_on: Mapped[dt.date] = mapped_column(Date)
    accepted_by: Mapped[str] = mapped_column(String(64))
    reviewers: Mapped[Any] = mapped_column(JSONText())
    amount: Mapped[Decimal] = mapped_column(Money())
    reference: Mapped[str] = mapped_column(String(100))


class ChallengeAgreement(StoredFile, Base):
    """A consortium's agreement, as uploaded (within the upload limits): its bytes and their
    SHA-256 (the stored file's columns), given only to those who may see the application."""

    __tablename__ = "challenge_agreement"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("challenge_application.id"),
                                                unique=True)
    file_name: Mapped[str] = mapped_column(String(255))


# ---------------------------------------------------------------------- 炬火种 competitions

class Competition(Base):
    """A competition (炬火种) of a year: its stages' rubrics and panels (the programmes'
    shape), how many teams of a problem go to the final, and the prizes (a share of the
    problem's prize money by final rank)."""

    __tablename__ = "competition"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    #: {"preliminary": {criteria, pass_mark, aggregation}, "final": {...}}
    rubrics: Mapped[Any] = mapped_column(JSONText())
    #: {"preliminary": [reviewer names], "final": [...]}
    panels: Mapped[Any] = mapped_column(JSONText())
    #: [{"rank": 1, "zh": "一等奖", "en": "First prize", "share": "0.5"}, ...]
    prizes: Mapped[Any] = mapped_column(JSONText())
    finalists: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class CompetitionProblem(Base):
    """A problem (命题) posted by an enterprise, with its prize money; it moves through the
    declared stages (:data:`huiqi.vouchers.competitions.PROBLEM`)."""

    __tablename__ = "competition_problem"
    __table_args__ = (UniqueConstraint("competition_id", "code"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    entity_code: Mapped[str] = mapped_column(String(18), index=True)
    entity_name: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(4000))
    prize: Mapped[Decimal] = mapped_column(Money())
    # posted | open | preliminary | final | awarded | withdrawn
    state: Mapped[str] = mapped_column(String(16), index=True)
    posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    posted_by: Mapped[str] = mapped_column(String(64))


class CompetitionTeam(Base):
    """A team registered for a problem: students (each with a university and a role), the
    team's university, a mentor; its scores in each stage, its rank and prize, and the
    number of its certificate. One name per problem."""

    __tablename__ = "competition_team"
    __table_args__ = (UniqueConstraint("problem_id", "name"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("competition_problem.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    university: Mapped[str] = mapped_column(String(200), index=True)
    members: Mapped[Any] = mapped_column(JSONText())     # [{name, university, role}]
    mentor: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200))
    # registered | finalist | eliminated | placed | unplaced
    state: Mapped[str] = mapped_column(String(16), index=True)
    preliminary: Mapped[Any] = mapped_column(JSONText(), nullable=True)  # the panel's reviews
    preliminary_score: Mapped[Decimal | None] = mapped_column(Exact())
    final: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    final_score: Mapped[Decimal | None] = mapped_column(Exact())
    rank: Mapped[int | None] = mapped_column(Integer)
    award: Mapped[str | None] = mapped_column(String(32))    # the prize's rank label key
    prize: Mapped[Decimal | None] = mapped_column(Money())
    certificate: Mapped[str | None] = mapped_column(String(40), unique=True)
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    registered_by: Mapped[str] = mapped_column(String(64))
