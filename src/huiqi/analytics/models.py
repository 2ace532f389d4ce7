"""The tables analytics adds (migration 0009)::

    eval_park          a park that is evaluated (the home park and its peers), by code
    park_statistic     one imported park-level figure: park, indicator, year, value, source
    chain_member       a staff decision about an enterprise in a chain segment (include,
                       exclude, chain leader); the chains themselves are declared as data
    market_listing     a demand (a car maker needs an MCU) or an offer (a chip, a research
                       result) in the shared vocabulary, with contacts kept back
    market_match       a demand and an offer scored against each other; contacts are shared
                       only when both sides have said yes (the database checks it)
    evaluation_result  one year's evaluation as last computed (migration 0022): the
                       statistics' revision it was computed from, its arrays (scores, ranks,
                       intervals, sensitivity) and the default park's what-if

The models share the store's metadata, so the migrations and the schema test see them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base
from huiqi.store.types import BigKey, Exact, JSONText, UTCDateTime


class EvalPark(Base):
    """A park in the evaluation: a code (e.g. ``GXQ011``), its name, whether it is ours."""

    __tablename__ = "eval_park"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    home: Mapped[bool] = mapped_column(Boolean, default=False)


class ParkStatistic(Base):
    """One figure of one park for one indicator and year. A figure not given is absent (never
    0); ``value`` NULL is a figure declared missing, with ``note`` saying why."""

    __tablename__ = "park_statistic"
    __table_args__ = (UniqueConstraint("park_id", "indicator", "year"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("eval_park.id"))
    indicator: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer, index=True)
    value: Mapped[Decimal | None] = mapped_column(Exact())
    unit: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))


class ChainMember(Base):
    """Staff's word on an enterprise in a segment of a chain: ``include`` (whatever the
    automatic mapping says), ``exclude``, and whether it is a chain leader (链主)."""

    __tablename__ = "chain_member"
    __table_args__ = (UniqueConstraint("chain", "segment", "entity_id"),
                      CheckConstraint("decision IN ('include', 'exclude')", name="decision"))

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    chain: Mapped[str] = mapped_column(String(64))
    segment: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    leader: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(500))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str] = mapped_column(String(64))


class MarketListing(Base):
    """A demand or an offer. ``specs`` maps vocabulary keys to values (numbers, ranges,
    choices); ``contact`` is shown to the other side only through a connected match."""

    __tablename__ = "market_listing"
    __table_args__ = (CheckConstraint("side IN ('demand', 'offer')", name="side"),
                      Index("ix_market_listing_open", "side", "state", "category"))

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    side: Mapped[str] = mapped_column(String(8))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # product, research (an offer); need
    category: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    specs: Mapped[Any] = mapped_column(JSONText())
    qualifications: Mapped[Any] = mapped_column(JSONText())
    volume: Mapped[int | None] = mapped_column(Integer)
    needed_by: Mapped[dt.date | None] = mapped_column(Date)
    contact: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class MarketMatch(Base):
    """A demand and an offer, their score and its explanation, and where they stand:
    proposed → one side interested → connected (both said yes; contacts shared) → deal or
    no deal; or declined by either side."""

    __tablename__ = "market_match"
    __table_args__ = (
        UniqueConstraint("demand_id", "offer_id"),
        # contacts are shared in "connected" and after: never without both consents
        CheckConstraint("state NOT IN ('connected', 'deal', 'no_deal') OR "
                        "(demand_consent_at IS NOT NULL AND offer_consent_at IS NOT NULL)",
                        name="both_consents"),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("market_listing.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("market_listing.id"), index=True)
    score: Mapped[Decimal] = mapped_column(Exact())
    explanation: Mapped[Any] = mapped_column(JSONText())
    state: Mapped[str] = mapped_column(String(16), default="proposed")
    demand_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    demand_consent_by: Mapped[str | None] = mapped_column(String(64))
    offer_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    offer_consent_by: Mapped[str | None] = mapped_column(String(64))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class EvaluationResult(Base):
    """One year's evaluation as last computed, kept so that a page (and a restarted server)
    answers from it: ``revision`` names the state of the statistics it was computed from
    (a different one now: it is being computed again); ``arrays`` an ``.npz`` of NumPy
    arrays (no pickles); ``what_if`` the default park's improvements."""

    __tablename__ = "evaluation_result"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[str] = mapped_column(String(200))
    draws: Mapped[int] = mapped_column(Integer)
    arrays: Mapped[bytes] = mapped_column(LargeBinary)
    what_if: Mapped[Any] = mapped_column(JSONText())
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
