"""What the missing facts cannot change: bounds reasoning (issue 11, item 6).

A condition that reads a missing fact is *undetermined* — unless no value the fact could
take would change its outcome. A score of 85 without its R&D points, which are 0 to 50, is
at least 85: ``score >= 60`` is met whatever the R&D expense is. This module decides such
conditions. It is used only where the exact evaluation gave *undetermined*, so it never
changes a decided outcome, and it decides only what every completion of the missing facts
decides (sound). The population engine (:mod:`huiqi.population.expr`) computes the same
bounds in SQL by the same rules, so that every engine decides the same conditions.

The rules. Each number gets a closed range ``[lo, hi]`` (``None`` for an unbounded end)
and a flag "may have no value" (a ratio over a denominator that may be 0, a value that may
fall outside every band). A value the enterprise gave is its own range. Otherwise:

* a missing fact: its catalogue range (``min``/``max``; unbounded where none is declared);
* ``a + b``, ``a - b``: the sums and differences of the ends;
* ``a * b``: when both are known not negative, the products of the ends; when one side is
  one known number, the other's ends scaled by it; otherwise unbounded;
* ``a / b``: when ``b`` is a number the enterprise gave and ``a`` is not itself a quotient,
  ``a``'s ends divided by it; otherwise unbounded and "may have no value";
* ``-a``: the ends swapped and negated; ``min``/``max``: the least / greatest ends;
* ``if c then a else b``: the branch ``c`` decides, or both ranges joined;
* ``band(t, x)``: the least and greatest value of the bands ``x``'s range meets ("may have
  no value" if the range leaves the bands); ``lookup(t, k)`` of a missing key: its entries;
* a (sub-)score missing from a recorded scored decision: the range the policy declares for
  that part (``min``/``max``; unbounded where none is declared), so the parts already
  scored decide the pass mark when no score of the missing one could change it;
* anything else missing: unbounded, "may have no value".

A value that has none for sure (a ratio over a revenue of 0, whatever the missing facts)
makes what is computed from it have none, and is left out when the branches of an ``if``
are joined: an undeclared choice whose one option gives no value is decided by the other.

A comparison of two numbers is then met when the ranges say so and neither may have no
value; not met when the ranges say it cannot hold (a value that does not exist does not
meet a comparison either). ``and``, ``or``, ``not`` and ``if`` combine the outcomes as
before, and so do exceptions and declared choices (an undeclared choice is an undetermined
``if``: both branches are joined). What the bounds decide is exact for these constructs when
each missing fact is read once; a fact read twice (``x - x``), dates, records and windows of
years are decided only as far as the rules above reach (sound, not complete).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from huiqi.facts import types as T
from huiqi.facts.catalogue import Catalogue
from huiqi.rules import ir
from huiqi.rules.model import BandSpec, Pack

from .values import MISSING, REVIEW, Undefined, add, div, is_number, mul, sub, t_and, t_not, t_or
from .values import truth as truth_of

Concrete = Callable[[ir.Node], Any]


@dataclass(frozen=True)
class Rng:
    """The values a number can take: ``[lo, hi]`` (None: unbounded), whether it may have no
    value at all (``mu``), and whether it has none for sure (``empty``: a ratio over zero,
    whatever the missing facts are)."""

    lo: Any
    hi: Any
    mu: bool
    empty: bool = False

    @property
    def point(self) -> bool:
        return self.lo is not None and self.hi is not None and self.lo == self.hi and not self.mu


ANY = Rng(None, None, True)
NONE = Rng(None, None, True, True)


def fact_range(cat: Catalogue, fact: str) -> tuple[Decimal | None, Decimal | None]:
    f = cat.facts.get(fact)
    if f is None:
        return None, None
    return f.min, f.max


def quotient(n: ir.Node, value_expr: Callable[[str], ir.Node]) -> bool:
    """Whether a number is computed as a quotient (numerator and denominator): decided by
    the expression alone, as the SQL compiler decides it."""
    if isinstance(n, ir.Arith):
        if n.op == "/":
            return True
        if n.left.type.kind is T.Kind.DATE:
            return False
        return quotient(n.left, value_expr) or quotient(n.right, value_expr)
    if isinstance(n, ir.Neg):
        return quotient(n.operand, value_expr)
    if isinstance(n, ir.YearAgg):
        return n.func == "avg"
    if isinstance(n, ir.IfElse):
        return quotient(n.then, value_expr) or quotient(n.orelse, value_expr)
    if isinstance(n, ir.Func):
        if n.name in ("min", "max"):
            return any(quotient(a, value_expr) for a in n.args)
        if n.name == "abs":
            return quotient(n.args[0], value_expr)
        return False
    if isinstance(n, ir.ValueRef):
        return quotient(value_expr(n.key), value_expr)
    return False


def band_span(bands: list[BandSpec]) -> tuple[Any, bool, Any, bool]:
    """The lowest and highest end of a table's bands (the checker refuses gaps between)."""
    lows = [b for b in bands if b.lo is None]
    highs = [b for b in bands if b.hi is None]
    lo = None if lows else min(bands, key=lambda b: b.lo)  # type: ignore[arg-type,return-value]
    hi = None if highs else max(bands, key=lambda b: b.hi)  # type: ignore[arg-type,return-value]
    return (None if lo is None else lo.lo, True if lo is None else lo.lo_inclusive,
            None if hi is None else hi.hi, True if hi is None else hi.hi_inclusive)


