"""The tables the workflow core adds (migration 0005)::

    domain_events      append-only outbox: what happened to which subject, by whom
    calendar_day       a date declared a working day or a day off (overrides the package)
    calendar_year      a year whose holidays an administrator has entered in full

The models share the store's metadata, so the migrations and the schema test see them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base
from huiqi.store.types import BigKey, JSONText, UTCDateTime


class DomainEvent(Base):
    """One thing that happened to one subject (an application, a voucher, a case …), written
    in the transaction of the change itself; never changed or deleted (the database refuses).
    Readers keep their own position (the last ``id`` they handled)."""

    __tablename__ = "domain_events"
    __table_args__ = (Index("ix_domain_events_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[Any] = mapped_column(JSONText())
    actor: Mapped[str] = mapped_column(String(64))


class CalendarDay(Base):
    """A date an administrator declared a working day or a day off, with the reason (e.g.
    the State Council's notice); it takes precedence over the ``chinese-calendar`` package."""

    __tablename__ = "calendar_day"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_working_day: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))


class CalendarYear(Base):
    """A year whose public holidays and make-up working days an administrator has entered in
    full (for a year the package does not know yet): only then are deadlines computed in it."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))
