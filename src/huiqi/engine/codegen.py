"""Straight-line Python for the common expression nodes, for speed.

The closure compiler (:mod:`huiqi.engine.compile`) defines the meaning; this module
turns an expression tree into one Python function whose body computes it with local
variables instead of a chain of closure calls, for the nodes that dominate real
policies (constants, facts, yearly facts, parameters, arithmetic, comparisons, and, or,
not, named values). Every other node is evaluated by its closure.

The generated source is built only from fixed templates and counters of this module:
every fact name, literal or other value that comes from a policy file reaches the
function through the constant table ``K`` (``K[3]``), never as text in the source, so
nothing a person wrote is ever compiled or executed. The closures remain the reference:
the YAML cases and the differential property tests run through this code.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from huiqi.facts import types as T
from huiqi.rules import ir

from .compile import Compiler, Env, Fn, _not_yet
from .values import (
    DIV_ZERO,
    EXACT,
    MISSING,
    REVIEW,
    Quot,
    Undefined,
    add,
    add_months,
    blocked,
    div,
    mul,
    sub,
    t_and,
    t_not,
    t_or,
    truth,
)

_CONST = re.compile(r"\bK\[(\d+)\]")
_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}
_GENERATED = (ir.Const, ir.AsOf, ir.Param, ir.Fact, ir.YearFact, ir.Arith, ir.Cmp, ir.And,
              ir.Or, ir.Not, ir.Neg, ir.ValueRef)


def truth_valued(n: ir.Node) -> bool:
    """Is node ``n``'s value always met, not met, undetermined or needs review (True, False,
    MISSING, REVIEW), so that ``truth()`` of it is itself?"""
    return isinstance(n, ir.Cmp | ir.And | ir.Or | ir.Not | ir.Member | ir.Review) or \
        (isinstance(n, ir.RecAgg) and n.func == "exists")


def _truth(n: ir.Node, v: str) -> str:
    """``truth(v)`` for the value ``v`` of node ``n`` (nothing to call where it is itself)."""
    return v if truth_valued(n) else f"truth({v})"


def _leanable(n: ir.Node) -> bool:
    """Can lean code compute node ``n`` (:meth:`CodeGen._lean`), each node below it too?"""
    if isinstance(n, ir.RecAgg):
        return n.func in ("exists", "count") and (n.cond is None or _in_filter(n.cond))
    if isinstance(n, ir.Func):
        return n.name == "year_of"
    if isinstance(n, ir.Review):
        return n.test is None
    return isinstance(n, ir.Member | ir.RecField | ir.DateShift)


def _in_filter(n: ir.Node) -> bool:
    """Can a record's filter be written out: every node of it generated or lean?"""
    if isinstance(n, ir.RecAgg) or not (isinstance(n, _GENERATED) or _leanable(n)) or \
            isinstance(n, ir.ValueRef):
        return False
    return all(_in_filter(k) for k in n.kids())


