"""The compact query's lean form (issue 18): built for statuses and amounts only, it gives the
same statuses and amounts as the query with every output — over the
random packs of the differential tests and a park generated for the seed pack."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.population import duck
from huiqi.population.dialect import DUCKDB
from huiqi.population.query import MatchQuery, money_columns
from huiqi.population.wide import clause_amounts
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack
from properties import examples

from . import randpack as R
from .harness import drawn, table_of

ROOT = Path(__file__).resolve().parents[2]


def lean_and_full(pack: Pack, as_of: dt.date, table: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per clause (in order) the status and amount of every row, from the lean query and from
    the full one."""
    con = duck.connect()
    con.register("t", table)
    cols = duck.columns_of(con, "t")
    out = []
    for outputs in ("status", "all"):
        sql, layout = MatchQuery(pack, as_of, DUCKDB, cols, outputs=outputs).build_wide("t")
        table = con.sql(sql).to_arrow_table()
        amounts = {wc.key: clause_amounts(table, wc)[0].to_pylist() for wc in layout}
        got = [{"clause": wc.key, "id": r["id"], "status": r[wc.status], "amount": amounts[wc.key][i]}
               for i, r in enumerate(table.to_pylist()) for wc in layout]
        if outputs == "status":
            # the lean query has no potential amount, failed, gap or missing column at all
            assert all(wc.potential is None and not wc.failed and not wc.gaps and not wc.missing
                       for wc in layout)
            assert not any(name.endswith("_potential") for name in con.sql(sql).columns)
        out.append(got)
    return out[0], out[1]


