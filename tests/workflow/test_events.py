"""Domain events: written with the change, read in order from a reader's position, never
altered."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DatabaseError

from huiqi.service.context import Context
from huiqi.store.database import Database
from huiqi.workflow.events import Subject, after, emit, history
from huiqi.workflow.models import DomainEvent


def test_events_are_read_in_order_from_a_position(db: Database, system: Context) -> None:
    with db.write() as s:
        for i in range(5):
            emit(s, system, "ticket.submit" if i % 2 else "ticket.close", Subject("ticket", i),
                 {"n": i})
    with db.read() as s:
        first = after(s, limit=2)
        rest = after(s, first[-1].id)
        closes = after(s, kinds=["ticket.close"])
        one = history(s, Subject("ticket", 3))
    assert [e.payload["n"] for e in first + rest] == [0, 1, 2, 3, 4]
    assert [e.payload["n"] for e in closes] == [0, 2, 4]
    assert [(e.kind, e.subject_type, e.subject_id, e.actor) for e in one] == [
        ("ticket.submit", "ticket", "3", "system")]
    assert one[0].occurred_at == system.now()


def test_an_event_rolls_back_with_its_change(db: Database, system: Context) -> None:
    with pytest.raises(RuntimeError), db.write() as s:
        emit(s, system, "ticket.submit", Subject("ticket", 1))
        raise RuntimeError("the change failed")
    with db.read() as s:
        assert after(s) == []


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_alter_an_event(db: Database, system: Context,
                                                change: str) -> None:
    with db.write() as s:
        emit(s, system, "ticket.submit", Subject("ticket", 1))
    stmt = (update(DomainEvent).values(kind="forged") if change == "update"
            else delete(DomainEvent))
    with pytest.raises(DatabaseError, match="append-only"), db.write() as s:
        s.execute(stmt)
