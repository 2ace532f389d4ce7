"""What the missing facts cannot change, in SQL (issue 11, item 6).

The rules of :mod:`huiqi.engine.bounds`, computed per row: each number has a range (two
exact numbers ``lo`` and ``hi``, a NULL end unbounded) and a flag "may have no value"; a
condition whose exact code is 2 (undetermined) is decided when the ranges say so. The
one-enterprise engine applies the same rules to the same values, and which rule applies
where is decided by the expression alone (:func:`huiqi.engine.bounds.quotient`), so the
engines decide the same conditions.

A range's ends are :class:`~huiqi.population.expr.V` numbers: a numerator and, for the
range of a quotient, a denominator (always positive, never NULL where the numerator is
not).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from huiqi.engine.bounds import band_span, quotient
from huiqi.facts import types as T
from huiqi.rules import ir

from .fold import FALSE_SQL, TRUE_SQL, and_, boolean, compare, is_null, literal, not_, null_test, or_

if TYPE_CHECKING:
    from .expr import ExprCompiler, V


@dataclass(frozen=True)
class R:
    lo: V
    hi: V
    mu: str  # SQL, never NULL: the number may have no value
    em: str = "FALSE"  # SQL, never NULL: it has none for sure


def _num(n: ir.Node) -> bool:
    return n.type.kind is T.Kind.NUM


class SqlBounds:
    """Ranges and decided conditions for one :class:`ExprCompiler`."""

    def __init__(self, ex: ExprCompiler) -> None:
        self.ex = ex
        self._rng: dict[int, R] = {}
        self._code: dict[int, str] = {}
        self._refinable: dict[int, bool] = {}

    # ------------------------------------------------------------------ helpers

    def _v(self, v: str, d: str | None, s: int, sd: int) -> V:
        from .expr import V, dec

        return V(dec(v, s), None if d is None else dec(d, sd), s=s, sd=sd)

    def _null(self) -> V:
        from .expr import V, dec

        return V(dec("NULL", 0), s=0)

    def _lit(self, d: Decimal | None) -> V:
        from .expr import lit_decimal

        return self._null() if d is None else lit_decimal(d)

    def _case(self, whens: list[tuple[str, V]], other: V) -> V:
        """One number chosen by conditions (numerators and denominators chosen alike); the
        conditions known when the query is built are decided here (:mod:`.fold`)."""
        kept: list[tuple[str, V]] = []
        for c, v in whens:
            if c == FALSE_SQL:
                continue
            if c == TRUE_SQL:
                other = v
                break
            kept.append((c, v))
        while kept and (kept[-1][1].v, kept[-1][1].d) == (other.v, other.d):
            kept.pop()   # the last choice is the default anyway
        whens = kept
        vs = [v for _, v in whens] + [other]
        s = max(v.s for v in vs)
        has_d = any(v.d is not None for v in vs)
        sd = max((v.sd for v in vs if v.d is not None), default=0)
        self.ex._check(s)
        from .expr import dec

        num = dec("(CASE " + " ".join(f"WHEN {c} THEN {dec(v.v, s)}" for c, v in whens) +
                  f" ELSE {dec(other.v, s)} END)", s) if whens else dec(other.v, s)
        if not has_d:
            return self._v(self.ex.bind_sql(num), None, s, 0)
        one = dec("1", sd)

        def den(v: V) -> str:
            return one if v.d is None else f"coalesce({dec(v.d, sd)}, {one})"

        d = dec("(CASE " + " ".join(f"WHEN {c} THEN {den(v)}" for c, v in whens) +
                f" ELSE {den(other)} END)", sd) if whens else dec(den(other), sd)
        return self._v(self.ex.bind_sql(num), self.ex.bind_sql(d), s, sd)

    @staticmethod
    def _value(a: V) -> Decimal | None:
        """The value of an end that is a literal (no denominator), else None."""
        return literal(a.v) if a.d is None else None

    def _cmp(self, a: V, op: str, b: V) -> str:
        """``a op b`` for two ends (FALSE where either is NULL: unbounded); decided here when
        both are literals."""
        if is_null(a.v) or is_null(b.v):
            return FALSE_SQL
        la, lb = self._value(a), self._value(b)
        if la is not None and lb is not None:
            return boolean(compare(la, op, lb))
        an, bn, _, _ = self.ex.common(a, b)
        # NULL exactly where an end is NULL (a denominator is never NULL where its numerator is not)
        return f"coalesce({an} {op} {bn}, FALSE)"

    def _arith(self, a: V, op: str, b: V) -> V:
        from .expr import V, _mul, dec, lit_decimal

        la, lb = self._value(a), self._value(b)
        if la is not None and lb is not None:
            return lit_decimal(la * lb if op == "*" else la + lb if op == "+" else la - lb)
        if is_null(a.v) or is_null(b.v):
            return self._null()
        if op == "*":
            s = a.s + b.s
            self.ex._check(s)
            return V(dec(f"({a.v} * {b.v})", s), _mul(a.d, b.d), s=s,
                     sd=(a.sd if a.d else 0) + (b.sd if b.d else 0))
        an, bn, d, s = self.ex.common(a, b)
        return V(dec(f"({an} {op} {bn})", s), d, s=s, sd=self.ex._dscale(a, b))

    def _neg(self, a: V) -> V:
        from .expr import V, lit_decimal

        la = self._value(a)
        if la is not None:
            return lit_decimal(-la)
        if is_null(a.v):
            return a
        return V(f"(-{a.v})", a.d, s=a.s, sd=a.sd)

    def _absent(self, a: V) -> str:
        """``a IS NULL`` for an end (unbounded), decided here for a literal."""
        if is_null(a.v):
            return TRUE_SQL
        return FALSE_SQL if self._value(a) is not None else f"{null_test(a.v)} IS NULL"

    def _nonneg(self, a: V) -> str:
        return self._sign(a, ">=")

    def _sign(self, a: V, op: str) -> str:
        """``a op 0`` for an end (FALSE where it is NULL: unbounded)."""
        la = self._value(a)
        if la is not None:
            return boolean(compare(la, op, Decimal(0)))
        if is_null(a.v):
            return FALSE_SQL
        return f"coalesce({a.v} {op} 0, FALSE)"

    # ------------------------------------------------------------------ conditions

    def refinable(self, n: ir.Node) -> bool:
        """Can bounds decide this condition where it is undetermined (a comparison of
        numbers under and / or / not / if)?"""
        hit = self._refinable.get(id(n))
        if hit is None:
            if isinstance(n, ir.Cmp):
                hit = _num(n.left)
            elif isinstance(n, ir.And | ir.Or):
                hit = self.refinable(n.left) or self.refinable(n.right)
            elif isinstance(n, ir.Not):
                hit = self.refinable(n.operand)
            elif isinstance(n, ir.IfElse) and n.type.kind is T.Kind.BOOL:
                hit = any(self.refinable(k) for k in n.kids())
            elif isinstance(n, ir.ValueRef) and n.type.kind is T.Kind.BOOL:
                hit = self.refinable(self.ex.values[n.key].expr)
            elif isinstance(n, ir.Review):  # a scored review: its test, once recorded
                hit = n.test is not None and self.refinable(n.test)
            else:
                hit = False
            self._refinable[id(n)] = hit
        return hit

    def code(self, n: ir.Node) -> str:
        """The truth code of a condition, decided by bounds where it is undetermined."""
        x = self.ex.compile(n)
        if not self.refinable(n):
            return x.v
        hit = self._code.get(id(n))
        if hit is not None:
            return hit
        from .expr import truth_and, truth_not, truth_or

        fixed = self._fixed(n)
        if fixed is not None:
            # a missing fact against a constant: the catalogue's range decides it or nothing does,
            # the same for every row — no range columns
            out = x.v if fixed == 2 else self.ex.bind_sql(f"(CASE WHEN {x.v} = 2 THEN {fixed} ELSE {x.v} END)")
            self._code[id(n)] = out
            return out
        if isinstance(n, ir.Cmp):
            refined = self._decide(n.op, self.rng(n.left), self.rng(n.right))
        elif isinstance(n, ir.And):
            refined = truth_and(self.code(n.left), self.code(n.right))
        elif isinstance(n, ir.Or):
            refined = truth_or(self.code(n.left), self.code(n.right))
        elif isinstance(n, ir.Not):
            refined = truth_not(self.code(n.operand))
        elif isinstance(n, ir.IfElse):
            c, t, e = self.code(n.cond), self.code(n.then), self.code(n.orelse)
            refined = (f"(CASE WHEN {c} = 1 THEN {t} WHEN {c} = 0 THEN {e} "
                       f"WHEN {t} = {e} AND {t} <> 2 THEN {t} ELSE {c} END)")
        elif isinstance(n, ir.Review):
            # its exact code is 2 only when a scored decision is recorded (else 3: review)
            assert n.test is not None
            refined = self.code(n.test)
        else:
            assert isinstance(n, ir.ValueRef)
            return self.code(self.ex.values[n.key].expr)
        if refined == "2" or (isinstance(n, ir.And | ir.Or | ir.Not | ir.IfElse) and all(
                self.code(k) == self.ex.compile(k).v for k in n.kids())):
            # nothing refined: the exact code is the answer (the same function of the same codes)
            out = x.v
        else:
            out = self.ex.bind_sql(f"(CASE WHEN {x.v} = 2 THEN {refined} ELSE {x.v} END)")
        self._code[id(n)] = out
        return out

    def point(self, n: ir.Node) -> Decimal | None:
        """The value of a constant number (a literal or a parameter in force), else None."""
        if isinstance(n, ir.Const) and _num(n) and n.value is not None:
            return Decimal(n.value)
        if isinstance(n, ir.Param) and _num(n):
            pol = self.ex.pack.policy(n.policy)
            value = None if pol is None else pol.params[n.name].at(self.ex.as_of)
            return None if value is None else Decimal(value)
        return None

    def _fixed(self, n: ir.Node) -> int | None:
        """For a comparison of one number fact with a constant, the code bounds give where the
        fact is missing (where its code is 2 the fact is missing, neither undefined nor
        present: its range is the catalogue's, the constant's a point): 0, 1 or 2 (undecided).
        None for any other condition."""
        if not isinstance(n, ir.Cmp) or not _num(n.left):
            return None
        sides: list[tuple[Decimal | None, Decimal | None, bool]] = []
        for side in (n.left, n.right):
            point = self.point(side)
            if point is not None:
                sides.append((point, point, False))
            elif isinstance(side, ir.Fact | ir.YearFact):
                f = self.ex.cat.facts[side.fact]
                sides.append((f.min, f.max, True))
            else:
                return None
        (alo, ahi, af), (blo, bhi, bf) = sides
        if af == bf:   # two facts, or two constants (then the code is never 2)
            return None

        def cmp(x: Decimal | None, op: str, y: Decimal | None) -> bool:
            if x is None or y is None:
                return False
            return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]

        below, above = cmp(ahi, "<", blo), cmp(alo, ">", bhi)
        at_most, at_least = cmp(ahi, "<=", blo), cmp(alo, ">=", bhi)
        equal = at_most and at_least
        yes, no = {
            ">=": (at_least, below), ">": (above, at_most), "<=": (at_most, above),
            "<": (below, at_least), "==": (equal, below or above),
            "!=": (below or above, equal)}[n.op]
        return 0 if no else 1 if yes else 2

    def _decide(self, op: str, a: R, b: R) -> str:
        below = self._cmp(a.hi, "<", b.lo)
        above = self._cmp(a.lo, ">", b.hi)
        at_most = self._cmp(a.hi, "<=", b.lo)
        at_least = self._cmp(a.lo, ">=", b.hi)
        equal = and_(at_most, at_least)
        yes, no = {
            ">=": (at_least, below), ">": (above, at_most), "<=": (at_most, above),
            "<": (below, at_least), "==": (equal, or_(below, above)),
            "!=": (or_(below, above), equal)}[op]
        zero = or_(a.em, b.em, no)
        one = and_(yes, not_(or_(a.mu, b.mu)))
        if zero == TRUE_SQL:
            return "0"
        whens = ([] if zero == FALSE_SQL else [f"WHEN {zero} THEN 0"]) + \
            ([] if one in (TRUE_SQL, FALSE_SQL) else [f"WHEN {one} THEN 1"])
        other = "1" if one == TRUE_SQL else "2"
        return f"(CASE {' '.join(whens)} ELSE {other} END)" if whens else other

    # ------------------------------------------------------------------ numbers

    def rng(self, n: ir.Node) -> R:
        hit = self._rng.get(id(n))
        if hit is None:
            hit = self._rng[id(n)] = self._rng_of(n)
        return hit

    def _any(self) -> R:
        return R(self._null(), self._null(), "TRUE")

    def _none(self) -> R:
        return R(self._null(), self._null(), "TRUE", "TRUE")

    def _or_none(self, r: R, *parts: R) -> R:
        """``r``, or no value where one of ``parts`` has none for sure."""
        em = or_(*(p.em for p in parts))
        if em == FALSE_SQL:
            return r
        if em == TRUE_SQL:
            return self._none()
        em = self.ex.bind_sql(em)
        return R(self._case([(em, self._null())], r.lo), self._case([(em, self._null())], r.hi),
                 or_(em, r.mu), em)

    def _rng_of(self, n: ir.Node) -> R:
        point = self.point(n)
        if point is not None:   # a constant: its value, known now (never missing nor undefined)
            lit = self._lit(point)
            return R(lit, lit, FALSE_SQL)
        x = self.ex.compile(n)
        k = self._missing(n)
        undef = FALSE_SQL if not x.u else x.u if self.ex.never_null(x.u) else f"coalesce({x.u}, FALSE)"
        absent = FALSE_SQL if x.nn else f"{null_test(x.v)} IS NULL"
        present = and_(not_(absent), not_(undef))
        from .expr import V, dec

        own = V(x.v, x.d, s=x.s, sd=x.sd)

        def end(other: V) -> V:
            if undef == FALSE_SQL and x.d is None and other.d is None:
                # the value where it is present, else the end of its range where missing
                if absent == FALSE_SQL or is_null(other.v):
                    return own
                s = max(x.s, other.s)
                return self._v(self.ex.bind_sql(dec(f"coalesce({dec(x.v, s)}, {dec(other.v, s)})", s)),
                               None, s, 0)
            return self._case([(undef, self._null()), (present, own)], other)

        # undefined: may have no value (and has none); present: has one; else as where missing
        mu = or_(undef, and_(absent, k.mu))
        em = or_(undef, and_(absent, k.em))
        return R(end(k.lo), end(k.hi), self.ex.bind_sql(mu), self.ex.bind_sql(em))

    def _missing(self, n: ir.Node) -> R:
        """The range of a number where its exact value is missing."""
        ex = self.ex
        if isinstance(n, ir.Fact | ir.YearFact) and _num(n):
            f = ex.cat.facts[n.fact]
            return R(self._lit(f.min), self._lit(f.max), "FALSE")
        if isinstance(n, ir.ReviewScore):  # a part missing from a recorded decision
            return R(self._lit(n.lo), self._lit(n.hi), "FALSE")
        if isinstance(n, ir.ValueRef):
            return self.rng(ex.values[n.key].expr)
        if isinstance(n, ir.Neg):
            r = self.rng(n.operand)
            return R(self._neg(r.hi), self._neg(r.lo), r.mu, r.em)
        if isinstance(n, ir.Arith) and _num(n.left):
            if n.op == "/":
                return self._quotient(n)
            a, b = self.rng(n.left), self.rng(n.right)
            mu = or_(a.mu, b.mu)
            if n.op == "+":
                out = R(self._arith(a.lo, "+", b.lo), self._arith(a.hi, "+", b.hi), mu)
            elif n.op == "-":
                out = R(self._arith(a.lo, "-", b.hi), self._arith(a.hi, "-", b.lo), mu)
            else:
                out = self._times(a, b, mu)
            return self._or_none(out, a, b)
        if isinstance(n, ir.Func) and n.name in ("min", "max") and _num(n):
            rs = [self.rng(a) for a in n.args]
            out = rs[0]
            for r in rs[1:]:
                out = self._or_none(self._pick(out, r, n.name), out, r)
            return out
        if isinstance(n, ir.IfElse) and _num(n):
            c = self.code(n.cond)
            t, e = self.rng(n.then), self.rng(n.orelse)
            j = self._join(t, e)
            return R(self._case([(f"{c} = 1", t.lo), (f"{c} = 0", e.lo)], j.lo),
                     self._case([(f"{c} = 1", t.hi), (f"{c} = 0", e.hi)], j.hi),
                     f"(CASE WHEN {c} = 1 THEN {t.mu} WHEN {c} = 0 THEN {e.mu} ELSE {j.mu} END)",
                     f"(CASE WHEN {c} = 1 THEN {t.em} WHEN {c} = 0 THEN {e.em} ELSE {j.em} END)")
        if isinstance(n, ir.Band):
            return self._band(n)
        if isinstance(n, ir.Lookup):
            pol = ex.pack.policy(n.policy)
            assert pol is not None
            table = pol.tables[n.table]
            vals = [*table.entries.values(), *([table.default] if table.default is not None
                                               else [])]
            if not vals:
                return self._any()
            return R(self._lit(min(vals)), self._lit(max(vals)),
                     "TRUE" if table.default is None else "FALSE")
        return self._any()

    def _least(self, xs: list[V]) -> V:
        out = xs[0]
        for x in xs[1:]:
            out = self._case([(self._cmp(out, "<=", x), out)], x)
        return out

    def _greatest(self, xs: list[V]) -> V:
        out = xs[0]
        for x in xs[1:]:
            out = self._case([(self._cmp(out, ">=", x), out)], x)
        return out

    def _times(self, a: R, b: R, mu: str) -> R:
        m = self._arith
        bounded = and_(*(FALSE_SQL if is_null(x.v) else f"{null_test(x.v)} IS NOT NULL"
                         for x in (a.lo, a.hi, b.lo, b.hi) if self._value(x) is None))
        ends = [m(a.lo, "*", b.lo), m(a.lo, "*", b.hi), m(a.hi, "*", b.lo), m(a.hi, "*", b.hi)]
        a_pos, b_pos = self._nonneg(a.lo), self._nonneg(b.lo)
        a_neg, b_neg = self._sign(a.hi, "<="), self._sign(b.hi, "<=")
        nonneg = and_(a_pos, b_pos)
        a_point = self._cmp(a.lo, "=", a.hi)
        b_point = self._cmp(b.lo, "=", b.hi)
        lo = self._case([(bounded, self._least(ends)), (nonneg, m(a.lo, "*", b.lo)),
                         (and_(a_pos, b_neg), m(a.hi, "*", b.lo)),
                         (and_(a_neg, b_pos), m(a.lo, "*", b.hi)),
                         (and_(a_neg, b_neg), m(a.hi, "*", b.hi)),
                         (a_point, self._case([(self._nonneg(a.lo), m(a.lo, "*", b.lo))],
                                              m(a.lo, "*", b.hi))),
                         (b_point, self._case([(self._nonneg(b.lo), m(b.lo, "*", a.lo))],
                                              m(b.lo, "*", a.hi)))], self._null())
        hi = self._case([(bounded, self._greatest(ends)), (nonneg, m(a.hi, "*", b.hi)),
                         (and_(a_pos, b_neg), m(a.lo, "*", b.hi)),
                         (and_(a_neg, b_pos), m(a.hi, "*", b.lo)),
                         (and_(a_neg, b_neg), m(a.lo, "*", b.lo)),
                         (a_point, self._case([(self._nonneg(a.lo), m(a.lo, "*", b.hi))],
                                              m(a.lo, "*", b.lo))),
                         (b_point, self._case([(self._nonneg(b.lo), m(b.lo, "*", a.hi))],
                                              m(b.lo, "*", a.lo)))], self._null())
        return R(lo, hi, mu)

    def _quotient(self, n: ir.Arith) -> R:
        values = self.ex.values
        if quotient(n.left, lambda k: values[k].expr) or \
                quotient(n.right, lambda k: values[k].expr):
            return self._any()
        b = self.ex.compile(n.right)
        undef = FALSE_SQL if not b.u else b.u if self.ex.never_null(b.u) else f"coalesce({b.u}, FALSE)"
        from .expr import V, dec, lit_decimal

        lb = literal(b.v) if b.d is None else None
        if lb is not None:   # a constant divisor: its sign and size known now
            ok = and_(not_(undef), boolean(lb != 0))
            den = lit_decimal(abs(lb)).v if lb != 0 else dec(f"abs({b.v})", b.s)
            pos = boolean(lb > 0)
        else:
            ok = and_(f"{null_test(b.v)} IS NOT NULL", not_(undef), f"{b.v} <> 0")
            den = dec(f"abs({b.v})", b.s)
            pos = f"{b.v} > 0"
        a = self.rng(n.left)

        def over(x: V) -> V:
            return x if is_null(x.v) else V(x.v, den, s=x.s, sd=b.s)

        lo = self._case([(not_(ok), self._null()), (pos, over(a.lo))], over(self._neg(a.hi)))
        hi = self._case([(not_(ok), self._null()), (pos, over(a.hi))], over(self._neg(a.lo)))
        mu = a.mu if ok == TRUE_SQL else TRUE_SQL if ok == FALSE_SQL else \
            f"(CASE WHEN {ok} THEN {a.mu} ELSE TRUE END)"
        return self._or_none(R(lo, hi, mu), a)

    def _join(self, a: R, b: R) -> R:
        lo = self._case([(a.em, b.lo), (b.em, a.lo),
                         (or_(self._absent(a.lo), self._absent(b.lo)), self._null()),
                         (self._cmp(a.lo, "<=", b.lo), a.lo)], b.lo)
        hi = self._case([(a.em, b.hi), (b.em, a.hi),
                         (or_(self._absent(a.hi), self._absent(b.hi)), self._null()),
                         (self._cmp(a.hi, ">=", b.hi), a.hi)], b.hi)
        return R(lo, hi, or_(a.mu, b.mu), and_(a.em, b.em))

    def _pick(self, a: R, b: R, which: str) -> R:
        mu = or_(a.mu, b.mu)
        if which == "min":
            lo = self._case([(or_(self._absent(a.lo), self._absent(b.lo)), self._null()),
                             (self._cmp(a.lo, "<=", b.lo), a.lo)], b.lo)
            hi = self._case([(self._absent(a.hi), b.hi), (self._absent(b.hi), a.hi),
                             (self._cmp(a.hi, "<=", b.hi), a.hi)], b.hi)
        else:
            lo = self._case([(self._absent(a.lo), b.lo), (self._absent(b.lo), a.lo),
                             (self._cmp(a.lo, ">=", b.lo), a.lo)], b.lo)
            hi = self._case([(or_(self._absent(a.hi), self._absent(b.hi)), self._null()),
                             (self._cmp(a.hi, ">=", b.hi), a.hi)], b.hi)
        return R(lo, hi, mu)

    def _band(self, n: ir.Band) -> R:
        ex = self.ex
        pol = ex.pack.policy(n.policy)
        assert pol is not None
        bands = pol.tables[n.table].bands_at(ex.as_of)
        r = self.rng(n.arg)
        meets: list[tuple[Decimal, str]] = []
        for b in bands:
            below = "FALSE" if b.hi is None else \
                self._cmp(r.lo, ">" if b.hi_inclusive else ">=", self._lit(b.hi))
            above = "FALSE" if b.lo is None else \
                self._cmp(r.hi, "<" if b.lo_inclusive else "<=", self._lit(b.lo))
            meets.append((b.value, and_(not_(below), not_(above))))
        if not meets:
            return self._none()
        up = sorted(meets, key=lambda m: m[0])
        lo = self._case([(c, self._lit(v)) for v, c in up], self._null())
        hi = self._case([(c, self._lit(v)) for v, c in reversed(up)], self._null())
        slo, slo_inc, shi, shi_inc = band_span(bands)
        inside = []
        if slo is not None:
            inside.append(self._cmp(r.lo, ">=" if slo_inc else ">", self._lit(slo)))
        if shi is not None:
            inside.append(self._cmp(r.hi, "<=" if shi_inc else "<", self._lit(shi)))
        hit_any = or_(*(c for _, c in meets))
        within = and_(*inside)
        none = ex.bind_sql(or_(r.em, not_(hit_any)))
        return R(self._case([(none, self._null())], lo), self._case([(none, self._null())], hi),
                 ex.bind_sql(or_(none, r.mu, not_(within))), none)
