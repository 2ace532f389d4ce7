"""审批代办 (approval agency, after Kunming): a project gets the full list of its approval
items from a template; agents serve it one-to-one or many-to-one; every contact with the
enterprise is logged, and a project not contacted for a week raises an alert (a timer);
major projects take the green channel (first in every queue, shorter targets).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.errors import InputError
from huiqi.messages import message
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission, Scope
from huiqi.workflow import timers
from huiqi.workflow.events import history
from huiqi.workflow.holidays import working_days

from . import standards
from .models import ServiceCase
from .service import (
    CONTACT_EVERY,
    assign,
    check_entity,
    entity_of,
    events_of,
    get_case,
    note,
    open_case,
    subject,
    times,
)

CONTACT_CHECK = "project.contact_check"
OPEN_PROJECT = ("accepted", "handling", "started")


@requires(Permission.CASE_WORK)
def create_project(ctx: Context, code: str, title: str, *, template: str,
                   investment: Decimal | None = None, location: str | None = None,
                   green: bool = False, agents: list[str] | None = None,
                   at: dt.datetime | None = None) -> int:
    """A project of the enterprise ``code`` with every item of ``template``; its id."""
    now = at or ctx.now()
    with ctx.db.write() as s:
        e = entity_of(s, code)
        found = standards.get(s, "project_template", template)
        if found is None:
            raise InputError(message("case.template_unknown", template=template))
        name, body = found
        project = open_case(s, ctx, "project", title, entity_id=e.id, category=template,
                            green=green, at=now, details={
                                "investment": None if investment is None else str(investment),
                                "location": location, "template_name": name})
        for i, item in enumerate(body["items"]):
            days = (item.get("green_days") or item["days"]) if green else item["days"]
            open_case(s, ctx, "item", item["name"], entity_id=e.id, parent_id=project.id,
                      department=item["agency"], green=green, target_days=days, at=now,
                      details={"order": i})
        _contact_check(s, project, now, now)
        project_id = project.id
    if agents:
        assign(ctx, project_id, agents)
    return project_id


def _contact_check(s: Session, project: ServiceCase, since: dt.datetime, now: dt.datetime,
                   round_: int = 0) -> None:
    """The alert due if nobody contacts the enterprise within a week of ``since``."""
    timers.schedule(s, CONTACT_CHECK, since + CONTACT_EVERY * (round_ + 1), subject(project),
                    {"since": since.isoformat(), "round": round_},
                    key=f"project:{project.id}:contact:{since.isoformat()}:{round_}", now=now)


@requires(Permission.CASE_WORK)
def log_contact(ctx: Context, project_id: int, channel: str, summary: str,
                at: dt.datetime | None = None) -> int:
    """Record a contact with the enterprise (visit, call, meeting …); the weekly check
    starts again from it. The event's id."""
    now = at or ctx.now()
    with ctx.db.write() as s:
        project = get_case(s, project_id, "project")
        event = note(s, ctx, project, "contact", {"channel": channel[:32],
                                                   "summary": summary[:2000]})
        event.occurred_at = now
        timers.cancel(s, subject(project), CONTACT_CHECK, now=now)
        if project.state in OPEN_PROJECT:
            _contact_check(s, project, now, now)
        return event.id


def last_contact(s: Session, project: ServiceCase) -> dt.datetime | None:
    events = [e for e in history(s, subject(project)) if e.kind == "project.contact"]
    return max((e.occurred_at for e in events), default=None)


def contact_overdue(project: ServiceCase, last: dt.datetime | None, now: dt.datetime) -> bool:
    if project.state not in OPEN_PROJECT:
        return False
    return now - (last or project.created_at) > CONTACT_EVERY


@timers.handler(CONTACT_CHECK)
def _check_contact(s: Session, ctx: Context, timer: timers.Timer) -> None:
    """A week after the last contact: an alert if nobody has been in touch since, and the
    next check a week later."""
    project = s.get(ServiceCase, int(timer.subject_id))
    if project is None or project.state not in OPEN_PROJECT:
        return
    since = dt.datetime.fromisoformat(timer.payload["since"])
    last = last_contact(s, project)
    if last is not None and last > since:
        return
    note(s, ctx, project, "contact_overdue", {"since": since.isoformat(),
                                              "days": (ctx.now() - since).days})
    _contact_check(s, project, since, ctx.now(), int(timer.payload.get("round", 0)) + 1)


@dataclass(frozen=True)
class Dashboard:
    """The seed's figures: projects, started (开工), in progress (在办); items approved, on
    time, late, and still open past their due day."""

    projects: int
    started: int
    in_progress: int
    green: int
    items: int
    items_approved: int
    items_on_time: int
    items_late: int
    items_overdue: int
    contact_overdue: int
    by_state: dict[str, int]

@requires(Permission.CASE_READ)
def dashboard(ctx: Context) -> Dashboard:
    now = ctx.now()
    with ctx.db.read() as s:
        stmt = select(ServiceCase).where(ServiceCase.kind.in_(["project", "item"]))
        if ctx.scope(Permission.CASE_READ) is not Scope.ALL:
            stmt = stmt.where(ServiceCase.entity_id == (ctx.actor.entity_id or -1))
        rows = list(s.scalars(stmt))
        cal = working_days(s)
        projects = [r for r in rows if r.kind == "project"]
        items = [r for r in rows if r.kind == "item"]
        states = Counter(p.state for p in projects)
        on_time = late = overdue = 0
        events = events_of(s, rows)
        for item in items:
            target = times(s, item, now, cal, events[item.id]).targets.get("approve")
            if target is None:
                continue
            on_time += target.status == "met"
            late += target.status == "missed" and target.reached_at is not None
            overdue += target.status == "missed" and target.reached_at is None
        alerts = sum(contact_overdue(p, max((e.occurred_at for e in events[p.id]
                                             if e.kind == "project.contact"), default=None), now)
                     for p in projects)
    return Dashboard(
        projects=len(projects), started=states["started"] + states["closed"],
        in_progress=states["accepted"] + states["handling"],
        green=sum(p.green for p in projects), items=len(items),
        items_approved=sum(i.state == "approved" for i in items), items_on_time=on_time,
        items_late=late, items_overdue=overdue, contact_overdue=alerts, by_state=dict(states))


__all__ = ["CONTACT_CHECK", "Dashboard", "check_entity", "contact_overdue", "create_project",
           "dashboard", "last_contact", "log_contact"]
