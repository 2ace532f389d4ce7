"""Random policy packs and enterprises for differential tests (Hypothesis strategies).

A pack is written as YAML text, exactly as a park would write it, from conditions drawn
from templates that cover the language: comparisons of money and ratios, dated
parameters, date arithmetic, records within a period, banded scores with strict pass
marks, multi-year windows with each younger-enterprise rule, alternatives, exceptions,
reviews (yes/no, scored against a pass mark, sub-scores combined by a formula),
choices, if-then-else, quotients over zero, negative numbers, and amounts
(fixed, share, per unit, banded) with caps, exceptions, every rounding, and stacking.
Enterprise values are drawn near the pack's own thresholds and band edges, with missing
facts, huge amounts and dates on both sides of each boundary.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from huiqi.facts.enterprise import Enterprise

from . import constructs as C

AS_OF = dt.date(2025, 6, 1)
FY = AS_OF.year

MONEY_CUTS = [Decimal(x) for x in ("0", "0.01", "99999.99", "100000", "1000000", "20000000",
                                   "123456789.12", "100000000000")]
RATIOS = [Decimal(x) for x in ("0", "0.01", "0.03", "0.05", "0.07", "0.1", "0.333", "0.5")]


def money(d: Decimal) -> str:
    return f"¥{d}"


def pct(d: Decimal) -> str:
    return f"{(d * 100).normalize():f}%"


@st.composite
def band_table(draw: st.DrawFn, name: str, cuts: list[Decimal], fmt: Any,
               unit: str | None = "point") -> tuple[str, list[Decimal]]:
    """A valid banded table: sorted cut points, each owned by the band above or below."""
    points = sorted(set(draw(st.lists(st.sampled_from(cuts), min_size=1, max_size=4))))
    lows = [draw(st.booleans()) for _ in points]  # True: the cut belongs to the upper band
    bands = []
    values = [draw(st.integers(0, 40)) for _ in range(len(points) + 1)]
    lo = "(-∞"
    for p, up, v in zip(points, lows, values, strict=False):
        hi = f"{fmt(p)})" if up else f"{fmt(p)}]"
        bands.append(f'      - {{range: "{lo}, {hi}", value: {v}}}')
        lo = f"[{fmt(p)}" if up else f"({fmt(p)}"
    bands.append(f'      - {{range: "{lo}, ∞)", value: {values[-1]}}}')
    unit_line = f"    unit: {unit}\n" if unit else ""
    text = (f"  {name}:\n    label: 分档{name}\n{unit_line}    assumed: 测试\n"
            f"    bands:\n" + "\n".join(bands))
    return text, points


CMP = st.sampled_from([">=", ">", "<=", "<", "==", "!="])


@st.composite
def condition(draw: st.DrawFn, i: int, depth: int = 0) -> str:
    """One condition template, as an expression: half of them one construct of the language
    applied to one type of fact (the coverage table of :mod:`.constructs`)."""
    if draw(st.booleans()):
        return draw(C.construct_condition())
    kind = draw(st.integers(0, 14 if depth == 0 else 12))
    op = draw(CMP)
    if kind == 0:
        return f"revenue[-1] {op} {money(draw(st.sampled_from(MONEY_CUTS)))}"
    if kind == 1:
        return f"rd_expense[-1] / revenue[-1] {op} ratio_min"
    if kind == 2:
        return f"as_of - registration_date {op} {draw(st.sampled_from([0, 364, 365, 366, 1000]))} days"
    if kind == 3:
        years = draw(st.integers(1, 5))
        if draw(st.booleans()):  # an optional record field, sometimes missing
            return 'exists(honours where kind == "hnte" and expiry >= as_of)'
        return f'exists(honours where kind == "hnte" and date >= as_of - {years} years)'
    if kind == 4:
        return f"score {op} {draw(st.integers(0, 60))}"
    if kind == 5:
        younger = draw(st.sampled_from(["actual", "ineligible", "zero"]))
        r = draw(st.sampled_from(RATIOS))
        return (f"sum(rd_expense[-3..-1], younger={younger}) / "
                f"sum(revenue[-3..-1], younger={younger}) {op} {pct(r)}")
    if kind == 6:
        return draw(st.sampled_from(['park == "甲园区"', 'industry in {"new_energy", "sensors"}',
                                     'industry != "other"', 'ip_service_licensed',
                                     'not ip_service_licensed']))
    if kind == 7:
        f = draw(st.sampled_from(["min", "max", "avg"]))
        younger = draw(st.sampled_from(["actual", "ineligible", "zero"]))
        return f"{f}(revenue[-3..-1], younger={younger}) {op} {money(draw(st.sampled_from(MONEY_CUTS)))}"
    if kind == 8:
        return f'count(awards where level == "national" and rank <= {draw(st.integers(1, 4))}) >= 1'
    if kind == 9:
        return f"net_profit[-1] / revenue[-1] {op} {pct(draw(st.sampled_from(RATIOS)))}"
    if kind == 10:
        return (f"(if ip_service_licensed then revenue[-1] else rd_expense[-1]) {op} "
                f"{money(draw(st.sampled_from(MONEY_CUTS)))}")
    if kind == 11:
        return f'sum(equity_financing.amount where qualified_investor and date >= as_of - 2 years) {op} ¥20000000'
    if kind == 12:
        return f"full_years(registration_date, as_of) {op} {draw(st.integers(0, 6))}"
    if kind == 13:
        a = draw(condition(i, depth + 1))
        b = draw(condition(i, depth + 1))
        return f"({a}) {draw(st.sampled_from(['and', 'or']))} ({b})"
    return f'rd_measure == "{draw(st.sampled_from(["ratio", "amount"]))}" and score >= 10'


@st.composite
def clause(draw: st.DrawFn, i: int) -> str:
    lines = [f"  - id: c{i}", f"    title: 条款{i}", "    conditions:"]
    for j in range(draw(st.integers(1, 4))):
        shape = draw(st.integers(0, 9))
        lines.append(f"      - id: k{j}")
        lines.append(f"        label: 条件{j}")
        if shape == 0:
            form, review = draw(C.review_condition())
            if C.REVIEW_RECORD is not None:
                C.REVIEW_RECORD.append((form, "*"))
            lines += review
        elif shape == 1:
            lines.append("        any_of:")
            for k in range(2):
                lines.append(f"          - {{id: a{k}, label: 其一{k}, when: \"{_q(draw(condition(i)))}\", "
                             f"assumed: 测试}}")
        else:
            lines.append(f"        when: \"{_q(draw(condition(i)))}\"")
            lines.append("        assumed: 测试")
            if shape == 2:
                then = draw(st.sampled_from(["met", "not_met"]))
                lines.append("        exceptions:")
                lines.append(f"          - {{id: e{j}, label: 例外, when: \"{_q(draw(condition(i)))}\", "
                             f"then: {then}, assumed: 测试}}")
    kind = draw(st.integers(0, 4))
    unit = draw(st.sampled_from(["fen", "yuan", "hundred_yuan", "ten_thousand_yuan"]))
    mode = draw(st.sampled_from(["half_up", "half_even", "down", "up"]))
    rounding = f"      rounding: {{unit: {unit}, mode: {mode}}}"
    if kind == 0:
        lines += ["    benefit:", "      kind: title", "      assumed: 测试"]
    elif kind == 1:
        lines += ["    benefit:", "      kind: fixed", f"      amount: {money(draw(st.sampled_from(MONEY_CUTS)))}",
                  rounding, "      assumed: 测试"]
    elif kind == 2:
        share = draw(st.sampled_from(["0.1", "0.333", "0.5", "1"]))
        lines += ["    benefit:", "      kind: share", f"      amount: {share} * rd_expense[-1]",
                  f"      cap: {money(draw(st.sampled_from(MONEY_CUTS)))}", rounding, "      assumed: 测试"]
        if draw(st.booleans()):
            lines += ["      exceptions:",
                      f"        - {{id: x1, label: 例外金额, when: \"{_q(draw(condition(i)))}\", "
                      f"amount: \"rd_expense[-1] / 3\", assumed: 测试}}"]
    elif kind == 3:
        lines += ["    benefit:", "      kind: per_unit",
                  "      amount: rent_rate * min(office_area_rented, area_max)", rounding,
                  "      assumed: 测试"]
    else:
        lines += ["    benefit:", "      kind: banded", "      amount: ¥1000 * band(t_rev, revenue[-1])",
                  rounding, "      assumed: 测试"]
    return "\n".join(lines)


def _q(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


@st.composite
def pack_text(draw: st.DrawFn) -> str:
    t_st, _ = draw(band_table("t_st", RATIOS, pct))
    t_rd, _ = draw(band_table("t_rd", RATIOS, pct))
    t_rev, _ = draw(band_table("t_rev", MONEY_CUTS, money, unit=None))
    n = draw(st.integers(1, 4))
    clauses = [draw(clause(i)) for i in range(n)]
    ratio_old, ratio_new = draw(st.sampled_from(RATIOS)), draw(st.sampled_from(RATIOS))
    change = draw(st.sampled_from(["2025-06-01", "2025-06-02", "2024-01-01"]))
    grade_cut = draw(st.sampled_from([20, 30, 40, 60]))
    report_intensity = draw(st.sampled_from(["true", "false"]))
    groups = []
    if n >= 2 and draw(st.booleans()):
        members = ", ".join(f"c{i}" for i in range(n))
        if draw(st.booleans()):
            groups.append(f"  - {{id: g1, label: 就高, kind: exclusive, clauses: [{members}], assumed: 测试}}")
        else:
            cap = draw(st.sampled_from(MONEY_CUTS))
            groups.append(f"  - {{id: g2, label: 上限, kind: cap, clauses: [{members}], cap: "
                          f"\"{money(cap)}\", assumed: 测试}}")
    text = f"""id: rp
