"""How cases are read: one case with its times, files, agents and events; the case officer's
queue sorted by due day (green channel first, overdue marked); an enterprise's own cases;
leadership's overdue cases by department. Every time is derived from the events now."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.clock import china_date
from huiqi.errors import Conflict
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission, Scope
from huiqi.store.models import Entity
from huiqi.text import Text
from huiqi.workflow.calendar import WorkingDays
from huiqi.workflow.events import history
from huiqi.workflow.holidays import working_days
from huiqi.workflow.models import DomainEvent

from . import flows
from .agency import contact_overdue, last_contact
from .clock import Timeline
from .models import CaseAgent, CaseFile, CaseRating, ServiceCase
from .requests import rating_of
from .service import (
    Due,
    agents_by_case,
    agents_of,
    due_of,
    events_of,
    files_of,
    get_case,
    subject,
    times,
    visible,
)

CLOSED = {"closed", "approved", "completed", "resolved", "withdrawn", "moved", "refused",
          "started"}


@dataclass(frozen=True)
class Row:
    """A case as a list shows it."""

    case: ServiceCase
    enterprise: str | None
    credit_code: str | None
    state: Text
    due: Due
    agents: list[str]
    alert: bool                  # contact overdue, escalated, or a target missed

    @property
    def kind(self) -> Text:
        return flows.KIND_LABELS[self.case.kind]


@dataclass(frozen=True)
class Detail:
    row: Row
    timeline: Timeline
    events: list[DomainEvent]
    files: list[CaseFile]
    agents: list[CaseAgent]
    children: list[Row]
    parent: ServiceCase | None
    rating: CaseRating | None
    actions: list[tuple[str, Text, bool]]     # (transition, label, reason required)
    last_contact: dt.datetime | None


def _row(s: Session, case: ServiceCase, now: dt.datetime, today: dt.date, cal: WorkingDays,
         names: dict[int, tuple[str, str]], events: list[DomainEvent] | None = None,
         agents: list[str] | None = None) -> tuple[Row, Timeline]:
    try:
        tl = times(s, case, now, cal, events)
    except Conflict:  # a year China's calendar does not know yet: no due day is guessed
        tl = Timeline(case.created_at, case.state, [], None, None, 0, False, {})
    due = due_of(case, tl, today)
    alert = due.overdue
    if case.kind == "project":
        last = last_contact(s, case) if events is None else max(
            (e.occurred_at for e in events if e.kind == "project.contact"), default=None)
        alert = alert or contact_overdue(case, last, now)
    name, code = names.get(case.entity_id or -1, (None, None))
    if agents is None:
        agents = [a.username for a in agents_of(s, case.id)]
    label = flows.FLOWS[case.kind].states.get(case.state, Text(case.state, case.state))
    return Row(case, name, code, label, due, agents, alert), tl


def _names(s: Session, cases: list[ServiceCase]) -> dict[int, tuple[str, str]]:
    ids = {c.entity_id for c in cases if c.entity_id is not None}
    if not ids:
        return {}
    return {e.id: (e.name, e.credit_code) for e in s.scalars(select(Entity).where(
        Entity.id.in_(ids)))}


def _sort_key(r: Row) -> tuple[Any, ...]:
    return (not r.case.green, not r.due.overdue, r.due.due or dt.date.max, r.case.id)


@requires(Permission.CASE_READ)
def queue(ctx: Context, *, mine: bool = False, kind: str | None = None,
          include_closed: bool = False, limit: int = 500) -> list[Row]:
    """Open cases, green channel first, then overdue, then by due day. ``mine``: only the
    cases the actor is an agent of. An enterprise user sees its own."""
    now, today = ctx.now(), china_date(ctx.now())
    with ctx.db.read() as s:
        stmt = select(ServiceCase)
        if ctx.scope(Permission.CASE_READ) is not Scope.ALL:
            stmt = stmt.where(ServiceCase.entity_id == (ctx.actor.entity_id or -1))
        if kind:
            stmt = stmt.where(ServiceCase.kind == kind)
        if not include_closed:
            stmt = stmt.where(ServiceCase.state.not_in(CLOSED))
        if mine:
            stmt = stmt.where(ServiceCase.id.in_(select(CaseAgent.case_id).where(
                CaseAgent.username == ctx.actor.username)))
        cases = list(s.scalars(stmt.order_by(ServiceCase.id).limit(limit)))
        cal, names = working_days(s), _names(s, cases)
        events, agents = events_of(s, cases), agents_by_case(s, [c.id for c in cases])
        rows = [_row(s, c, now, today, cal, names, events[c.id], agents[c.id])[0]
                for c in cases]
    return sorted(rows, key=_sort_key)


@dataclass(frozen=True)
class Counters:
    """The open cases a case officer works on, counted for the workbench."""

    open: int
    overdue: int
    due_this_week: int     # due by Sunday (China's week), not yet overdue
    green: int             # green channel (major projects)
    waiting: int           # the clock paused: waiting for the enterprise


def count(rows: list[Row], today: dt.date) -> Counters:
    """:class:`Counters` of queue rows as of ``today``."""
    sunday = today + dt.timedelta(days=6 - today.weekday())
    return Counters(
        open=len(rows), overdue=sum(1 for r in rows if r.due.overdue),
        due_this_week=sum(1 for r in rows if not r.due.overdue and r.due.due is not None
                          and r.due.due <= sunday),
        green=sum(1 for r in rows if r.case.green),
        waiting=sum(1 for r in rows if r.due.paused))


@requires(Permission.CASE_WORK)
def counters(ctx: Context, *, mine: bool = False) -> Counters:
    """The open cases counted: overdue, due this week, green channel, waiting for the
    enterprise (``mine``: only those the actor is an agent of)."""
    return count(queue(ctx, mine=mine, limit=100_000), china_date(ctx.now()))


@requires(Permission.CASE_READ)
def detail(ctx: Context, case_id: int) -> Detail:
    now, today = ctx.now(), china_date(ctx.now())
    with ctx.db.read() as s:
        case = get_case(s, case_id)
        visible(ctx, Permission.CASE_READ, case)
        children = list(s.scalars(select(ServiceCase).where(ServiceCase.parent_id == case.id)
                                  .order_by(ServiceCase.id)))
        parent = s.get(ServiceCase, case.parent_id) if case.parent_id else None
        cal, names = working_days(s), _names(s, [case, *children])
        row, tl = _row(s, case, now, today, cal, names)
        kids = [_row(s, c, now, today, cal, names)[0] for c in children]
        flow = flows.FLOWS[case.kind]
        actions = [(t.name, t.label, t.reason_required)
                   for t in flow.allowed(case.state, ctx.actor.role)]
        return Detail(row, tl, history(s, subject(case)), files_of(s, case.id),
                      agents_of(s, case.id), kids, parent,
                      rating_of(s, case.id) if case.kind == "request" else None, actions,
                      last_contact(s, case) if case.kind == "project" else None)


@dataclass(frozen=True)
class Overdue:
    department: str
    kind: str
    count: int


@requires(Permission.CASE_READ)
def overdue_by_department(ctx: Context) -> list[tuple[str, Counter[str]]]:
    """Overdue open cases counted by department (measures: the owner; items: the agency;
    requests and others: their category) and kind, the most first."""
    rows = queue(ctx)
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r.due.overdue:
            table[r.case.department or r.case.category or "-"][r.case.kind] += 1
    return sorted(table.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))


@requires(Permission.CASE_READ)
def ratings_summary(ctx: Context) -> dict[str, int]:
    """好差评 of requests: how many at each level, 差评, appealed and void."""
    with ctx.db.read() as s:
        stmt = select(CaseRating).join(ServiceCase, ServiceCase.id == CaseRating.case_id) \
            .where(ServiceCase.kind == "request")
        if ctx.scope(Permission.CASE_READ) is not Scope.ALL:
            stmt = stmt.where(ServiceCase.entity_id == (ctx.actor.entity_id or -1))
        rows = list(s.scalars(stmt))
    out: dict[str, int] = {str(k): 0 for k in range(1, 6)}
    for r in rows:
        if r.status != "void":
            out[str(r.score)] += 1
    out["poor"] = sum(1 for r in rows if r.score <= 2 and r.status != "void")
    out["appealed"] = sum(1 for r in rows if r.status == "appealed")
    out["void"] = sum(1 for r in rows if r.status == "void")
    return out


__all__ = ["CLOSED", "Counters", "Detail", "Row", "count", "counters", "detail",
           "overdue_by_department", "queue", "ratings_summary"]
