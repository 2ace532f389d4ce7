"""Breach alerts of working-day targets, fired by the worker: when a case's earliest open
target falls due, a timer looks at the case again (its times derived from the events then);
a target missed is recorded once as ``<flow>.breached``, and the next check is set for the
next open target (a paused clock is looked at again the next day)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from huiqi.clock import CHINA, china_date
from huiqi.errors import Conflict
from huiqi.service.context import Context
from huiqi.workflow import timers
from huiqi.workflow.events import history

from .models import ServiceCase
from .service import note, subject, targets_of, times

CHECK = "case.sla_check"


def _next_morning(day: dt.date) -> dt.datetime:
    """The start of the day after ``day`` (China): a target due on ``day`` is missed then."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), CHINA) \
        .astimezone(dt.UTC)


def schedule(s: Session, case: ServiceCase, now: dt.datetime) -> None:
    """Set the check for the case's earliest open target (nothing if none is open)."""
    if not targets_of(case):
        return
    try:
        tl = times(s, case, now)
    except Conflict:  # a year the calendar does not know: no due day, no check
        return
    open_ = [t for t in tl.targets.values() if t.reached_at is None and t.due is not None
             and t.status in ("due", "paused")]
    if not open_:
        return
    if tl.paused:
        when = _next_morning(china_date(now))
    else:
        when = _next_morning(min(t.due for t in open_ if t.due is not None))
    timers.schedule(s, CHECK, max(when, now), subject(case), {},
                    key=f"{subject(case).key}:sla:{when.isoformat()}", now=now)


@timers.handler(CHECK)
def _check(s: Session, ctx: Context, timer: timers.Timer) -> None:
    case = s.get(ServiceCase, int(timer.subject_id))
    if case is None:
        return
    now = ctx.now()
    tl = times(s, case, now)
    told = {e.payload.get("target") for e in history(s, subject(case))
            if e.kind.endswith(".breached")}
    for t in tl.targets.values():
        if t.status == "missed" and t.reached_at is None and t.name not in told:
            note(s, ctx, case, "breached", {"target": t.name, "days": t.days,
                                            "due": t.due.isoformat() if t.due else None})
    schedule(s, case, now)


__all__ = ["CHECK", "schedule"]
