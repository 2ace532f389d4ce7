"""Amounts as managers write them: 12000000 · 1,200万 · 1200万元 · 3千万 · 五千万 · 1.2亿 ·
两亿三千万 · ¥500,000 · 2万5千. Chinese numerals and the units 十 百 千 万 亿 (元 optional).

    >>> parse_amount("五千万")
    Decimal('50000000')
    >>> parse_amount("1.2亿")
    Decimal('120000000')
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from huiqi.text import Text

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
          "捌": 8, "九": 9, "玖": 9}
SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_STRIP = re.compile(r"[\s,，_]|人民币|RMB|rmb|¥|￥|元整|元")


def _bad(value: str) -> ValueError:
    return ValueError(Text(f"“{value}”不是金额,可写 12000000、1200万、1.2亿 或 五千万",
                           f"“{value}” is not an amount; write 12000000, 1200万, 1.2亿 or 五千万"))


def _small(s: str, whole: str) -> Decimal:
    """A number below 万: 3千 · 五千 · 三千五 · 1.5千 · 十二 · 305."""
    if not s:
        return Decimal(0)
    total = Decimal(0)
    pending: Decimal | None = None
    last_unit = Decimal(1)
    i = 0
    while i < len(s):
        m = _NUMBER.match(s, i)
        if m:
            if pending is not None:
                raise _bad(whole)
            pending = Decimal(m.group(0))
            i = m.end()
            continue
        ch = s[i]
        if ch in DIGITS:
            if pending is not None:
                raise _bad(whole)
            pending = Decimal(DIGITS[ch])
        elif ch in SMALL:
            unit = Decimal(SMALL[ch])
            total += (pending if pending is not None else Decimal(1)) * unit
            pending, last_unit = None, unit
        else:
            raise _bad(whole)
        i += 1
    if pending is not None:
        # 三千五: a bare digit after a unit counts in the next unit down (3,500)
        total += pending * (last_unit / 10 if last_unit > 1 and s[-1] in DIGITS else 1)
    return total


def parse_amount(value: str) -> Decimal:
    """An amount in yuan, or ValueError whose ``args[0]`` is a :class:`Text`."""
    whole = str(value).strip()
    s = _STRIP.sub("", whole)
    sign = 1
    if s[:1] in ("-", "负", "−"):
        sign, s = -1, s[1:]
    if not s:
        raise _bad(whole)
    try:
        return sign * _whole(Decimal(s))
    except InvalidOperation:
        pass
    if s[-1] in "万亿" and len(s) == 1:
        raise _bad(whole)
    total = Decimal(0)
    rest = s
    if "亿" in rest:
        head, _, rest = rest.partition("亿")
        if "亿" in rest or not head:
            raise _bad(whole)
        total += _below_yi(head, whole) * 100_000_000
    total += _below_yi(rest, whole)
    return sign * _whole(total)


def _whole(d: Decimal) -> Decimal:
    return Decimal(int(d)) if d == d.to_integral_value() else d


def _below_yi(s: str, whole: str) -> Decimal:
    if "万" in s:
        head, _, rest = s.partition("万")
        if "万" in rest or not head:
            raise _bad(whole)
        return _small(head, whole) * 10_000 + _small(rest, whole)
    return _small(s, whole)


def looks_like_amount(value: str) -> bool:
    """Whether a text is written with Chinese numerals or units (so worth parsing here)."""
    return bool(re.search(r"[零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿元¥￥]", value))


__all__ = ["looks_like_amount", "parse_amount"]
