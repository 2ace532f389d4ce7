"""The engine's arithmetic is exact: random money and ratio expressions, evaluated by the
engine, agree with an independent evaluation in fractions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.engine.compile import Compiler, Env
from huiqi.engine.values import Undefined, fraction
from huiqi.facts.catalogue import default_catalogue
from huiqi.rules.checker import Checker
from huiqi.rules.model import Pack
from huiqi.text import Text
from properties import examples

AS_OF = dt.date(2025, 6, 1)
money_lit = st.decimals(min_value=0, max_value=Decimal("1e11"), places=2, allow_nan=False,
                        allow_infinity=False)
pct_lit = st.decimals(min_value=0, max_value=200, places=3, allow_nan=False, allow_infinity=False)

# typed expression trees: ("m", text, fraction | None) for money, ("r", …) for ratios
FACTS = {"revenue[-1]": "revenue", "rd_expense[-1]": "rd_expense", "net_profit[-1]": "net_profit"}


def leaf_money(values: dict[str, Decimal]) -> st.SearchStrategy[tuple[str, Any]]:
    facts = st.sampled_from(sorted(FACTS)).map(lambda t: (t, Fraction(values[FACTS[t]])))
    lits = money_lit.map(lambda d: (f"¥{d}", Fraction(d)))
    return st.one_of(facts, lits)


def combine(values: dict[str, Decimal]) -> st.SearchStrategy[tuple[str, str, Any]]:
    base = st.one_of(leaf_money(values).map(lambda x: ("m", *x)),
                     pct_lit.map(lambda d: ("r", f"{d}%", Fraction(d) / 100)))

    def grow(kids: st.SearchStrategy[tuple[str, str, Any]]) -> st.SearchStrategy[tuple[str, str, Any]]:
        return st.tuples(kids, kids, st.sampled_from("+-*/")).map(lambda t: _op(*t)).filter(
            lambda x: x is not None)  # type: ignore[arg-type]

    return st.recursive(base, grow, max_leaves=6)


def _op(a: tuple[str, str, Any], b: tuple[str, str, Any], op: str) -> tuple[str, str, Any] | None:
    ta, tb = a[0], b[0]
    va, vb = a[2], b[2]
    undefined = va is None or vb is None
    if op in "+-":
        if ta != tb:
            return None
        v = None if undefined else (va + vb if op == "+" else va - vb)
        return (ta, f"({a[1]} {op} {b[1]})", v)
    if op == "*":
        if ta == "m" and tb == "m":
            return None
        return ("m" if "m" in (ta, tb) else "r", f"({a[1]} * {b[1]})",
                None if undefined else va * vb)
    if ta != tb and not (ta == "m" and tb == "r"):
        return None  # ratio / money has no meaning here
    t = "r" if ta == tb else "m"
    v = None if undefined or vb == 0 else va / vb
    return (t, f"({a[1]} / {b[1]})", v)


def evaluate(text: str, facts: dict[str, Decimal]) -> Any:
    cat = default_catalogue()
    problems: list[Any] = []
    checker = Checker(cat, "p", {}, {}, {}, {}, {}, lambda *a: problems.append(a))
    node = checker.check(text, ("x",))
    assert node is not None, problems
    pack = Pack(id="t", title=Text("t", "t"), version="0", digest="0", policies=[], groups=[],
                catalogue=cat)
    fn = Compiler(pack, AS_OF).compile(node)
    env = Env({}, {2024: dict(facts)}, {}, {})
    return fn(env)


fact_values = st.fixed_dictionaries({
    "revenue": money_lit, "rd_expense": money_lit,
    "net_profit": money_lit.map(lambda d: -d)})


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_money_and_ratio_expressions_are_exact(data: st.DataObject) -> None:
    values = data.draw(fact_values)
    _kind, text, want = data.draw(combine(values))
    got = evaluate(text, values)
    if want is None:
        assert isinstance(got, Undefined), text
    else:
        assert fraction(got) == want, text


@settings(max_examples=examples(200), deadline=None)
@given(st.data())
def test_comparisons_are_exact(data: st.DataObject) -> None:
    values = data.draw(fact_values)
    left = data.draw(combine(values))
    right = data.draw(combine(values).filter(lambda r: r[0] == left[0]))
    op = data.draw(st.sampled_from([">=", ">", "<=", "<", "==", "!="]))
    got = evaluate(f"{left[1]} {op} {right[1]}", values)
    if left[2] is None or right[2] is None:
        assert got is False  # a comparison with an undefined value is not met
        return
    import operator

    fn = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
          "==": operator.eq, "!=": operator.ne}[op]
    assert got is fn(left[2], right[2])


def test_seven_percent() -> None:
    assert evaluate("rd_expense[-1] / revenue[-1] >= 7%",
                    {"rd_expense": Decimal(7), "revenue": Decimal(100)}) is True
    assert evaluate("rd_expense[-1] / revenue[-1] >= 7%",
                    {"rd_expense": Decimal("6.99"), "revenue": Decimal(100)}) is False
    big = Decimal("20000001")
    assert evaluate("revenue[-1] > ¥20000000", {"revenue": big}) is True  # not float32
