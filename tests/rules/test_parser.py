"""The expression parser: examples, located syntax errors, and parse → print → parse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.rules import syntax as S
from huiqi.rules.parser import ExprSyntaxError, parse
from huiqi.rules.printer import to_text
from properties import examples

KEYWORDS = {"and", "or", "not", "in", "if", "then", "else", "where", "true", "false", "day",
            "days", "month", "months", "year", "years"}

names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
decimals = st.builds(lambda n, e: Decimal(n).scaleb(-e), st.integers(0, 10**12), st.integers(0, 4))
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
                max_size=8)

leaves = st.one_of(
    st.builds(S.Num, decimals),
    st.builds(S.Percent, decimals),
    st.builds(S.Money, decimals),
    st.builds(S.DateLit, st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))),
    st.builds(S.Duration, st.integers(0, 1000), st.sampled_from(["days", "months", "years"])),
    st.builds(S.Str, texts),
    st.builds(S.Bool, st.booleans()),
    st.builds(S.Name, names),
    st.builds(lambda n, a, w: S.YearRef(n, min(a, a + w), None if w == 0 else a + w),
              names, st.integers(-10, 0), st.integers(0, 3)),
)


def _tree(children: st.SearchStrategy[S.Expr]) -> st.SearchStrategy[S.Expr]:
    return st.one_of(
        st.builds(S.Unary, st.sampled_from(["-", "not"]), children),
        st.builds(S.Binary, st.sampled_from(["+", "-", "*", "/", "and", "or"]), children, children),
        st.builds(S.Compare, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), children,
                  children),
        st.builds(S.Member, children, children, st.booleans()),
        st.builds(S.If, children, children, children),
        st.builds(S.SetLit, st.lists(children, max_size=3).map(tuple)),
        st.builds(S.Attr, st.builds(S.Name, names), names),
        st.builds(S.Call, names, st.lists(st.one_of(children, st.builds(S.Where, children, children)),
                                          max_size=3).map(tuple),
                  st.lists(st.tuples(names, children), max_size=2).map(tuple)),
    )


exprs = st.recursive(leaves, _tree, max_leaves=12)


@settings(max_examples=examples(400))
@given(exprs)
def test_parse_print_parse_round_trip(e: S.Expr) -> None:
    text = to_text(e)
    again = parse(text)
    assert again == e, text
    assert to_text(again) == text


@pytest.mark.parametrize(("text", "canonical"), [
    ("revenue[-1] >= 2万元", "revenue[-1] >= ¥20000"),
    ("x ≥ 7% and y ≤ ¥1.5亿", "x >= 7% and y <= ¥150000000"),
    ("as_of - registration_date >= 365天", "as_of - registration_date >= 365 days"),
    ("a - (b - c)", "a - (b - c)"),
    ("(a - b) - c", "a - b - c"),
    ("a × b ÷ c", "a * b / c"),
    ("not (a and b) or c", "not (a and b) or c"),
    ("x not in {“甲”, '乙'}", 'x not in {"甲", "乙"}'),
    ("sum(rd[-3..-1], younger=actual)", "sum(rd[-3..-1], younger=actual)"),
    ("count(awards where rank <= 3)  # a comment", "count(awards where rank <= 3)"),
])
def test_examples(text: str, canonical: str) -> None:
    assert to_text(parse(text)) == canonical


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("revenue[-1] >=", 1, 15, "表达式不完整"),
    ("a @ b", 1, 3, "无法识别的字符“@”"),
    ("a >= b >= c", 1, 8, "此处不应出现“>=”"),
    ("registration_date <= 2023-02-30", 1, 22, "不是有效日期"),
    ("f(1,\n  2", 2, 4, "表达式不完整"),
    ("", 1, 1, "表达式为空"),
])
def test_syntax_errors_say_where_and_why(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in info.value.text.zh
    assert info.value.text.en


def test_money_units_are_exact() -> None:
    assert parse("¥1.5亿") == S.Money(Decimal("150000000"))
    assert parse("2万元") == S.Money(Decimal("20000"))
    assert parse("0.1元") == S.Money(Decimal("0.1"))
    assert parse("7%") == S.Percent(Decimal("7"))
