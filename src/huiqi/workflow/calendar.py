"""China's working days, for deadlines counted in working days ("5个工作日内").

A day is a working day when it is a weekday that is not a public holiday, or a weekend day
the State Council declared a make-up working day (调休上班, e.g. Saturday 2026-02-14 before
the Spring Festival). Two sources say which days those are:

1. the ``chinese-calendar`` package, which carries every year's State Council notice up to
   its release (1.11.0: 2004–2026);
2. the days administrators entered (``calendar_day``), which take precedence — for a year
   the package does not know yet, or to correct it — and the years they declared entered
   in full (``calendar_year``).

A year neither source knows is refused (:class:`~huiqi.errors.Conflict`,
``calendar.unknown_year``): a deadline computed on plain weekdays would be wrong by a week
around the Spring Festival, so nothing is guessed.

    cal = WorkingDays()                                # the package only
    cal.add(dt.date(2026, 2, 13), 3)                   # 2026-02-25: Sat 14th works, 15–23 off
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import chinese_calendar

from huiqi.errors import Conflict, InputError
from huiqi.messages import message

#: The longest deadline counted, in working days (four years; far beyond any real one).
MAX_DAYS = 1000


@cache
def package_years() -> range:
    """The years the installed ``chinese-calendar`` package knows."""
    known = chinese_calendar.constants.holidays
    return range(min(known).year, max(known).year + 1)


@cache
def _package_workday(day: dt.date) -> bool:
    """The package's answer for ``day``, remembered (the package checks its whole table on
    every call: ~0.1 ms, which a deadline counted over months pays per day)."""
    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True)
class WorkingDays:
    """The calendar as known now: the package, with what administrators declared over it."""

    days: Mapping[dt.date, bool] = field(default_factory=dict)  # date → is a working day
    years: frozenset[int] = frozenset()                          # entered in full

    def knows(self, year: int) -> bool:
        return year in self.years or year in package_years()

    def source(self, day: dt.date) -> str | None:
        """Where the answer for ``day`` comes from: ``declared``, ``package`` or None."""
        if day in self.days:
            return "declared"
        if day.year in package_years():
            return "package"
        return "declared" if day.year in self.years else None

    def is_working_day(self, day: dt.date) -> bool:
        declared = self.days.get(day)
        if declared is not None:
            return declared
        if day.year in package_years():
            return _package_workday(day)
        if day.year in self.years:  # entered in full: an unlisted day is an ordinary one
            return day.weekday() < 5
        raise Conflict("calendar.unknown_year", year=day.year, last=package_years()[-1])

    def add(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted; 0 gives
        ``start``): the last day of a deadline of ``days`` working days from ``start``."""
        if not 0 <= days <= MAX_DAYS:
            raise InputError(message("calendar.days_range", days=days, max=MAX_DAYS))
        day, left = start, days
        while left:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def count(self, start: dt.date, end: dt.date) -> int:
        """How many working days after ``start`` up to and including ``end`` (0 if ``end``
        is not after ``start``): the time used of a deadline, in working days."""
        n, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            n += self.is_working_day(day)
        return n

    def exceptions(self, year: int) -> list[tuple[dt.date, bool, str]]:
        """The days of ``year`` that differ from an ordinary week (holidays on weekdays,
        make-up working days on weekends) or that administrators declared, with where each
        comes from; refused for an unknown year."""
        if not self.knows(year):
            raise Conflict("calendar.unknown_year", year=year, last=package_years()[-1])
        out = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            working = self.is_working_day(day)
            if day in self.days or working != (day.weekday() < 5):
                out.append((day, working, self.source(day) or ""))
            day += dt.timedelta(days=1)
        return out


__all__ = ["MAX_DAYS", "WorkingDays", "package_years"]
