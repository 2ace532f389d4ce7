"""A declared workflow: only its transitions, only by their roles; each one changes the state,
writes the audit entry with its reason and emits the event, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Integer, String, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from huiqi.errors import Conflict, InputError, PermissionDenied
from huiqi.service.permissions import Role
from huiqi.store.database import Database
from huiqi.store.models import AuditEntry
from huiqi.text import Text
from huiqi.workflow import machine as M
from huiqi.workflow.events import Subject, history
from huiqi.workflow.models import DomainEvent
from service_fixtures import World


class _Base(DeclarativeBase):
    pass


class Ticket(_Base):
    """A stand-in for an area's row (an application, a voucher …), made for these tests."""

    __tablename__ = "wf_test_ticket"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(32))


FLOW = M.Workflow(
    "ticket",
    states={"draft": Text("草稿", "draft"), "submitted": Text("已提交", "submitted"),
            "returned": Text("已退回", "returned"), "closed": Text("已办结", "closed")},
    initial="draft",
    transitions=(
        M.Transition("submit", {"draft", "returned"}, "submitted", {Role.ENTERPRISE},
                     Text("提交", "submit")),
        M.Transition("return", {"submitted"}, "returned", {Role.CASE_OFFICER},
                     Text("退回补正", "return for correction"), reason_required=True),
        M.Transition("close", {"submitted"}, "closed", {Role.CASE_OFFICER, Role.ADMIN},
                     Text("办结", "close")),
    ))


@pytest.fixture
def ticket(db: Database) -> Iterator[int]:
    _Base.metadata.create_all(db.bind)  # inside the test's transaction: rolled back after
    with db.write() as s:
        s.add(Ticket(id=1, state="draft"))
    yield 1


def _load(s: Session) -> Ticket:
    return s.get_one(Ticket, 1)


def _state(db: Database) -> str:
    with db.read() as s:
        return s.get_one(Ticket, 1).state


def test_a_transition_changes_the_state_audits_and_emits(world: World, db: Database,
                                                         ticket: int) -> None:
    firm = world.ctx("enterprise")
    change = M.perform(firm, FLOW, _load, "submit", ticket, payload={"programme": 3})
    assert (change.source, change.target) == ("draft", "submitted")
    assert _state(db) == "submitted"
    officer = world.ctx("case_officer")
    M.perform(officer, FLOW, _load, "return", ticket, reason="缺少审计报告")
    assert _state(db) == "returned"
    with db.read() as s:
        events = history(s, Subject("ticket", 1))
        audit = list(s.scalars(select(AuditEntry).where(AuditEntry.target == "ticket:1")
                               .order_by(AuditEntry.id)))
    assert [(e.kind, e.actor, e.payload["from"], e.payload["to"]) for e in events] == [
        ("ticket.submit", "u_enterprise", "draft", "submitted"),
        ("ticket.return", "u_case_officer", "submitted", "returned")]
    assert events[0].payload["programme"] == 3 and events[1].payload["reason"] == "缺少审计报告"
    assert events[0].id == change.event_id
    assert [(a.action, a.before, a.after, a.detail) for a in audit] == [
        ("ticket.submit", {"state": "draft"}, {"state": "submitted"}, None),
        ("ticket.return", {"state": "submitted"}, {"state": "returned"}, "缺少审计报告")]


def test_an_illegal_transition_is_a_conflict_and_changes_nothing(world: World, db: Database,
                                                                  ticket: int) -> None:
    officer = world.ctx("case_officer")
    with pytest.raises(Conflict) as err:
        M.perform(officer, FLOW, _load, "close", ticket)
    assert err.value.reason == "workflow.illegal"
    assert "“ticket:1”当前为“草稿”,不能“办结”" in err.value.message("zh")
    assert "possible: submit" in err.value.message("en")
    assert _state(db) == "draft"
    with db.read() as s:
        assert history(s, Subject("ticket", 1)) == []


def test_a_role_not_declared_is_refused_and_the_refusal_audited(world: World, db: Database,
                                                                 ticket: int) -> None:
    with pytest.raises(PermissionDenied):
        M.perform(world.ctx("reviewer"), FLOW, _load, "submit", ticket)
    assert _state(db) == "draft"
    with db.read() as s:
        refused = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).one()
    assert (refused.action, refused.target, refused.actor) == ("ticket.submit", "ticket:1",
                                                               "u_reviewer")


def test_a_reason_is_required_where_declared(world: World, db: Database, ticket: int) -> None:
    M.perform(world.ctx("enterprise"), FLOW, _load, "submit", ticket)
    with pytest.raises(InputError, match="须写明理由"):
        M.perform(world.ctx("case_officer"), FLOW, _load, "return", ticket, reason="  ")
    assert _state(db) == "submitted"


def test_the_areas_own_change_fails_with_the_transition(world: World, db: Database,
                                                        ticket: int) -> None:
    def effect(_s: Session, _row: Ticket) -> None:
        raise InputError(Text("金额超出预算", "over budget"))

    with pytest.raises(InputError, match="金额超出预算"):
        M.perform(world.ctx("enterprise"), FLOW, _load, "submit", ticket, effect=effect)
    assert _state(db) == "draft"
    with db.read() as s:
        assert s.scalar(select(DomainEvent.id)) is None
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.target == "ticket:1")) is None


def test_a_row_changed_since_it_was_read_is_a_conflict(world: World, db: Database,
                                                       ticket: int) -> None:
    """Two people acting at once: the second one's row was read before the first moved it."""
    firm = world.ctx("enterprise")
    t = FLOW.transition("submit")
    with db.write() as s:
        row = _load(s)  # read as draft …
        s.execute(update(Ticket).where(Ticket.id == 1).values(state="closed")
                  .execution_options(synchronize_session=False))  # … moved meanwhile
        with pytest.raises(Conflict) as err:
            M.apply(s, firm, FLOW, row, t)
    assert err.value.reason == "workflow.stale"


def test_what_a_role_may_do_from_a_state() -> None:
    assert [t.name for t in FLOW.allowed("submitted", Role.CASE_OFFICER)] == ["return", "close"]
    assert FLOW.allowed("submitted", Role.ENTERPRISE) == []
    with pytest.raises(InputError, match="submit, return, close"):
        FLOW.transition("approve")


def test_a_workflow_with_an_undeclared_state_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="undeclared states"):
        M.Workflow("x", {"a": Text("a", "a")}, "a",
                   (M.Transition("go", {"a"}, "b", {Role.ADMIN}, Text("去", "go")),))
    with pytest.raises(ValueError, match="twice"):
        M.Workflow("x", {"a": Text("a", "a")}, "a",
                   (M.Transition("go", {"a"}, "a", {Role.ADMIN}, Text("去", "go")),) * 2)
