"""Facts declared by a pack on the park-scale paths: the generator draws them from their
declaration, a Parquet park holds them as columns, and ``match-all`` on DuckDB (and Spark,
where Java is) gives for every enterprise what ``huiqi match`` gives."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from huiqi.facts.columnar import table_to_enterprises
from huiqi.generator import park
from huiqi.generator.declared import MISSING
from huiqi.population.compare import differences, table_rows
from huiqi.population.results import read
from huiqi.population.runner import Runner
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack

from .harness import expected

EXAMPLE = Path(__file__).parents[2] / "examples" / "packs" / "declared-facts"
DAY = dt.date(2026, 6, 30)
N = 4000


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(EXAMPLE)


@pytest.fixture(scope="module")
def table(pack: Pack) -> Any:
    return park.table(N, 7, DAY, pack.catalogue)


def test_the_generator_draws_declared_facts_within_their_declaration(pack: Pack, table: Any
                                                                    ) -> None:
    cat = pack.catalogue
    for fid in cat.declared:
        f = cat.facts[fid]
        name = f"{fid}@2025" if f.yearly else fid
        col = table.column(name).to_pylist()
        share = sum(v is None for v in col) / N
        assert abs(share - MISSING) < 0.03, (fid, share)
        present = [v for v in col if v is not None]
        if f.min is not None:
            assert min(present) == f.min, fid  # the declared ends occur
        if f.max is not None:
            assert max(present) == f.max, fid
    grades = set(table.column("panel_grade").to_pylist()) - {None}
    assert grades == {"A", "B", "C"}
    trials = [t for t in table.column("clinical_trials").to_pylist() if t]
    assert {r["phase"] for t in trials for r in t} == {"I", "II", "III"}
    assert all(r["sites"] >= 1 and r["started"] <= DAY for t in trials for r in t)
    assert any(r["cost"] is None for t in trials for r in t)  # an optional field may be null
    assert all(isinstance(r["cost"], Decimal) for t in trials for r in t if r["cost"] is not None)
    # the base facts are those of a park generated without the pack
    base = park.table(50, 7, DAY)
    assert table.slice(0, 50).select(base.column_names).equals(base)


def test_the_same_seed_gives_the_same_declared_facts(pack: Pack, table: Any) -> None:
    again = park.table(300, 7, DAY, pack.catalogue)
    assert table.slice(0, 300).equals(again)


def _engine(pack: Pack, table: Any) -> dict[Any, Any]:
    return expected(pack, table_to_enterprises(table, pack.catalogue), DAY)


def test_match_all_on_a_parquet_park_agrees_with_match(pack: Pack, table: Any,
                                                       tmp_path: Path) -> None:
    source = tmp_path / "park.parquet"
    pq.write_table(table, source)
    out = tmp_path / "results.parquet"
    Runner(pack, DAY).run(source, out, batch_size=1000)
    rows = read(out).to_pylist()
    exp = _engine(pack, table)
    assert differences(exp, table_rows(rows)) == []
    statuses = {r["status"] for r in rows}
    assert statuses == {"eligible", "not_eligible", "undetermined"}


@pytest.mark.slow
def test_spark_agrees_with_match(pack: Pack, table: Any, tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("no Java for Spark")
    from huiqi.population import spark as S

    small = table.slice(0, 1500)
    got = S.match_arrow(S.session(), pack, DAY, small)
    assert differences(_engine(pack, small), table_rows(got.to_pylist())) == []
