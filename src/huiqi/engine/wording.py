"""How far a condition is from being met, in words a manager reads (issue 16, item 2):
"目前 300万元,须不低于 500万元,还差 200万元" — amounts in 元 / 万元 / 亿元, ratios in %,
days in 天, units in Chinese, facts by their label; never the rule's expression.

The pages (:mod:`huiqi.web.plain`) and the messages an enterprise is sent
(:mod:`huiqi.push`) say it alike."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Protocol

from huiqi.facts import types as T
from huiqi.facts.catalogue import Catalogue, default_catalogue
from huiqi.text import Lang

_OPS_ZH = {">=": "不低于", ">": "高于", "<=": "不超过", "<": "低于"}
_OPS_EN = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}
_DATE_OPS_ZH = {">=": "不早于", ">": "晚于", "<=": "不晚于", "<": "早于"}
_DATE_OPS_EN = {">=": "on or after", ">": "after", "<=": "on or before", "<": "before"}


class GapLike(Protocol):
    """A gap as the engine keeps it (:class:`~huiqi.engine.result.Gap`) or as the API
    serves it (:class:`~huiqi.engine.public.GapPublic`)."""

    @property
    def op(self) -> str: ...
    @property
    def value(self) -> object: ...
    @property
    def target(self) -> object: ...
    @property
    def shortfall(self) -> object: ...
    @property
    def strict(self) -> bool: ...
    @property
    def unit(self) -> str: ...


def wan(v: Decimal, lang: Lang = "zh") -> str:
    """An amount as a manager says it: ¥5,000 · 12.5万元 · 1.2亿元 (negative: −¥…)."""
    sign = "−" if v < 0 else ""
    a = abs(v)
    if lang != "zh" or a < 10_000:
        text = f"¥{a:,.2f}".replace(".00", "") if a != a.to_integral_value() else f"¥{int(a):,}"
        return sign + text
    if a >= 100_000_000:
        n, unit = a / 100_000_000, "亿元"
    else:
        n, unit = a / 10_000, "万元"
    text = format(n.quantize(Decimal("0.01")).normalize(), "f")
    return f"{sign}{text}{unit}"


def _dec(v: object) -> Decimal | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def _val(v: object, unit: str, lang: Lang) -> str:
    d = _dec(v)
    if d is None:
        return "—" if v is None else str(v)
    if unit == "yuan":
        return wan(d, lang)
    if unit == "ratio":
        return format((d * 100).quantize(Decimal("0.01")).normalize(), "f") + "%"
    if unit == "days":
        return f"{d.normalize():f} 天" if lang == "zh" else f"{d.normalize():f} days"
    if unit:
        try:
            label = T.unit_text(T.parse_unit(unit.replace("·", "*")), lang)
        except ValueError:
            label = unit
        return f"{d.normalize():f} {label}"
    return f"{d.normalize():f}"


def _is_date(v: object) -> bool:
    if isinstance(v, dt.date):
        return True
    return isinstance(v, str) and bool(re.fullmatch(r"\d{4}-\d\d-\d\d", v))


def fact_label(fid: str, lang: Lang, year: int | None = None, *,
               cat: Catalogue | None = None) -> str:
    """A fact by its label in ``cat`` (the base catalogue if none: ``rd_expense`` → 研发费用),
    of a fiscal year if given (2024年研发费用); an unknown fact by its id."""
    f = (cat or default_catalogue()).facts.get(fid)
    name = fid if f is None else f.label.zh if lang == "zh" else f.label.en
    if year is None:
        return name
    return f"{year}年{name}" if lang == "zh" else f"{name} ({year})"


def gap_text(g: GapLike, lang: Lang) -> str:
    """How far a comparison is from being met, in words: 目前 300万元,须不低于 500万元,还差 200万元."""
    zh = lang == "zh"
    if _is_date(g.value) or _is_date(g.target):
        op = (_DATE_OPS_ZH if zh else _DATE_OPS_EN).get(g.op, g.op)
        return (f"目前为 {g.value},须{op} {g.target}" if zh else
                f"it is {g.value}; it must be {op} {g.target}")
    op = (_OPS_ZH if zh else _OPS_EN).get(g.op, g.op)
    now, need = _val(g.value, g.unit, lang), _val(g.target, g.unit, lang)
    short = _dec(g.shortfall) or Decimal(0)
    if g.strict and short == 0:
        return (f"目前正好 {now},须{op} {need}" if zh else f"it is exactly {now}; it must be {op} {need}")
    if g.unit == "ratio":
        pts = format((short * 100).quantize(Decimal("0.01")).normalize(), "f")
        more = f"还差 {pts} 个百分点" if zh else f"{pts} percentage points short"
    else:
        more = f"还差 {_val(short, g.unit, lang)}" if zh else f"{_val(short, g.unit, lang)} short"
    return f"目前 {now},须{op} {need},{more}" if zh else f"it is {now}; it must be {op} {need}: {more}"


__all__ = ["GapLike", "fact_label", "gap_text", "wan"]
