"""The straight-line path: statuses, amounts, failed conditions, gaps, missing facts and
reviews of one enterprise, with nothing recorded that only an explanation reads.

    results = matcher.decide(enterprise)     # a MatchResult, as matcher.match gives

Per clause, one generated function (:mod:`huiqi.engine.codegen`) computes its top-level
conditions in a row, with local variables, and records only what the outputs need: each
condition's outcome, and the two sides of a comparison whose gap may be asked (numbers and
dates). What happens next is the matcher's own code (:meth:`Matcher.result`): the amount,
the status, the gaps, the missing facts, the stacking. A condition with exceptions or with
sub-conditions is computed by the matcher's own function for it; where a fact is missing,
the bounds decide as in the full path.

The full path (:meth:`Matcher.match`) stays the reference and the one explanations are
built from; a property test holds this one equal to it (tests/engine/test_straight.py).
An explanation of one clause is built on demand by :func:`huiqi.engine.explain.explain_clause`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huiqi.facts.enterprise import Enterprise
from huiqi.rules import ir
from huiqi.rules.model import ConditionSpec

from .compile import Env
from .matcher import NO_GAP, Matcher, _Clause
from .result import ClauseResult

#: (t, sure, indices of the failed top-level conditions) from (env, outcomes)
ClauseFn = Callable[[Env, dict[str, Any]], tuple[Any, bool, list[int]]]


class Straight:
    """The generated functions of one matcher's clauses."""

    def __init__(self, matcher: Matcher) -> None:
        self.m = matcher
        self.fns: list[tuple[_Clause, ClauseFn, list[ConditionSpec]]] = [
            (c, self._clause(c), [spec for spec, _ in c.conditions]) for c in matcher.clauses]

    def results(self, env: Env, e: Enterprise) -> list[ClauseResult]:
        """Every clause's result for one enterprise, before stacking."""
        out = []
        result = self.m.result
        for c, fn, specs in self.fns:
            outcomes: dict[str, Any] = {}
            t, sure, failed = fn(env, outcomes)
            out.append(result(c, env, e, outcomes, t, sure, [specs[i] for i in failed], []))
        return out

    # ------------------------------------------------------------------ generating

    def _clause(self, c: _Clause) -> ClauseFn:
        gen = self.m.codegen
        k = gen.const
        fn = gen.body()
        fn.emit(1, "t = True")
        fn.emit(1, "sure = True")
        fn.emit(1, "failed = []")
        for i, (spec, cond) in enumerate(c.conditions):
            if spec.kind in ("expr", "review") and not spec.exceptions:
                assert spec.expr is not None
                gen.keep = self._kept(spec.expr)
                try:
                    v = gen.expr(spec.expr, fn, 1)
                finally:
                    gen.keep = None
                fn.emit(1, f"if {v} is not True and {v} is not False:")
                fn.emit(2, f"if {v} is MISSING:")  # what the missing facts cannot change
                fn.emit(3, f"{v} = {k(self._bounds(spec.expr))}(env)")
                fn.emit(2, f"if {v} is not True and {v} is not False:")
                fn.emit(3, f"{v} = truth({v})")
                fn.emit(1, f"O[{k(spec.path)}] = {v}")
            else:  # exceptions or sub-conditions: the matcher's function records them
                v = f"c{i}"
                fn.emit(1, f"{v} = {k(cond)}(env, O)")
            fn.emit(1, f"if {v} is False:")
            fn.emit(2, f"failed.append({i})")
            fn.emit(2, "t = False")
            fn.emit(1, f"elif {v} is not True:")
            fn.emit(2, "sure = False")
            fn.emit(2, "if t is not False:")
            fn.emit(3, f"t = {v} if t is True else (MISSING if MISSING in (t, {v}) else REVIEW)")
        fn.emit(1, "return t, sure, failed")
        made: ClauseFn = gen.build(fn, "env, O")
        return made

    def _kept(self, n: ir.Node) -> set[int]:
        """The nodes whose values the outputs read: the sides of a comparison with a gap."""
        if isinstance(n, ir.Cmp) and n.op != "!=":
            return {id(side) for side in (n.left, n.right) if side.type.kind not in NO_GAP}
        return set()

    def _bounds(self, node: ir.Node) -> Callable[[Env], Any]:
        truth_by_bounds = self.m.bounds.truth
        compile_ = self.m.compiler.compile

        def bounded(env: Env) -> Any:
            return truth_by_bounds(node, lambda n: compile_(n)(env))

        return bounded


__all__ = ["Straight"]
