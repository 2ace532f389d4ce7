"""The compact query's lean form (issue 18): built for statuses and amounts only, it gives the
same statuses, amounts and potential amounts as the query with every output — over the
random packs of the differential tests and a park generated for the seed pack."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.population import duck
from huiqi.population.dialect import DUCKDB
from huiqi.population.query import MatchQuery
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack
from properties import examples

from . import randpack as R
from .harness import drawn, table_of

ROOT = Path(__file__).resolve().parents[2]


def lean_and_full(pack: Pack, as_of: dt.date, table: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per clause (in order) the status, amount and potential amount of every row, from the
    lean query and from the full one."""
    con = duck.connect()
    con.register("t", table)
    cols = duck.columns_of(con, "t")
    out = []
    for outputs in ("status", "all"):
        sql, layout = MatchQuery(pack, as_of, DUCKDB, cols, outputs=outputs).build_wide("t")
        rows = con.sql(sql).to_arrow_table().to_pylist()
        got = [{"clause": wc.key, "id": r["id"], "status": r[wc.status], "amount": r[wc.amount],
                "potential": r[wc.potential]} for r in rows for wc in layout]
        if outputs == "status":
            # the lean query has no failed, gap or missing column at all
            assert all(not wc.failed and not wc.gaps and not wc.missing for wc in layout)
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
