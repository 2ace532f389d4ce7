"""Runtime values: exact numbers, missing facts, undefined values, and four-valued truth.

Numbers are exact. Sums and products are :class:`~decimal.Decimal` computed in a
context wide enough that they never round; a quotient that Decimal cannot hold
exactly (1/3) becomes a :class:`~fractions.Fraction`. So ``7 / 100 >= 7%`` is met,
and no amount is ever a binary float.

Three kinds of "no plain value" exist:

``MISSING``
    A fact the enterprise has not given. Never defaulted to 0; a condition that
    needs it is *undetermined*.
``Undefined(reason)``
    A value that cannot exist: a ratio over zero, a fiscal year before the
    enterprise was registered, a value outside every band. A comparison with it
    is *not met* (the reason is shown).
``REVIEW``
    A condition only a person can judge.

Truth has four values: ``True``, ``False``, ``MISSING`` (undetermined) and
``REVIEW`` (needs review). ``and``/``or``/``not`` follow Kleene's strong logic
with the two indeterminate values ordered *missing before review*::

    and   | T  F  M  R          or    | T  F  M  R          not
    ------+------------         ------+------------         T → F
    T     | T  F  M  R          T     | T  T  T  T          F → T
    F     | F  F  F  F          F     | T  F  M  R          M → M
    M     | M  F  M  M          M     | T  M  M  M          R → R
    R     | R  F  M  R          R     | T  R  M  R

Collapsing M and R into one "unknown" gives exactly Kleene's K3 (so the usual
laws hold: commutativity, associativity, De Morgan, double negation, absorption
and distributivity up to which unknown is shown). Between the two unknowns,
missing facts are reported first: an enterprise should supply its data before a
person is asked to judge. ``tests/engine/test_values.py`` checks these laws.
"""

from __future__ import annotations

import datetime as dt
from decimal import Context, Decimal, Inexact
from fractions import Fraction
from typing import Any

from huiqi.text import Text

EXACT = Context(prec=80, traps=[Inexact])
"""The context of every evaluation: 80 digits, and an error rather than a silent rounding."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


class _Review:
    __slots__ = ()

    def __repr__(self) -> str:
        return "REVIEW"

    def __reduce__(self) -> str:
        return "REVIEW"


MISSING: Any = _Missing()
REVIEW: Any = _Review()


class Undefined:
    """A value that cannot exist, with the reason why."""

    __slots__ = ("reason",)

    def __init__(self, reason: Text) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Undefined({self.reason.en!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Undefined)

    def __hash__(self) -> int:
        return hash("Undefined")


DIV_ZERO = Undefined(Text("除数为零,无法计算", "division by zero"))
NO_BAND = Undefined(Text("数值不在分档表范围内", "the value is outside every band of the table"))
NO_ENTRY = Undefined(Text("表中没有该项", "the table has no entry for it"))
NO_RECORDS = Undefined(Text("没有符合条件的记录", "no matching records"))

NUMBER_TYPES = (Decimal, int, Fraction)


def is_number(v: Any) -> bool:
    return type(v) in (Decimal, int, Fraction)


def truth(v: Any) -> Any:
    """A value in a condition's place: Undefined counts as not met."""
    if v is True or v is False or v is MISSING or v is REVIEW:
        return v
    if isinstance(v, Undefined):
        return False
    return bool(v)


def t_and(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    if a is MISSING or b is MISSING:
        return MISSING
    return REVIEW


def t_or(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    if a is MISSING or b is MISSING:
        return MISSING
    return REVIEW


def t_not(a: Any) -> Any:
    if a is True:
        return False
    if a is False:
        return True
    return a


def blocked(a: Any, b: Any) -> Any:
    """For an operation on two values, at least one not a plain value: what results."""
    if isinstance(a, Undefined):
        return a
    if isinstance(b, Undefined):
        return b
    return MISSING


# ---------------------------------------------------------------------- exact arithmetic


def _frac(x: Any) -> Fraction:
    return x if type(x) is Fraction else Fraction(x)


def add(a: Any, b: Any) -> Any:
    if type(a) is Fraction or type(b) is Fraction:
        return _norm(_frac(a) + _frac(b))
    return EXACT.add(a, b) if type(a) is Decimal or type(b) is Decimal else a + b


def sub(a: Any, b: Any) -> Any:
    if type(a) is Fraction or type(b) is Fraction:
        return _norm(_frac(a) - _frac(b))
    return EXACT.subtract(a, b) if type(a) is Decimal or type(b) is Decimal else a - b


def mul(a: Any, b: Any) -> Any:
    if type(a) is Fraction or type(b) is Fraction:
        return _norm(_frac(a) * _frac(b))
    return EXACT.multiply(a, b) if type(a) is Decimal or type(b) is Decimal else a * b


def div(a: Any, b: Any) -> Any:
    if b == 0:
        return DIV_ZERO
    if type(a) is not Fraction and type(b) is not Fraction:
        try:
            return EXACT.divide(Decimal(a), Decimal(b))
        except Inexact:
            return Fraction(a) / Fraction(b)
    return _norm(_frac(a) / _frac(b))


def _norm(f: Fraction) -> Any:
    """A fraction whose denominator is 1 becomes a Decimal again."""
    if f.denominator == 1:
        return Decimal(f.numerator)
    return f


def to_decimal(x: Any, places: int = 6) -> Decimal:
    """An exact number as a Decimal; a Fraction rounded half-even to ``places``."""
    if type(x) is Fraction:
        return round_exact(x, Decimal(1).scaleb(-places), "half_even")
    return Decimal(x)


def round_exact(x: Any, unit: Decimal, mode: str) -> Decimal:
    """Round an exact number to a multiple of ``unit`` (0.01 = to the fen).

    ``half_up`` is 四舍五入 (halves away from zero), ``half_even`` banker's rounding,
    ``down`` truncates toward zero, ``up`` rounds away from zero.
    """
    q = _frac(x) / _frac(unit)
    n, r = divmod(q.numerator, q.denominator)  # floor division
    frac_part = Fraction(r, q.denominator)
    if frac_part == 0:
        k = n
    elif mode == "down":
        k = n if q >= 0 else n + 1
    elif mode == "up":
        k = n + 1 if q >= 0 else n
    elif mode == "floor":
        k = n
    elif mode == "ceiling":
        k = n + 1
    else:
        half = Fraction(1, 2)
        if frac_part > half:
            k = n + 1
        elif frac_part < half:
            k = n
        elif mode == "half_up":
            k = n + 1 if q >= 0 else n
        else:  # half_even
            k = n if n % 2 == 0 else n + 1
    return EXACT.multiply(Decimal(k), unit)


# ---------------------------------------------------------------------- dates


def add_months(d: dt.date, months: int) -> dt.date:
    """Calendar months: Jan 31 + 1 month = Feb 28 (or 29); Feb 29 + 12 months = Feb 28."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = d.day
    while day > 28:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1
    return dt.date(year, month, day)


def full_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (an anniversary counts on its day)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    if start.month == 2 and start.day == 29 and end.month == 2 and end.day == 28 \
            and not _leap(end.year):
        years += 1
    return years


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
