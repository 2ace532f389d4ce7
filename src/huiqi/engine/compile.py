"""Compile checked expressions into Python closures for one evaluation date.

Parameters, table versions and fiscal years are fixed by the date, so they are
resolved once here; evaluating an enterprise then only reads its facts. Each
node stores the value it produced in ``env.slots[node_index]`` so that the
explanation (every value the rules saw) can be built afterwards without
evaluating again.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from huiqi.rules import ir
from huiqi.rules.model import Pack, TableSpec
from huiqi.text import Text

from .values import (
    DIV_ZERO,
    MISSING,
    NO_BAND,
    NO_ENTRY,
    NO_RECORDS,
    REVIEW,
    Undefined,
    add,
    add_months,
    blocked,
    div,
    full_years,
    is_number,
    mul,
    sub,
    t_and,
    t_not,
    t_or,
    truth,
)

Fn = Callable[["Env"], Any]
_UNSET = object()


class Env:
    """What one evaluation of one enterprise reads and writes."""

    __slots__ = ("choices", "facts", "memo", "rec", "reg_year", "reviews", "slots", "years")

    def __init__(self, facts: dict[str, Any], years: dict[int, dict[str, Any]],
                 choices: dict[str, str], reviews: Mapping[str, Any]) -> None:
        self.facts = facts
        self.years = years
        self.choices = choices
        self.reviews = reviews
        d = facts.get("registration_date")
        self.reg_year: int | None = d.year if isinstance(d, dt.date) else None
        self.slots: dict[int, Any] = {}
        self.memo: dict[str, Any] = {}
        self.rec: dict[str, Any] = {}


def _not_yet(year: int) -> Undefined:
    return Undefined(Text(f"企业于{year}年尚未成立", f"the enterprise did not yet exist in {year}"))


def _too_young(n: int) -> Undefined:
    return Undefined(Text(f"企业成立不足{n}个会计年度", f"the enterprise is younger than {n} fiscal years"))


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


class Compiler:
    """Turns IR nodes into closures for one pack at one date.

    ``nodes[i]`` is the IR node whose value lands in ``env.slots[i]``.
    """

    def __init__(self, pack: Pack, as_of: dt.date) -> None:
        self.pack = pack
        self.as_of = as_of
        self.fy = as_of.year
        self.nodes: list[ir.Node] = []
        self.index: dict[int, int] = {}
        self.values: dict[str, Fn] = {}
        self._fns: dict[int, Fn] = {}
        # set by the matcher to a faster compiler of whole expressions (codegen)
        self.generate: Callable[[ir.Node], Fn] | None = None
        self._value_specs = pack.value_specs()

    def slot_of(self, n: ir.Node) -> int | None:
        return self.index.get(id(n))

    def _slot(self, n: ir.Node) -> int:
        i = self.index.get(id(n))
        if i is None:
            i = len(self.nodes)
            self.nodes.append(n)
            self.index[id(n)] = i
        return i

    def value_fn(self, key: str) -> Fn:
        fn = self.values.get(key)
        if fn is None:
            spec = self._value_specs[key]
            inner = (self.generate or self.compile)(spec.expr)
            memo_key = key

            def fn(env: Env, inner: Fn = inner, k: str = memo_key) -> Any:
                memo = env.memo
                v = memo.get(k, _UNSET)
                if v is _UNSET:
                    v = inner(env)
                    memo[k] = v
                return v

            self.values[key] = fn
        return fn

    def compile(self, n: ir.Node) -> Fn:
        """The closure of a node; compiling the same node again returns the same closure."""
        fn = self._fns.get(id(n))
        if fn is None:
            fn = self._fns[id(n)] = self._compile(n)
        return fn

    def _compile(self, n: ir.Node) -> Fn:
        """Dispatch on the node's kind: constants of the date need no slot; every other
        node records its value in a slot of its own (for the explanation)."""
        fixed = _FIXED.get(type(n))
        if fixed is not None:
            return fixed(self, n)
        i = self._slot(n)
        kind = _KINDS.get(type(n))
        if kind is None:  # pragma: no cover
            raise TypeError(type(n).__name__)
        return kind(self, n, i)

    # ------------------------------------------------------------------ simple nodes

    def _const(self, n: ir.Node) -> Fn:
        assert isinstance(n, ir.Const)
        value = n.value
        return lambda env: value

    def _as_of(self, n: ir.Node) -> Fn:
        as_of = self.as_of
        return lambda env: as_of

    def _param(self, n: ir.Node) -> Fn:
        assert isinstance(n, ir.Param)
        pol = self.pack.policy(n.policy)
        assert pol is not None
        pv = pol.params[n.name].at(self.as_of)
        pvalue: Any = Undefined(Text(f"参数{n.name}在该日期尚无取值",
                                     f"parameter {n.name} has no value on this date")) \
            if pv is None else pv
        return lambda env: pvalue

    def _fact(self, n: ir.Fact, i: int) -> Fn:
        fid = n.fact

        def fact(env: Env) -> Any:
            v = env.facts.get(fid)
            if v is None:
                v = MISSING
            env.slots[i] = v
            return v

        return fact

    def _value_ref(self, n: ir.ValueRef, i: int) -> Fn:
        vf = self.value_fn(n.key)

        def value_ref(env: Env) -> Any:
            v = vf(env)
            env.slots[i] = v
            return v

        return value_ref

    def _choice(self, n: ir.Choice, i: int) -> Fn:
        key = n.key

        def choice(env: Env) -> Any:
            v = env.choices.get(key)
            if v is None:
                v = MISSING
            env.slots[i] = v
            return v

        return choice

    def _rec_field(self, n: ir.RecField, i: int) -> Fn:
        fname = n.field

        def rec_field(env: Env) -> Any:
            v = env.rec.get(fname)
            return MISSING if v is None else v

        return rec_field

    def _neg(self, n: ir.Neg, i: int) -> Fn:
        f = self.compile(n.operand)

        def neg(env: Env) -> Any:
            v = f(env)
            r = -v if is_number(v) or type(v) is int else v
            env.slots[i] = r
            return r

        return neg

    def _member(self, n: ir.Member, i: int) -> Fn:
        fi = self.compile(n.item)
        fc = self.compile(n.collection)
        negated = n.negated

        def member(env: Env) -> Any:
            a = fi(env)
            c = fc(env)
            if a is MISSING or c is MISSING:
                r: Any = MISSING
            elif isinstance(a, Undefined) or isinstance(c, Undefined):
                r = False
            else:
                r = (a in c) != negated
            env.slots[i] = r
            return r

        return member

    def _and(self, n: ir.And, i: int) -> Fn:
        fl = self.compile(n.left)
        fr = self.compile(n.right)

        def and_(env: Env) -> Any:
            a = truth(fl(env))
            r = False if a is False else t_and(a, truth(fr(env)))
            env.slots[i] = r
            return r

        return and_

    def _or(self, n: ir.Or, i: int) -> Fn:
        fl = self.compile(n.left)
        fr = self.compile(n.right)

        def or_(env: Env) -> Any:
            a = truth(fl(env))
            r = True if a is True else t_or(a, truth(fr(env)))
            env.slots[i] = r
            return r

        return or_

    def _not(self, n: ir.Not, i: int) -> Fn:
        f = self.compile(n.operand)

        def not_(env: Env) -> Any:
            r = t_not(truth(f(env)))
            env.slots[i] = r
            return r

        return not_

    def _if(self, n: ir.IfElse, i: int) -> Fn:
        fc_ = self.compile(n.cond)
        ft = self.compile(n.then)
        fe = self.compile(n.orelse)

        def if_(env: Env) -> Any:
            c = truth(fc_(env))
            if c is True:
                r = ft(env)
            elif c is False:
                r = fe(env)
            else:
                a, b = ft(env), fe(env)
                r = a if (a == b and a is not MISSING and not isinstance(a, Undefined)) else c
            env.slots[i] = r
            return r

        return if_

    def _review_score(self, n: ir.ReviewScore, i: int) -> Fn:
        key, part = n.key, n.part

        def review_score(env: Env) -> Any:
            d = env.reviews.get(key)
            v = d.get(part) if isinstance(d, Mapping) else None
            r = MISSING if v is None else v
            env.slots[i] = r
            return r

        return review_score

    # ------------------------------------------------------------------ node kinds

    def _review(self, n: ir.Review, i: int) -> Fn:
        """A yes/no review is its recorded verdict; a scored review needs review until a
        scored decision is recorded, then compares its scores with the pass mark."""
        key = n.key
        if n.test is None:
            def review(env: Env) -> Any:
                d = env.reviews.get(key)
                r = d if d is True or d is False else REVIEW
                env.slots[i] = r
                return r

            return review
        test = self.compile(n.test)

        def scored(env: Env) -> Any:
            d = env.reviews.get(key)
            r = truth(test(env)) if isinstance(d, Mapping) else REVIEW
            env.slots[i] = r
            return r

        return scored

    def _year_fact(self, n: ir.YearFact, i: int) -> Fn:
        fid = n.fact
        year = self.fy + n.offset
        not_yet = _not_yet(year)

        def year_fact(env: Env) -> Any:
            reg = env.reg_year
            if reg is not None and year < reg:
                v: Any = not_yet
            else:
                row = env.years.get(year)
                v = row.get(fid) if row is not None else None
                if v is None:
                    v = MISSING
            env.slots[i] = v
            return v

        return year_fact

    def _year_agg(self, n: ir.YearAgg, i: int) -> Fn:
        fid = n.fact
        years = list(range(self.fy + n.start, self.fy + n.end + 1))
        func, younger = n.func, n.younger
        too_young = _too_young(len(years))

        def year_agg(env: Env) -> Any:
            reg = env.reg_year
            vals: list[Any] = []
            missing = False
            for y in years:
                if reg is not None and y < reg:
                    if younger == "ineligible":
                        env.slots[i] = too_young
                        return too_young
                    if younger == "zero":
                        vals.append(Decimal(0))
                    continue
                row = env.years.get(y)
                v = row.get(fid) if row is not None else None
                if v is None:
                    missing = True
                else:
                    vals.append(v)
            r: Any
            if missing:
                r = MISSING
            elif not vals:
                r = too_young
            elif func == "sum":
                r = vals[0]
                for v in vals[1:]:
                    r = add(r, v)
            elif func == "avg":
                total = vals[0]
                for v in vals[1:]:
                    total = add(total, v)
                r = div(total, Decimal(len(vals)))
            elif func == "min":
                r = min(vals)
            else:
                r = max(vals)
            env.slots[i] = r
            return r

        return year_agg

    def _arith(self, n: ir.Arith, i: int) -> Fn:
        fl = self.compile(n.left)
        fr = self.compile(n.right)
        op = n.op
        if op == "-" and n.left.type.kind.value == "date":
            def date_diff(env: Env) -> Any:
                a, b = fl(env), fr(env)
                r = (a - b).days if isinstance(a, dt.date) and isinstance(b, dt.date) \
                    else blocked(a, b)
                env.slots[i] = r
                return r

            return date_diff
        fn = {"+": add, "-": sub, "*": mul, "/": div}[op]
        if op == "/":
            def quotient(env: Env) -> Any:
                a, b = fl(env), fr(env)
                if is_number(b) and b == 0 and not isinstance(a, Undefined):
                    r: Any = DIV_ZERO  # x / 0 has no value, whatever x is
                else:
                    r = div(a, b) if is_number(a) and is_number(b) else blocked(a, b)
                env.slots[i] = r
                return r

            return quotient

        def arith(env: Env) -> Any:
            a, b = fl(env), fr(env)
            r = fn(a, b) if is_number(a) and is_number(b) else blocked(a, b)
            env.slots[i] = r
            return r

        return arith

    def _date_shift(self, n: ir.DateShift, i: int) -> Fn:
        fd = self.compile(n.date)
        fa = self.compile(n.amount)
        sign = 1 if n.op == "+" else -1
        months = n.months

        def date_shift(env: Env) -> Any:
            d, a = fd(env), fa(env)
            if not isinstance(d, dt.date) or not is_number(a):
                r = blocked(d, a)
            elif months:
                r = add_months(d, sign * int(a))
            else:
                r = d + dt.timedelta(days=sign * int(a))
            env.slots[i] = r
            return r

        return date_shift

    def _cmp(self, n: ir.Cmp, i: int) -> Fn:
        fl = self.compile(n.left)
        fr = self.compile(n.right)
        op = _CMP[n.op]

        def cmp(env: Env) -> Any:
            a, b = fl(env), fr(env)
            if a is MISSING or b is MISSING:
                r: Any = False if (isinstance(a, Undefined) or isinstance(b, Undefined)) \
                    else MISSING
            elif isinstance(a, Undefined) or isinstance(b, Undefined):
                r = False
            else:
                r = op(a, b)
            env.slots[i] = r
            return r

        return cmp

    def _func(self, n: ir.Func, i: int) -> Fn:
        fs = [self.compile(a) for a in n.args]
        name = n.name
        if name in ("min", "max"):
            pick = min if name == "min" else max

            def minmax(env: Env) -> Any:
                vals = [f(env) for f in fs]
                bad = [v for v in vals if v is MISSING or isinstance(v, Undefined)]
                r = pick(vals) if not bad else (
                    next((v for v in bad if isinstance(v, Undefined)), MISSING))
                env.slots[i] = r
                return r

            return minmax
        if name == "abs":
            f0 = fs[0]

            def abs_(env: Env) -> Any:
                v = f0(env)
                r = abs(v) if is_number(v) else v
                env.slots[i] = r
                return r

            return abs_
        if name == "floor":
            f0 = fs[0]

            def floor_(env: Env) -> Any:
                v = f0(env)
                r = Decimal(math.floor(v)) if is_number(v) else v
                env.slots[i] = r
                return r

            return floor_
        if name == "year_of":
            f0 = fs[0]

            def year_of(env: Env) -> Any:
                v = f0(env)
                r = Decimal(v.year) if isinstance(v, dt.date) else v
                env.slots[i] = r
                return r

            return year_of
        if name == "full_years":
            fa, fb = fs

            def full_years_(env: Env) -> Any:
                a, b = fa(env), fb(env)
                r = Decimal(full_years(a, b)) if isinstance(a, dt.date) and \
                    isinstance(b, dt.date) else blocked(a, b)
                env.slots[i] = r
                return r

            return full_years_
        if name == "known":
            f0 = fs[0]

            def known(env: Env) -> Any:
                r = f0(env) is not MISSING
                env.slots[i] = r
                return r

            return known
        raise TypeError(name)  # pragma: no cover

    def _table(self, policy: str, name: str) -> TableSpec:
        pol = self.pack.policy(policy)
        assert pol is not None
        return pol.tables[name]

    def _band(self, n: ir.Band, i: int) -> Fn:
        table = self._table(n.policy, n.table)
        bands = [(b.lo, b.lo_inclusive, b.hi, b.hi_inclusive,
                  (b.label.zh if b.label is not None else None) if n.label else b.value)
                 for b in table.bands_at(self.as_of)]
        fa = self.compile(n.arg)

        def band(env: Env) -> Any:
            x = fa(env)
            r: Any = NO_BAND
            if x is MISSING or isinstance(x, Undefined):
                r = x
            else:
                for lo, lo_inc, hi, hi_inc, value in bands:
                    if lo is not None and (x < lo or (not lo_inc and x == lo)):
                        continue
                    if hi is not None and (x > hi or (not hi_inc and x == hi)):
                        continue
                    r = value
                    break
            env.slots[i] = r
            return r

        return band

    def _lookup(self, n: ir.Lookup, i: int) -> Fn:
        table = self._table(n.policy, n.table)
        entries = dict(table.entries)
        default = table.default
        fk = self.compile(n.key)

        def lookup(env: Env) -> Any:
            k = fk(env)
            if k is MISSING or isinstance(k, Undefined):
                r = k
            else:
                r = entries.get(k, default)
                if r is None:
                    r = NO_ENTRY
            env.slots[i] = r
            return r

        return lookup

    def _rec_agg(self, n: ir.RecAgg, i: int) -> Fn:
        fid, func, fname = n.fact, n.func, n.field
        fc = self.compile(n.cond) if n.cond is not None else None

        def rec_agg(env: Env) -> Any:
            recs = env.facts.get(fid)
            r: Any
            if recs is None:
                r = MISSING
            else:
                chosen: list[dict[str, Any]] = []
                unsure = False
                saved = env.rec
                for rec in recs:
                    if fc is None:
                        chosen.append(rec)
                        continue
                    env.rec = rec
                    t = truth(fc(env))
                    if t is True:
                        chosen.append(rec)
                    elif t is not False:
                        unsure = True
                env.rec = saved
                if func == "exists":
                    r = True if chosen else (MISSING if unsure else False)
                elif unsure:
                    r = MISSING
                elif func == "count":
                    r = Decimal(len(chosen))
                else:
                    vals = [rec.get(fname) for rec in chosen]  # type: ignore[arg-type]
                    if any(v is None for v in vals):
                        r = MISSING
                    elif func == "sum":
                        r = Decimal(0)
                        for v in vals:
                            r = add(r, v)
                    elif not vals:
                        r = NO_RECORDS
                    else:
                        known = [v for v in vals if v is not None]
                        r = min(known) if func == "min" else max(known)
            env.slots[i] = r
            return r

        return rec_agg


#: nodes whose value is fixed by the date (no slot)
_FIXED: dict[type, Callable[[Compiler, Any], Fn]] = {
    ir.Const: Compiler._const, ir.AsOf: Compiler._as_of, ir.Param: Compiler._param,
}
#: every other kind of node, compiled with its slot
_KINDS: dict[type, Callable[[Compiler, Any, int], Fn]] = {
    ir.Fact: Compiler._fact, ir.YearFact: Compiler._year_fact, ir.YearAgg: Compiler._year_agg,
    ir.ValueRef: Compiler._value_ref, ir.Choice: Compiler._choice,
    ir.RecField: Compiler._rec_field, ir.Arith: Compiler._arith,
    ir.DateShift: Compiler._date_shift, ir.Neg: Compiler._neg, ir.Cmp: Compiler._cmp,
    ir.Member: Compiler._member, ir.And: Compiler._and, ir.Or: Compiler._or,
    ir.Not: Compiler._not, ir.IfElse: Compiler._if, ir.Func: Compiler._func,
    ir.Band: Compiler._band, ir.Lookup: Compiler._lookup, ir.RecAgg: Compiler._rec_agg,
    ir.Review: Compiler._review, ir.ReviewScore: Compiler._review_score,
}
