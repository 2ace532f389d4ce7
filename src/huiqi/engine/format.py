"""Values as a person reads them: ¥1,234,567, 3.2%, 365 天, 2025-06-01."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from huiqi.facts import types as T
from huiqi.facts.catalogue import Catalogue, Field
from huiqi.messages import message

from .values import MISSING, REVIEW, Quot, Undefined, mul, round_exact, to_decimal


def fmt_money(v: Any, lang: str = "zh") -> str:
    d = round_exact(v, Decimal("0.01"), "half_up") if isinstance(v, Quot) else Decimal(v)
    if d == d.to_integral_value():
        return f"¥{int(d):,}"
    return f"¥{d:,.2f}"


def fmt_percent(v: Any) -> str:
    d = to_decimal(mul(v, Decimal(100)), 4)
    text = format(d.quantize(Decimal("0.0001")).normalize(), "f")
    return f"{text}%"


def fmt_number(v: Any) -> str:
    d = to_decimal(v, 4)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return format(d.normalize(), "f")


def fmt_value(v: Any, t: T.Type | None = None, lang: str = "zh") -> str:
    zh = lang == "zh"
    if v is MISSING:
        return "缺失" if zh else "missing"
    if v is REVIEW:
        return "需人工审核" if zh else "needs review"
    if isinstance(v, Undefined):
        return f"无法计算({v.reason.zh})" if zh else f"undefined ({v.reason.en})"
    if v is None:
        return "—"
    if isinstance(v, bool):
        return ("是" if v else "否") if zh else ("yes" if v else "no")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal | int | Quot):
        return _fmt_quantity(v, t, lang)
    if isinstance(v, frozenset):
        return "、".join(sorted(str(x) for x in v)) if zh else ", ".join(sorted(str(x) for x in v))
    if isinstance(v, tuple):
        return f"{len(v)}条记录" if zh else f"{len(v)} record(s)"
    return str(v)


def _fmt_quantity(v: Decimal | int | Quot, t: T.Type | None, lang: str) -> str:
    """A number as its type reads: days, months (whole years as years), yuan, a percent,
    a number with its unit, or a plain number."""
    zh = lang == "zh"
    kind = t.kind if t is not None else None
    if kind is T.Kind.DAYS:
        return f"{fmt_number(v)}天" if zh else f"{fmt_number(v)} days"
    if kind is T.Kind.MONTHS:
        n = int(to_decimal(v, 0))
        if n % 12 == 0:
            return f"{n // 12}年" if zh else f"{n // 12} years"
        return f"{n}个月" if zh else f"{n} months"
    if t is not None and kind is T.Kind.NUM:
        if t.unit == T.YUAN:
            return fmt_money(v, lang)
        if t.unit == T.DIMENSIONLESS and t.percent:
            return fmt_percent(v)
        if t.unit:
            return f"{fmt_number(v)} {T.unit_text(t.unit, lang)}"
    return fmt_number(v)


def fmt_shortfall(shortfall: Decimal, unit: str, lang: str = "zh") -> str:
    """A gap as words: 差 0.8 个百分点 / short by 0.8 percentage points."""
    zh = lang == "zh"
    if unit == "ratio":
        pts = format((shortfall * 100).normalize(), "f")
        return f"差 {pts} 个百分点" if zh else f"short by {pts} percentage points"
    if unit == "yuan":
        return f"差 {fmt_money(shortfall)}" if zh else f"short by {fmt_money(shortfall)}"
    if unit == "days":
        return f"差 {fmt_number(shortfall)} 天" if zh else f"short by {fmt_number(shortfall)} days"
    label = ""
    if unit:
        try:
            label = " " + T.unit_text(T.parse_unit(unit.replace("·", "*")), lang)
        except ValueError:
            label = " " + unit
    return f"差 {fmt_number(shortfall)}{label}" if zh else f"short by {fmt_number(shortfall)}{label}"


def describe_value(cat: Catalogue, f: Field, value: Any, lang: str = "zh") -> str:
    """A fact's value as a person reads it: money with ¥, ratios as %, enum labels."""
    if value is None:
        return message("value.missing").get("zh" if lang == "zh" else "en")
    if f.kind == "enum":
        e = cat.enums.get(f.enum or "")
        if e and value in e.values:
            return e.values[value].get("zh" if lang == "zh" else "en")
    return fmt_value(value, f.type, lang)
