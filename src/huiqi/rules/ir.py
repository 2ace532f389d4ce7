"""The checked, typed form of an expression, shared by every engine.

The checker turns a syntax tree into this form: names are resolved (to a fact, a
parameter, a named value, a table, a record field), literals are normalised
(``7%`` → 0.07, ``2万元`` → 20000, an enum's Chinese label → its id), and every
node has a static type. The one-enterprise engine, the DuckDB compiler and the
Spark compiler all start from here, so there is one language and one meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from huiqi.facts.types import Type
from huiqi.rules import syntax as S


@dataclass(eq=False)
class Node:
    type: Type
    src: S.Expr | None = field(default=None, repr=False)

    def kids(self) -> tuple[Node, ...]:
        return ()


@dataclass(eq=False)
class Const(Node):
    """A literal. Numbers are Decimal, durations int (days or months), sets frozenset."""

    value: Any = None


@dataclass(eq=False)
class AsOf(Node):
    """The evaluation date."""


@dataclass(eq=False)
class Fact(Node):
    """A static fact of the enterprise."""

    fact: str = ""


@dataclass(eq=False)
class YearFact(Node):
    """A yearly fact of fiscal year ``as_of.year + offset``."""

    fact: str = ""
    offset: int = -1


@dataclass(eq=False)
class YearAgg(Node):
    """sum / avg / min / max of a yearly fact over a window of fiscal years.

    ``younger`` says what happens when the enterprise did not yet exist in some
    year of the window: ``actual`` uses the years it existed, ``ineligible``
    makes the value undefined (conditions on it are not met), ``zero`` counts
    those years as 0.
    """

    func: str = "sum"
    fact: str = ""
    start: int = -3
    end: int = -1
    younger: str = "actual"


@dataclass(eq=False)
class Param(Node):
    """A dated parameter of the policy; its value is the one in force at as_of."""

    policy: str = ""
    name: str = ""


@dataclass(eq=False)
class ValueRef(Node):
    """A named value (policy- or clause-level), evaluated once per enterprise."""

    key: str = ""  # "policy:name" or "policy/clause:name"
    name: str = ""


@dataclass(eq=False)
class Choice(Node):
    """The option the applicant declared for a choice; missing until declared."""

    key: str = ""  # "policy:choice"
    name: str = ""
    options: tuple[str, ...] = ()


@dataclass(eq=False)
class Arith(Node):
    """``+ - * /`` on numbers (and durations); ``date - date`` gives days."""

    op: str = "+"
    left: Node = None  # type: ignore[assignment]
    right: Node = None  # type: ignore[assignment]

    def kids(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class DateShift(Node):
    """``date ± duration``; months and years are calendar months (Jan 31 + 1 month = Feb 28/29)."""

    op: str = "+"
    date: Node = None  # type: ignore[assignment]
    amount: Node = None  # type: ignore[assignment]
    months: bool = False

    def kids(self) -> tuple[Node, ...]:
        return (self.date, self.amount)


@dataclass(eq=False)
class Neg(Node):
    operand: Node = None  # type: ignore[assignment]

    def kids(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(eq=False)
class Cmp(Node):
    op: str = ">="
    left: Node = None  # type: ignore[assignment]
    right: Node = None  # type: ignore[assignment]

    def kids(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class Member(Node):
    item: Node = None  # type: ignore[assignment]
    collection: Node = None  # type: ignore[assignment]
    negated: bool = False

    def kids(self) -> tuple[Node, ...]:
        return (self.item, self.collection)


@dataclass(eq=False)
class And(Node):
    left: Node = None  # type: ignore[assignment]
    right: Node = None  # type: ignore[assignment]

    def kids(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class Or(Node):
    left: Node = None  # type: ignore[assignment]
    right: Node = None  # type: ignore[assignment]

    def kids(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class Not(Node):
    operand: Node = None  # type: ignore[assignment]

    def kids(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(eq=False)
class IfElse(Node):
    cond: Node = None  # type: ignore[assignment]
    then: Node = None  # type: ignore[assignment]
    orelse: Node = None  # type: ignore[assignment]

    def kids(self) -> tuple[Node, ...]:
        return (self.cond, self.then, self.orelse)


@dataclass(eq=False)
class Func(Node):
    """A built-in function: min, max, abs, full_years, known, year_of."""

    name: str = ""
    args: tuple[Node, ...] = ()

    def kids(self) -> tuple[Node, ...]:
        return self.args


@dataclass(eq=False)
class Band(Node):
    """The value of the band of a table that the argument falls in."""

    policy: str = ""
    table: str = ""
    arg: Node = None  # type: ignore[assignment]
    #: the band's label (text) instead of its value: a reported grade ("A" … "F")
    label: bool = False

    def kids(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(eq=False)
class Lookup(Node):
    """The entry of an enum-keyed table."""

    policy: str = ""
    table: str = ""
    key: Node = None  # type: ignore[assignment]

    def kids(self) -> tuple[Node, ...]:
        return (self.key,)


@dataclass(eq=False)
class RecAgg(Node):
    """count / exists / sum / max / min over an enterprise's records, optionally filtered."""

    func: str = "count"
    fact: str = ""
    field: str | None = None
    cond: Node | None = None

    def kids(self) -> tuple[Node, ...]:
        return (self.cond,) if self.cond is not None else ()


