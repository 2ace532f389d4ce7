"""Runtime values: exact numbers, missing facts, undefined values, and four-valued truth.

Numbers are exact. Sums and products are :class:`~decimal.Decimal` computed in a
context wide enough that they never round (and that raises rather than rounds if
they ever would); a quotient is kept as an exact :class:`Quot` (numerator and
denominator) and compared by cross-multiplication. So ``7 / 100 >= 7%`` is met,
``1 / 3 * 3 == 1``, and no amount is ever a binary float.

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
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    Inexact,
)
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

def is_number(v: Any) -> bool:
    return type(v) in _NUMBER_TYPES


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


class Quot:
    """An exact quotient ``n / d`` of two decimals (``d > 0``), never rounded.

    Comparisons cross-multiply (``n/d >= c`` ⇔ ``n >= c·d``), so they are exact and
    cheap; this is also how the SQL backends compare, so all engines agree.
    """

    __slots__ = ("d", "n")

    def __init__(self, n: Decimal, d: Decimal) -> None:
        self.n = n
        self.d = d

    def _key(self, other: Any) -> tuple[Decimal, Decimal]:
        if type(other) is Quot:
            return EXACT.multiply(self.n, other.d), EXACT.multiply(other.n, self.d)
        return self.n, EXACT.multiply(other, self.d)

    def __lt__(self, other: Any) -> bool:
        a, b = self._key(other)
        return a < b

    def __le__(self, other: Any) -> bool:
        a, b = self._key(other)
        return a <= b

    def __gt__(self, other: Any) -> bool:
        a, b = self._key(other)
        return a > b

    def __ge__(self, other: Any) -> bool:
        a, b = self._key(other)
        return a >= b

    def __eq__(self, other: object) -> bool:
        if type(other) not in (Quot, Decimal, int):
            return NotImplemented
        a, b = self._key(other)
        return a == b

    def __hash__(self) -> int:
        return hash(self.fraction())

    def __int__(self) -> int:
        """Cut toward zero, as ``int()`` of a decimal (a number of days or months)."""
        return int(self.fraction())

    def __neg__(self) -> Quot:
        return Quot(-self.n, self.d)

    def __abs__(self) -> Quot:
        return Quot(abs(self.n), self.d)

    def fraction(self) -> Fraction:
        return Fraction(self.n) / Fraction(self.d)

    def __add__(self, other: Any) -> Any:
        return add(self, other)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        return sub(self, other)

    def __rsub__(self, other: Any) -> Any:
        return sub(other, self)

    def __mul__(self, other: Any) -> Any:
        return mul(self, other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Any:
        return div(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return div(other, self)

    def __repr__(self) -> str:
        return f"Quot({self.n}/{self.d})"


def _q(x: Any) -> Quot:
    return x if type(x) is Quot else Quot(Decimal(x), Decimal(1))


def _norm(n: Decimal, d: Decimal) -> Any:
    if d == 1:
        return n
    return Quot(n, d)


def add(a: Any, b: Any) -> Any:
    if type(a) is Quot or type(b) is Quot:
        x, y = _q(a), _q(b)
        if x.d == y.d:
            return _norm(EXACT.add(x.n, y.n), x.d)
        return _norm(EXACT.add(EXACT.multiply(x.n, y.d), EXACT.multiply(y.n, x.d)),
                     EXACT.multiply(x.d, y.d))
    return EXACT.add(a, b)


def sub(a: Any, b: Any) -> Any:
    if type(a) is Quot or type(b) is Quot:
        return add(a, -_q(b))
    return EXACT.subtract(a, b)


def mul(a: Any, b: Any) -> Any:
    if type(a) is Quot or type(b) is Quot:
        x, y = _q(a), _q(b)
        return _norm(EXACT.multiply(x.n, y.n), EXACT.multiply(x.d, y.d))
    return EXACT.multiply(a, b)


def div(a: Any, b: Any) -> Any:
    if b == 0:
        return DIV_ZERO
    x, y = _q(a), _q(b)
    n, d = EXACT.multiply(x.n, y.d), EXACT.multiply(x.d, y.n)
    if d < 0:
        n, d = -n, -d
    return _norm(n, d)


def fraction(x: Any) -> Fraction:
    """Any exact number as a Fraction (for display and tests)."""
    if type(x) is Quot:
        return x.fraction()
    return Fraction(x)


def to_decimal(x: Any, places: int = 6) -> Decimal:
    """An exact number as a Decimal; a quotient rounded half-even to ``places``."""
    if type(x) is Quot:
        return round_exact(x, Decimal(1).scaleb(-places), "half_even")
    return Decimal(x)


_DEC_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN,
              "up": ROUND_UP, "floor": ROUND_FLOOR, "ceiling": ROUND_CEILING}
_ONE = Decimal(1)


def round_exact(x: Any, unit: Decimal, mode: str) -> Decimal:
    """Round an exact number to a multiple of ``unit`` (0.01 = to the fen).

    ``half_up`` is 四舍五入 (halves away from zero), ``half_even`` banker's rounding,
    ``down`` truncates toward zero, ``up`` rounds away from zero.
    """
    if type(x) is not Quot:
        q = EXACT.divide(Decimal(x), unit)
        return EXACT.multiply(q.quantize(_ONE, rounding=_DEC_MODES[mode]), unit)
    # x / unit as a ratio of integers, then integer division: no rounding anywhere
    a, b = x.n.as_integer_ratio()
    c, d = EXACT.multiply(x.d, unit).as_integer_ratio()
    num, den = a * d, b * c  # den > 0 since x.d > 0 and unit > 0
    n, r = divmod(num, den)  # floor division; 0 <= r < den
    if r == 0:
        k = n
    elif mode == "down":
        k = n if num >= 0 else n + 1
    elif mode == "up":
        k = n + 1 if num >= 0 else n
    elif mode == "floor":
        k = n
    elif mode == "ceiling" or 2 * r > den:
        k = n + 1
    elif 2 * r < den:
        k = n
    elif mode == "half_up":
        k = n + 1 if num >= 0 else n
    else:  # half_even
        k = n if n % 2 == 0 else n + 1
    return EXACT.multiply(Decimal(k), unit)


_NUMBER_TYPES = (Decimal, int, Quot)

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
