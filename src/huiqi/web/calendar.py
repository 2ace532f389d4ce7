"""The calendar of application windows (``ProgramSpec.windows``) over the coming months,
with the clauses accepted all year and the policies that expire in the period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from huiqi.rules.model import Pack
from huiqi.text import Lang

MONTHS = 12


@dataclass(frozen=True)
class Event:
    start: dt.date
    end: dt.date
    title: str
    key: str
    kind: str  # "window" | "expiry" | "programme" (a programme's window: key is the programme's)


@dataclass
class Month:
    first: dt.date
    events: list[Event] = field(default_factory=list)

    def label(self, lang: Lang) -> str:
        return (f"{self.first.year}年{self.first.month}月" if lang == "zh"
                else self.first.strftime("%B %Y"))


@dataclass
class Calendar:
    start: dt.date
    months: list[Month]
    events: list[Event]
    rolling: list[tuple[str, str]]  # (clause key, title): accepted all year


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, 1)


def calendar(packs: list[Pack], day: dt.date, lang: Lang, keys: set[str] | None = None,
             months: int = MONTHS, extra: list[Event] | None = None) -> Calendar:
    """Windows of the clauses of ``packs`` (only ``keys``, if given) from ``day`` on, and
    ``extra`` events (the open programmes' windows)."""
    first = dt.date(day.year, day.month, 1)
    horizon = _add_months(first, months) - dt.timedelta(days=1)
    events: list[Event] = []
    rolling: list[tuple[str, str]] = []
    for pack in packs:
        for pol in pack.policies:
            if not pol.in_force(day):
                continue
            if pol.expiry is not None and day <= pol.expiry <= horizon:
                events.append(Event(pol.expiry, pol.expiry, pol.title.get(lang), pol.id,
                                    "expiry"))
            for c in pol.clauses:
                if (keys is not None and c.key not in keys) or c.program is None:
                    continue
                if c.program.recurrence == "rolling":
                    rolling.append((c.key, c.title.get(lang)))
                d = day
                while c.program.windows:
                    w = c.program.window_at(d)
                    if w is None or w[0] > horizon:
                        break
                    events.append(Event(w[0], w[1], c.title.get(lang), c.key, "window"))
                    d = w[1] + dt.timedelta(days=1)
    events.extend(e for e in extra or () if e.end >= day and e.start <= horizon)
    events.sort(key=lambda e: (e.start, e.key))
    out = [Month(_add_months(first, i)) for i in range(months)]
    for m in out:
        end = _add_months(m.first, 1) - dt.timedelta(days=1)
        m.events = [e for e in events if e.start <= end and e.end >= m.first]
    return Calendar(start=day, months=out, events=events, rolling=rolling)


__all__ = ["Calendar", "Event", "Month", "calendar"]
