"""The dialect's exact integer pieces on DuckDB — integer division, parity, scaling down —
give Python's exact answers on both sides of the 64-bit fast path (values below 10¹⁸ are
computed as 64-bit integers, larger ones as 128-bit decimals)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.population.dialect import DUCKDB, NARROW
from properties import examples

_CON = duckdb.connect()

#: integers held as DECIMAL(38, 0): small ones, ones about the 64-bit edge, and wide ones
INTEGERS = st.one_of(st.integers(0, 10**6), st.integers(NARROW - 10**4, NARROW + 10**4),
                     st.integers(0, 10**37))


def _column(values: list[str], sql_type: str) -> str:
    """A VALUES list of one column ``x`` of ``sql_type`` (a subquery)."""
    rows = ", ".join(f"(CAST('{v}' AS {sql_type}))" for v in values)
    return f"(SELECT * FROM (VALUES {rows}) AS t(x))"


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(st.tuples(INTEGERS, INTEGERS.filter(lambda d: d > 0)), min_size=1, max_size=20))
def test_integer_division_and_parity_are_exact(pairs: list[tuple[int, int]]) -> None:
    rows = ", ".join(f"(CAST('{n}' AS DECIMAL(38,0)), CAST('{d}' AS DECIMAL(38,0)))" for n, d in pairs)
    got = _CON.execute(
        f"SELECT {DUCKDB.idiv('n', 'd')}, {DUCKDB.odd('n')} FROM (VALUES {rows}) AS t(n, d)").fetchall()
    assert got == [(Decimal(n // d), n % 2 == 1) for n, d in pairs]


@settings(max_examples=examples(100), deadline=None)
@given(st.integers(1, 17).flatmap(lambda s: st.tuples(
    st.just(s), st.integers(0, s - 1),
    st.lists(st.one_of(st.integers(-(10**(38 - s)) + 1, 10**(38 - s) - 1),
                       st.integers(-(10**18) - 10**4, 10**18 + 10**4)), min_size=1, max_size=20))))
def test_scaling_down_rounds_as_duckdb_casts(case: tuple[int, int, list[int]]) -> None:
    """Scaled down, a value is what DuckDB's own cast makes of it (half away from zero), in
    64 bits or not; an integer's zeros are dropped exactly."""
    scale, to, units = case
    values = [str(Decimal(u).scaleb(-scale)) for u in units]
    src = _column(values, f"DECIMAL(38,{scale})")
    got = [r[0] for r in _CON.execute(f"SELECT {DUCKDB.rescale('x', scale, to)} FROM {src}").fetchall()]
    step = Decimal(1).scaleb(-to)
    wide = Context(prec=50)
    assert got == [Decimal(v).quantize(step, rounding=ROUND_HALF_UP, context=wide) for v in values]


def test_spark_keeps_its_own_forms() -> None:
    from huiqi.population.dialect import SPARK

    assert SPARK.rescale("x", 6, 0) == "CAST(x AS DECIMAL(38,0))"
    assert SPARK.odd("q") == "q % 2 = 1"
