"""What the SQL generator decides in Python (huiqi.population.fold) is what DuckDB computes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.population.dialect import DUCKDB
from huiqi.population.expr import V, _shifted, dec, lit_decimal
from huiqi.population.fold import (
    FALSE_SQL,
    TRUE_SQL,
    and_,
    boolean,
    compare,
    is_constant,
    is_null,
    literal,
    not_,
    null_test,
    or_,
    top_level,
)
from properties import examples

_CON = duckdb.connect()
NUMBERS = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False,
                      allow_infinity=False)
OPS = st.sampled_from(["<", "<=", ">", ">=", "=", "<>"])


def _duck(sql: str) -> object:
    return _CON.execute(f"SELECT {sql}").fetchone()[0]  # type: ignore[index]


@settings(max_examples=examples(200), deadline=None)
@given(a=NUMBERS, b=NUMBERS, op=OPS, widen=st.integers(0, 3))
def test_literals_compare_as_duckdb_does(a: Decimal, b: Decimal, op: str, widen: int) -> None:
    la = lit_decimal(a)
    lb = lit_decimal(b)
    sa, sb = dec(la.v, la.s + widen), lb.v
    assert literal(sa) == a and literal(sb) == b
    assert boolean(compare(a, op, b)) == (TRUE_SQL if _duck(f"{sa} {op} {sb}") else FALSE_SQL)


def test_a_cast_that_would_round_is_not_looked_through() -> None:
    sql = "CAST('0.15' AS DECIMAL(38,1))"
    assert _duck(sql) == Decimal("0.2")   # the database rounds it
    assert literal(sql) is None and not is_constant("CAST(\"x\" AS DECIMAL(38,1))")
    assert literal("CAST(CAST('0.15' AS DECIMAL(38,2)) AS DECIMAL(38,4))") == Decimal("0.15")


@settings(max_examples=examples(100), deadline=None)
@given(xs=st.lists(st.sampled_from([TRUE_SQL, FALSE_SQL, "NULL", "(1 = 1)", "(1 = 2)"]), min_size=1,
                   max_size=4))
def test_boolean_folds_keep_three_valued_logic(xs: list[str]) -> None:
    for made, joiner in ((and_(*xs), " AND "), (or_(*xs), " OR ")):
        assert _duck(made) == _duck("(" + joiner.join(xs) + ")")
    assert _duck(not_(xs[0])) == _duck(f"(NOT {xs[0]})")


def test_nulls_and_casts() -> None:
    assert is_null("CAST(CAST(NULL AS DECIMAL(38,0)) AS DECIMAL(38,2))")
    assert dec("CAST(NULL AS DECIMAL(38,0))", 2) == "CAST(NULL AS DECIMAL(38,2))"
    col = DUCKDB.ident("revenue@2022")
    assert null_test(f"CAST(CAST({col} AS DECIMAL(38,2)) AS DECIMAL(38,4))") == col
    assert null_test(f"CAST({col} AS INTEGER)") == f"CAST({col} AS INTEGER)"   # only decimal casts


def test_top_level_split_respects_parentheses_and_quotes() -> None:
    assert top_level("(a OR (b OR c) OR 'd OR e')", " OR ") == ["a", "(b OR c)", "'d OR e'"]
    assert top_level("(a) OR (b)", " OR ") == ["(a)", "(b)"]
    assert top_level("f(a OR b)", " OR ") == ["f(a OR b)"]


@settings(max_examples=examples(200), deadline=None)
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
       k=st.integers(-1200, 1200), minus=st.booleans(), months=st.booleans())
def test_a_constant_date_moved_by_a_constant_is_the_date_duckdb_gives(
        day: dt.date, k: int, minus: bool, months: bool) -> None:
    d = V(f"DATE '{day.isoformat()}'", nn=True)
    a = lit_decimal(Decimal(k))
    amount = f"(-{a.v})" if minus else a.v
    sql = DUCKDB.add_months(d.v, amount) if months else DUCKDB.add_days(d.v, amount)
    assert _shifted(d, a, minus, months) == _duck(sql)
    assert _shifted(d, lit_decimal(Decimal("1.5")), minus, months) is None   # not a whole number


_PLACES = st.integers(0, 4)


@given(st.integers(-10**9, 10**9), _PLACES, st.integers(-10**6, 10**6).filter(bool), _PLACES)
@settings(max_examples=examples(300), deadline=None)
def test_a_number_of_days_is_cut_toward_zero_exactly(n: int, s: int, d: int, sd: int) -> None:
    """A number of days or months to move a date by is cut toward zero, as the engine's
    ``int()``: a decimal or a quotient of decimals (DuckDB divides decimals as DOUBLEs:
    0.3 / 0.1 is 2.9999999999999996 there, and casts to an integer by rounding)."""
    from fractions import Fraction

    from huiqi.population.expr import _whole

    num, den = Decimal(n).scaleb(-s), Decimal(d).scaleb(-sd)
    a = V(dec(f"'{num}'", s), dec(f"'{den}'", sd), s=s, sd=sd)
    assert _CON.execute(f"SELECT CAST({_whole(a)} AS BIGINT)").fetchone()[0] == int(Fraction(num) / Fraction(den))
    plain = V(dec(f"'{num}'", s), s=s)
    assert _CON.execute(f"SELECT CAST({_whole(plain)} AS BIGINT)").fetchone()[0] == int(num)


def test_a_quotient_near_a_whole_number_is_not_cut_below_it() -> None:
    from huiqi.population.expr import _whole

    a = V(dec("'0.3'", 1), dec("'0.1'", 1), s=1, sd=1)
    assert _CON.execute(f"SELECT CAST({_whole(a)} AS BIGINT)").fetchone()[0] == 3
