"""An amount the text does not give is marked assumed — through the parameters, tables and
named values it reads — and the mark follows the amount into results, totals and JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.engine.matcher import matcher_for
from huiqi.engine.serialize import full_match_dict
from huiqi.facts.io import load_enterprises
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack

POLICY = """
id: p
title: 测试
issuer: 测试
dates: {effective: 2024-01-01}
source: {text: "第一条 区内企业给予奖励,金额取整到元。第二条 上年度营业收入1000万元以上的企业给予5万元。"}
parameters:
  stated: {type: money, label: 奖励, cite: {p: 1, quote: 第二条}, values: {2024-01-01: 5万元}}
  guessed: {type: money, label: 奖励, assumed: 原文未给金额，假定2万元, values: {2024-01-01: 2万元}}
  share: {type: ratio, label: 比例, assumed: 原文未给比例，假定10%, values: {2024-01-01: 10%}}
tables:
  by_level:
    label: 分级
    assumed: 分级金额为假定
    entries: {national: ¥30000, provincial: ¥10000}
    default: ¥0
values:
  base: {label: 基数, expr: "share * revenue[-1]"}
clauses:
  - id: cited
    title: 原文给出金额
    conditions:
      - {id: in_zone, label: 区内, when: 'park == "测试区"', cite: 1}
    benefit: {kind: fixed, amount: stated, rounding: {unit: yuan, mode: half_up}, cite: 1}
  - id: by_parameter
    title: 金额取自假定的参数
    conditions:
      - {id: in_zone, label: 区内, when: 'park == "测试区"', cite: 1}
    benefit: {kind: fixed, amount: guessed, rounding: {unit: yuan, mode: half_up}, cite: 1}
  - id: by_value
    title: 金额取自读假定参数的命名值,上限取自原文
    conditions:
      - {id: in_zone, label: 区内, when: 'park == "测试区"', cite: 1}
    benefit: {kind: share, amount: base, cap: stated, rounding: {unit: yuan, mode: half_up}, cite: 1}
  - id: by_table
    title: 金额取自假定的分档表
    conditions:
      - {id: in_zone, label: 区内, when: 'park == "测试区"', cite: 1}
    benefit: {kind: banded, amount: 'lookup(by_level, "national")', rounding: {unit: yuan, mode: half_up}, cite: 1}
  - id: by_rounding
    title: 只有取整方式为假定
    conditions:
      - {id: in_zone, label: 区内, when: 'park == "测试区"', cite: 1}
    benefit: {kind: fixed, amount: stated, rounding: {unit: yuan, mode: half_up}, cite: 1, assumed: 取整到元为假定}
"""

ENTERPRISE = """
- id: 91330201MA2GQ1XK38
  name: 测试科技
  facts: {registration_date: 2020-03-01, park: 测试区}
  years: {2023: {revenue: 1000000}}
"""


@pytest.fixture
def pack(tmp_path: Path) -> Pack:
    f = tmp_path / "p.yaml"
    f.write_text(POLICY, encoding="utf-8")
    return load_pack(f)


def test_an_amount_is_assumed_through_what_it_reads(pack: Pack) -> None:
    notes = {c.id: c.benefit.assumptions for c in pack.clauses() if c.benefit}
    assert notes == {
        "cited": (),
        "by_parameter": ("原文未给金额，假定2万元",),
        "by_value": ("原文未给比例，假定10%",),
        "by_table": ("分级金额为假定",),
        "by_rounding": ("取整到元为假定",),
    }


def test_results_totals_and_json_carry_the_mark(pack: Pack, tmp_path: Path) -> None:
    f = tmp_path / "e.yaml"
    f.write_text(ENTERPRISE, encoding="utf-8")
    [e] = load_enterprises(f, check_codes=False)
    m = matcher_for(pack, dt.date(2024, 6, 1))
    res = m.match(e)
    assumed = {c.clause: c.amount_assumed for c in res.clauses}
    assert assumed == {"cited": False, "by_parameter": True, "by_value": True, "by_table": True,
                       "by_rounding": True}
    # 50,000 + 20,000 + 50,000 (10% of ¥1 million capped at ¥50,000) + 30,000 + 50,000
    assert res.total == Decimal(200000)
    assert res.assumed_total == Decimal(150000)
    out = full_match_dict(m, res, "zh")
    assert out["total_eligible_amount"] == "200000"
    assert out["total_assumed_amount"] == "150000"
    by_key = {c["clause"]: c for c in out["clauses"]}
    assert by_key["cited"]["amount_assumed"] is False
    assert by_key["by_table"]["amount_assumed"] is True
    ex = {x["key"]: x for x in out["explanations"]}
    assert ex["p/by_value"]["amount_assumed"] == ["原文未给比例，假定10%"]
    assert ex["p/cited"]["amount_assumed"] == []


def test_check_counts_assumed_amounts_even_when_no_condition_is_assumed(
        pack: Pack, tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(POLICY, encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["check", str(f), "--lang", "en"])
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())
    assert "0 assumed conditions, 4 of 5 amounts assumed" in said
    r = runner.invoke(app, ["check", str(f), "--citations"])
    said = "".join(r.output.split())
    assert "0个条件为假定,5个金额中4个为假定" in said
    assert "[假定]分级金额为假定" in said


def test_a_match_table_marks_the_amount_and_the_total(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(POLICY, encoding="utf-8")
    e = tmp_path / "e.yaml"
    e.write_text(ENTERPRISE, encoding="utf-8")
    r = CliRunner().invoke(app, ["match", str(e), "-p", str(f), "--as-of", "2024-06-01"])
    assert r.exit_code == 0, r.output
    assert "[假定]" in r.output
    assert "合计:¥200,000(含假定金额 ¥150,000)" in r.output
