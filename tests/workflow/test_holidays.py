"""The days administrators declare: only they may, every change audited; a year becomes
known only once declared complete."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from huiqi.errors import Conflict, PermissionDenied
from huiqi.store.database import Database
from huiqi.store.models import AuditEntry
from huiqi.workflow import holidays as H
from service_fixtures import World

D = dt.date


def test_an_administrator_enters_an_unknown_year(world: World, db: Database) -> None:
    admin = world.ctx("admin")
    with pytest.raises(Conflict, match="2027"):
        H.deadline(admin, D(2027, 1, 4), 3)
    H.set_day(admin, D(2027, 1, 1), False, "元旦")
    H.set_day(admin, D(2027, 1, 2), True, "typo")
    H.set_day(admin, D(2027, 1, 2), False, "元旦调休")   # corrected
    assert H.clear_day(admin, D(2027, 1, 2)) and not H.clear_day(admin, D(2027, 1, 2))
    with pytest.raises(Conflict, match="2027"):          # days entered, year not declared
        H.deadline(admin, D(2027, 1, 4), 3)
    H.declare_year(admin, 2027, "国务院办公厅关于2027年部分节假日安排的通知")
    assert H.deadline(world.ctx("enterprise"), D(2026, 12, 31), 1) == D(2027, 1, 4)
    with db.read() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action.startswith("calendar"))
                              .order_by(AuditEntry.id)))
    assert [(a.action, a.target, a.before, a.after) for a in rows] == [
        ("calendar.day", "2027-01-01", None, {"is_working_day": False, "reason": "元旦"}),
        ("calendar.day", "2027-01-02", None, {"is_working_day": True, "reason": "typo"}),
        ("calendar.day", "2027-01-02", {"is_working_day": True, "reason": "typo"},
         {"is_working_day": False, "reason": "元旦调休"}),
        ("calendar.day", "2027-01-02", {"is_working_day": False, "reason": "元旦调休"}, None),
        ("calendar.year", "2027", None, {"source": "国务院办公厅关于2027年部分节假日安排的通知"})]


def test_a_year_without_any_day_off_cannot_be_declared_complete(world: World) -> None:
    with pytest.raises(Conflict, match="2028"):
        H.declare_year(world.ctx("admin"), 2028, "?")


@pytest.mark.parametrize("role", ["policy_officer", "case_officer", "reviewer", "leadership",
                                  "enterprise"])
def test_only_an_administrator_changes_the_calendar(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        H.set_day(world.ctx(role), D(2027, 1, 1), False, "元旦")
    assert H.deadline(world.ctx(role), D(2026, 2, 13), 3) == D(2026, 2, 25)
