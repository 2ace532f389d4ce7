"""What every kind of case shares: opening one, moving it through its workflow, its agents,
files and events, its times derived from those events, the work queue.

An enterprise user sees and acts on the cases of its own enterprise only (the permission
is held over its own enterprise); staff see every case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.errors import InputError, NotFoundError
from huiqi.messages import message
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission, Scope
from huiqi.store.models import Account, Entity
from huiqi.store.stored_file import stored
from huiqi.text import Text
from huiqi.workflow import machine
from huiqi.workflow.calendar import WorkingDays
from huiqi.workflow.events import Subject, emit, history
from huiqi.workflow.holidays import working_days
from huiqi.workflow.models import DomainEvent

from . import flows
from .clock import Change, Timeline, timeline
from .models import CaseAgent, CaseFile, ServiceCase

CASE = Text("服务事项", "case")
FILE = Text("附件", "file")
FILE_MAX = 20 * 1024 * 1024
#: an enterprise is to be contacted at least this often (days) while its project is open
CONTACT_EVERY = dt.timedelta(days=7)


def subject(case: ServiceCase) -> Subject:
    return Subject(flows.FLOWS[case.kind].name, case.id)


def get_case(s: Session, case_id: int, kind: str | None = None) -> ServiceCase:
    case = s.get(ServiceCase, case_id)
    if case is None or (kind is not None and case.kind != kind):
        raise NotFoundError(CASE, str(case_id))
    return case


def visible(ctx: Context, permission: Permission, case: ServiceCase) -> None:
    """Refuse (audited) an enterprise user acting on another enterprise's case."""
    scope = ctx.scope(permission)
    if scope is Scope.ALL:
        return
    if scope is Scope.OWN and case.entity_id is not None and \
            case.entity_id == ctx.actor.entity_id:
        return
    ctx.refuse(permission, f"case:{case.id}")


def open_case(s: Session, ctx: Context, kind: str, title: str, *,
              entity_id: int | None = None, parent_id: int | None = None,
              department: str | None = None, category: str | None = None,
              green: bool = False, target_days: int | None = None,
              deadline: dt.date | None = None, details: Mapping[str, Any] | None = None,
              at: dt.datetime | None = None) -> ServiceCase:
    """Add a case in its workflow's first state, audited, with its ``<flow>.opened`` event."""
    flow = flows.FLOWS[kind]
    now = at or ctx.now()
    case = ServiceCase(kind=kind, state=flow.initial, title=title[:200], entity_id=entity_id,
                       parent_id=parent_id, department=department, category=category,
                       green=green, target_days=target_days, deadline=deadline,
                       details=dict(details or {}), created_at=now,
                       created_by=ctx.actor.username)
    s.add(case)
    s.flush()
    sub = subject(case)
    record(s, ctx, f"{flow.name}.open", target=sub.key,
           after={"title": case.title, "state": case.state})
    event = emit(s, ctx, f"{flow.name}.opened", sub, {"to": flow.initial, "title": case.title})
    event.occurred_at = now
    return case


def act(ctx: Context, case_id: int, name: str, reason: str | None = None,
        payload: Mapping[str, Any] | None = None,
        check: Callable[[Session, ServiceCase], None] | None = None,
        effect: Callable[[Session, ServiceCase], None] | None = None) -> machine.Change:
    """Do the transition ``name`` of the case's workflow (role → 403, state → 409), after
    ``check`` (in the same transaction) and with ``effect``."""
    with ctx.db.read() as s:
        case = get_case(s, case_id)
    flow = flows.FLOWS[case.kind]
    t = machine.check_role(ctx, flow, name, subject(case))
    permission = Permission.CASE_WORK if ctx.actor.role in flows.STAFF else \
        Permission.CASE_REQUEST
    visible(ctx, permission, case)
    with ctx.db.write() as s:
        row = get_case(s, case_id)
        if check is not None:
            check(s, row)
        change = machine.apply(s, ctx, flow, row, t, reason, payload)
        if effect is not None:
            effect(s, row)
        from .sla import schedule  # the breach check of the target that now runs

        schedule(s, row, ctx.now())
        return change


