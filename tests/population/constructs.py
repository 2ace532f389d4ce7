"""The random packs' coverage table: every function and operator of the language applied to
every type of fact, with and without values (issue 11, item 5).

The constructs are the language's own: the checker's list of functions and the grammar's
operators (``tests/population/test_coverage.py`` reads both, so a construct added to the
language without a template here fails a test). The types are the catalogue's kinds of
fact. :data:`APPLICABLE` says which construct × type pairs the language accepts; a test
checks it against the checker (every pair listed is accepted, every other pair refused),
and another that drawing packs generates every listed pair, on enterprises that have the
value and on enterprises that do not.

A template turns one construct, applied to one fact, into a condition (a yes/no
expression) that makes the construct's result matter: ``known(f)``, ``f + 1 >= c``,
``(if c then f else x) == y``, ``band(t, f) >= p`` …
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in", "+", "-", "*", "/", "neg",
             "and", "or", "not", "if")
FUNCTIONS = ("band", "lookup", "sum", "avg", "min", "max", "count", "exists", "full_years",
             "known", "abs", "floor", "year_of")
CONSTRUCTS = OPERATORS + FUNCTIONS
TYPES = ("bool", "integer", "decimal", "money", "ratio", "date", "enum", "enum_set", "text",
         "records")


@dataclass(frozen=True)
class FactUse:
    """A fact in a template: how it is written, its id, and whether it is yearly (read at
    the fiscal years of ``years``, relative to the evaluation year)."""

    text: str
    fact: str
    years: tuple[int, ...] = ()


FACTS: dict[str, tuple[FactUse, ...]] = {
    "bool": (FactUse("ip_service_licensed", "ip_service_licensed"),
             FactUse("main_product_strategic_emerging", "main_product_strategic_emerging")),
    "integer": (FactUse("staff_total[-1]", "staff_total", (-1,)),
                FactUse("st_staff[-1]", "st_staff", (-1,))),
    "decimal": (FactUse("office_area_rented", "office_area_rented"),),
    "money": (FactUse("revenue[-1]", "revenue", (-1,)),
              FactUse("net_profit[-1]", "net_profit", (-1,))),
    "ratio": (FactUse("national_market_share", "national_market_share"),),
    "date": (FactUse("registration_date", "registration_date"),
             FactUse("first_loan_date", "first_loan_date")),
    "enum": (FactUse("industry", "industry"), FactUse("tax_credit_rating", "tax_credit_rating")),
    "enum_set": (FactUse("voucher_service_classes", "voucher_service_classes"),),
    "text": (FactUse("park", "park"),),
    "records": (FactUse("awards", "awards"), FactUse("equity_financing", "equity_financing")),
}

#: a year window for the yearly aggregates
WINDOW = (-3, -2, -1)

#: literals of each type, near the values the enterprises are drawn from
LITERALS: dict[str, tuple[str, ...]] = {
    "bool": ("true", "false"),
    "integer": ("0", "7", "10", "100"),
    "decimal": ("0", "499.9999", "500", "1000"),
    "money": ("¥0", "¥100000", "¥20000000", "¥99999.99"),
    "ratio": ("0%", "5%", "33.3%", "100%"),
    "date": ("2019-01-01", "2024-06-01", "2025-06-01"),
    "enum": ('"new_energy"', '"other"', '"sensors"'),
    "enum_set": ('{"finance"}', '{"finance", "talent"}'),
    "text": ('"甲园区"', '"乙园区"'),
    "records": (),
}

#: the pairs the language accepts (checked against the checker by test_coverage.py)
NUMBERS = {"integer", "decimal", "money", "ratio"}
SCALARS = NUMBERS | {"bool", "date", "enum", "text"}
APPLICABLE: dict[str, set[str]] = {
    "==": SCALARS, "!=": SCALARS,
    "<": NUMBERS | {"date"}, "<=": NUMBERS | {"date"}, ">": NUMBERS | {"date"},
    ">=": NUMBERS | {"date"},
    "in": {"enum", "enum_set", "text"}, "not in": {"enum", "enum_set", "text"},
    "+": NUMBERS | {"date"}, "-": NUMBERS | {"date"}, "*": set(NUMBERS), "/": set(NUMBERS),
    "neg": set(NUMBERS),
    "and": {"bool"}, "or": {"bool"}, "not": {"bool"},
    "if": set(SCALARS),
    "band": set(NUMBERS), "lookup": {"enum", "text"},
    "sum": {"integer", "money", "records"}, "avg": {"integer", "money"},
    "min": NUMBERS | {"date", "records"}, "max": NUMBERS | {"date", "records"},
    "count": {"records"}, "exists": {"records"},
    "full_years": {"date"}, "known": set(TYPES), "abs": set(NUMBERS),
    "floor": set(NUMBERS), "year_of": {"date"},
}

# the tables the templates use (each random pack declares them)
TABLES = """\
  t_int:
    label: 分档人数
    unit: point
    assumed: 测试
    bands:
      - {range: "(-∞, 7)", value: 0}
      - {range: "[7, 100]", value: 5}
      - {range: "(100, ∞)", value: 9}
  t_m2:
    label: 分档面积
    unit: point
    assumed: 测试
    bands:
      - {range: "(-∞, 500)", value: 1}
      - {range: "[500, ∞)", value: 2}
  t_money:
    label: 分档金额
    unit: point
    assumed: 测试
    bands:
      - {range: "(-∞, ¥100000]", value: 0}
      - {range: "(¥100000, ¥20000000)", value: 3}
      - {range: "[¥20000000, ∞)", value: 6}
  t_ratio:
    label: 分档比例
    unit: point
    assumed: 测试
    bands:
      - {range: "(-∞, 5%)", value: 1}
      - {range: "[5%, ∞)", value: 4}
  t_industry:
    label: 行业得分
    unit: point
    assumed: 测试
    entries: {new_energy: 3, sensors: 2}
    default: 0
  t_rating:
    label: 纳税信用得分
    unit: point
    assumed: 测试
    entries: {A: 5, B: 3}
