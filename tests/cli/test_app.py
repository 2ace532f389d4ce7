"""The CLI: clear messages and nonzero exit codes for user errors, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app

ROOT = Path(__file__).parents[2]
PACK = str(ROOT / "tests" / "packs" / "language")
INVALID = ROOT / "tests" / "rules" / "invalid"
ENTERPRISE = """
- id: 91330201MA2GQ1XK38
  name: 测试科技
  facts:
    registration_date: 2020-03-01
    park: 测试区
    violations: []
    awards: [{kind: science_tech, level: provincial, rank: 2, date: 2023-05-01}]
  years:
    2023: {revenue: 10000000, rd_expense: 650000, staff_total: 100, st_staff: 30}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    p = tmp_path / "firms.yaml"
    p.write_text(ENTERPRISE, encoding="utf-8")
    return p


def test_check_passes_a_good_pack(runner: CliRunner) -> None:
    r = runner.invoke(app, ["check", PACK])
    assert r.exit_code == 0, r.output
    assert "✓" in r.output and "language@1.0+" in r.output


def test_check_lists_citations(runner: CliRunner) -> None:
    r = runner.invoke(app, ["check", PACK, "--citations"])
    assert r.exit_code == 0
    assert "¶art2" in r.output and "[假定]" in r.output


def test_check_rejects_a_bad_pack_with_location_and_exit_2(runner: CliRunner) -> None:
    r = runner.invoke(app, ["check", str(INVALID / "unknown_fact.yaml"), "--lang", "en"])
    assert r.exit_code == 2
    assert "unknown_fact.yaml:13:15" in r.output
    assert "did you mean: revenue" in r.output
    assert "Traceback" not in r.output


def test_match_prints_statuses_and_missing(runner: CliRunner, data: Path) -> None:
    r = runner.invoke(app, ["match", "测试科技", "-p", PACK, "-d", str(data), "--as-of",
                            "2024-06-01"])
    assert r.exit_code == 0, r.output
    for words in ("研发费用补助", "不符合", "差 0.5 个百分点", "¥300,000", "需人工审核",
                  "申报时须声明"):
        assert words in r.output, words


def test_match_json(runner: CliRunner, data: Path) -> None:
    r = runner.invoke(app, ["match", "91330201MA2GQ1XK38", "-p", PACK, "-d", str(data),
                            "--as-of", "2024-06-01", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["as_of"] == "2024-06-01" and out["pack_version"].startswith("language@")
    by_key = {c["key"]: c for c in out["clauses"]}
    assert by_key["lang/award_level"] == {**by_key["lang/award_level"], "status": "eligible",
                                          "amount": "300000"}
    assert by_key["lang/rd_subsidy"]["gaps"][0]["shortfall"] == "0.005"


def test_explain_in_english(runner: CliRunner, data: Path) -> None:
    r = runner.invoke(app, ["explain", "测试科技", "lang/rd_subsidy", "-p", PACK, "-d",
                            str(data), "--as-of", "2024-06-01", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "not eligible" in r.output and "short by 0.5 percentage points" in r.output


def test_unknown_enterprise_suggests_and_exits_2(runner: CliRunner, data: Path) -> None:
    r = runner.invoke(app, ["match", "不存在的公司", "-p", PACK, "-d", str(data)])
    assert r.exit_code == 2
    assert "找不到企业“不存在的公司”" in r.output and "测试科技" in r.output
    assert "Traceback" not in r.output


def test_unknown_clause_exits_2(runner: CliRunner, data: Path) -> None:
    r = runner.invoke(app, ["explain", "测试科技", "lang/rd_subsidyy", "-p", PACK, "-d", str(data)])
    assert r.exit_code == 2 and "lang/rd_subsidy" in r.output


def test_bad_date_exits_2(runner: CliRunner, data: Path) -> None:
    r = runner.invoke(app, ["match", "测试科技", "-p", PACK, "-d", str(data), "--as-of", "2024-13-01"])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output


def test_bad_enterprise_file_exits_2_with_location(runner: CliRunner, tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(ENTERPRISE.replace("revenue: 10000000", "revenue: 十万"), encoding="utf-8")
    r = runner.invoke(app, ["match", "测试科技", "-p", PACK, "-d", str(p)])
    assert r.exit_code == 2
    assert "bad.yaml:10" in r.output and "不是数字" in r.output


def test_facts_lists_the_catalogue(runner: CliRunner) -> None:
    r = runner.invoke(app, ["facts"])
    assert r.exit_code == 0 and "rd_expense" in r.output
