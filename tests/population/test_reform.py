"""Reforms are checked whole, re-match only what they touch, and the simulation's numbers
equal what the one-enterprise engine gives enterprise by enterprise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from huiqi.engine.matcher import Matcher
from huiqi.engine.result import Status
from huiqi.errors import PackError
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.columnar import table_to_enterprises
from huiqi.generator import table as generate
from huiqi.population.reform import load_reform
from huiqi.population.simulate import report_dict, simulate, write_chart, write_csv
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent / "reforms"
AS_OF = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(ROOT / "tests" / "packs" / "language")


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("park") / "park.parquet"
    table = generate(600, 3, AS_OF)
    # put some firms in the test policy's zone so that its clauses pay
    parks = table.column("park").to_pylist()
    parks = ["测试区" if i % 3 == 0 else p for i, p in enumerate(parks)]
    import pyarrow as pa

    table = table.set_column(table.column_names.index("park"), "park", pa.array(parks))
    pq.write_table(table, path)
    return path


def test_parameter_change_touches_only_the_clauses_that_use_it(pack: Pack) -> None:
    reform = load_reform(HERE / "rd-share.yaml", pack)
    assert reform.affected == ["lang/rd_subsidy"]
    assert reform.pack.version_id != pack.version_id


def test_replacing_a_clause_rematches_its_stacking_group(pack: Pack) -> None:
    reform = load_reform(HERE / "replace.yaml", pack)
    # hnte_award stacks with award_level (就高不重复), which caps with rent
    assert reform.affected == ["lang/award_level", "lang/hnte_award"]
    assert reform.removed == ["lang/rent"]


def test_a_bad_reform_is_rejected_with_every_problem_located(pack: Pack) -> None:
    with pytest.raises(PackError) as info:
        load_reform(HERE / "bad.yaml", pack)
    problems = info.value.problems
    assert [p.code for p in problems] == ["reform.unknown", "reform.unknown"]
    assert problems[0].line == 4 and "lang/rd_shares" in problems[0].message.zh
    assert problems[1].line == 6 and "clause" in problems[1].message.en


def test_simulation_equals_the_engine_firm_by_firm(pack: Pack, park: Path, tmp_path: Path) -> None:
    reform = load_reform(HERE / "rd-share.yaml", pack)
    rep = simulate(reform, park, AS_OF, tmp_path)
    firms = table_to_enterprises(pq.read_table(park), default_catalogue())
    before, after = Matcher(pack, AS_OF), Matcher(reform.pack, AS_OF)

    def paid(res: object, key: str) -> Decimal:
        c = res.by_key(key)  # type: ignore[attr-defined]
        return c.amount if c is not None and c.status is Status.ELIGIBLE and c.amount else Decimal(0)

    gain = lose = 0
    cost_b = cost_a = Decimal(0)
    for e in firms:
        b = paid(before.match(e), "lang/rd_subsidy")
        a = paid(after.match(e), "lang/rd_subsidy")
        cost_b += b
        cost_a += a
        gain += a > b
        lose += a < b
    assert (rep.gainers, rep.losers) == (gain, lose)
    assert (rep.cost_before, rep.cost_after) == (cost_b, cost_a)
    assert rep.gainers > 0 and rep.cost_change > 0
    assert sum(c.before for c in rep.by_industry) == cost_b
    files = write_csv(rep, tmp_path / "report")
    png, page = write_chart(rep, tmp_path / "report")
    assert all(f.exists() for f in files) and png.stat().st_size > 1000
    assert "<svg" in page.read_text(encoding="utf-8")
    assert Decimal(report_dict(rep)["cost_change"]) == cost_a - cost_b
