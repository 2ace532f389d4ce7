"""The straight-line path: statuses, amounts, failed conditions, gaps, missing facts and
reviews of one enterprise, with nothing recorded that only an explanation reads.

    results = matcher.decide(enterprise)     # a MatchResult, as matcher.match gives

One generated function (:mod:`huiqi.engine.codegen`) per compiled pack computes every
clause's top-level conditions in a row, with local variables, and records only what the
outputs need: each condition's outcome, and the two sides of a comparison whose gap may be
asked (numbers and dates). A condition written the same way in several clauses (the zone
of a park's policies) is computed once. A clause that is plainly not met (each of its
conditions met or not met) gets its result on the spot, so does one not met with
conditions undetermined or waiting for a review (with its missing facts and reviews by the
matcher's own functions); any other is finished by the matcher's own code
(:meth:`Matcher.result`: the amount, the status, the missing facts).
A condition with exceptions or sub-conditions is computed by the matcher's own function
for it; where a fact is missing, the bounds decide as in the full path.

The full path (:meth:`Matcher.match`) stays the reference and the one explanations are
built from; a property test holds this one equal to it (tests/engine/test_straight.py).
An explanation of one clause is built on demand by :func:`huiqi.engine.explain.explain_clause`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from typing import Any

from huiqi.facts.enterprise import Enterprise
from huiqi.rules import ir
from huiqi.rules.model import ConditionSpec

from .codegen import Body, truth_valued
from .compile import Env
from .matcher import NEEDS_REVIEW, NO_GAP, NOT_ELIGIBLE, Matcher, _Clause, gap_of
from .result import ClauseResult
from .values import MISSING

PackFn = Callable[[Env, Enterprise], list[ClauseResult]]


class Straight:
    """The generated function of one matcher's clauses."""

    def __init__(self, matcher: Matcher) -> None:
        self.m = matcher
        gen = matcher.codegen
        with gen.lock:  # the code generator's state is shared (its keep, its sides)
            gen.ns.setdefault("CR", ClauseResult)
            gen.ns.setdefault("NOT_ELIGIBLE", NOT_ELIGIBLE)
            gen.ns.setdefault("NEEDS_REVIEW", NEEDS_REVIEW)
            fn = gen.body()
            fn.emit(1, "R = []")
            shared: dict[Any, str] = {}
            for c in matcher.clauses:
                self._clause(c, fn, shared)
            fn.emit(1, "return R")
            self.fn: PackFn = gen.build(fn, "env, e")

    def results(self, env: Env, e: Enterprise) -> list[ClauseResult]:
        """Every clause's result for one enterprise, before stacking."""
        return self.fn(env, e)

    # ------------------------------------------------------------------ generating

    def _clause(self, c: _Clause, fn: Body, shared: dict[Any, str]) -> None:
        gen = self.m.codegen
        k = gen.const
        fn.emit(1, "O = {}")
        fn.emit(1, "t = True")
        fn.emit(1, "sure = True")
        fn.emit(1, "failed = []")
        with_gaps = any(self.m._gap_plan(spec) is not None for spec, _ in c.conditions)
        if with_gaps:
            fn.emit(1, "gaps = []")  # of the failed conditions
        # each condition a leaf: the reviews it still needs are read off the outcomes
        flat = all(_leaf(spec) for spec, _ in c.conditions)
        reviewed = flat and any(spec.kind == "review" for spec, _ in c.conditions)
        if reviewed:
            fn.emit(1, "rv = []")
        for spec, cond in c.conditions:
            v = self._condition(spec, cond, fn, shared)
            if reviewed and spec.kind == "review":
                fn.emit(1, f"if {v} is REVIEW:")
                fn.emit(2, f"rv.append({k(spec.path)})")
            fn.emit(1, f"if {v} is False:")
            fn.emit(2, f"failed.append({k(spec)})")
            plan = self.m._gap_plan(spec)
            if plan is not None and _leaf(spec):  # a comparison: its sides are at hand
                assert spec.expr is not None
                a, b = gen.sides[id(spec.expr)]
                gap = partial(gap_of, spec.path, plan[0].op, plan[1])
                fn.emit(2, f"g = {k(gap)}({a}, {b})")
            elif plan is not None:  # with exceptions: the matcher's, from the slots
                fn.emit(2, f"g = {k(self.m._gap)}({k(spec)}, env)")
            if plan is not None:
                fn.emit(2, "if g is not None:")
                fn.emit(3, "gaps.append(g)")
            fn.emit(2, "t = False")
            fn.emit(1, f"elif {v} is not True:")  # see Matcher.result
            fn.emit(2, f"if {v} is MISSING or sure is True:")
            fn.emit(3, f"sure = {v}")
            fn.emit(2, "if t is not False:")
            fn.emit(3, f"t = {v} if t is True else (MISSING if MISSING in (t, {v}) else REVIEW)")
        # not met (no amount to compute): the result on the spot, with the missing facts
        # and reviews only where a condition is undetermined or needs review
        gaps = "tuple(gaps)" if with_gaps else "()"
        rv = "tuple(rv)" if reviewed else ("()" if flat else f"{k(self.m._reviews)}({k(c)}, O)")
        missing = f"{k(self.m._missing)}({k(c)}, O, e, False, env)"
        head = f"R.append(CR({k(c.key)}, {k(c.spec.policy)}, {k(c.spec.id)}, "
        tail = f"O, [], {k(c.window)}, None, S, None, {k(c.assumed)}))"
        ids = "tuple([x.id for x in failed])"
        fn.emit(1, "if t is False:")
        fn.emit(2, "if sure is True:")
        fn.emit(3, f"{head}NOT_ELIGIBLE, None, None, {ids}, {gaps}, (), (), {tail}")
        fn.emit(2, "else:")
        fn.emit(3, f"{head}NOT_ELIGIBLE, None, None, {ids}, {gaps}, "
                   f"({missing} if sure is MISSING else ()), {rv}, {tail}")
        if flat and not c.amount:  # only reviews undecided, no amount: the same on the spot
            fn.emit(1, "elif sure is REVIEW:")
            fn.emit(2, f"{head}NEEDS_REVIEW, None, None, {ids}, {gaps}, (), {rv}, {tail}")
        fn.emit(1, "else:")
        fn.emit(2, f"R.append({k(self.m.result)}({k(c)}, env, e, O, t, sure, failed, []))")

    def _condition(self, spec: ConditionSpec, cond: Any, fn: Body, shared: dict[Any, str]
                   ) -> str:
        """Write the code of one top-level condition; the variable holding its outcome."""
        gen = self.m.codegen
        k = gen.const
        if spec.kind in ("all", "any") and not spec.exceptions:
            # every sub-condition computed (each is reported), then combined
            kids = [self._condition(kid, None, fn, shared) for kid in spec.children]
            v = f"c{len(fn.lines)}"
            combine = "t_and" if spec.kind == "all" else "t_or"
            expr = "True" if spec.kind == "all" else "False"
            for kid in kids:
                expr = f"{combine}({expr}, {kid})"
            fn.emit(1, f"{v} = {expr}")
            fn.emit(1, f"O[{k(spec.path)}] = {v}")
            return v
        if not _leaf(spec):
            # exceptions: the matcher's function, which records its sub-conditions too
            v = f"c{len(fn.lines)}"
            fn.emit(1, f"{v} = {k(cond or self.m._condition(spec))}(env, O)")
            return v
        assert spec.expr is not None
        kept = self._kept(spec.expr)
        key = None if kept else _key(spec.expr)
        done = shared.get(key) if key is not None else None
        if done is not None:
            v = done
        else:
            gen.keep = kept
            gen.sides.clear()  # (so that a gap reads the sides written here)
            try:
                v = gen.expr(spec.expr, fn, 1)
            finally:
                gen.keep = None
            fixed = self._fixed(spec.expr)
            valued = truth_valued(spec.expr)  # no truth() to take of it
            if fixed is not MISSING:  # what the missing fact cannot change, known already
                fn.emit(1, f"if {v} is MISSING:")
                fn.emit(2, f"{v} = {k(fixed)}")
            elif _fact_and_constant(spec.expr) is None and \
                    self.m.bounds.can_decide(spec.expr):  # what the missing facts cannot change
                fn.emit(1, f"if {v} is MISSING:")
                fn.emit(2, f"{v} = {k(self._bounds(spec.expr))}(env)")
            if not valued:
                fn.emit(1, f"if {v} is not True and {v} is not False:")
                fn.emit(2, f"{v} = truth({v})")
            if key is not None:
                shared[key] = v
        fn.emit(1, f"O[{k(spec.path)}] = {v}")
        return v

    def _kept(self, n: ir.Node) -> set[int]:
        """The nodes whose values the outputs read: the sides of a comparison with a gap."""
        if isinstance(n, ir.Cmp) and n.op != "!=":
            return {id(side) for side in (n.left, n.right) if side.type.kind not in NO_GAP}
        return set()

    def _fixed(self, n: ir.Node) -> Any:
        """For a comparison of one fact with a constant: its outcome when the fact is missing,
        by the bounds (the same for every enterprise: the fact's range in the catalogue);
        MISSING for any other node, or where the bounds cannot decide it."""
        sides = _fact_and_constant(n)
        if sides is None:
            return MISSING
        _, const = sides
        value = self.m.compiler.compile(const)(Env({}, {}, {}, {}))
        return self.m.bounds.truth(n, lambda x: value if x is const else MISSING)

    def _bounds(self, node: ir.Node) -> Callable[[Env], Any]:
        truth_by_bounds = self.m.bounds.truth
        compile_ = self.m.compiler.compile

        def bounded(env: Env) -> Any:
            return truth_by_bounds(node, lambda n: compile_(n)(env))

        return bounded


