"""Dates as numpy ``datetime64[D]`` arrays: drawing days, years of days, adding years."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

Days = np.ndarray[Any, Any]
Ints = np.ndarray[Any, Any]

NAT = np.datetime64("NaT", "D")


def day(d: dt.date) -> np.datetime64:
    return np.datetime64(d.isoformat(), "D")


def year_of(days: Days) -> Ints:
    """The calendar year of each day."""
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def jan1(years: Any) -> Days:
    """1 January of each year."""
    return (np.asarray(years, dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]")


def dec31(years: Any) -> Days:
    return jan1(np.asarray(years, dtype=np.int64) + 1) - np.timedelta64(1, "D")


def between(rng: np.random.Generator, lo: Days, hi: Days) -> Days:
    """A day drawn uniformly in [lo, hi) for each pair (lo where hi <= lo)."""
    span = np.maximum((hi - lo).astype(np.int64), 1)
    out: Days = lo + np.floor(rng.random(len(lo)) * span).astype(np.int64).astype("timedelta64[D]")
    return out


def in_year(rng: np.random.Generator, years: Ints, first_day: int = 0, last_day: int = 365) -> Days:
    """A day of each year, drawn between day-of-year offsets ``first_day`` and ``last_day``."""
    start = jan1(years)
    length = (jan1(years + 1) - start).astype(np.int64)
    lo = np.minimum(first_day, length - 1)
    hi = np.minimum(last_day, length)
    offset = lo + np.floor(rng.random(len(years)) * np.maximum(hi - lo, 1)).astype(np.int64)
    out: Days = start + offset.astype("timedelta64[D]")
    return out


def add_years(days: Days, k: Any) -> Days:
    """The same day k years later (29 February becomes 28 February)."""
    months = days.astype("datetime64[M]")
    dom = (days - months.astype("datetime64[D]")).astype(np.int64)
    target = months + (np.asarray(k, dtype=np.int64) * 12).astype("timedelta64[M]")
    month_len = ((target + np.timedelta64(1, "M")).astype("datetime64[D]")
                 - target.astype("datetime64[D]")).astype(np.int64)
    out: Days = target.astype("datetime64[D]") + np.minimum(dom, month_len - 1).astype("timedelta64[D]")
    return out


def years_between(a: Days, b: Any) -> np.ndarray[Any, Any]:
    """(b - a) in years of 365.25 days."""
    return np.asarray((b - a).astype(np.int64), dtype=np.float64) / 365.25