@settings(max_examples=examples(40), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_lean_statuses_and_amounts_equal_the_full_ones(data: st.DataObject) -> None:
    text, pack, es = drawn(data)
    lean, full = lean_and_full(pack, R.AS_OF, table_of(es, R.AS_OF))
    assert lean == full, text


def test_lean_equals_full_on_the_seed_pack() -> None:
    from huiqi.generator import tables

    as_of = dt.date(2023, 6, 30)
    pack = load_pack(ROOT / "policies" / "seed")
    table = next(iter(tables(300, 7, as_of, 300)))
    lean, full = lean_and_full(pack, as_of, table)
    assert lean == full
    assert {r["status"] for r in full} >= {0, 1}   # both kinds of outcome were compared


def test_outputs_is_checked() -> None:
    pack = load_pack(ROOT / "policies" / "seed")
    with pytest.raises(ValueError, match="outputs"):
        MatchQuery(pack, dt.date(2023, 6, 30), DUCKDB, ["id"], outputs="gaps")
    lean = MatchQuery(pack, dt.date(2023, 6, 30), DUCKDB, ["id"], outputs="status")
    with pytest.raises(ValueError, match="outputs='all'"):
        lean.build("t")


SIMPLE = ROOT / "bench" / "simplepack"


def test_a_year_before_registration_is_tested_once_per_row() -> None:
    """Every condition over last year's figures shares one 'registered after that year'
    column (as a hand-written query computes its flag once), the missing facts too."""
    pack = load_pack(SIMPLE)
    cols = ["id", "registration_date", *(f"{f}@2022" for f in pack.catalogue.facts)]
    for outputs in ("status", "all"):
        sql, _ = MatchQuery(pack, dt.date(2023, 6, 30), DUCKDB, cols, outputs=outputs).build_wide("t")
        assert sql.count('"__reg_year" > 2022') == 1, outputs
        assert '2022 < "__reg_year"' not in sql


def test_the_sql_is_built_once_per_pack_and_input(monkeypatch: pytest.MonkeyPatch) -> None:
    from huiqi.population import query as Q

    built: list[str] = []
    real = MatchQuery.build_wide

    def counting(self: MatchQuery, source: str, extra: Any = ()) -> Any:
        built.append(self.outputs)
        return real(self, source, extra)

    monkeypatch.setattr(MatchQuery, "build_wide", counting)
    pack = load_pack(SIMPLE)
    as_of = dt.date(2023, 6, 30)
    cols = ["id", "revenue@2022"]
    sql, layout = Q.wide_query(pack, as_of, DUCKDB, cols, "t")
    layout[0].failed.clear()   # the caller's copy: the next caller gets its own
    again, layout2 = Q.wide_query(pack, as_of, DUCKDB, cols, "t")
    assert (again, len(built)) == (sql, 1)
    assert layout2[0].failed and layout2 == real(MatchQuery(pack, as_of, DUCKDB, cols), "t")[1]
    # anything that changes the SQL builds it again: outputs, columns, source, the pack object
    Q.wide_query(pack, as_of, DUCKDB, cols, "t", outputs="status")
    Q.wide_query(pack, as_of, DUCKDB, [*cols, "staff_total@2022"], "t")
    Q.wide_query(pack, as_of, DUCKDB, cols, "u")
    other = load_pack(SIMPLE)
    assert other.version_id == pack.version_id and other is not pack
    Q.wide_query(other, as_of, DUCKDB, cols, "t")
    assert built == ["all", "status", "all", "all", "all"]


def test_the_lean_query_hands_over_no_constant_amount() -> None:
    """Statuses and amounts: a clause paying a constant has its status column and no amount
    column (the readers take the constant where the status is 1); a share has its amount."""
    import pyarrow as pa

    pack = load_pack(SIMPLE)
    cols = ["id", "registration_date", *(f"{f}@2022" for f in pack.catalogue.facts)]
    sql, layout = MatchQuery(pack, dt.date(2023, 6, 30), DUCKDB, cols, outputs="status").build_wide("t")
    fixed = [wc for wc in layout if wc.amount is not None and wc.amount.startswith("@fixed:")]
    shares = [wc for wc in layout if wc.amount is not None and not wc.amount.startswith("@fixed:")]
    assert (len(layout), len(fixed), len(shares)) == (25, 15, 6)
    con = duck.connect()
    con.register("t", pa.table({c: pa.array([None], pa.decimal128(20, 2) if "@" in c else
                                             pa.date32() if c == "registration_date" else pa.string())
                                for c in cols}))
    assert con.sql(sql).columns == ["id", *(c for wc in layout for c in (wc.status, *money_columns(wc)))]
    assert len(con.sql(sql).columns) == 1 + 25 + 6


def test_a_capped_share_is_rounded_in_64_bits_and_exactly() -> None:
    """Under a constant cap, an amount clamped at zero fits 18 digits: it is rounded as
    DECIMAL(18, s) — to the same yuan, at the halves and at the cap."""
    import pyarrow as pa

    pack = load_pack(SIMPLE)
    values = ["4999994.99", "4999995.00", "19999999.99", "20000000.00", "10000000000000000.00"]
    table = pa.table({"id": [f"e{i}" for i in range(len(values))],
                      "registration_date": pa.array([dt.date(2010, 1, 1)] * len(values)),
                      "rd_expense@2022": pa.array([Decimal(v) for v in values], pa.decimal128(20, 2))})
    query = MatchQuery(pack, dt.date(2023, 6, 30), DUCKDB, table.column_names)
    sql, layout = query.build_wide("t")
    assert "AS DECIMAL(18," in sql
    con = duck.connect()
    con.register("t", table)
    rows = con.sql(sql).to_arrow_table().to_pylist()
    by_key = {wc.key.split("/")[1]: wc for wc in layout}
    # 10% of it, at most 500,000, half up to the yuan; 5% (from 5,000,000), at most 1,000,000,
    # down to the hundred
    share, big = by_key["rd_share"], by_key["rd_big_share"]
    yuan = [Decimal(x) for x in ("499999", "500000", "500000", "500000", "500000")]
    assert [r[share.potential] for r in rows] == yuan
    assert [r[big.potential] for r in rows] == [None, None, Decimal("999900"), Decimal("1000000"),
                                                 Decimal("1000000")]


def _edge_table() -> Any:
    """Enterprises at the edges of the simple pack's rules: registered after the year of the
    figures, figures missing, negative, at the thresholds, very large."""
    import pyarrow as pa

    pack = load_pack(SIMPLE)
    facts = sorted(f"{f}@2022" for f, spec in pack.catalogue.facts.items()
                   if spec.kind in ("money", "integer"))
    rows = 9
    cols: dict[str, Any] = {"id": [f"e{i}" for i in range(rows)],
                            "registration_date": pa.array([dt.date(2010, 1, 1)] * 4 + [dt.date(2023, 1, 1)]
                                                          + [None] + [dt.date(2015, 5, 5)] * 3)}
    money = ["20000000.00", "19999999.99", None, "-5.01", "100000000.00", "0.00", "1e16", "4999995.00", "1"]
    counts = [50, 49, None, 0, 300, 10, 20, 21, 5]
    for f in facts:
        kind = pack.catalogue.facts[f.split("@")[0]].kind
        if kind == "money":
            cols[f] = pa.array([None if v is None else Decimal(v) for v in money], pa.decimal128(20, 2))
        else:
            cols[f] = pa.array(counts, pa.int64())
    return pa.table(cols)


def test_derived_outputs_equal_the_eager_ones() -> None:
    """The compact form with every output derives some of them on reading (a constant
    amount, a failed condition or a missing fact the status says, a gap of an input column
    against a constant) and packs the clauses' bits in shared words: read into the long
    form, it equals the long query's results exactly."""
    from huiqi.population.compare import table_rows
    from huiqi.population.query import FROM_STATUS, GAP_DERIVED, MONEY_FIXED
    from huiqi.population.wide import to_long

    pack = load_pack(SIMPLE)
    table = _edge_table()
    con = duck.connect()
    con.register("t", table)
    cols = duck.columns_of(con, "t")
    as_of = dt.date(2023, 6, 30)
    sql, layout = MatchQuery(pack, as_of, DUCKDB, cols).build_wide("t")
    # the new forms are used: a constant amount, derived gaps, words shared by clauses
    assert any(wc.potential and wc.potential.startswith(MONEY_FIXED) for wc in layout)
    assert any(col.startswith(GAP_DERIVED) for wc in layout for _, col in wc.gaps)
    assert len({c for wc in layout for c, _ in wc.failed}) < len([wc for wc in layout if wc.failed])
    assert any(c.startswith(FROM_STATUS) for wc in layout for c, _ in wc.failed)
    assert any(c.startswith(FROM_STATUS) for wc in layout for c, _ in wc.missing)
    lazy = table_rows(to_long([(con.sql(sql).to_arrow_table(), layout)]).to_pylist())
    eager = table_rows(con.sql(MatchQuery(pack, as_of, DUCKDB, cols).build("t")).to_arrow_table().to_pylist())
    assert lazy == eager
    statuses = {r["status"] for r in eager.values()}
    assert statuses >= {"eligible", "not_eligible", "undetermined"}
    assert any(r["gaps"] for r in eager.values()) and any(r["missing"] for r in eager.values())


def test_a_share_is_computed_only_where_its_conditions_may_hold() -> None:
    """A share's product of decimals is computed under its clause's guard (the conditions not
    all unmet), not in a column of its own for every row."""
    pack = load_pack(SIMPLE)
    cols = ["id", "registration_date", *(f"{f}@2022" for f in pack.catalogue.facts)]
    for outputs in ("status", "all"):
        sql, _ = MatchQuery(pack, dt.date(2023, 6, 30), DUCKDB, cols, outputs=outputs).build_wide("t")
        products = [m.start() for m in re.finditer(r'\* CAST\("rd_expense@2022"', sql)]
        assert products, outputs
        for at in products:
            binding = sql[sql.rfind(", ", 0, at) + 2:at]   # the bound column it is in
            assert binding.startswith("(CASE WHEN ") and " <> 0 THEN " in binding, (outputs, binding)


SAME_RECORDS = """id: rec
title: 记录测试
issuer: 测试
dates: {effective: 2020-01-01}
source: {text: 测试政策。}
clauses:
  - id: c0
    title: 条款0
    conditions:
      - {id: k0, label: 高企, when: 'exists(honours where kind == "hnte" and date >= as_of - 3 years)', assumed: 测试}
      - {id: k1, label: 营收, when: 'revenue[-1] >= ¥1000000', assumed: 测试}
    benefit: {kind: fixed, amount: ¥1000, rounding: {unit: yuan, mode: half_up}, assumed: 测试}
  - id: c1
    title: 条款1
    conditions:
      - {id: k0, label: 高企, when: 'exists(honours where kind == "hnte" and date >= as_of - 3 years)', assumed: 测试}
      - {id: k1, label: 违法, when: 'count(violations) == 0', assumed: 测试}
    benefit: {kind: title, assumed: 测试}
  - id: c2
    title: 条款2
    conditions:
      - {id: k0, label: 高企, when: 'exists(honours where kind == "hnte" and date >= as_of - 5 years)', assumed: 测试}
    benefit: {kind: title, assumed: 测试}
"""


def test_certificates_within_years_filter_the_records_once(tmp_path: Path) -> None:
    """The same record aggregate in two clauses is one column (lambda variables are named by
    depth, not by a counter), and ``exists(honours where kind == K and date >= as_of - n
    years)`` for several n is one latest date of K's records compared with each date; the
    answers are the one-enterprise engine's, on both sides of each date."""
    from huiqi.facts.enterprise import Enterprise

    from .harness import compare, expected, load_text, table_of

    pack = load_text(SAME_RECORDS, tmp_path)
    as_of = dt.date(2023, 6, 30)
    cols = ["id", "registration_date", "honours", "violations", "revenue@2022"]
    for outputs in ("status", "all"):
        sql, _ = MatchQuery(pack, as_of, DUCKDB, cols, outputs=outputs).build_wide("t")
        assert re.findall(r"list_filter\(\"honours\", lambda (\w+): \(struct_extract\(\1, 'kind'\) = "
                          r"'hnte'\)\)", sql) == ["r1"], outputs
        latest = re.findall(r"list_max\(list_transform\(list_filter\(\"honours\".*?\) AS (\"__x\w+\")", sql)
        assert len(latest) == 1, outputs
        for day in ("2020-06-30", "2018-06-30"):
            assert f"{latest[0]} >= DATE '{day}'" in sql, (outputs, day)
    # one date alone (c0 and c1 ask the same): the records are filtered with it, once
    one = [c for c in pack.clauses() if c.id in ("c0", "c1")]
    sql, _ = MatchQuery(pack, as_of, DUCKDB, cols, one).build_wide("t")
    assert "list_max" not in sql
    assert sql.count("list_filter") == 1 and "(struct_extract(r1, 'date') >= DATE '2020-06-30')" in sql

    def firm(i: int, *honours: tuple[str, dt.date]) -> Enterprise:
        recs = tuple({"kind": k, "level": "national", "date": d, "expiry": None} for k, d in honours)
        return Enterprise(id=f"e{i}", name=f"企业{i}", facts={
            "registration_date": dt.date(2010, 1, 1), "honours": recs, "violations": ()},
            years={2022: {"revenue": Decimal("2000000")}})

    edge, before = dt.date(2020, 6, 30), dt.date(2020, 6, 29)
    es = [firm(0, ("hnte", edge)), firm(1, ("hnte", before)), firm(2, ("tsme", edge)),
          firm(3, ("tsme", dt.date(2023, 1, 1)), ("hnte", dt.date(2018, 6, 30))),
          firm(4, ("hnte", dt.date(2018, 6, 29)), ("tsme", edge)), firm(5),
          Enterprise(id="e6", name="企业6", facts={"registration_date": dt.date(2010, 1, 1)},
                     years={2022: {"revenue": Decimal("2000000")}})]   # honours unknown
    exp = expected(pack, es, as_of)
    got = duck.match_arrow(pack, as_of, table_of(es, as_of))
    assert not compare(exp, got)
    statuses = {(r["enterprise_id"], r["clause"].split("/")[-1]): r["status"] for r in got.to_pylist()}
    assert [statuses[(f"e{i}", "c2")] for i in range(7)] == [
        "eligible", "eligible", "not_eligible", "eligible", "not_eligible", "not_eligible",
        "undetermined"]
    assert [statuses[(f"e{i}", "c0")] for i in range(2)] == ["eligible", "not_eligible"]
