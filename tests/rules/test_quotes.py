"""A cited quote is found in its paragraph whitespace aside, with full-width and half-width
forms alike; the page marks the paragraph's own characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiqi.errors import PackError
from huiqi.rules import quotes as Q
from huiqi.rules.loader import load_pack

TEXT = "第一条 在本区注册满一年（含）、上年度营业收入不低于1000万元的企业，给予奖励“5万元”。"


@pytest.mark.parametrize("quote", [
    "在本区注册满一年(含)",            # half-width brackets
    "的企业,给予奖励",                  # half-width comma
    '给予奖励"5万元".',                 # straight quotes, full stop
    "不低于１０００万元",               # full-width digits
    "上年度 营业收入　不低于",          # a space and an ideographic space
])
def test_full_and_half_width_forms_are_the_same(quote: str) -> None:
    assert Q.contains(TEXT, quote)
    at = Q.find(quote, TEXT)
    assert at is not None and 0 <= at[0] < at[1] <= len(TEXT)
    assert Q.fold(TEXT[at[0]:at[1]]) == Q.fold(quote)


@pytest.mark.parametrize("quote", ["不低于2000万元", "在本区注册满两年", "、、", ""])
def test_other_words_are_not_found(quote: str) -> None:
    assert Q.find(quote, TEXT) is None


def test_the_enumeration_comma_is_not_a_comma() -> None:
    # 、 separates items of a list; it is not the full-width form of ","
    assert not Q.contains("甲、乙", "甲,乙")


def _policy(tmp_path: Path, quote: str) -> Path:
    f = tmp_path / "p.yaml"
    f.write_text(f"""id: p
title: 测试
issuer: 测试
dates: {{effective: 2024-01-01}}
source: {{text: "{TEXT}"}}
clauses:
  - id: c1
    title: 奖励
    conditions:
      - id: revenue
        label: 营业收入
        when: revenue[-1] >= 1000万元
        cite: {{p: 1, quote: "{quote}"}}
    benefit: {{kind: fixed, amount: 5万元, rounding: {{unit: yuan, mode: half_up}}, cite: 1}}
""", encoding="utf-8")
    return f


def test_the_checker_accepts_a_quote_typed_with_half_width_punctuation(tmp_path: Path) -> None:
    pack = load_pack(_policy(tmp_path, "注册满一年(含)、上年度营业收入不低于1000万元的企业,给予"))
    assert pack.clauses()[0].conditions[0].cite.quote is not None


def test_the_checker_still_refuses_other_words(tmp_path: Path) -> None:
    with pytest.raises(PackError) as info:
        load_pack(_policy(tmp_path, "注册满一年(含)、上年度营业收入不低于2000万元的企业,给予"))
    assert [p.code for p in info.value.problems] == ["cite.quote_not_found"]
    assert "全角与半角标点视为相同" in info.value.problems[0].hint.zh  # type: ignore[union-attr]