title: 随机政策
issuer: 测试
dates: {{effective: 2020-01-01}}
source: {{text: 随机生成的测试政策。}}
parameters:
  ratio_min:
    {{type: ratio, label: 比例下限, assumed: 测试,
     values: {{2020-01-01: "{pct(ratio_old)}", {change}: "{pct(ratio_new)}"}}}}
  rent_rate: {{type: decimal, unit: yuan/m2, label: 单价, assumed: 测试, values: {{2020-01-01: 333.33}}}}
  area_max: {{type: decimal, unit: m2, label: 面积上限, assumed: 测试, values: {{2020-01-01: 500}}}}
choices:
  - id: rd_measure
    label: 计分方式
    assumed: 测试
    options: {{ratio: 比例, amount: 总额}}
tables:
{C.TABLES}{t_st}
{t_rd}
{t_rev}
  t_grade:
    label: 等级
    assumed: 测试
    bands:
      - {{range: "[{grade_cut}, ∞)", value: 1, label: A}}
      - {{range: "[10, {grade_cut})", value: 2, label: B}}
      - {{range: "(-∞, 10)", value: 3, label: C}}
values:
  score:
    label: 得分
    report: true
    grade: t_grade
    expr: >-
      band(t_st, st_staff[-1] / staff_total[-1])
      + (if rd_measure == "ratio" then band(t_rd, rd_expense[-1] / revenue[-1]) else 0)
  intensity:
    label: 研发强度
    report: {report_intensity}
    expr: rd_expense[-1] / revenue[-1]
  growth:
    label: 营收增长率
    report: true
    expr: (revenue[-1] - revenue[-2]) / revenue[-2]
