"""The syntax tree of the expression language, as the parser builds it.

Nodes are immutable and compare by content; the source span is kept for error
messages but does not take part in equality, so that ``parse(print(e)) == e``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node stands in the expression text (line and column are 1-based)."""

    start: int
    end: int
    line: int
    column: int


def _span() -> Span | None:
    return field(default=None, compare=False, repr=False)


class Expr:
    """Base of every expression node."""

    __slots__ = ()
    span: Span | None


@dataclass(frozen=True, slots=True)
class Num(Expr):
    """A bare number; it takes the unit of what it is compared or added with."""

    value: Decimal
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Percent(Expr):
    """``7%``; ``value`` is the number written before the sign (7), the ratio is 0.07."""

    value: Decimal
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Money(Expr):
    """An amount in yuan: ``¥20000``, ``2万元``, ``¥1.5亿``."""

    yuan: Decimal
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class DateLit(Expr):
    value: dt.date
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Duration(Expr):
    """``365 days``, ``4 years``, ``6 months`` (also ``365天``, ``4年``, ``6个月``)."""

    amount: int
    unit: str  # "days" | "months" | "years"
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Str(Expr):
    value: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Bool(Expr):
    value: bool
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class SetLit(Expr):
    items: tuple[Expr, ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A fact, parameter, named value, table, record field or ``as_of``."""

    id: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class YearRef(Expr):
    """A yearly fact of fiscal years relative to the evaluation date.

    ``revenue[-1]`` is last fiscal year's revenue; ``rd_expense[-3..-1]`` the last
    three (only inside an aggregate such as ``sum``).
    """

    name: str
    start: int
    end: int | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Attr(Expr):
    """``financing.amount``: a field of the records of a fact, inside an aggregate."""

    obj: Expr
    field: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: str  # "-" | "not"
    operand: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    op: str  # "+" "-" "*" "/" "and" "or"
    left: Expr
    right: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    op: str  # "<" "<=" ">" ">=" "==" "!="
    left: Expr
    right: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Member(Expr):
    item: Expr
    collection: Expr
    negated: bool = False
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class If(Expr):
    cond: Expr
    then: Expr
    orelse: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Where(Expr):
    """``awards where level == "national"``: records filtered by a condition."""

    source: Expr
    cond: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Call(Expr):
    func: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    span: Span | None = _span()


def children(e: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node."""
    if isinstance(e, SetLit):
        return e.items
    if isinstance(e, Attr):
        return (e.obj,)
    if isinstance(e, Unary):
        return (e.operand,)
    if isinstance(e, Binary | Compare):
        return (e.left, e.right)
    if isinstance(e, Member):
        return (e.item, e.collection)
    if isinstance(e, If):
        return (e.cond, e.then, e.orelse)
    if isinstance(e, Where):
        return (e.source, e.cond)
    if isinstance(e, Call):
        return (*e.args, *(v for _, v in e.kwargs))
    return ()


def walk(e: Expr) -> list[Expr]:
    """Every node of the tree, parents before children."""
    out = [e]
    for c in children(e):
        out.extend(walk(c))
    return out
