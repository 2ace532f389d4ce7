"""Print a syntax tree back as expression text, with only the parentheses it needs.

``parse(to_text(e)) == e`` for every tree the parser can build; a property test
holds this.
"""

from __future__ import annotations

from decimal import Decimal

from huiqi.rules import syntax as S

_LEVEL_IF, _LEVEL_OR, _LEVEL_AND, _LEVEL_NOT, _LEVEL_CMP, _LEVEL_SUM, _LEVEL_PROD = range(7)
_LEVEL_UNARY, _LEVEL_ATOM = 7, 8


def _level(e: S.Expr) -> int:
    if isinstance(e, S.If):
        return _LEVEL_IF
    if isinstance(e, S.Binary):
        return {"or": _LEVEL_OR, "and": _LEVEL_AND, "+": _LEVEL_SUM, "-": _LEVEL_SUM,
                "*": _LEVEL_PROD, "/": _LEVEL_PROD}[e.op]
    if isinstance(e, S.Unary):
        return _LEVEL_NOT if e.op == "not" else _LEVEL_UNARY
    if isinstance(e, S.Compare | S.Member):
        return _LEVEL_CMP
    if isinstance(e, S.Where):
        return _LEVEL_IF
    return _LEVEL_ATOM


def _at(e: S.Expr, minimum: int) -> str:
    text = to_text(e)
    return f"({text})" if _level(e) < minimum else text


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f") if d else "0"


def _str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_text(e: S.Expr) -> str:
    """The canonical text of an expression."""
    leaf = _leaf_text(e)
    return leaf if leaf is not None else _compound_text(e)


def _leaf_text(e: S.Expr) -> str | None:
    """The text of a literal, a name or a yearly reference; None for anything else."""
    if isinstance(e, S.Num):
        return _num(e.value)
    if isinstance(e, S.Percent):
        return _num(e.value) + "%"
    if isinstance(e, S.Money):
        return "¥" + _num(e.yuan)
    if isinstance(e, S.DateLit):
        return e.value.isoformat()
    if isinstance(e, S.Duration):
        return f"{e.amount} {e.unit}"
    if isinstance(e, S.Str):
        return _str(e.value)
    if isinstance(e, S.Bool):
        return "true" if e.value else "false"
    if isinstance(e, S.SetLit):
        return "{" + ", ".join(to_text(i) for i in e.items) + "}"
    if isinstance(e, S.Name):
        return e.id
    if isinstance(e, S.YearRef):
        if e.end is None:
            return f"{e.name}[{e.start}]"
        return f"{e.name}[{e.start}..{e.end}]"
    return None


def _compound_text(e: S.Expr) -> str:
    """The text of an expression made of others, each bracketed only where its precedence
    needs it."""
    if isinstance(e, S.Attr):
        return f"{_at(e.obj, _LEVEL_ATOM)}.{e.field}"
    if isinstance(e, S.Call):
        parts = [to_text(a) for a in e.args] + [f"{k}={to_text(v)}" for k, v in e.kwargs]
        return f"{e.func}({', '.join(parts)})"
    if isinstance(e, S.Where):
        return f"{to_text(e.source)} where {to_text(e.cond)}"
    if isinstance(e, S.Unary):
        if e.op == "not":
            return "not " + _at(e.operand, _LEVEL_NOT)
        return "-" + _at(e.operand, _LEVEL_UNARY)
    if isinstance(e, S.Binary):
        lvl = _level(e)
        right_min = lvl + 1
        if e.op in ("*", "/"):
            right_min = _LEVEL_UNARY
        return f"{_at(e.left, lvl)} {e.op} {_at(e.right, right_min)}"
    if isinstance(e, S.Compare):
        return f"{_at(e.left, _LEVEL_SUM)} {e.op} {_at(e.right, _LEVEL_SUM)}"
    if isinstance(e, S.Member):
        op = "not in" if e.negated else "in"
        return f"{_at(e.item, _LEVEL_SUM)} {op} {_at(e.collection, _LEVEL_SUM)}"
    if isinstance(e, S.If):
        return f"if {to_text(e.cond)} then {to_text(e.then)} else {to_text(e.orelse)}"
    raise TypeError(type(e).__name__)
