"""What an enterprise says of itself that staff must confirm (migration 0010)::

    fact_claim    a value an enterprise user gave for a fact that affects money: pending
                  until a staff member confirms it (then it is recorded as the enterprise's
                  own, 企业自报, with who confirmed it) or rejects it, with a note
    policy_note   the plain-language 解读 an officer writes for a published policy

The models share the store's metadata, so the migrations and the schema test see them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base
from huiqi.store.types import BigKey, UTCDateTime

PENDING, CONFIRMED, REJECTED = "pending", "confirmed", "rejected"


class FactClaim(Base):
    """One value an enterprise gave for one fact (of one year; 0 for a static fact)."""

    __tablename__ = "fact_claim"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    fact: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    value_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))


class PolicyNote(Base):
    """The 解读 of one policy of one pack, as the officer last wrote it."""

    __tablename__ = "policy_note"
    __table_args__ = (UniqueConstraint("pack", "policy"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    pack: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


__all__ = ["CONFIRMED", "PENDING", "REJECTED", "FactClaim", "PolicyNote"]
