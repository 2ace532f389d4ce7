"""The tables of programmes (migration 0007)::

    programme ─┬─ application ─┬─ application_material   files handed in (digest, type, size)
               │               ├─ review_assignment      a reviewer of one application: assigned,
               │               │                         recused (conflict) or scored, with the scores
               │               ├─ objection              公示: filed, answered
               │               └─ payment                拨付: amount, date, reference
               └─ reviewer_conflict                      enterprises a reviewer declared (never shown)

A programme is one call (one year's round) of clauses of a published pack version. Its
running totals ``committed`` and ``awarded`` are changed only by a conditional UPDATE
(:mod:`huiqi.programmes.money`), so the budget and the quota hold under concurrent
decisions. An application of a 免申即享 programme is a record the platform opened
(``origin = "automatic"``): the enterprise applied for nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base
from huiqi.store.stored_file import StoredFile
from huiqi.store.types import BigKey, Exact, JSONText, Money, UTCDateTime


class Programme(Base):
    """One call: which clauses, when, how much, how many, how chosen, by whom."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    pack_key: Mapped[str] = mapped_column(String(64))
    pack_version_id: Mapped[int] = mapped_column(ForeignKey("pack_version.id"), index=True)
    clause_key: Mapped[str] = mapped_column(String(200))
    #: universal (普惠), competitive (评审择优), automatic (免申即享)
    mode: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    opens_on: Mapped[dt.date] = mapped_column(Date)     # China's dates, both included
    closes_on: Mapped[dt.date] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(Money())     # this call's budget
    budget_year: Mapped[Decimal | None] = mapped_column(Money())  # the year's, over calls
    quota: Mapped[int | None] = mapped_column(Integer)   # at most this many awards
    may_be_vacant: Mapped[bool] = mapped_column(Boolean, default=False)
    committed: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    awarded: Mapped[int] = mapped_column(Integer, default=0)
    #: [{kind, label_zh, label_en, types: [...], max_bytes, required}]
    materials: Mapped[Any] = mapped_column(JSONText())
    #: {formal_review: n, correction: n, review: n, objection: n} working days
    durations: Mapped[Any] = mapped_column(JSONText())
    #: {criteria: [{id, label_zh, label_en, weight, assumed}], pass_mark, aggregation,
    #:  tie_break: [...], scale}
    rubric: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    #: per-enterprise cap a year over programmes of the same ``exclusive_group`` and
    #: 就高不重复 inside it
    exclusive_group: Mapped[str | None] = mapped_column(String(64))
    enterprise_year_cap: Mapped[Decimal | None] = mapped_column(Money())
    #: the honour recorded on a grant: {fact: awards|honours, kind, level, validity_months}
    honour: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    reviewers: Mapped[Any] = mapped_column(JSONText())  # usernames of the panel
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[Any] = mapped_column(JSONText(), nullable=True)  # the explanation
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class Application(Base):
    """One enterprise's application to one programme (or the record 免申即享 opened)."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("programme_id", "entity_id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    origin: Mapped[str] = mapped_column(String(16))  # applied | automatic
    state: Mapped[str] = mapped_column(String(16), index=True)
    #: the facts the clause reads, as confirmed by the enterprise (also written as facts)
    facts: Mapped[Any] = mapped_column(JSONText())
    #: the engine's pre-check at submission: status, missing, failed
    precheck: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: the working-day deadline of the present stage (correction, formal review, 公示)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)   # the last reason given
    score: Mapped[Decimal | None] = mapped_column(Exact())
    rank: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal | None] = mapped_column(Money())      # decided, then granted
    amount_rule: Mapped[Decimal | None] = mapped_column(Money())  # what the clause gave
    version_key: Mapped[str | None] = mapped_column(String(200))  # pack version of the amount
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    explanation: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ApplicationMaterial(StoredFile, Base):
    """A file handed in with an application, kept byte for byte with its digest (the
    stored-file columns: :class:`~huiqi.store.stored_file.StoredFile`)."""

    __tablename__ = "application_material"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))


class ReviewerConflict(Base):
    """An enterprise a reviewer declared a conflict of interest with (or the applicant named):
    the reviewer is never assigned to it, never shown it."""

    __tablename__ = "reviewer_conflict"
    __table_args__ = (UniqueConstraint("reviewer", "entity_id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    declared_by: Mapped[str] = mapped_column(String(64))


class ReviewAssignment(Base):
    """One reviewer on one application: assigned → scored, or recused (a conflict declared;
    the assignment stays, as a state, not deleted)."""

    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("application_id", "reviewer"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))  # assigned | scored | recused
    scores: Mapped[Any] = mapped_column(JSONText(), nullable=True)  # criterion → score
    total: Mapped[Decimal | None] = mapped_column(Exact())          # weighted
    comment: Mapped[str | None] = mapped_column(Text)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Objection(Base):
    """An objection filed during 公示 (about procedure or facts), and its answer."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text)
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[str | None] = mapped_column(String(64))


class Payment(Base):
    """A payment (拨付) of a grant: never more, in sum, than the amount granted."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    paid_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))
