"""The four-valued logic of conditions and exact arithmetic: laws, property-tested.

True, False, MISSING (undetermined) and REVIEW (needs review). Collapsing MISSING and
REVIEW into one unknown gives Kleene's strong logic K3; between them, missing comes first.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from huiqi.engine.values import (
    DIV_ZERO,
    MISSING,
    REVIEW,
    add,
    add_months,
    div,
    fraction,
    full_years,
    mul,
    round_exact,
    sub,
    t_and,
    t_not,
    t_or,
)

V = st.sampled_from([True, False, MISSING, REVIEW])


def k3(v: Any) -> Any:
    """Collapse the two unknowns into one (Kleene's K3)."""
    return "U" if v is MISSING or v is REVIEW else v


@given(V, V)
def test_commutative(a: Any, b: Any) -> None:
    assert t_and(a, b) is t_and(b, a)
    assert t_or(a, b) is t_or(b, a)


@given(V, V, V)
def test_associative(a: Any, b: Any, c: Any) -> None:
    assert t_and(t_and(a, b), c) is t_and(a, t_and(b, c))
    assert t_or(t_or(a, b), c) is t_or(a, t_or(b, c))


@given(V, V)
def test_de_morgan(a: Any, b: Any) -> None:
    assert t_not(t_and(a, b)) is t_or(t_not(a), t_not(b))
    assert t_not(t_or(a, b)) is t_and(t_not(a), t_not(b))


@given(V)
def test_double_negation_identity_and_annihilation(a: Any) -> None:
    assert t_not(t_not(a)) is a
    assert t_and(a, True) is a and t_or(a, False) is a
    assert t_and(a, False) is False and t_or(a, True) is True
    assert t_and(a, a) is a and t_or(a, a) is a


@given(V, V)
def test_absorption(a: Any, b: Any) -> None:
    assert k3(t_and(a, t_or(a, b))) == k3(a)
    assert k3(t_or(a, t_and(a, b))) == k3(a)


@given(V, V, V)
def test_distributive_up_to_which_unknown(a: Any, b: Any, c: Any) -> None:
    assert k3(t_and(a, t_or(b, c))) == k3(t_or(t_and(a, b), t_and(a, c)))
    assert k3(t_or(a, t_and(b, c))) == k3(t_and(t_or(a, b), t_or(a, c)))


@given(st.booleans(), st.booleans())
def test_classical_on_known_values(a: bool, b: bool) -> None:
    assert t_and(a, b) is (a and b)
    assert t_or(a, b) is (a or b)
    assert t_not(a) is (not a)


@given(V, V)
def test_missing_is_reported_before_review(a: Any, b: Any) -> None:
    if {a, b} == {MISSING, REVIEW}:
        assert t_and(a, b) is MISSING and t_or(a, b) is MISSING


@given(V, st.sampled_from([True, False]))
def test_monotone_refining_an_unknown_never_flips_a_known_result(a: Any, b: bool) -> None:
    # if the result is known while an input is unknown, knowing the input keeps it
    for op in (t_and, t_or):
        r = op(MISSING, a)
        if r in (True, False):
            assert op(b, a) is r


# ---------------------------------------------------------------- exact arithmetic

money = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2,
                    allow_nan=False, allow_infinity=False)
ratios = st.decimals(min_value=0, max_value=1, places=8, allow_nan=False, allow_infinity=False)


@given(money, money)
def test_sums_and_products_are_exact(a: Decimal, b: Decimal) -> None:
    assert fraction(add(a, b)) == Fraction(a) + Fraction(b)
    assert fraction(sub(a, b)) == Fraction(a) - Fraction(b)
    assert fraction(mul(a, b)) == Fraction(a) * Fraction(b)


@given(money, money.filter(lambda d: d != 0))
def test_quotients_are_exact(a: Decimal, b: Decimal) -> None:
    q = div(a, b)
    assert fraction(q) == Fraction(a) / Fraction(b)
    assert fraction(mul(q, b)) == Fraction(a)


def test_seven_percent_of_a_hundred_is_seven() -> None:
    assert div(Decimal(7), Decimal(100)) >= Decimal("0.07")
    assert div(Decimal(7), Decimal(100)) == Decimal("0.07")
    assert div(Decimal(1), Decimal(3)) * 3 == 1  # a Fraction, not 0.999…
    assert div(Decimal(1), Decimal(0)) is DIV_ZERO


MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6,
                   allow_nan=False, allow_infinity=False),
       st.sampled_from(list(MODES)), st.sampled_from(["0.01", "1", "100", "10000"]))
def test_rounding_agrees_with_decimal_quantize(x: Decimal, mode: str, unit: str) -> None:
    u = Decimal(unit)
    expected = (x / u).quantize(Decimal(1), rounding=MODES[mode]) * u
    assert round_exact(x, u, mode) == expected


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_rounding_a_fraction_is_exact(n: int, d: int) -> None:
    f = Fraction(n, d)
    r = round_exact(div(Decimal(n), Decimal(d)), Decimal("0.01"), "half_up")
    assert abs(Fraction(r) - f) <= Fraction(1, 200)


@given(st.dates(dt.date(1950, 1, 1), dt.date(2100, 1, 1)), st.integers(-600, 600))
def test_calendar_months(d: dt.date, months: int) -> None:
    e = add_months(d, months)
    assert (e.year - d.year) * 12 + e.month - d.month == months
    assert e.day <= d.day


def test_month_ends_and_leap_days() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 2, 29), -48) == dt.date(2020, 2, 29)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert full_years(dt.date(2020, 2, 29), dt.date(2021, 2, 28)) == 1
    assert full_years(dt.date(2020, 3, 1), dt.date(2022, 2, 28)) == 1
    assert full_years(dt.date(2020, 3, 1), dt.date(2022, 3, 1)) == 2
