"""Intervals of banded tables, written as the text says: ``[25%, 30%)``, ``(-∞, 10%)``.

A square bracket includes the bound, a round one excludes it. The checker
requires the bands of a table to cover its domain exactly once: no value may
fall in two bands (overlap) or in none (gap).
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import pairwise

from huiqi.facts import types as T
from huiqi.rules.checker import CheckError, literal_value
from huiqi.rules.model import BandSpec

_INTERVAL = re.compile(r"^\s*([\[(])\s*(.+?)\s*,\s*(.+?)\s*([\])])\s*$")
_NEG_INF = ("-∞", "-inf", "-infinity", "−∞")
_POS_INF = ("∞", "+∞", "inf", "+inf", "infinity")

Interval = tuple[Decimal | None, bool, Decimal | None, bool]


def parse_interval(text: str) -> tuple[Interval, T.Type]:
    """``"[25%, 30%)"`` → ((0.25, True, 0.30, False), ratio). Raises CheckError."""
    m = _INTERVAL.match(text)
    if not m:
        raise CheckError("band.bad_interval", None, text=text)
    left, lo_text, hi_text, right = m.groups()
    t: T.Type = T.LITERAL
    lo: Decimal | None = None
    hi: Decimal | None = None
    if lo_text.lower() not in _NEG_INF:
        lo, t1 = _bound(lo_text, text)
        t = _join(t, t1, text)
    elif left == "[":
        raise CheckError("band.infinite_inclusive", None, text=text)
    if hi_text.lower() not in _POS_INF:
        hi, t2 = _bound(hi_text, text)
        t = _join(t, t2, text)
    elif right == "]":
        raise CheckError("band.infinite_inclusive", None, text=text)
    lo_inc, hi_inc = left == "[", right == "]"
    if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lo_inc and hi_inc))):
        raise CheckError("band.empty", None, text=text)
    return (lo, lo_inc, hi, hi_inc), t


def _bound(text: str, whole: str) -> tuple[Decimal, T.Type]:
    try:
        value, t = literal_value(text, T.LITERAL)
    except CheckError:
        raise CheckError("band.bad_bound", None, text=whole, bound=text) from None
    if t.kind is not T.Kind.NUM:
        raise CheckError("band.bad_bound", None, text=whole, bound=text)
    return Decimal(value), t


def _join(a: T.Type, b: T.Type, text: str) -> T.Type:
    if a.unit is None:
        return b
    if b.unit is None or a.unit == b.unit:
        return a
    raise CheckError("band.mixed_units", None, text=text)


def coverage(bands: list[BandSpec], domain: Interval) -> list[tuple[str, int, str, str]]:
    """Problems with how the bands cover the domain: (kind, index, band_a, band_b).

    kind is ``overlap``, ``gap``, ``gap_low`` or ``gap_high``; index is the position (in
    the list as written) of the band where the problem shows.
    """
    out: list[tuple[str, int, str, str]] = []
    if not bands:
        return [("gap", 0, "", "")]
    order = sorted(range(len(bands)), key=lambda i: (
        Decimal("-Infinity") if bands[i].lo is None else bands[i].lo,
        0 if bands[i].lo_inclusive else 1))
    d_lo, d_lo_inc, d_hi, d_hi_inc = domain
    first = bands[order[0]]
    if _lower_above(first.lo, first.lo_inclusive, d_lo, d_lo_inc):
        out.append(("gap_low", order[0], first.text, ""))
    for ia, ib in pairwise(order):
        a, b = bands[ia], bands[ib]
        at = ib  # the band that starts where the overlap or gap is
        if a.hi is None:
            out.append(("overlap", at, a.text, b.text))
            continue
        if b.lo is None or b.lo < a.hi or (b.lo == a.hi and a.hi_inclusive and b.lo_inclusive):
            out.append(("overlap", at, a.text, b.text))
        elif b.lo > a.hi or (b.lo == a.hi and not a.hi_inclusive and not b.lo_inclusive):
            out.append(("gap", at, a.text, b.text))
    last = bands[order[-1]]
    if _upper_below(last.hi, last.hi_inclusive, d_hi, d_hi_inc):
        out.append(("gap_high", order[-1], last.text, ""))
    return out


def _lower_above(lo: Decimal | None, lo_inc: bool, d_lo: Decimal | None, d_inc: bool) -> bool:
    """Does a band starting at (lo, lo_inc) leave domain values below it uncovered?"""
    if lo is None:
        return False
    if d_lo is None:
        return True
    return lo > d_lo or (lo == d_lo and d_inc and not lo_inc)


def _upper_below(hi: Decimal | None, hi_inc: bool, d_hi: Decimal | None, d_inc: bool) -> bool:
    if hi is None:
        return False
    if d_hi is None:
        return True
    return hi < d_hi or (hi == d_hi and d_inc and not hi_inc)