def note(s: Session, ctx: Context, case: ServiceCase, kind: str,
         payload: Mapping[str, Any], *, audit: bool = True) -> DomainEvent:
    """Record something that happened to a case without changing its state (a contact, a
    progress report, a rating …): an event ``<flow>.<kind>``, audited."""
    sub = subject(case)
    action = f"{sub.type}.{kind}"
    if audit:
        record(s, ctx, action, target=sub.key, after=dict(payload))
    return emit(s, ctx, action, sub, payload)


# ------------------------------------------------------------------ agents

@requires(Permission.CASE_WORK)
def assign(ctx: Context, case_id: int, usernames: list[str], lead: str | None = None
           ) -> list[CaseAgent]:
    """Set the case's agents: one (一对一) or several (多对一), one of them the lead."""
    names = list(dict.fromkeys(u.strip() for u in usernames if u.strip()))
    if not names:
        raise InputError(message("case.agents_empty"))
    lead = lead or names[0]
    with ctx.db.write() as s:
        case = get_case(s, case_id)
        known = set(s.scalars(select(Account.username).where(
            Account.username.in_(names), Account.role.in_(["case_officer", "admin"]))))
        unknown = [n for n in names if n not in known]
        if unknown:
            raise InputError(message("case.agent_unknown", names=", ".join(unknown)))
        before = sorted(a.username for a in agents_of(s, case.id))
        for a in agents_of(s, case.id):
            s.delete(a)
        s.flush()
        rows = [CaseAgent(case_id=case.id, username=n, lead=n == lead, assigned_at=ctx.now(),
                          assigned_by=ctx.actor.username) for n in names]
        s.add_all(rows)
        note(s, ctx, case, "assigned", {"agents": names, "lead": lead, "before": before})
        return rows


def events_of(s: Session, cases: list[ServiceCase]) -> dict[int, list[DomainEvent]]:
    """Every event of each of ``cases``, oldest first, read at once (a list of cases)."""
    out: dict[int, list[DomainEvent]] = {c.id: [] for c in cases}
    by_type: dict[str, list[str]] = {}
    for c in cases:
        by_type.setdefault(flows.FLOWS[c.kind].name, []).append(str(c.id))
    for kind, ids in by_type.items():
        for i in range(0, len(ids), 500):
            for e in s.scalars(select(DomainEvent).where(
                    DomainEvent.subject_type == kind, DomainEvent.subject_id.in_(ids[i:i + 500]))
                    .order_by(DomainEvent.id)):
                out[int(e.subject_id)].append(e)
    return out


def agents_by_case(s: Session, case_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in case_ids}
    for i in range(0, len(case_ids), 500):
        for a in s.scalars(select(CaseAgent).where(CaseAgent.case_id.in_(case_ids[i:i + 500]))
                           .order_by(CaseAgent.lead.desc(), CaseAgent.id)):
            out[a.case_id].append(a.username)
    return out


def agents_of(s: Session, case_id: int) -> list[CaseAgent]:
    return list(s.scalars(select(CaseAgent).where(CaseAgent.case_id == case_id)
                          .order_by(CaseAgent.lead.desc(), CaseAgent.id)))


# ------------------------------------------------------------------ files