"""
BAND_TABLE = {"integer": "t_int", "decimal": "t_m2", "money": "t_money", "ratio": "t_ratio"}
LOOKUP_TABLE = {"industry": "t_industry", "tax_credit_rating": "t_rating"}
#: a number field and a date field of each kind of record, with a bound of each
RECORD_FIELDS = {"awards": (("rank", "2"), ("date", "2024-03-01")),
                 "equity_financing": (("amount", "¥20000000"), ("date", "2023-06-01"))}
#: a condition on a record, for ``where``
RECORD_FILTER = {"awards": 'level == "national"', "equity_financing": "qualified_investor"}


def _window(f: FactUse) -> str:
    name = f.text.split("[")[0]
    return f"{name}[{WINDOW[0]}..{WINDOW[-1]}]"


def template(construct: str, kind: str, f: FactUse, lit: str, other: str, k: int) -> str:
    """The condition applying ``construct`` to the fact ``f`` of type ``kind``; ``lit`` is a
    literal of that type, ``other`` another condition, ``k`` a small number (a choice among
    variants). For a pair the language refuses, the text is refused by the checker."""
    x = f.text
    cmp_ = (">=", "<", "==", "!=")[k % 4] if kind in NUMBERS | {"date"} else ("==", "!=")[k % 2]
    if construct in ("==", "!=", "<", "<=", ">", ">="):
        return f"{x} {construct} {lit}"
    if construct in ("in", "not in"):
        if kind == "enum_set":
            return f"{lit.strip('{}').split(',')[0]} {construct} {x}"
        if kind in ("enum", "text"):
            return f"{x} {construct} {{{lit}}}"
        return f"{x} {construct} {{{lit or '1'}}}"
    if construct in ("+", "-"):
        if kind == "date":
            return (f"{x} {construct} {k * 180} days {cmp_} {lit}" if k % 2
                    else f"as_of - {x} {cmp_} {k * 100} days" if construct == "-"
                    else f"{x} + {k} years {cmp_} {lit}")
        return f"{x} {construct} {lit or '1'} {cmp_} {lit or '1'}"
    if construct == "*":
        return f"{x} * 3 {cmp_} {lit or '1'}"
    if construct == "/":
        return (f"{x} / {lit or '1'} {cmp_} 1" if k % 2
                else f"{lit or '1'} / {x} {cmp_} 1" if kind != "ratio" else f"1 / {x} {cmp_} 20")
    if construct == "neg":
        return f"-{x} {cmp_} {lit or '1'}"
    if construct in ("and", "or"):
        return f"{x} {construct} ({other})" if k % 2 else f"({other}) {construct} {x}"
    if construct == "not":
        return f"not {x}"
    if construct == "if":
        if kind == "bool":
            return f"if {other} then {x} else {lit}"
        return f"(if {other} then {x} else {lit or x}) {cmp_} {lit or x}"
    if construct == "known":
        return f"known({x})" if k % 2 else f"not known({x})"
    if construct == "band":
        return f"band({BAND_TABLE.get(kind, 't_int')}, {x}) {cmp_} {k % 7}"
    if construct == "lookup":
        return f"lookup({LOOKUP_TABLE.get(f.fact, 't_industry')}, {x}) {cmp_} {k % 4}"
    if construct in ("sum", "avg", "min", "max") and kind != "records":
        if f.years:
            younger = ("actual", "ineligible", "zero")[k % 3]
            return f"{construct}({_window(f)}, younger={younger}) {cmp_} {lit or '1'}"
        if construct in ("min", "max"):
            return f"{construct}({x}, {lit or x}) {cmp_} {lit or x}"
        return f"{construct}({x}) {cmp_} {lit or '1'}"
    if construct in ("count", "exists", "sum", "avg", "min", "max"):
        if kind != "records" or construct == "avg":
            return f"{construct}({x}) {cmp_} 1"
        where = f" where {RECORD_FILTER[f.fact]}" if k % 2 else ""
        if construct == "exists":
            return f"exists({x}{where})"
        if construct == "count":
            return f"count({x}{where}) {cmp_} {k % 3}"
        number, date = RECORD_FIELDS[f.fact]
        field, bound = number if construct == "sum" or k % 4 < 2 else date
        return f"{construct}({x}.{field}{where}) {cmp_} {bound}"
    if construct in ("abs", "floor"):
        return f"{construct}({x}) {cmp_} {lit or '1'}"
    if construct == "year_of":
        return f"year_of({x}) {cmp_} {2019 + k % 7}"
    if construct == "full_years":
        return (f"full_years({x}, as_of) {cmp_} {k % 6}" if k % 2
                else f"full_years(2019-06-01, {x}) {cmp_} {k % 6}")
    raise ValueError(construct)


#: set by a test to a list: every (construct, type, fact use) a drawn condition applies
RECORD: list[tuple[str, str, FactUse]] | None = None

PAIRS = sorted((c, t) for c, ts in APPLICABLE.items() for t in ts)
SIMPLE = ("ip_service_licensed", 'park == "甲园区"', "revenue[-1] >= ¥100000",
          "not known(industry)")


@st.composite
def construct_condition(draw: st.DrawFn) -> str:
    """A condition applying one construct of the language to one fact (the pair drawn
    uniformly from the coverage table)."""
    construct, kind = draw(st.sampled_from(PAIRS))
    f = draw(st.sampled_from(FACTS[kind]))
    lits = LITERALS[kind]
    lit = draw(st.sampled_from(lits)) if lits else ""
    if f.fact == "tax_credit_rating" and lit:
        lit = draw(st.sampled_from(['"A"', '"C"']))
    if kind == "enum_set":
        lit = draw(st.sampled_from(['{"finance"}', '{"talent"}']))
    other = draw(st.sampled_from(SIMPLE))
    k = draw(st.integers(0, 11))
    if RECORD is not None:
        RECORD.append((construct, kind, f))
    return template(construct, kind, f, lit, other, k)


# ---------------------------------------------------------------------- reviews
#: the forms of a review (issue 11, item 2): yes/no, one score against a pass mark (not
#: lower than / strictly above), sub-scores combined by a formula
REVIEW_FORMS = ("yes_no", "score", "score_strict", "parts")
#: the states of an enterprise's decision on one review
DECISIONS = ("none", "verdict_true", "verdict_false", "scored", "scored_part_missing",
             "scored_empty")
#: the outcomes each form can have, all of which the sweep must see
REVIEW_OUTCOMES: dict[str, set[str]] = {
    "yes_no": {"needs_review", "met", "not_met"},
    "score": {"needs_review", "undetermined", "met", "not_met"},
    "score_strict": {"needs_review", "undetermined", "met", "not_met"},
    "parts": {"needs_review", "undetermined", "met", "not_met"},
}
FORMULAS = ("0.6 * tech + 0.4 * market", "tech + market", "max(tech, market)",
            "tech - market / 3", "if tech >= 30 then tech else market")
#: scores near the pass marks the forms use (and their sums and weighted sums)
SCORES = ("0", "29.9999", "30", "36", "50", "59.9999", "60", "60.0001", "100")


def review_lines(form: str, mark: str, k: int, indent: str = "        ") -> list[str]:
    """The lines of a review condition of ``form`` (after its id and label)."""
    lines = [f"{indent}review: 人工评审", f"{indent}assumed: 测试"]
    if form in ("score", "score_strict"):
        strict = "true" if form == "score_strict" else "false"
        lines.append(f"{indent}score: {{pass_mark: {mark}, strict: {strict}, min: 0, max: 100}}")
    elif form == "parts":
        lines += [f"{indent}score:", f"{indent}  pass_mark: {mark}",
                  f"{indent}  strict: {'true' if k % 2 else 'false'}",
                  f"{indent}  parts:",
                  f"{indent}    tech: {{label: 技术, min: 0, max: 60}}",
                  f"{indent}    market: {{label: 市场}}",
                  f"{indent}  formula: {FORMULAS[k % len(FORMULAS)]}"]
    return lines


def decision(state: str, a: str, b: str) -> object:
    """An enterprise's decision in ``state``; ``a`` and ``b`` are scores."""
    from decimal import Decimal

    return {"none": None, "verdict_true": True, "verdict_false": False,
            "scored": {"score": Decimal(a), "tech": Decimal(a), "market": Decimal(b)},
            "scored_part_missing": {"tech": Decimal(a), "market": None},
            "scored_empty": {}}[state]


#: set by a test to a list: every (form, decision state) drawn
REVIEW_RECORD: list[tuple[str, str]] | None = None


@st.composite
def review_condition(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A review of a random form: (form, its lines)."""
    form = draw(st.sampled_from(REVIEW_FORMS))
    mark = draw(st.sampled_from(("0", "36", "50", "60", "100")))
    return form, review_lines(form, mark, draw(st.integers(0, 9)))


_STATES = st.sampled_from(DECISIONS)   # made once: randpack draws sixteen decisions a firm
_SCORES = st.sampled_from(SCORES)


@st.composite
def review_decision(draw: st.DrawFn) -> object:
    state = draw(_STATES)
    d = decision(state, draw(_SCORES), draw(_SCORES))
    if REVIEW_RECORD is not None:
        REVIEW_RECORD.append(("*", state))
    return d
