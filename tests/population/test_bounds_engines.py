"""What the missing facts cannot change, decided alike by every engine (issue 11, item 6):
the bounds packs of tests/engine/bounds_packs.py on the one-enterprise engine, DuckDB and
Spark. (The differential tests of test_differential.py run the same reasoning on the
catalogue's facts.)"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import bounds_packs as B
from huiqi.engine.matcher import Matcher
from huiqi.facts.columnar import arrow_schema, enterprises_to_table, with_declarations
from huiqi.facts.enterprise import Enterprise
from huiqi.population import duck
from huiqi.population.compare import differences, engine_rows, table_rows
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack
from properties import examples


def _pack(text: str) -> Pack:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bp.yaml").write_text(text, encoding="utf-8")
        return load_pack(folder / "bp.yaml", B.catalogue(folder))


def _table(pack: Pack, es: list[Enterprise]) -> Any:
    years = list(range(B.AS_OF.year - 6, B.AS_OF.year))
    return with_declarations(enterprises_to_table(es, arrow_schema(pack.catalogue, years)), es)


def _draw(data: st.DataObject) -> tuple[str, Pack, list[Enterprise]]:
    text = data.draw(B.pack_text(), label="pack")
    es = [dataclass_replace(data.draw(B.enterprise(), label=f"enterprise {i}"), i)
          for i in range(10)]
    return text, _pack(text), es


def dataclass_replace(e: Enterprise, i: int) -> Enterprise:
    from dataclasses import replace

    return replace(e, id=f"e{i}", name=f"e{i}")


def _expected(pack: Pack, es: list[Enterprise]) -> dict[Any, Any]:
    m = Matcher(pack, B.AS_OF)
    out: dict[Any, Any] = {}
    for e in es:
        out.update(engine_rows(m.match(e)))
    return out


@settings(max_examples=examples(60), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_engine_and_duckdb_decide_alike(data: st.DataObject) -> None:
    text, pack, es = _draw(data)
    got = duck.match_arrow(pack, B.AS_OF, _table(pack, es))
    diffs = differences(_expected(pack, es), table_rows(got.to_pylist()))
    assert not diffs, "\n".join(diffs[:20]) + "\n\n" + text


@pytest.mark.slow
@settings(max_examples=examples(6), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(st.data())
def test_engine_and_spark_decide_alike(data: st.DataObject) -> None:
    if shutil.which("java") is None:
        pytest.skip("no Java for Spark")
    from huiqi.population import spark as S

    text, pack, es = _draw(data)
    got = S.match_arrow(S.session(), pack, B.AS_OF, _table(pack, es))
    diffs = differences(_expected(pack, es), table_rows(got.to_pylist()))
    assert not diffs, "\n".join(diffs[:20]) + "\n\n" + text


