"""The days and years of China's calendar that administrators declare (``calendar_day``,
``calendar_year``): read into :class:`~huiqi.workflow.calendar.WorkingDays`, changed only by
an administrator (``calendar.edit``), every change audited with its reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission

from .calendar import WorkingDays
from .models import CalendarDay, CalendarYear


def working_days(s: Session) -> WorkingDays:
    """The calendar as known now (the package, with the declared days and years over it)."""
    days = {d.day: d.is_working_day for d in s.scalars(select(CalendarDay))}
    years = frozenset(s.scalars(select(CalendarYear.year)))
    return WorkingDays(days, years)


@requires(Permission.CALENDAR_READ)
def calendar(ctx: Context) -> WorkingDays:
    with ctx.db.read() as s:
        return working_days(s)


@dataclass(frozen=True)
class Year:
    """A year as a person reads it: known or not, and its days that differ from an ordinary
    week or were declared — (day, working, ``package`` or ``declared``, why)."""

    year: int
    known: bool
    declared_source: str | None
    days: list[tuple[dt.date, bool, str, str | None]]


@requires(Permission.CALENDAR_READ)
def year(ctx: Context, year: int) -> Year:
    with ctx.db.read() as s:
        cal = working_days(s)
        declared = s.get(CalendarYear, year)
        reasons = {d.day: d.reason for d in s.scalars(select(CalendarDay).where(
            CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31)))}
    source = declared.source if declared else None
    if not cal.knows(year):
        return Year(year, False, source, [(d, cal.days[d], "declared", r)
                                          for d, r in sorted(reasons.items())])
    return Year(year, True, source, [(d, w, src, reasons.get(d) or _holiday_name(d))
                                     for d, w, src in cal.exceptions(year)])


def _holiday_name(day: dt.date) -> str | None:
    try:
        _on, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return str(name) if name else None


@requires(Permission.CALENDAR_READ)
def deadline(ctx: Context, start: dt.date, days: int) -> dt.date:
    """The last day of a deadline of ``days`` working days from ``start``."""
    return calendar(ctx).add(start, days)


@requires(Permission.CALENDAR_EDIT)
def set_day(ctx: Context, day: dt.date, is_working_day: bool, reason: str) -> CalendarDay:
    """Declare ``day`` a working day or a day off (replacing what was declared before)."""
    with ctx.db.write() as s:
        row = s.get(CalendarDay, day)
        before = None if row is None else {"is_working_day": row.is_working_day,
                                           "reason": row.reason}
        if row is None:
            row = CalendarDay(day=day)
            s.add(row)
        row.is_working_day, row.reason = is_working_day, reason
        row.recorded_at, row.recorded_by = ctx.now(), ctx.actor.username
        record(s, ctx, "calendar.day", target=day.isoformat(), before=before,
               after={"is_working_day": is_working_day, "reason": reason})
        return row


@requires(Permission.CALENDAR_EDIT)
def clear_day(ctx: Context, day: dt.date) -> bool:
    """Withdraw what was declared for ``day`` (the package, or an ordinary week, applies
    again); False if nothing was."""
    with ctx.db.write() as s:
        row = s.get(CalendarDay, day)
        if row is None:
            return False
        record(s, ctx, "calendar.day", target=day.isoformat(),
               before={"is_working_day": row.is_working_day, "reason": row.reason})
        s.delete(row)
        return True


@requires(Permission.CALENDAR_EDIT)
def declare_year(ctx: Context, year: int, source: str) -> CalendarYear:
    """Declare every holiday and make-up working day of ``year`` entered (``source``: the
    notice they come from): deadlines are computed in that year from then on. Refused while
    no day off of that year has been entered."""
    with ctx.db.write() as s:
        entered = s.scalar(select(CalendarDay.day).where(
            CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31),
            CalendarDay.is_working_day.is_(False)).limit(1))
        if entered is None:
            raise Conflict("calendar.year_empty", year=year)
        row = s.get(CalendarYear, year)
        before = None if row is None else {"source": row.source}
        if row is None:
            row = CalendarYear(year=year)
            s.add(row)
        row.source, row.recorded_at, row.recorded_by = source, ctx.now(), ctx.actor.username
        record(s, ctx, "calendar.year", target=str(year), before=before, after={"source": source})
        return row


__all__ = ["Year", "calendar", "clear_day", "deadline", "declare_year", "set_day", "working_days",
           "year"]
