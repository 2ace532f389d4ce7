"""``huiqi test``: a pack's YAML cases on every engine; each failure shown with what was
expected beside what each engine gave and the explanation; exit 1 on a failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.packs import testrun as T

ROOT = Path(__file__).parents[2]
SEED = ROOT / "policies" / "seed"
CASES = ROOT / "tests" / "cases" / "seed" / "dl-business-env.yaml"

# the pack's own threshold, expected wrongly: 300 staff and exactly ¥20 million is medium
WRONG = f"""
pack: {SEED}
as_of: 2024-06-01
base:
  facts: {{registration_date: 2022-01-10, park: 大连高新区, bank_loan_history: false, foreign_invested: false}}
  years:
    2023: {{staff_total: 300, revenue: 20000000, tax_paid: 300000, ip_class1: 0, ip_class2: 2}}
cases:
  - name: 中型企业被误写为小微企业
    expect:
      dl-business-env/startup_cost: {{status: eligible, failed: []}}
      dl-business-env/first_loan: eligible
  - name: 待审核项只在一企引擎上核对
    expect:
      dl-business-env/first_loan: {{status: eligible, needs_review: [nothing]}}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _said(output: str) -> str:
    """The output with the table rules read as "|" and white space collapsed."""
    return " ".join(output.replace("┃", "|").replace("│", "|").split())


def test_passing_cases_run_on_the_engine_and_duckdb(runner: CliRunner) -> None:
    r = runner.invoke(app, ["test", str(CASES), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "29 cases: 29 passed, 0 failed (engines: engine, DuckDB)" in _said(r.output)


def test_a_failure_shows_expected_and_actual_of_each_engine_and_exits_1(
        runner: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "wrong.yaml"
    f.write_text(WRONG, encoding="utf-8")
    r = runner.invoke(app, ["test", str(f), "--lang", "en"], env={"COLUMNS": "200"})
    assert r.exit_code == 1, r.output
    said = _said(r.output)
    assert "case “中型企业被误写为小微企业” · dl-business-env/startup_cost" in said
    assert "wrong.yaml:9" in said
    # one row per field that differs: expected, then the engine and DuckDB
    assert "field | expected | actual (engine) | actual (DuckDB)" in said
    assert "status | eligible | not_eligible | not_eligible" in said
    assert "failed | [] | [small] | [small]" in said
    # beside the expectation, the engine's explanation: the condition that failed, its values
    assert "Small or micro: fewer than 300 staff or revenue below ¥20 million last year" in said
    assert "staff_total[-1] = 300" in said
    # a clause that passed is not shown; needs_review is checked on the engine only
    assert "dl-business-env/first_loan |" not in said
    assert "needs_review | [nothing] | [] |" in said and "actual (DuckDB)" in said
    assert "2 cases: 0 passed, 2 failed" in said
    report = T.run([f], [T.ENGINE, T.DUCKDB])
    assert sorted((f.case.index, f.key, f.engine) for f in report.failures) == [
        (0, "dl-business-env/startup_cost", "duckdb"), (0, "dl-business-env/startup_cost", "engine"),
        (1, "dl-business-env/first_loan", "engine")]


def test_a_pack_folder_runs_its_cases_folder(runner: CliRunner, tmp_path: Path) -> None:
    pack = tmp_path / "seed"
    shutil.copytree(SEED, pack)
    r = runner.invoke(app, ["test", str(pack)])
    assert r.exit_code == 2
    assert "没有 cases/ 目录" in r.output
    (pack / T.CASES_FOLDER).mkdir()
    (pack / T.CASES_FOLDER / "dl.yaml").write_text(
        CASES.read_text(encoding="utf-8").replace("pack: ../../../policies/seed", "pack: .."),
        encoding="utf-8")
    (pack / T.CASES_FOLDER / "notes.yaml").write_text("not: a case file\n", encoding="utf-8")
    r = runner.invoke(app, ["test", str(pack), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "1 case files, 29 cases: 29 passed" in _said(r.output)


def test_nothing_to_run_is_said(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(app, ["test", str(tmp_path / "nowhere.yaml")])
    assert r.exit_code == 2 and "找不到用例文件或目录" in r.output
    r = runner.invoke(app, ["test", str(tmp_path)])
    assert r.exit_code == 2 and "没有找到用例文件" in r.output


def test_a_clause_not_in_force_is_expected_as_such() -> None:
    report = T.run([ROOT / "tests" / "cases" / "national" / "zjtx-2026.yaml"],
                   [T.ENGINE, T.DUCKDB])
    assert report.ok, [(f.case.name, f.key, f.engine, f.mismatches) for f in report.failures]
    assert report.cases == 22


@pytest.mark.slow
def test_spark_when_asked(runner: CliRunner, tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("no Java for Spark")
    f = tmp_path / "wrong.yaml"
    f.write_text(WRONG, encoding="utf-8")
    r = runner.invoke(app, ["test", str(f), "--spark", "--lang", "en"], env={"COLUMNS": "200"})
    assert r.exit_code == 1, r.output
    said = _said(r.output)
    assert "actual (engine) | actual (DuckDB) | actual (Spark)" in said
    assert "status | eligible | not_eligible | not_eligible | not_eligible" in said
