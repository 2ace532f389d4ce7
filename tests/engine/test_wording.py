"""How far a condition is from being met, in words (issue 16, item 2): the same words on
the pages and in the messages an enterprise is sent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huiqi.engine.result import Gap
from huiqi.engine.wording import fact_label, gap_text, wan


def _gap(value: object, op: str, target: object, shortfall: str, unit: str,
         strict: bool = False) -> Gap:
    return Gap(condition="c", op=op, value=value, target=target, shortfall=Decimal(shortfall),
               strict=strict, unit=unit)


@pytest.mark.parametrize(("gap", "zh"), [
    (_gap(3_000_000, ">=", 5_000_000, "2000000", "yuan"), "目前 300万元,须不低于 500万元,还差 200万元"),
    (_gap("0.02", ">=", "0.03", "0.01", "ratio"), "目前 2%,须不低于 3%,还差 1 个百分点"),
    (_gap(0, ">", 0, "0", "yuan", strict=True), "目前正好 ¥0,须高于 ¥0"),
    (_gap("2018-03-01", ">=", "2023-01-01", "1767", "days"), "目前为 2018-03-01,须不早于 2023-01-01"),
    (_gap(40, ">=", 50, "10", "person"), "目前 40 人,须不低于 50 人,还差 10 人"),
])
def test_a_gap_in_words(gap: Gap, zh: str) -> None:
    assert gap_text(gap, "zh") == zh


def test_in_english_too() -> None:
    assert gap_text(_gap(3_000_000, ">=", 5_000_000, "2000000", "yuan"), "en") == \
        "it is ¥3,000,000; it must be at least ¥5,000,000: ¥2,000,000 short"


def test_amounts_facts_and_years_as_people_say_them() -> None:
    assert (wan(Decimal(5000)), wan(Decimal(125000)), wan(Decimal(120_000_000))) == \
        ("¥5,000", "12.5万元", "1.2亿元")
    assert wan(Decimal("-25320994.39")) == "−2532.1万元"
    assert fact_label("rd_expense", "zh") != "rd_expense"
    assert fact_label("rd_expense", "zh", 2024).startswith("2024年")
    assert fact_label("no_such_fact", "zh") == "no_such_fact"
