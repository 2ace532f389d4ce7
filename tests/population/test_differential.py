"""Differential property tests: random packs × random enterprises, and the one-enterprise
engine, DuckDB and Spark must give identical statuses, amounts (to the fen), failed
conditions, gaps and missing facts."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.population import duck
from properties import examples

from . import randpack as R
from .harness import compare, expected, expected_values, load_text, table_of, table_values

SETTINGS = settings(max_examples=examples(60), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(st.data())
def test_engine_and_duckdb_agree(data: st.DataObject) -> None:
    text = data.draw(R.pack_text(), label="pack")
    es = [data.draw(R.enterprise(i), label=f"enterprise {i}") for i in range(12)]
    with tempfile.TemporaryDirectory() as tmp:
        pack = load_text(text, Path(tmp))
    exp = expected(pack, es, R.AS_OF)
    table = table_of(es, R.AS_OF)
    got = duck.match_arrow(pack, R.AS_OF, table)
    diffs = compare(exp, got)
    assert not diffs, "\n".join(diffs[:20]) + "\n\n" + text
    # the values the pack reports per enterprise (issue 11, item 4), and their grades
    values = table_values(duck.values_arrow(pack, R.AS_OF, table))
    assert values == expected_values(pack, es, R.AS_OF), text


@pytest.fixture(scope="module")
def spark() -> Any:
    import os

    from huiqi.population import spark as S

    missing = S.missing()
    if missing is not None:  # say what is missing (a failure where CI requires Spark)
        if os.environ.get("HUIQI_REQUIRE_SPARK") == "1":
            pytest.fail(missing.en)
        pytest.skip(missing.en)
    return S.session()


@settings(max_examples=examples(8), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(st.data())
def test_engine_and_spark_agree(spark: Any, data: st.DataObject) -> None:
    from huiqi.population import spark as S

    text = data.draw(R.pack_text(), label="pack")
    es = [data.draw(R.enterprise(i), label=f"enterprise {i}") for i in range(12)]
    with tempfile.TemporaryDirectory() as tmp:
        pack = load_text(text, Path(tmp))
    exp = expected(pack, es, R.AS_OF)
    got = S.match_arrow(spark, pack, R.AS_OF, table_of(es, R.AS_OF))
    diffs = compare(exp, got)
    assert not diffs, "\n".join(diffs[:20]) + "\n\n" + text
