"""A case's times, derived from its events when read — never kept on the case.

    timeline(events, CLOCKS["request"], calendar, now, targets={"resolve": 10, …})

From the state changes in the event log (each ``<flow>.<transition>`` event carries ``from``
and ``to``) it computes the time spent in each state, the pauses (states in which the clock
stands still, e.g. waiting for the enterprise), and for each target in working days whether
it was met, missed, is still due (and by which day) or is paused. Days are China's dates
(:func:`huiqi.clock.china_date`) on China's working-day calendar
(:class:`~huiqi.workflow.calendar.WorkingDays`), so the Spring Festival, National Day and
their make-up working days count as they should; a change of the calendar recomputes history.

Counting: a period from day *a* to day *b* uses the working days after *a* up to and
including *b* (``WorkingDays.count``): a case opened and closed on the same day used 0 days,
one opened on Friday and closed on Monday used 1. Working days spent paused are not counted,
and push the due day back by as many working days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from huiqi.clock import china_date
from huiqi.workflow.calendar import WorkingDays

from .flows import Clock

Status = Literal["met", "missed", "due", "paused", "not_started"]


@dataclass(frozen=True)
class Change:
    """A state change read from an event: when, from which state to which."""

    at: dt.datetime
    source: str | None
    target: str


@dataclass(frozen=True)
class Period:
    """A stretch of time in one state; ``end`` None while the case is still in it."""

    state: str
    start: dt.datetime
    end: dt.datetime | None
    working_days: int


@dataclass(frozen=True)
class Target:
    name: str
    days: int
    status: Status
    due: dt.date | None          # the last day allowed (None before the clock starts)
    reached_at: dt.datetime | None
    used: int                    # working days used, pauses excluded (up to now if open)


@dataclass(frozen=True)
class Timeline:
    opened_at: dt.datetime
    state: str
    periods: list[Period]
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    paused_days: int             # working days spent paused (to now, if paused now)
    paused: bool
    targets: dict[str, Target] = field(default_factory=dict)

    def days_in(self, state: str) -> int:
        """Working days spent in ``state``, over every visit."""
        return sum(p.working_days for p in self.periods if p.state == state)

    @property
    def late(self) -> bool:
        return any(t.status == "missed" for t in self.targets.values())


def timeline(opened_at: dt.datetime, initial: str, changes: Iterable[Change], clock: Clock,
             cal: WorkingDays, now: dt.datetime,
             targets: Mapping[str, tuple[int, frozenset[str]]] | None = None) -> Timeline:
    """The case's times: ``targets`` maps a name to (working days, the states whose first
    entry meets it)."""
    today = china_date(now)
    periods: list[Period] = []
    state, since = initial, opened_at
    started = opened_at if not clock.start else None
    stopped: dt.datetime | None = None
    entered: dict[str, dt.datetime] = {initial: opened_at}
    pauses: list[tuple[dt.date, dt.date | None]] = []
    if state in clock.paused:
        pauses.append((china_date(opened_at), None))
    for c in sorted(changes, key=lambda c: c.at):
        periods.append(Period(state, since, c.at, cal.count(china_date(since), china_date(c.at))))
        if state in clock.paused and pauses and pauses[-1][1] is None:
            pauses[-1] = (pauses[-1][0], china_date(c.at))
        state, since = c.target, c.at
        entered.setdefault(state, c.at)
        if started is None and state in clock.start:
            started = c.at
        if state in clock.paused and started is not None:
            pauses.append((china_date(c.at), None))
        stopped = (stopped or c.at) if state in clock.stop else None
    periods.append(Period(state, since, None, cal.count(china_date(since), today)))
    paused_now = state in clock.paused and bool(pauses) and pauses[-1][1] is None

    def paused_until(day: dt.date) -> int:
        """Working days paused up to ``day``."""
        n = 0
        for a, b in pauses:
            end = min(b or today, day)
            if end > a:
                n += cal.count(a, end)
        return n

    out: dict[str, Target] = {}
    for name, (days, states) in (targets or {}).items():
        reached = min((entered[s] for s in states if s in entered), default=None)
        if started is None:
            out[name] = Target(name, days, "not_started", None, reached, 0)
            continue
        start_day = china_date(started)
        end_day = china_date(reached) if reached is not None else today
        held = paused_until(end_day)
        used = max(0, cal.count(start_day, end_day) - held)
        due = cal.add(start_day, days + held)
        if reached is not None:
            status: Status = "met" if used <= days else "missed"
        elif paused_now:
            status = "paused"
        else:
            status = "missed" if today > due else "due"
        out[name] = Target(name, days, status, due, reached, used)
    return Timeline(opened_at, state, periods, started, stopped, paused_until(today),
                    paused_now, out)


__all__ = ["Change", "Period", "Status", "Target", "Timeline", "timeline"]