def meets(b: BandSpec, lo: Any, hi: Any) -> bool:
    """Does the band meet the closed range [lo, hi]?"""
    if b.hi is not None and lo is not None and (lo > b.hi or (lo == b.hi and not b.hi_inclusive)):
        return False
    return not (b.lo is not None and hi is not None
                and (hi < b.lo or (hi == b.lo and not b.lo_inclusive)))


def within(span: tuple[Any, bool, Any, bool], lo: Any, hi: Any) -> bool:
    slo, slo_inc, shi, shi_inc = span
    if slo is not None and (lo is None or lo < slo or (lo == slo and not slo_inc)):
        return False
    return not (shi is not None and (hi is None or hi > shi or (hi == shi and not shi_inc)))


def decide_cmp(op: str, a: Rng, b: Rng) -> Any:
    """The outcome of ``a op b`` from the ranges: True, False or MISSING."""
    if a.empty or b.empty:
        return False
    mu = a.mu or b.mu
    below = a.hi is not None and b.lo is not None and a.hi < b.lo  # a < b for sure
    above = a.lo is not None and b.hi is not None and a.lo > b.hi  # a > b for sure
    at_most = a.hi is not None and b.lo is not None and a.hi <= b.lo  # a <= b
    at_least = a.lo is not None and b.hi is not None and a.lo >= b.hi  # a >= b
    equal = at_most and at_least
    if op == ">=":
        yes, no = at_least, below
    elif op == ">":
        yes, no = above, at_most
    elif op == "<=":
        yes, no = at_most, above
    elif op == "<":
        yes, no = below, at_least
    elif op == "==":
        yes, no = equal, below or above
    else:
        yes, no = below or above, equal
    if no:
        return False
    if yes and not mu:
        return True
    return MISSING


def join(a: Rng, b: Rng) -> Rng:
    if a.empty:
        return Rng(b.lo, b.hi, True, b.empty)
    if b.empty:
        return Rng(a.lo, a.hi, True)
    lo = None if a.lo is None or b.lo is None else min(a.lo, b.lo)
    hi = None if a.hi is None or b.hi is None else max(a.hi, b.hi)
    return Rng(lo, hi, a.mu or b.mu)


def _add(x: Any, y: Any) -> Any:
    return None if x is None or y is None else add(x, y)


def _sub(x: Any, y: Any) -> Any:
    return None if x is None or y is None else sub(x, y)


def _mul(x: Any, y: Any) -> Any:
    return None if x is None or y is None else mul(x, y)


def times(a: Rng, b: Rng) -> Rng:
    """The range of a product: of bounded ranges, the least and greatest product of their
    ends; of ranges of known signs, the products of the right ends; of one known number
    and a range, that range scaled; otherwise unbounded."""
    if a.empty or b.empty:
        return NONE
    mu = a.mu or b.mu
    if None not in (a.lo, a.hi, b.lo, b.hi):
        ends = [mul(a.lo, b.lo), mul(a.lo, b.hi), mul(a.hi, b.lo), mul(a.hi, b.hi)]
        return Rng(_least(ends), _greatest(ends), mu)
    a_pos, b_pos = a.lo is not None and a.lo >= 0, b.lo is not None and b.lo >= 0
    a_neg, b_neg = a.hi is not None and a.hi <= 0, b.hi is not None and b.hi <= 0
    if a_pos and b_pos:
        return Rng(mul(a.lo, b.lo), _mul(a.hi, b.hi), mu)
    if a_pos and b_neg:
        return Rng(_mul(a.hi, b.lo), mul(a.lo, b.hi), mu)
    if a_neg and b_pos:
        return Rng(_mul(a.lo, b.hi), mul(a.hi, b.lo), mu)
    if a_neg and b_neg:
        return Rng(mul(a.hi, b.hi), _mul(a.lo, b.lo), mu)
    for c, r in ((a, b), (b, a)):
        if c.lo is not None and c.hi is not None and c.lo == c.hi:
            k = c.lo
            return Rng(_mul(k, r.lo), _mul(k, r.hi), mu) if k >= 0 else \
                Rng(_mul(k, r.hi), _mul(k, r.lo), mu)
    return Rng(None, None, mu)