clauses:
{chr(10).join(clauses)}
"""
    if groups:
        text += "groups:\n" + "\n".join(groups) + "\n"
    return text


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any], p_missing: int = 6) -> Any:
    return None if draw(_die(p_missing)) == 0 else draw(strategy)


@functools.cache
def _die(p_missing: int) -> st.SearchStrategy[int]:
    return st.integers(0, p_missing)


MONEY_VALUES = st.one_of(
    st.sampled_from(MONEY_CUTS),
    st.sampled_from(MONEY_CUTS).map(lambda d: d + Decimal("0.01")),
    st.sampled_from(MONEY_CUTS).map(lambda d: max(Decimal(0), d - Decimal("0.01"))),
    st.decimals(min_value=0, max_value=Decimal("1e12"), places=2, allow_nan=False,
                allow_infinity=False),
)

# The strategies of :func:`enterprise`, made once: built inside it, they were made again for
# every enterprise drawn (twelve an example), and Hypothesis works out each new strategy's
# properties on its first draw — a third of the differential tests' time. The same strategies,
# so the same enterprises for the same choices.
_REGISTERED = st.one_of(
    st.sampled_from([AS_OF - dt.timedelta(days=d) for d in (0, 364, 365, 366, 1000)]),
    st.dates(dt.date(FY - 6, 1, 1), AS_OF),
    st.sampled_from([dt.date(FY - 2, 12, 31), dt.date(FY - 1, 1, 1), dt.date(FY - 3, 6, 1)]))
_FACTS: dict[str, tuple[st.SearchStrategy[Any], int]] = {  # fact: (its values, p_missing)
    "park": (st.sampled_from(["甲园区", "乙园区"]), 6),
    "industry": (st.sampled_from(["new_energy", "sensors", "other"]), 6),
    "ip_service_licensed": (st.booleans(), 6),
    "main_product_strategic_emerging": (st.booleans(), 2),
    "national_market_share": (st.sampled_from([*RATIOS, Decimal(1)]), 2),
    "first_loan_date": (st.sampled_from(
        [dt.date(2019, 1, 1), dt.date(2024, 6, 1), dt.date(2024, 5, 31), AS_OF]), 2),
    "tax_credit_rating": (st.sampled_from(["A", "B", "C", "D", "M"]), 2),
    "voucher_service_classes": (st.sets(st.sampled_from(
        ["finance", "talent", "technology", "intermediary"]), max_size=2).map(frozenset), 2),
    "office_area_rented": (st.sampled_from(
        [Decimal("0"), Decimal("499.9999"), Decimal("500"), Decimal("500.0001"),
         Decimal("1234.5")]), 6),
    "honours": (st.lists(st.fixed_dictionaries({
        "kind": st.sampled_from(["hnte", "tsme"]), "level": st.just("national"),
        "date": st.sampled_from([AS_OF.replace(year=FY - k) for k in range(6)]
                                + [AS_OF.replace(year=FY - 3) - dt.timedelta(days=1)]),
        "expiry": st.sampled_from([None, AS_OF, AS_OF - dt.timedelta(days=1)])}),
        max_size=2).map(tuple), 6),
    "awards": (st.lists(st.fixed_dictionaries({
        "kind": st.just("science_tech"), "level": st.sampled_from(["national", "provincial"]),
        "rank": st.integers(1, 5), "date": st.just(dt.date(FY - 1, 3, 1)),
        "top_n": st.none()}), max_size=2).map(tuple), 6),
    "equity_financing": (st.lists(st.fixed_dictionaries({
        "date": st.sampled_from([AS_OF.replace(year=FY - 2), AS_OF.replace(year=FY - 2) -
                                 dt.timedelta(days=1), dt.date(FY - 1, 1, 1)]),
        "amount": st.sampled_from([Decimal("10000000"), Decimal("19999999.99"),
                                   Decimal("20000000")]),
        "qualified_investor": st.booleans()}), max_size=3).map(tuple), 6),
}
_PROFITS = MONEY_VALUES.map(lambda d: -d if d % 2 else d)
_STAFF = st.sampled_from([0, 1, 7, 10, 100, 333])
_ST_STAFF = st.sampled_from([0, 1, 3, 5, 30, 100])
_CHOICE = st.sampled_from([None, "ratio", "amount"])
_REVIEW_DECISION = C.review_decision()


@st.composite
def enterprise(draw: st.DrawFn, i: int) -> Enterprise:
    reg = draw(_REGISTERED)
    facts: dict[str, Any] = {"registration_date": _maybe(draw, st.just(reg), 12)}
    for name, (values, p_missing) in _FACTS.items():  # in this order: the order drawn
        facts[name] = _maybe(draw, values, p_missing)
    years: dict[int, dict[str, Any]] = {}
    for y in range(FY - 4, FY):
        years[y] = {
            "revenue": _maybe(draw, MONEY_VALUES, 8),
            "rd_expense": _maybe(draw, MONEY_VALUES, 8),
            "net_profit": _maybe(draw, _PROFITS, 8),
            "staff_total": _maybe(draw, _STAFF),
            "st_staff": _maybe(draw, _ST_STAFF),
        }
    choice = draw(_CHOICE)
    reviews: dict[str, Any] = {}
    if draw(st.booleans()):
        for c in range(4):
            for k in range(4):
                d = draw(_REVIEW_DECISION)
                if d is not None:
                    reviews[f"rp/c{c}/k{k}"] = d
    return Enterprise(
        id=f"e{i}", name=f"企业{i}",
        facts={k: v for k, v in facts.items() if v is not None},
        years={y: {k: v for k, v in row.items() if v is not None} for y, row in years.items()},
        choices={"rp:rd_measure": choice} if choice else {},
        reviews=reviews)
