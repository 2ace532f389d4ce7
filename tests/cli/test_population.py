"""The population commands from the command line: progress, tables, files, clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.generator import table as generate
from huiqi.population.results import count, is_compact, read

ROOT = Path(__file__).parents[2]
SEED = str(ROOT / "policies" / "seed")
AS_OF = "2025-06-01"


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("park") / "park.parquet"
    pq.write_table(generate(300, 9, dt.date(2025, 6, 1)), path)
    return path


def test_match_all_writes_results_and_summaries(park: Path, tmp_path: Path) -> None:
    out, summary = tmp_path / "r.parquet", tmp_path / "summary"
    r = CliRunner().invoke(app, ["match-all", "-p", SEED, "-d", str(park), "--as-of", AS_OF,
                                 "-o", str(out), "--summary", str(summary), "--duckdb",
                                 str(tmp_path / "r.duckdb")])
    assert r.exit_code == 0, r.output
    assert "企业申领火炬创新券" in r.output and "条结果" in r.output
    assert is_compact(out) and count(out) > 0   # the compact form by default
    assert {p.name for p in summary.iterdir()} == {"by_clause.csv", "by_industry.csv",
                                                  "by_size_band.csv", "by_district.csv"}
    import duckdb

    con = duckdb.connect(str(tmp_path / "r.duckdb"))
    assert con.execute("SELECT count(*) FROM match_results").fetchall() == [(count(out),)]
    loaded = con.sql("SELECT * FROM match_results").to_arrow_table()
    con.close()
    key = [("enterprise_id", "ascending"), ("clause_index", "ascending")]
    assert loaded.sort_by(key).equals(read(out).sort_by(key))   # the long form, loaded


def test_near_miss_lists_what_is_lacking(park: Path) -> None:
    r = CliRunner().invoke(app, ["near-miss", "xm-torch-voucher/voucher", "-p", SEED, "-d",
                                 str(park), "--as-of", AS_OF, "--limit", "5", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "condition(s) away" in r.output and "What it lacks" in r.output


def test_near_miss_unknown_clause_suggests(park: Path) -> None:
    r = CliRunner().invoke(app, ["near-miss", "xm-torch-voucher/vouchr", "-p", SEED, "-d",
                                 str(park)])
    assert r.exit_code == 2 and "xm-torch-voucher/voucher" in r.output


def test_simulate_reports_and_writes_files(park: Path, tmp_path: Path) -> None:
    reform = ROOT / "examples" / "reforms" / "xm-voucher-raise.yaml"
    r = CliRunner().invoke(app, ["simulate", "--reform", str(reform), "-p", SEED, "-d", str(park),
                                 "--as-of", AS_OF, "-o", str(tmp_path / "sim")])
    assert r.exit_code == 0, r.output
    for words in ("受益", "成本变化", "按行业", "变化最大的企业"):
        assert words in r.output
    names = {p.name for p in (tmp_path / "sim").iterdir()}
    assert {"summary.csv", "by_industry.csv", "cost_by_industry.png", "report.html"} <= names


def test_missing_population_file_is_a_clear_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["match-all", "-p", SEED, "-d", str(tmp_path / "none.parquet")])
    assert r.exit_code == 2 and "huiqi generate" in r.output


def test_the_summary_counts_only_clauses_in_force(park: Path, tmp_path: Path) -> None:
    """Issue 16, item 9: “N × clauses” is the clauses in force on the day, as the results."""
    r = CliRunner().invoke(app, ["match-all", "-p", SEED, "-d", str(park), "--as-of", AS_OF,
                                 "-o", str(tmp_path / "r.parquet")], env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    import re

    m = re.search(r"([\d,]+) 家企业 × (\d+) 个现行条款.*?= ([\d,]+) 条结果", r.output)
    assert m is not None, r.output
    n, k, results = (int(g.replace(",", "")) for g in m.groups())
    assert n * k == results == count(tmp_path / "r.parquet")


def test_spark_without_java_says_what_is_missing(park: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from huiqi.population import spark
    from huiqi.text import Text

    monkeypatch.setattr(spark, "missing", lambda: Text("Spark 需要 Java 17", "needs Java 17"))
    r = CliRunner().invoke(app, ["match-all", "-p", SEED, "-d", str(park), "--engine", "spark",
                                 "-o", str(tmp_path / "r")], env={"COLUMNS": "300"})
    assert r.exit_code != 0 and "需要 Java 17" in r.output
    assert "Traceback" not in r.output and len(r.output.splitlines()) < 6


def test_spark_summaries_equal_duckdb_summaries(park: Path, tmp_path: Path) -> None:
    """`match-all --engine spark` counts its results from the files (DuckDB views over the
    input and Spark's output, nothing loaded whole): the same summaries as the DuckDB engine."""
    import os

    from huiqi.population import spark as S

    missing = S.missing()
    if missing is not None:
        if os.environ.get("HUIQI_REQUIRE_SPARK") == "1":
            pytest.fail(missing.en)
        pytest.skip(missing.en)
    got = {}
    for engine in ("duckdb", "spark"):
        summary = tmp_path / engine
        r = CliRunner().invoke(app, ["match-all", "-p", SEED, "-d", str(park), "--as-of", AS_OF,
                                     "-o", str(tmp_path / f"{engine}.parquet"), "--engine", engine,
                                     "--summary", str(summary)], env={"COLUMNS": "300"})
        assert r.exit_code == 0, r.output
        assert "300 家企业" in r.output
        got[engine] = {p.name: sorted(p.read_text(encoding="utf-8").splitlines())
                       for p in summary.iterdir()}
    assert got["spark"] == got["duckdb"]
    assert len(got["duckdb"]["by_clause.csv"]) > 10