class Bounds:
    """Bounds reasoning for one compiled pack; ``concrete(node)`` is a node's exact value
    for the enterprise being matched."""

    def __init__(self, pack: Pack, as_of: Any, value_expr: Callable[[str], ir.Node]) -> None:
        self.pack = pack
        self.as_of = as_of
        self.value_expr = value_expr
        self._quot: dict[int, bool] = {}
        self._decides: dict[int, bool] = {}

    def is_quotient(self, n: ir.Node) -> bool:
        q = self._quot.get(id(n))
        if q is None:
            q = self._quot[id(n)] = quotient(n, self.value_expr)
        return q

    def can_decide(self, n: ir.Node) -> bool:
        """Whether :meth:`truth` can ever decide node ``n`` where its exact value is missing:
        only through a comparison of numbers. Where it cannot, :meth:`truth` gives the exact
        value back (undetermined), so there is nothing to ask it."""
        d = self._decides.get(id(n))
        if d is None:
            d = self._decides[id(n)] = self._can_decide(n)
        return d

    def _can_decide(self, n: ir.Node) -> bool:
        if isinstance(n, ir.Cmp):
            return n.left.type.kind is T.Kind.NUM
        if isinstance(n, ir.IfElse) and n.type.kind is T.Kind.BOOL:
            return any(self.can_decide(k) for k in (n.cond, n.then, n.orelse))
        if isinstance(n, ir.ValueRef) and n.type.kind is T.Kind.BOOL:
            return self.can_decide(self.value_expr(n.key))
        if isinstance(n, ir.And | ir.Or | ir.Not):
            return any(self.can_decide(k) for k in n.kids())
        if isinstance(n, ir.Review) and n.test is not None:  # a score against its pass mark
            return self.can_decide(n.test)
        return False

    # ------------------------------------------------------------------ truth

    def truth(self, n: ir.Node, concrete: Concrete) -> Any:
        """The outcome of a condition, decided by bounds where its exact value is missing."""
        v = concrete(n)
        if v is not MISSING:
            return truth_of(v)
        if isinstance(n, ir.Cmp):
            if n.left.type.kind is not T.Kind.NUM:
                return MISSING
            return decide_cmp(n.op, self.rng(n.left, concrete), self.rng(n.right, concrete))
        if isinstance(n, ir.And):
            return t_and(self.truth(n.left, concrete), self.truth(n.right, concrete))
        if isinstance(n, ir.Or):
            return t_or(self.truth(n.left, concrete), self.truth(n.right, concrete))
        if isinstance(n, ir.Not):
            return t_not(self.truth(n.operand, concrete))
        if isinstance(n, ir.IfElse) and n.type.kind is T.Kind.BOOL:
            c = self.truth(n.cond, concrete)
            if c is True:
                return self.truth(n.then, concrete)
            if c is False:
                return self.truth(n.orelse, concrete)
            a, b = self.truth(n.then, concrete), self.truth(n.orelse, concrete)
            return a if a == b and a is not MISSING else c
        if isinstance(n, ir.ValueRef) and n.type.kind is T.Kind.BOOL:
            return self.truth(self.value_expr(n.key), concrete)
        if isinstance(n, ir.Review) and n.test is not None:
            # undetermined only once a scored decision is recorded (until then: review)
            return self.truth(n.test, concrete)
        return MISSING

    # ------------------------------------------------------------------ numbers

    def rng(self, n: ir.Node, concrete: Concrete) -> Rng:
        """The range of a number (an exact value is its own range)."""
        v = concrete(n)
        if v is not MISSING and v is not REVIEW:
            if isinstance(v, Undefined):
                return NONE
            if is_number(v):
                return Rng(v, v, False)
            return ANY
        if isinstance(n, ir.Fact | ir.YearFact):
            lo, hi = fact_range(self.pack.catalogue, n.fact)
            return Rng(lo, hi, False)
        if isinstance(n, ir.ReviewScore):
            return Rng(n.lo, n.hi, False)
        if isinstance(n, ir.ValueRef):
            return self.rng(self.value_expr(n.key), concrete)
        if isinstance(n, ir.Neg):
            r = self.rng(n.operand, concrete)
            return Rng(None if r.hi is None else -r.hi, None if r.lo is None else -r.lo, r.mu,
                       r.empty)
        if isinstance(n, ir.Arith) and n.left.type.kind is T.Kind.NUM:
            return self._arith(n, concrete)
        if isinstance(n, ir.Func) and n.name in ("min", "max") and n.type.kind is T.Kind.NUM:
            rs = [self.rng(a, concrete) for a in n.args]
            out = rs[0]
            for r in rs[1:]:
                out = _pick(out, r, n.name)
            return out
        if isinstance(n, ir.IfElse) and n.type.kind is T.Kind.NUM:
            return self._if_else(n, concrete)
        if isinstance(n, ir.Band):
            return self._band(n, concrete)
        if isinstance(n, ir.Lookup):
            return self._lookup(n)
        return ANY

    def _arith(self, n: ir.Arith, concrete: Concrete) -> Rng:
        """The range of a sum, difference, product or quotient of numbers."""
        if n.op == "/":
            return self._quotient(n, concrete)
        a, b = self.rng(n.left, concrete), self.rng(n.right, concrete)
        if a.empty or b.empty:
            return NONE
        if n.op == "+":
            return Rng(_add(a.lo, b.lo), _add(a.hi, b.hi), a.mu or b.mu)
        if n.op == "-":
            return Rng(_sub(a.lo, b.hi), _sub(a.hi, b.lo), a.mu or b.mu)
        return times(a, b)

    def _if_else(self, n: ir.IfElse, concrete: Concrete) -> Rng:
        """The branch taken when the condition is known, else both branches joined."""
        c = self.truth(n.cond, concrete)
        if c is True:
            return self.rng(n.then, concrete)
        if c is False:
            return self.rng(n.orelse, concrete)
        return join(self.rng(n.then, concrete), self.rng(n.orelse, concrete))

    def _lookup(self, n: ir.Lookup) -> Rng:
        """From the smallest to the largest value of the table (its default included)."""
        pol = self.pack.policy(n.policy)
        assert pol is not None
        table = pol.tables[n.table]
        vals = [*table.entries.values(), *([table.default] if table.default is not None
                                           else [])]
        if not vals:
            return ANY
        return Rng(min(vals), max(vals), table.default is None)

    def _quotient(self, n: ir.Arith, concrete: Concrete) -> Rng:
        if self.is_quotient(n.left) or self.is_quotient(n.right):
            return ANY
        a = self.rng(n.left, concrete)
        if a.empty:
            return NONE
        b = concrete(n.right)
        if not is_number(b) or b == 0:
            return ANY
        lo = None if a.lo is None else div(a.lo, b)
        hi = None if a.hi is None else div(a.hi, b)
        return Rng(lo, hi, a.mu) if b > 0 else Rng(hi, lo, a.mu)

    def _band(self, n: ir.Band, concrete: Concrete) -> Rng:
        pol = self.pack.policy(n.policy)
        assert pol is not None
        bands = pol.tables[n.table].bands_at(self.as_of)
        r = self.rng(n.arg, concrete)
        hit = [b.value for b in bands if meets(b, r.lo, r.hi)]
        if r.empty or not hit:
            return NONE
        return Rng(min(hit), max(hit), r.mu or not within(band_span(bands), r.lo, r.hi))


def _least(xs: list[Any]) -> Any:
    out = xs[0]
    for x in xs[1:]:
        out = out if out <= x else x
    return out


def _greatest(xs: list[Any]) -> Any:
    out = xs[0]
    for x in xs[1:]:
        out = out if out >= x else x
    return out


def _pick(a: Rng, b: Rng, which: str) -> Rng:
    if a.empty or b.empty:
        return NONE
    if which == "min":
        lo = None if a.lo is None or b.lo is None else min(a.lo, b.lo)
        hi = b.hi if a.hi is None else a.hi if b.hi is None else min(a.hi, b.hi)
    else:
        lo = b.lo if a.lo is None else a.lo if b.lo is None else max(a.lo, b.lo)
        hi = None if a.hi is None or b.hi is None else max(a.hi, b.hi)
    return Rng(lo, hi, a.mu or b.mu)
