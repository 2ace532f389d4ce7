"""The tables of service cases (migration 0008)::

    service_case ─┬─ case_agent     who serves it (one agent: 一对一; several: 多对一)
                  ├─ case_file      evidence and attachments, kept in the database
                  ├─ case_rating    好差评 of a request; satisfaction surveys of a measure
                  └─ service_case   an approval project's items; a request's rectification
    case_standard                   the service standard as data: project templates,
                                    request categories, escalation rules (editable by staff)

A case's ``state`` is the state of its declared workflow (:mod:`huiqi.cases.flows`); every
time — started, paused, targets met or missed, escalations, last contact — is derived from
its events (``domain_events``) when read (:mod:`huiqi.cases.clock`), never kept here.
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
from huiqi.store.types import BigKey, Exact, JSONText, UTCDateTime


class ServiceCase(Base):
    """One case: an approval project or one of its items, a supervised measure, an
    enterprise's request or its rectification, a cross-district move."""

    __tablename__ = "service_case"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"), index=True)
    #: the responsible agency of an item, the owning department of a measure
    department: Mapped[str | None] = mapped_column(String(100), index=True)
    #: a measure's area, a request's category, a project's template
    category: Mapped[str | None] = mapped_column(String(64), index=True)
    green: Mapped[bool] = mapped_column(Boolean, default=False)
    #: target in working days (an item's approval, a request's resolution)
    target_days: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    details: Mapped[Any] = mapped_column(JSONText())
    evaluation: Mapped[Decimal | None] = mapped_column(Exact())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class CaseAgent(Base):
    __tablename__ = "case_agent"
    __table_args__ = (UniqueConstraint("case_id", "username"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(String(64))


class CaseFile(StoredFile, Base):
    """An attachment: a request's, or evidence of progress or of a rectification (the
    stored-file columns: :class:`~huiqi.store.stored_file.StoredFile`)."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))


class CaseRating(Base):
    """A rating of 1 (very poor) to 5 (very good): 1 and 2 are 差评. ``status``: valid,
    appealed (staff say it is mistaken), void (the appeal upheld)."""

    __tablename__ = "case_rating"
    __table_args__ = (UniqueConstraint("case_id", "rated_by"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"), index=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="valid")
    appeal: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    rated_by: Mapped[str] = mapped_column(String(64))


class CaseStandard(Base):
    """One piece of the service standard, as data: a project template (its approval items,
    each with agency and targets), a request category (targets), escalation rules."""

    __tablename__ = "case_standard"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[Any] = mapped_column(JSONText())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))
