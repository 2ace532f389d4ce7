"""Named values in the results (issue 11, item 4): a pack reports computed values per
enterprise (a score, a growth rate) and the labels of their bands ("A" … "D"); ``huiqi
match`` and the API show them, ``match-all`` writes them as columns, equal to the engine's."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.engine.matcher import Matcher
from huiqi.errors import PackError
from huiqi.facts.columnar import table_to_enterprises
from huiqi.generator import table as generate
from huiqi.population.runner import values_path
from huiqi.rules.loader import load_pack

ROOT = Path(__file__).parents[2]
PACK = ROOT / "tests" / "packs" / "reported"
AS_OF = dt.date(2025, 6, 30)
FIRM = """\
- id: r1
  name: 研发企业
  facts: {registration_date: 2015-01-01}
  years: {2023: {revenue: 10000000}, 2024: {revenue: 12000000, rd_expense: 1000000}}
- id: r2
  name: 缺数据
  facts: {registration_date: 2015-01-01}
  years: {2024: {revenue: 0, rd_expense: 10}}
"""


def test_match_shows_the_values_and_their_grades(tmp_path: Path) -> None:
    f = tmp_path / "firms.yaml"
    f.write_text(FIRM, encoding="utf-8")
    out = {}
    for code in ("r1", "r2"):
        r = CliRunner().invoke(app, ["match", code, "-p", str(PACK), "-d", str(f), "--as-of",
                                     AS_OF.isoformat(), "--json"])
        assert r.exit_code == 0, r.output
        out[code] = {v["key"]: v for v in json.loads(r.output)["values"]}
    assert out["r1"]["rep:intensity"]["value"] == "0.083333"   # 1/12, half-even to 6 places
    assert out["r1"]["rep:intensity"]["grade"] == "B"
    assert Decimal(out["r1"]["rep:growth"]["value"]) == Decimal("0.2")
    assert (out["r2"]["rep:intensity"]["state"], out["r2"]["rep:intensity"]["grade"]) == \
        ("undefined", None)                                     # over a revenue of 0
    assert out["r2"]["rep:growth"]["state"] == "missing"
    r = CliRunner().invoke(app, ["match", "r1", "-p", str(PACK), "-d", str(f), "--as-of",
                                 AS_OF.isoformat()])
    assert "研发强度" in r.output and "0.083333" in r.output


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated park, and the values ``match-all`` (on DuckDB) wrote for it."""
    folder = tmp_path_factory.mktemp("reported")
    park = folder / "park.parquet"
    pq.write_table(generate(200, 5, AS_OF), park)
    out = folder / "r.parquet"
    r = CliRunner().invoke(app, ["match-all", "-p", str(PACK), "-d", str(park), "--as-of",
                                 AS_OF.isoformat(), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "列出的数值" in r.output
    return park, values_path(out)


def _by_firm(values: Path) -> dict[str, tuple[object, ...]]:
    return {row["enterprise_id"]: (row["pack_version"], row["as_of"], row["rep:intensity"],
                                   row["rep:intensity:grade"], row["rep:growth"])
            for row in pq.read_table(values).to_pylist()}


def test_match_all_writes_the_values_as_columns(park: tuple[Path, Path]) -> None:
    source, values = park
    got = pq.read_table(values)
    assert got.column_names == ["enterprise_id", "pack_version", "as_of", "rep:intensity",
                                "rep:intensity:grade", "rep:growth"]
    pack = load_pack(PACK)
    m = Matcher(pack, AS_OF)
    want = {}
    for e in table_to_enterprises(pq.read_table(source), pack.catalogue):
        vals = {v.key: v for v in m.match(e).values}
        want[e.id] = (pack.version_id, AS_OF, vals["rep:intensity"].value,
                      vals["rep:intensity"].grade, vals["rep:growth"].value)
    rows = _by_firm(values)
    assert rows == want
    assert {r[3] for r in rows.values()} >= {"A", "B", "C", "D"}


def test_match_all_on_spark_writes_the_same_values(park: tuple[Path, Path], spark: object,
                                                    tmp_path: Path) -> None:
    """``match-all --engine spark`` writes the values too (a Parquet folder beside its
    results), equal to DuckDB's: the same columns, enterprises, values and grades."""
    source, duck_values = park
    out = tmp_path / "r.parquet"
    r = CliRunner().invoke(app, ["match-all", "-p", str(PACK), "-d", str(source), "--as-of",
                                 AS_OF.isoformat(), "-o", str(out), "--engine", "spark"])
    assert r.exit_code == 0, r.output
    assert "列出的数值" in r.output and values_path(out).is_dir()
    assert pq.read_table(values_path(out)).column_names == \
        pq.read_table(duck_values).column_names
    want = _by_firm(duck_values)
    assert len(want) == 200 and any(v[2] is not None for v in want.values())
    assert _by_firm(values_path(out)) == want


def test_a_grade_needs_a_labelled_table(tmp_path: Path) -> None:
    text = (PACK / "rep.yaml").read_text(encoding="utf-8").replace("grade: grades",
                                                                   "grade: nothing")
    (tmp_path / "pack.yaml").write_text((PACK / "pack.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    (tmp_path / "rep.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(tmp_path)
    [p] = info.value.problems
    assert p.code == "value.grade_table" and "nothing" in p.message.zh