class Body:
    """One generated function being written."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)


class CodeGen:
    """Generates functions for the nodes of one compiled pack."""

    def __init__(self, compiler: Compiler) -> None:
        self.c = compiler
        self.K: list[Any] = []
        self._k: dict[int, int] = {}
        self.ns: dict[str, Any] = {
            "K": self.K, "MISSING": MISSING, "REVIEW": REVIEW, "Undefined": Undefined, "D": Decimal, "Q": Quot,
            "ADD": EXACT.add, "SUB": EXACT.subtract, "MUL": EXACT.multiply, "add": add,
            "sub": sub, "mul": mul, "div": div, "blocked": blocked, "DIV_ZERO": DIV_ZERO,
            "t_and": t_and, "t_or": t_or, "t_not": t_not, "truth": truth, "date": dt.date,
            "timedelta": dt.timedelta, "add_months": add_months,
        }
        self._count = 0
        #: held while code is written (the state above is shared): a named value compiled
        #: on first use in one thread must not be written while lean code is in another
        self.lock = threading.RLock()
        #: the variables holding the two sides of each comparison written (for its gap)
        self.sides: dict[int, tuple[str, str]] = {}
        self._rec: str | None = None  # the variable of the record a filter reads
        #: while writing lean code (:mod:`huiqi.engine.straight`): the nodes whose values are
        #: still recorded in their slots (None: every node's, as the closures do)
        self.keep: set[int] | None = None

    def const(self, value: Any) -> str:
        key = id(value)
        i = self._k.get(key)
        if i is None or self.K[i] is not value:
            i = len(self.K)
            self.K.append(value)
            self._k[key] = i
        return f"K[{i}]"

    def function(self, node: ir.Node) -> Fn:
        """A function ``f(env)`` computing ``node`` (recording values as the closures do)."""
        if not isinstance(node, _GENERATED) or isinstance(node, ir.Const | ir.AsOf | ir.Param):
            return self.c.compile(node)
        with self.lock:
            keep, self.keep = self.keep, None  # a named value met in lean code records all
            try:
                fn = self.body()
                out = self.expr(node, fn, 1)
                fn.emit(1, f"return {out}")
                made: Fn = self.build(fn, "env")
                return made
            finally:
                self.keep = keep

    def body(self) -> Body:
        """A function body that starts by reading what an enterprise's ``env`` holds."""
        fn = Body()
        fn.emit(1, "S = env.slots")
        fn.emit(1, "F = env.facts")
        fn.emit(1, "Y = env.years")
        fn.emit(1, "reg = env.reg_year")
        return fn

    def build(self, fn: Body, params: str) -> Callable[..., Any]:
        """Compile a written body into a function of ``params`` (fixed names of this package)."""
        self._count += 1
        name = f"_generated_{self._count}"
        # each constant the body reads, K[i], becomes a variable k<i> of an enclosing
        # function: a closure's cell is read faster than an item of a global list
        body = "\n".join("    " + line for line in fn.lines)
        used = sorted({int(i) for i in _CONST.findall(body)})
        body = _CONST.sub(r"k\1", body)
        cells = "".join(f"    k{i} = K[{i}]\n" for i in used)
        src = (f"def _make():\n{cells}    def {name}({params}):\n{body}\n"
               f"    return {name}\n")
        code = compile(src, f"<huiqi generated {self._count}>", "exec")
        exec(code, self.ns)  # our own template output, see the module docstring
        made: Callable[..., Any] = self.ns.pop("_make")()
        return made

    def expr(self, n: ir.Node, fn: Body, d: int) -> str:
        """Write the code computing ``n`` into ``fn`` at depth ``d``; the variable holding it."""
        return self._node(n, fn, d)

    # ------------------------------------------------------------------ nodes

    def _store(self, fn: Body, d: int, n: ir.Node, i: int, v: str) -> None:
        """Record the value of node ``n`` in its slot, unless lean code leaves it out."""
        if self.keep is None or id(n) in self.keep:
            fn.emit(d, f"S[{i}] = {v}")

    def _slot(self, node: ir.Node) -> int:
        i = self.c.slot_of(node)
        if i is None:
            i = self.c._slot(node)
        return i

    def _node(self, n: ir.Node, fn: Body, d: int) -> str:
        if isinstance(n, ir.Const | ir.AsOf | ir.Param):
            value = self.c.compile(n)(Env({}, {}, {}, {}))  # a constant at this date
            return self.const(value)
        if self.keep is not None and _leanable(n):
            return self._lean(n, fn, d)
        if not isinstance(n, _GENERATED):
            closure = self.c.compile(n)
            v = fn.var()
            fn.emit(d, f"{v} = {self.const(closure)}(env)")
            return v
        if isinstance(n, ir.Fact):
            i = self._slot(n)
            v = fn.var()
            fn.emit(d, f"{v} = F.get({self.const(n.fact)})")
            fn.emit(d, f"if {v} is None:")
            fn.emit(d + 1, f"{v} = MISSING")
            self._store(fn, d, n, i, v)
            return v
        if isinstance(n, ir.YearFact):
            i = self._slot(n)
            year = self.c.fy + n.offset
            v = fn.var()
            fn.emit(d, f"if reg is not None and {int(year)} < reg:")
            fn.emit(d + 1, f"{v} = {self.const(_not_yet(year))}")
            fn.emit(d, "else:")
            fn.emit(d + 1, f"{v} = Y.get({int(year)})")
            fn.emit(d + 1, f"{v} = {v}.get({self.const(n.fact)}) if {v} is not None else None")
            fn.emit(d + 1, f"if {v} is None:")
            fn.emit(d + 2, f"{v} = MISSING")
            self._store(fn, d, n, i, v)
            return v
        if isinstance(n, ir.ValueRef):
            i = self._slot(n)
            inner = self.c.value_fn(n.key)
            v = fn.var()
            fn.emit(d, f"{v} = {self.const(inner)}(env)")
            self._store(fn, d, n, i, v)
            return v
        if isinstance(n, ir.Neg):
            i = self._slot(n)
            a = self._node(n.operand, fn, d)
            v = fn.var()
            fn.emit(d, f"{v} = -{a} if type({a}) in (D, int, Q) else {a}")
            self._store(fn, d, n, i, v)
            return v
        if isinstance(n, ir.Arith):
            return self._arith(n, fn, d)
        if isinstance(n, ir.Cmp):
            i = self._slot(n)
            a = self._node(n.left, fn, d)
            b = self._node(n.right, fn, d)
            self.sides[id(n)] = (a, b)
            v = fn.var()
            op = _OPS[n.op]
            fn.emit(d, f"if {a} is MISSING or {b} is MISSING:")
            fn.emit(d + 1, f"{v} = False if (type({a}) is Undefined or type({b}) is Undefined) "
                           f"else MISSING")
            fn.emit(d, f"elif type({a}) is Undefined or type({b}) is Undefined:")
            fn.emit(d + 1, f"{v} = False")
            fn.emit(d, "else:")
            fn.emit(d + 1, f"{v} = {a} {op} {b}")
            self._store(fn, d, n, i, v)
            return v
        if isinstance(n, ir.Not):
            i = self._slot(n)
            a = self._node(n.operand, fn, d)
            v = fn.var()
            fn.emit(d, f"{v} = t_not({_truth(n.operand, a)})")
            self._store(fn, d, n, i, v)
            return v
        # and / or, short-circuit as the closures do
        assert isinstance(n, ir.And | ir.Or)
        i = self._slot(n)
        a = self._node(n.left, fn, d)
        v = fn.var()
        fn.emit(d, f"{v} = {_truth(n.left, a)}")
        stop = "False" if isinstance(n, ir.And) else "True"
        fn.emit(d, f"if {v} is not {stop}:")
        b = self._node(n.right, fn, d + 1)
        combine = "t_and" if isinstance(n, ir.And) else "t_or"
        fn.emit(d + 1, f"{v} = {combine}({v}, {_truth(n.right, b)})")
        self._store(fn, d, n, i, v)
        return v

    # ------------------------------------------------------------------ lean code only

    def _lean(self, n: ir.Node, fn: Body, d: int) -> str:
        """Records, their fields, membership and year_of, written out in lean code (which
        records no value in their slots, so that a filter may stop at the first record it
        finds); the closures compute them otherwise."""
        v = fn.var()
        if isinstance(n, ir.RecField):
            assert self._rec is not None
            fn.emit(d, f"{v} = {self._rec}.get({self.const(n.field)})")
            fn.emit(d, f"if {v} is None:")
            fn.emit(d + 1, f"{v} = MISSING")
        elif isinstance(n, ir.Func):  # year_of
            a = self._node(n.args[0], fn, d)
            fn.emit(d, f"{v} = D({a}.year) if isinstance({a}, date) else {a}")
        elif isinstance(n, ir.Member):
            a = self._node(n.item, fn, d)
            c = self._node(n.collection, fn, d)
            fn.emit(d, f"if {a} is MISSING or {c} is MISSING:")
            fn.emit(d + 1, f"{v} = MISSING")
            fn.emit(d, f"elif type({a}) is Undefined or type({c}) is Undefined:")
            fn.emit(d + 1, f"{v} = False")
            fn.emit(d, "else:")
            fn.emit(d + 1, f"{v} = {a} {'not in' if n.negated else 'in'} {c}")
        elif isinstance(n, ir.DateShift):
            a = self._node(n.date, fn, d)
            b = self._node(n.amount, fn, d)
            sign = 1 if n.op == "+" else -1
            fn.emit(d, f"if not isinstance({a}, date) or type({b}) not in (D, int, Q):")
            fn.emit(d + 1, f"{v} = blocked({a}, {b})")
            fn.emit(d, "else:")
            fn.emit(d + 1, f"{v} = add_months({a}, {sign} * int({b}))" if n.months else
                    f"{v} = {a} + timedelta(days={sign} * int({b}))")
        elif isinstance(n, ir.Review):  # a yes/no review: its recorded verdict
            fn.emit(d, f"{v} = env.reviews.get({self.const(n.key)})")
            fn.emit(d, f"if {v} is not True and {v} is not False:")
            fn.emit(d + 1, f"{v} = REVIEW")
        else:
            assert isinstance(n, ir.RecAgg)
            self._records(n, v, fn, d)
        self._store(fn, d, n, self._slot(n), v)  # a side of a comparison with a gap
        return v

    def _records(self, n: ir.RecAgg, v: str, fn: Body, d: int) -> None:
        """exists(records where …) and count(records where …), as the closure computes them."""
        recs, rec, unsure, found = fn.var(), fn.var(), fn.var(), fn.var()
        fn.emit(d, f"{recs} = F.get({self.const(n.fact)})")
        fn.emit(d, f"if {recs} is None:")
        fn.emit(d + 1, f"{v} = MISSING")
        fn.emit(d, "else:")
        fn.emit(d + 1, f"{unsure} = False")
        fn.emit(d + 1, f"{found} = 0")
        fn.emit(d + 1, f"for {rec} in {recs}:")
        if n.cond is None:
            fn.emit(d + 2, f"{found} += 1")
        else:
            outer, self._rec = self._rec, rec
            try:
                t = self._node(n.cond, fn, d + 2)
            finally:
                self._rec = outer
            if _truth(n.cond, t) != t:
                fn.emit(d + 2, f"{t} = truth({t})")
            fn.emit(d + 2, f"if {t} is True:")
            fn.emit(d + 3, f"{found} += 1")
            if n.func == "exists":
                fn.emit(d + 3, "break")  # one is enough
            fn.emit(d + 2, f"elif {t} is not False:")
            fn.emit(d + 3, f"{unsure} = True")
        if n.func == "exists":
            fn.emit(d + 1, f"{v} = True if {found} else (MISSING if {unsure} else False)")
        else:
            fn.emit(d + 1, f"{v} = MISSING if {unsure} else D({found})")

    def _arith(self, n: ir.Arith, fn: Body, d: int) -> str:
        i = self._slot(n)
        a = self._node(n.left, fn, d)
        b = self._node(n.right, fn, d)
        v = fn.var()
        if n.op == "-" and n.left.type.kind is T.Kind.DATE:
            fn.emit(d, f"if type({a}) is date and type({b}) is date:")
            fn.emit(d + 1, f"{v} = ({a} - {b}).days")
            fn.emit(d, "else:")
            fn.emit(d + 1, f"{v} = blocked({a}, {b})")
            self._store(fn, d, n, i, v)
            return v
        fast = {"+": "ADD", "-": "SUB", "*": "MUL"}.get(n.op)
        slow = {"+": "add", "-": "sub", "*": "mul", "/": "div"}[n.op]
        if n.op == "/":
            fn.emit(d, f"if type({b}) in (D, int, Q) and {b} == 0 and type({a}) is not Undefined:")
            fn.emit(d + 1, f"{v} = DIV_ZERO")
            fn.emit(d, f"elif type({a}) in (D, int, Q) and type({b}) in (D, int, Q):")
            fn.emit(d + 1, f"{v} = div({a}, {b})")
        else:
            fn.emit(d, f"if type({a}) is D and type({b}) is D:")
            fn.emit(d + 1, f"{v} = {fast}({a}, {b})")
            fn.emit(d, f"elif type({a}) in (D, int, Q) and type({b}) in (D, int, Q):")
            fn.emit(d + 1, f"{v} = {slow}({a}, {b})")
        fn.emit(d, "else:")
        fn.emit(d + 1, f"{v} = blocked({a}, {b})")
        self._store(fn, d, n, i, v)
        return v


__all__ = ["Body", "CodeGen"]
