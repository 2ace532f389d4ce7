"""A declared choice that is not one of its options is refused on every path, saying where
(issue 11, item 7): ``match-all`` once took the ``else`` branch of the formula for it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.errors import DataError, InputError
from huiqi.facts.enterprise import Enterprise
from huiqi.facts.io import enterprises_from_text, load_enterprises
from huiqi.population import duck
from huiqi.population.runner import Runner
from huiqi.rules.loader import load_pack

from .harness import table_of

ROOT = Path(__file__).parents[2]
NATIONAL = ROOT / "policies" / "national"
AS_OF = dt.date(2025, 6, 1)
CODE = "91330201000000449K"


def _firms(option: str) -> list[Enterprise]:
    return [Enterprise(id=f"{CODE[:-1]}{i}", name=f"企业{i}",
                       facts={"registration_date": dt.date(2015, 1, 1)},
                       choices={"tsme:rd_measure": option if i == 2 else "sales"})
            for i in range(3)]


@pytest.fixture(scope="module")
def national() -> object:
    return load_pack(NATIONAL)


def test_match_all_refuses_an_option_the_policy_does_not_offer(national: object,
                                                               tmp_path: Path) -> None:
    table = table_of(_firms("revenue"), AS_OF)
    with pytest.raises(InputError) as exc:
        duck.match_arrow(national, AS_OF, table)  # type: ignore[arg-type]
    zh = exc.value.message("zh")
    assert "choice:tsme:rd_measure" in zh and f"{CODE[:-1]}2(“revenue”)" in zh
    assert "sales、cost" in zh
    path = tmp_path / "park.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError) as exc:
        Runner(national, AS_OF).run(path, tmp_path / "out.parquet")  # type: ignore[arg-type]
    assert str(path) in exc.value.message("en") and "revenue" in exc.value.message("en")
    assert not (tmp_path / "out.parquet").exists()
    r = CliRunner().invoke(app, ["match-all", "-p", str(NATIONAL), "-d", str(path), "--as-of",
                                 AS_OF.isoformat(), "-o", str(tmp_path / "r.parquet")])
    assert r.exit_code != 0 and "不是可选项" in r.output
    # an option, or no declaration, is matched
    ok = duck.match_arrow(national, AS_OF, table_of(_firms("cost"), AS_OF))  # type: ignore[arg-type]
    assert ok.num_rows > 0
    blank = table_of(_firms("sales"), AS_OF)
    blank = blank.set_column(blank.schema.get_field_index("choice:tsme:rd_measure"),
                             "choice:tsme:rd_measure", pa.array([None] * 3, pa.string()))
    assert duck.match_arrow(national, AS_OF, blank).num_rows > 0  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("kernel", ["duckdb", "sql"])
def test_match_all_on_spark_refuses_it_too(national: object, tmp_path: Path, kernel: str) -> None:
    if shutil.which("java") is None:
        pytest.skip("no Java for Spark")
    from huiqi.population import spark as S

    path = tmp_path / "park.parquet"
    pq.write_table(table_of(_firms("revenue"), AS_OF), path)
    with pytest.raises(InputError) as exc:
        S.match_parquet(S.session(), national, AS_OF, path, tmp_path / "out",  # type: ignore[arg-type]
                        kernel=kernel)
    assert str(path) in exc.value.message("zh") and "revenue" in exc.value.message("zh")
    assert sorted(f.name for f in tmp_path.iterdir()) == ["park.parquet"]   # nothing written


YAML = f"""
- id: {CODE}
  name: 某公司
  facts: {{registration_date: 2015-01-01}}
  choices: {{"tsme:rd_measure": revenue}}
"""


def test_a_file_says_the_line_and_column(national: object, tmp_path: Path) -> None:
    options = national.choice_options()  # type: ignore[attr-defined]
    with pytest.raises(DataError) as exc:
        enterprises_from_text(YAML, "firms.yaml", choices=options)
    p = exc.value.problems[0]
    assert p.code == "data.bad_choice" and p.file == "firms.yaml" and p.line == 5
    assert "revenue" in p.message.zh and "sales, cost" in p.message.zh
    # without the options (no pack in hand) the file is read as it is
    assert enterprises_from_text(YAML, "firms.yaml")[0].choices == {"tsme:rd_measure": "revenue"}
    csv = tmp_path / "firms.csv"
    csv.write_text(f"id,name,registration_date,choice:tsme:rd_measure\n{CODE},某公司,2015-01-01,"
                   f"revenue\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_enterprises(csv, choices=options)
    p = exc.value.problems[0]
    assert (p.code, p.line, p.column) == ("data.bad_choice", 2, 4)


def test_huiqi_match_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "firm.yaml"
    f.write_text(YAML, encoding="utf-8")
    r = CliRunner().invoke(app, ["match", str(f), "-p", str(NATIONAL), "--as-of",
                                 AS_OF.isoformat()])
    assert r.exit_code != 0
    assert "firm.yaml" in r.output and "不是可选项" in r.output