@dataclass(eq=False)
class RecField(Node):
    """A field of the record being filtered (inside ``where``)."""

    field: str = ""


@dataclass(eq=False)
class Review(Node):
    """A condition only a person can judge. ``key`` is where its decision is recorded.

    A yes/no review (``test`` None) is its recorded verdict. A scored review's ``test``
    compares the score (its parts read by :class:`ReviewScore`) with the pass mark: until a
    scored decision is recorded it needs review, then it is ``test`` (undetermined where a
    score it needs is missing)."""

    key: str = ""
    test: Node | None = None

    def kids(self) -> tuple[Node, ...]:
        return (self.test,) if self.test is not None else ()


@dataclass(eq=False)
class ReviewScore(Node):
    """A (sub-)score of a scored review's recorded decision; missing until given.
    ``lo``/``hi``: the range the policy declares for it (None: unbounded)."""

    key: str = ""
    part: str = "score"
    lo: Any = None
    hi: Any = None

    @property
    def need(self) -> str:
        """Its name among the missing facts: ``score:<policy/clause/condition>:<part>``."""
        return f"score:{self.key}:{self.part}"


def walk(n: Node) -> list[Node]:
    out = [n]
    for k in n.kids():
        out.extend(walk(k))
    return out


Need = tuple[str, int | None]  # (fact or "choice:<key>", fiscal year or None)


def needs(nodes: list[Node], fiscal_year: int, value_expr: Callable[[str], Node],
          on_records: Callable[[RecAgg], None] | None = None) -> list[Need]:
    """What facts (of which fiscal years) and declarations the expressions read, in order,
    through named values too; ``on_records`` is told of each filter over records."""
    out: list[Need] = []
    seen: set[str] = set()

    def visit(n: Node) -> None:
        if isinstance(n, RecAgg):
            out.append((n.fact, None))
            if on_records is not None:
                on_records(n)
        elif isinstance(n, Fact):
            out.append((n.fact, None))
        elif isinstance(n, YearFact):
            out.append((n.fact, fiscal_year + n.offset))
        elif isinstance(n, YearAgg):
            out.extend((n.fact, y) for y in range(fiscal_year + n.start, fiscal_year + n.end + 1))
        elif isinstance(n, Choice):
            out.append((f"choice:{n.key}", None))
        elif isinstance(n, ReviewScore):
            out.append((n.need, None))
        elif isinstance(n, ValueRef) and n.key not in seen:
            seen.add(n.key)
            visit(value_expr(n.key))
        for k in n.kids():
            visit(k)

    for n in nodes:
        visit(n)
    return list(dict.fromkeys(out))


def facts_used(n: Node) -> set[str]:
    """The facts an expression reads (not through named values)."""
    out: set[str] = set()
    for m in walk(n):
        if isinstance(m, Fact | YearFact | YearAgg | RecAgg):
            out.add(m.fact)
    return out
