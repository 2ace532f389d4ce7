"""One clock: "now" is an instant (UTC, as stored); "today" is China's date.

Every part of huiqi — the CLI, the service, the pages, the workflows — asks this module
what day it is, so that a server running in UTC and a laptop in Beijing evaluate the
same day: between 00:00 and 08:00 China time the UTC date is still yesterday's.

    now = utc_now()                 # 2026-01-01 17:30 UTC
    china_date(now)                 # 2026-01-02 (01:30 in Beijing)
    china_time(now)                 # 2026-01-02 01:30+08:00

China has kept one time zone without daylight saving since 1991; ``Asia/Shanghai`` is
read from the system's zone database, or from the ``tzdata`` package where there is
none.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

#: China's time zone (UTC+8, no daylight saving since 1991)
CHINA = ZoneInfo("Asia/Shanghai")


def utc_now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def china_time(at: dt.datetime) -> dt.datetime:
    """An aware instant as China's wall-clock time."""
    if at.tzinfo is None:
        raise ValueError(f"a naive time has no time zone to convert from: {at!r}")
    return at.astimezone(CHINA)


def china_date(at: dt.datetime | None = None) -> dt.date:
    """The date in China at the instant ``at`` (now when not given)."""
    return china_time(at or utc_now()).date()


def day_start(day: dt.date) -> dt.datetime:
    """The instant a day begins in China (00:00 Beijing time)."""
    return dt.datetime.combine(day, dt.time(), CHINA)


def shown(at: dt.datetime) -> str:
    """An instant as a person in China reads it: ``2026-01-02 01:30``."""
    return china_time(at).strftime("%Y-%m-%d %H:%M")


__all__ = ["CHINA", "china_date", "china_time", "day_start", "shown", "utc_now"]