def _fact_and_constant(n: ir.Node) -> tuple[ir.Node, ir.Node] | None:
    """(the fact, the constant) of a comparison of a number fact with a constant of the date
    — undetermined only where the fact is missing."""
    if not isinstance(n, ir.Cmp):
        return None
    facts, consts = (ir.Fact, ir.YearFact), (ir.Const, ir.Param)
    if isinstance(n.left, facts) and isinstance(n.right, consts):
        return n.left, n.right
    if isinstance(n.right, facts) and isinstance(n.left, consts):
        return n.right, n.left
    return None


def _leaf(spec: ConditionSpec) -> bool:
    """A condition that is one expression (or a review), with no exceptions."""
    return spec.kind in ("expr", "review") and not spec.exceptions


def _key(n: Any) -> Any:
    """What an expression is, whatever node objects hold it: two conditions with equal keys
    compute the same value for every enterprise. Values are told apart by type and repr, so
    two that merely compare equal (1 and True, 1 and 1.0) never share a key."""
    if isinstance(n, ir.Node):
        return (type(n).__name__, tuple((f.name, _key(getattr(n, f.name)))
                                        for f in dataclasses.fields(n) if f.name != "src"))
    if isinstance(n, list | tuple):
        return (type(n).__name__, tuple(_key(x) for x in n))
    return (type(n).__name__, repr(n))


__all__ = ["Straight"]
