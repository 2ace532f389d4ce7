"""The summaries of a run counted in numpy (``Summary.add_wide``) are those of one DuckDB
query over the same compact rows (``Summary._add_wide_sql``), to the fen; money beyond 64 bits
is summed by the query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.population.query import MONEY_FIXED, WideClause
from huiqi.population.summary import Summary
from properties import examples

AS_OF = dt.date(2024, 6, 30)
REVENUE = "revenue@2023"
DIMS = ["industry", "district", REVENUE]
LAYOUT = [
    WideClause("a", 0, "a_st", "a_pay", "a_pay"),                    # amount is the potential
    WideClause("b", 1, "b_st", "b_amount", "b_potential"),
    WideClause("c", 2, "c_st", f"{MONEY_FIXED}1500.50", f"{MONEY_FIXED}1500.50"),
    WideClause("d", 3, "d_st", None, None),                           # a title
]
MONEY = pa.decimal128(38, 2)
#: about the size bands' limits, and NULL
REVENUES = st.one_of(st.none(), st.sampled_from([Decimal(x) for x in (
    "0", "2999999.99", "3000000", "19999999.99", "20000000", "399999999.99", "400000000", "1e10")]))
#: amounts, and some whose sums need more than a double's 53 bits (the largest and smallest
#: amounts of 64 bits of fen among them)
AMOUNTS = st.one_of(st.none(), st.decimals(min_value=-10**6, max_value=10**12, places=2,
                                           allow_nan=False, allow_infinity=False),
                    st.sampled_from([Decimal("92233720368547758.07"), Decimal("-92233720368547758.08"),
                                     Decimal("40000000000000000.01")]))


def _batch(rows: list[dict[str, object]]) -> pa.Table:
    cols: dict[str, pa.Array] = {
        "id": pa.array([str(i) for i in range(len(rows))]),
        "industry": pa.array([r["industry"] for r in rows], pa.string()),
        "district": pa.array([r["district"] for r in rows], pa.string()),
        REVENUE: pa.array([r["revenue"] for r in rows], pa.decimal128(20, 2)),
    }
    for name in ("a_st", "b_st", "c_st", "d_st"):
        cols[name] = pa.array([r[name] for r in rows], pa.uint8())
    for name in ("a_pay", "b_amount", "b_potential"):
        cols[name] = pa.array([r[name] for r in rows], MONEY)
    return pa.table(cols)


ROW = st.fixed_dictionaries({
    "industry": st.one_of(st.none(), st.sampled_from(["software_it", "biomedicine", "other"])),
    "district": st.one_of(st.none(), st.sampled_from(["思明区", "湖里区"])),
    "revenue": REVENUES,
    **{name: st.integers(0, 3) for name in ("a_st", "b_st", "c_st", "d_st")},
    **{name: AMOUNTS for name in ("a_pay", "b_amount", "b_potential")},
})


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.lists(ROW, min_size=1, max_size=30), min_size=1, max_size=3))
def test_counted_in_numpy_as_by_the_query(batches: list[list[dict[str, object]]]) -> None:
    con = duckdb.connect()
    fast, slow = Summary(), Summary()
    for rows in batches:
        table = _batch(rows)
        fast.add_wide(con, table, LAYOUT, DIMS, AS_OF)
        slow._add_wide_sql(con, table, LAYOUT, DIMS, AS_OF)
    assert fast.rows() == slow.rows()
    assert fast.by("size_band") == slow.by("size_band")


def test_money_beyond_64_bits_is_summed_by_the_query() -> None:
    huge = Decimal("123456789012345678901234.56")   # ~1.2e26 fen: beyond 64 bits
    rows = [{"industry": "other", "district": None, "revenue": Decimal("5e7"), "a_st": 1, "b_st": 1,
             "c_st": 0, "d_st": 0, "a_pay": huge, "b_amount": Decimal(1), "b_potential": None}] * 3
    summary = Summary()
    summary.add_wide(duckdb.connect(), _batch(rows), LAYOUT, DIMS, AS_OF)
    tally = summary.by_clause()["a"]
    assert tally.counts["eligible"] == 3
    assert tally.amount == huge * 3


def test_a_batch_without_dimensions_counts_as_unknown() -> None:
    rows = [{"industry": "x", "district": "y", "revenue": None, "a_st": 0, "b_st": 2, "c_st": 1,
             "d_st": 3, "a_pay": None, "b_amount": None, "b_potential": Decimal("7.25")}]
    summary = Summary()
    summary.add_wide(duckdb.connect(), _batch(rows), LAYOUT, [], AS_OF)
    (row,) = [r for r in summary.rows() if r["clause"] == "b"]
    assert (row["industry"], row["size_band"], row["district"]) == ("unknown", "unknown", "unknown")
    assert row["potential_amount"] == Decimal("7.25")
