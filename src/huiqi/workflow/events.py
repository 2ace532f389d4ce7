"""Domain events: an outbox written in the same transaction as the change it describes.

    with ctx.db.write() as s:
        application.state = "submitted"
        emit(s, ctx, "application.submitted", Subject("application", application.id),
             {"programme": 3})
    # committed together: if the change is rolled back, so is its event, and an event is
    # never written for a change that did not happen

A reader (notifications, deadline clocks) asks for the events after the last ``id`` it has
handled (:func:`after`); events are never changed or deleted, so that position is all a
reader keeps, and a reader that dies half-way starts again from it — nothing lost, and with
the position saved in the reader's own transaction, nothing handled twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.service.context import Context

from .models import DomainEvent


@dataclass(frozen=True)
class Subject:
    """What an event is about: a kind of thing (``application``) and its id."""

    type: str
    id: str | int

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


def emit(s: Session, ctx: Context, kind: str, subject: Subject,
         payload: Mapping[str, Any] | None = None) -> DomainEvent:
    """Add one event in the session ``s`` (it commits with the change it describes)."""
    event = DomainEvent(occurred_at=ctx.now(), kind=kind, subject_type=subject.type,
                        subject_id=str(subject.id), payload=dict(payload or {}),
                        actor=ctx.actor.username)
    s.add(event)
    return event


def after(s: Session, last_id: int = 0, *, kinds: Iterable[str] | None = None,
          limit: int = 500) -> list[DomainEvent]:
    """The events after ``last_id``, oldest first (optionally only some kinds)."""
    stmt = select(DomainEvent).where(DomainEvent.id > last_id)
    if kinds is not None:
        stmt = stmt.where(DomainEvent.kind.in_(list(kinds)))
    return list(s.scalars(stmt.order_by(DomainEvent.id).limit(limit)))


def history(s: Session, subject: Subject) -> list[DomainEvent]:
    """Every event of one subject, oldest first (deadlines are computed from it when read)."""
    return list(s.scalars(select(DomainEvent).where(
        DomainEvent.subject_type == subject.type, DomainEvent.subject_id == str(subject.id))
        .order_by(DomainEvent.id)))


__all__ = ["Subject", "after", "emit", "history"]