def add_file(s: Session, ctx: Context, case: ServiceCase, purpose: str, name: str,
             content_type: str, content: bytes) -> CaseFile:
    if not content:
        raise InputError(message("case.file_empty"))
    if len(content) > FILE_MAX:
        raise InputError(message("case.file_large", mb=FILE_MAX // (1024 * 1024)))
    row = CaseFile(case_id=case.id, purpose=purpose, name=(name or "file")[:255],
                   **stored(content, content_type, ctx.actor.username, ctx.now()))
    s.add(row)
    s.flush()
    note(s, ctx, case, "file", {"file": row.id, "purpose": purpose, "name": row.name,
                                "sha256": row.sha256})
    return row


@requires(Permission.CASE_READ)
def attach(ctx: Context, case_id: int, purpose: str, name: str, content_type: str,
           content: bytes) -> CaseFile:
    """Attach a file to a case (an enterprise to its own; staff to any)."""
    with ctx.db.read() as s:
        case = get_case(s, case_id)
    if ctx.actor.role in flows.STAFF:
        ctx.require(Permission.CASE_WORK)
    else:
        visible(ctx, Permission.CASE_REQUEST, case)
    with ctx.db.write() as s:
        return add_file(s, ctx, get_case(s, case_id), purpose, name, content_type, content)


@requires(Permission.CASE_READ)
def file(ctx: Context, case_id: int, file_id: int) -> CaseFile:
    with ctx.db.read() as s:
        case = get_case(s, case_id)
        visible(ctx, Permission.CASE_READ, case)
        row = s.get(CaseFile, file_id)
        if row is None or row.case_id != case_id:
            raise NotFoundError(FILE, str(file_id))
        return row


def files_of(s: Session, case_id: int, purpose: str | None = None) -> list[CaseFile]:
    stmt = select(CaseFile).where(CaseFile.case_id == case_id)
    if purpose is not None:
        stmt = stmt.where(CaseFile.purpose == purpose)
    return list(s.scalars(stmt.order_by(CaseFile.id)))


# ------------------------------------------------------------------ times, from the events

def changes_of(events: list[DomainEvent]) -> list[Change]:
    """The state changes among a case's events (a transition's event carries ``from`` and
    ``to``, its opening event ``to``; notes carry neither)."""
    return [Change(e.occurred_at, e.payload.get("from"), e.payload["to"]) for e in events
            if isinstance(e.payload, dict) and isinstance(e.payload.get("from"), str)
            and isinstance(e.payload.get("to"), str)]


def targets_of(case: ServiceCase) -> dict[str, tuple[int, frozenset[str]]]:
    """The case's targets in working days, as fixed when it was opened."""
    if case.kind == "request":
        days = (case.details or {}).get("targets") or {}
        return {k: (int(days[k]), states) for k, states in flows.REQUEST_TARGETS.items()
                if k in days}
    if case.kind == "item" and case.target_days is not None:
        return {"approve": (case.target_days, frozenset({"approved"}))}
    if case.kind == "rectify" and case.target_days is not None:
        return {"close": (case.target_days, frozenset({"closed", "withdrawn"}))}
    return {}


def times(s: Session, case: ServiceCase, now: dt.datetime,
          cal: WorkingDays | None = None, events: list[DomainEvent] | None = None) -> Timeline:
    """The case's timeline, computed from its events now (``events``: already read)."""
    if events is None:
        events = history(s, subject(case))
    return timeline(case.created_at, flows.FLOWS[case.kind].initial, changes_of(events),
                    flows.CLOCKS[case.kind], cal or working_days(s), now, targets_of(case))


@dataclass(frozen=True)
class Due:
    """When a case is due, as its queue shows it (measures: their deadline; others: their
    earliest open target), and whether that is past."""

    due: dt.date | None
    overdue: bool
    paused: bool


def due_of(case: ServiceCase, tl: Timeline, today: dt.date) -> Due:
    if case.kind == "measure":
        done = case.state == "completed"
        return Due(case.deadline, bool(case.deadline and not done and today > case.deadline),
                   False)
    open_targets = [t for t in tl.targets.values() if t.reached_at is None]
    if not open_targets:
        return Due(None, False, tl.paused)
    first = min(open_targets, key=lambda t: t.due or dt.date.max)
    return Due(first.due, any(t.status == "missed" for t in open_targets), tl.paused)


def entity_of(s: Session, code: str) -> Entity:
    from huiqi.service.enterprises import load

    return load(s, code)


def check_entity(ctx: Context, permission: Permission, code: str) -> None:
    ctx.require(permission, enterprise=code.strip().upper())


__all__ = ["CASE", "CONTACT_EVERY", "Due", "act", "add_file", "agents_of", "assign", "attach",
           "changes_of", "check_entity", "due_of", "entity_of", "file", "files_of", "get_case",
           "note", "open_case", "subject", "targets_of", "times", "visible"]
