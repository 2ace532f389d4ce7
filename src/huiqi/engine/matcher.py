"""The one-enterprise engine: every clause of a pack for one enterprise, as of a date.

    matcher = Matcher(pack, as_of)          # compiles once per pack and date
    result = matcher.match(enterprise)      # MatchResult with every clause

Per clause: eligible / not eligible / undetermined / needs review; the exact
amount after exceptions, cap and rounding, then stacking (就高不重复) and yearly
caps across clauses; which conditions failed and by how much; which facts are
missing. Every value the rules saw is kept for :mod:`huiqi.engine.explain`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from huiqi.errors import InputError
from huiqi.facts import types as T
from huiqi.facts.enterprise import Enterprise
from huiqi.rules import ir
from huiqi.rules import syntax as S
from huiqi.rules.model import AmountSpec, ClauseSpec, ConditionSpec, GroupSpec, Pack, ValueSpec
from huiqi.rules.printer import to_text
from huiqi.text import Text

from .bounds import Bounds
from .compile import Compiler, Env, Fn
from .format import fmt_number
from .result import (
    REPORT_PLACES,
    AmountTrace,
    ClauseResult,
    Gap,
    MatchResult,
    Missing,
    ReportedValue,
    Status,
)
from .values import (
    EXACT,
    MISSING,
    REVIEW,
    Undefined,
    is_number,
    round_exact,
    sub,
    t_and,
    t_or,
    to_decimal,
    truth,
)

if TYPE_CHECKING:
    from .straight import Straight

CondFn = Callable[[Env, dict[str, Any]], Any]
_REPORT_UNIT = Decimal(1).scaleb(-REPORT_PLACES)
# the statuses as plain names: an enum's member read from its class is slow in the hot path
ELIGIBLE, NOT_ELIGIBLE = Status.ELIGIBLE, Status.NOT_ELIGIBLE
UNDETERMINED, NEEDS_REVIEW = Status.UNDETERMINED, Status.NEEDS_REVIEW
#: kinds of value no gap is measured in (only numbers, dates and durations have one)
NO_GAP = (T.Kind.BOOL, T.Kind.ENUM, T.Kind.SET, T.Kind.TEXT, T.Kind.RECORDS, T.Kind.RECORD)
Need = ir.Need  # a records fact can be present yet undetermined for a filter
GAP_PLACES = 6


@dataclass
class _Amount:
    spec: AmountSpec
    formula: Fn
    exceptions: list[tuple[str, Fn, Fn]]
    cap: Fn | None
    needs: list[Need]


@dataclass
class _Clause:
    spec: ClauseSpec
    conditions: list[tuple[ConditionSpec, CondFn]]
    amount: _Amount | None
    needs: dict[str, list[Need]] = field(default_factory=dict)  # leaf path → needs
    rec_nodes: dict[str, list[ir.Node]] = field(default_factory=dict)  # records fact → filters
    leaves: list[ConditionSpec] = field(default_factory=list)
    in_force: bool = True
    window: tuple[dt.date, dt.date] | None = None
    key: str = ""
    assumed: bool = False  # the amount rests on something the text does not give
    flat: bool = False  # no condition has sub-conditions


class Matcher:
    """A pack compiled for one evaluation date."""

    def __init__(self, pack: Pack, as_of: dt.date) -> None:
        self.pack = pack
        self.as_of = as_of
        self.compiler = Compiler(pack, as_of)
        from .codegen import CodeGen

        self.codegen = CodeGen(self.compiler)
        self.compiler.generate = self.codegen.function
        specs = self.compiler._value_specs
        self.bounds = Bounds(pack, as_of, lambda key: specs[key].expr)
        self.clauses: list[_Clause] = []
        self._rec_needs: dict[str, list[ir.Node]] = {}
        self._gap_plans: dict[int, tuple[Any, ...] | None] = {}
        self._straight: Straight | None = None
        self.not_in_force = [p.id for p in pack.policies if not p.in_force(as_of)]
        for pol in pack.policies:
            if not pol.in_force(as_of):
                continue
            for c in pol.clauses:
                self.clauses.append(self._clause(c))
        self.groups: list[GroupSpec] = list(pack.groups)
        # for the stacking: each clause's place in the pack, each group's clauses in the list
        self._order = {c.spec.key: c.spec.index for c in self.clauses}
        where = self._where = {c.key: i for i, c in enumerate(self.clauses)}
        self._members = [(g, [where[k] for k in g.clauses if k in where]) for g in self.groups]
        #: the values the pack reports per enterprise (of the policies in force)
        self.reported = pack.reported(as_of)

    # ------------------------------------------------------------------ compiling

    def _clause(self, spec: ClauseSpec) -> _Clause:
        rec_nodes: dict[str, list[ir.Node]] = {}
        self._rec_needs = rec_nodes
        conds = [(c, self._condition(c)) for c in spec.conditions]
        amount = None
        b = spec.benefit
        if b is not None and b.expr is not None:
            gen = self.codegen.function
            amount = _Amount(
                spec=b, formula=gen(b.expr),
                exceptions=[(e.id, gen(e.when), gen(e.amount))  # type: ignore[arg-type]
                            for e in b.exceptions],
                cap=gen(b.cap) if b.cap is not None else None,
                needs=self._needs_of([b.expr, *(e.when for e in b.exceptions),
                                      *(e.amount for e in b.exceptions if e.amount)]))
        out = _Clause(spec=spec, conditions=conds, amount=amount, rec_nodes=rec_nodes,
                      key=spec.key, assumed=b is not None and b.assumed,
                      flat=not any(k.children for k in spec.conditions))
        for c in spec.all_conditions():
            if c.kind in ("expr", "review"):
                out.leaves.append(c)
                nodes = [c.expr] if c.expr is not None else []
                nodes += [e.when for e in c.exceptions]
                out.needs[c.path] = self._needs_of(nodes)
            elif c.exceptions:
                out.needs[c.path] = self._needs_of([e.when for e in c.exceptions])
        if spec.program is not None and spec.program.windows:
            out.window = spec.program.window_at(self.as_of)
        return out

    def _decided(self, node: ir.Node, owner: ConditionSpec) -> Fn:
        """The outcome of a condition (or of one of its exceptions): exact, or, where that is
        undetermined, what the missing facts cannot change (:mod:`huiqi.engine.bounds`); a
        condition so decided is remembered for its explanation."""
        f = self.codegen.function(node)
        compile_ = self.compiler.compile
        truth_by_bounds = self.bounds.truth
        mark = f"bounds:{id(owner)}"

        def decided(env: Env) -> Any:
            v = f(env)
            if v is MISSING:
                v = truth_by_bounds(node, lambda n: compile_(n)(env))
                if v is True or v is False:
                    env.memo.setdefault(mark, []).append((node, v))
            return v

        return decided

    def _condition(self, c: ConditionSpec) -> CondFn:
        path = c.path
        exceptions = [(self._decided(e.when, c), e.then) for e in c.exceptions]
        inner: CondFn
        if c.kind in ("expr", "review"):
            assert c.expr is not None
            f = self._decided(c.expr, c)
            if not exceptions:  # the common case, in one frame
                def leaf(env: Env, out: dict[str, Any]) -> Any:
                    v = f(env)
                    if v is not True and v is not False:
                        v = truth(v)
                    out[path] = v
                    return v

                return leaf

            def inner(env: Env, out: dict[str, Any]) -> Any:
                return truth(f(env))
        else:
            kids = [self._condition(k) for k in c.children]
            if c.kind == "all":
                def inner(env: Env, out: dict[str, Any]) -> Any:
                    v: Any = True
                    for k in kids:
                        v = t_and(v, k(env, out))
                    return v
            else:
                def inner(env: Env, out: dict[str, Any]) -> Any:
                    v: Any = False
                    for k in kids:
                        v = t_or(v, k(env, out))
                    return v

        if not exceptions:
            def cond(env: Env, out: dict[str, Any]) -> Any:
                v = inner(env, out)
                out[path] = v
                return v

            return cond

        def cond_with_exceptions(env: Env, out: dict[str, Any]) -> Any:
            default = inner(env, out)
            v = _chain(env, exceptions, 0, default)
            out[path] = v
            return v

        return cond_with_exceptions

    def _needs_of(self, nodes: list[ir.Node]) -> list[Need]:
        def on_records(n: ir.RecAgg) -> None:
            self._rec_needs.setdefault(n.fact, []).append(n)

        specs = self.compiler._value_specs
        return ir.needs(nodes, self.as_of.year, lambda key: specs[key].expr, on_records)

    # ------------------------------------------------------------------ matching

    def check_choices(self, e: Enterprise) -> None:
        """A declared option must be one the policy offers."""
        for key, option in e.choices.items():
            pol_id, _, cid = key.partition(":")
            pol = self.pack.policy(pol_id)
            if pol is None or cid not in pol.choices:
                continue
            options = pol.choices[cid].options
            if option not in options:
                raise InputError(Text(
                    f"企业“{e.name or e.id}”对“{pol.choices[cid].label.zh}”声明的“{option}”"
                    f"不是可选项({'、'.join(options)})",
                    f"“{option}”, declared by “{e.name or e.id}” for “{pol.choices[cid].label.en}”,"
                    f" is not an option ({', '.join(options)})"))

    def match(self, e: Enterprise) -> MatchResult:
        if e.choices:
            self.check_choices(e)
        env = Env(e.facts, e.years, e.choices, e.reviews)
        # one record of every value seen, for all clauses: node indices are unique in the
        # pack, and a named value computed for one clause is then shown for the next too
        env.slots = {}
        results = [self._eval(c, env, e) for c in self.clauses]
        self._stack(results)
        return MatchResult(enterprise_id=e.id, enterprise_name=e.name, pack_id=self.pack.id,
                           pack_version=self.pack.version_id, as_of=self.as_of,
                           clauses=results, not_in_force=list(self.not_in_force),
                           values=[self._report(v, env) for v in self.reported])

    def decide(self, e: Enterprise) -> MatchResult:
        """What :meth:`match` gives for the statuses, amounts, failed conditions, gaps,
        missing facts, reviews and reported values, by the straight-line path
        (:mod:`huiqi.engine.straight`): nothing is recorded for explanations (no notes; the
        slots hold only what the gaps read). A clause's explanation is built on demand
        (:meth:`explained`, :func:`huiqi.engine.explain.explain_clause`)."""
        if e.choices:
            self.check_choices(e)
        env = Env(e.facts, e.years, e.choices, e.reviews)
        results = self.straight.results(env, e)
        self._stack(results)
        return MatchResult(enterprise_id=e.id, enterprise_name=e.name, pack_id=self.pack.id,
                           pack_version=self.pack.version_id, as_of=self.as_of,
                           clauses=results, not_in_force=list(self.not_in_force),
                           values=[self._report(v, env) for v in self.reported])

    def explained(self, e: Enterprise, key: str) -> ClauseResult | None:
        """One clause's result as :meth:`match` gives it, every value it saw recorded (to be
        explained); None if no clause in force has that key. The other clauses go by the
        straight-line path, in the same ``env``, and the reported values are computed as
        :meth:`match` computes them: the named values the full path computes are computed
        (an explanation shows what a named value read, even where this clause did not need
        it), and the other amounts stack with this one's."""
        at = self._where.get(key)
        if at is None:
            return None
        if e.choices:
            self.check_choices(e)
        env = Env(e.facts, e.years, e.choices, e.reviews)
        results = self.straight.results(env, e)
        results[at] = self._eval(self.clauses[at], env, e)
        for v in self.reported:  # as match() reports them: their values are shown too
            self._report(v, env)
        self._stack(results)
        return results[at]

    @property
    def straight(self) -> Straight:
        """The clauses' straight-line functions, generated on first use."""
        s = self._straight
        if s is None:
            from .straight import Straight

            with self.codegen.lock:  # once, whichever thread asks first
                s = self._straight
                if s is None:
                    s = self._straight = Straight(self)
        return s

    def _report(self, spec: ValueSpec, env: Env) -> ReportedValue:
        """A reported value of this enterprise, rounded half-even to REPORT_PLACES."""
        v = self.compiler.value_fn(spec.key)(env)
        grade = None
        if spec.grade is not None:
            g = self.compiler.compile(spec.grade)(env)
            grade = g if isinstance(g, str) else None
        if v is MISSING or v is REVIEW:
            return ReportedValue(spec.key, spec.label, None, "missing", grade)
        if not is_number(v):
            return ReportedValue(spec.key, spec.label, None, "undefined", grade)
        return ReportedValue(spec.key, spec.label, round_exact(v, _REPORT_UNIT, "half_even"),
                             "ok", grade)

    def _eval(self, c: _Clause, env: Env, e: Enterprise) -> ClauseResult:
        outcomes: dict[str, Any] = {}
        t: Any = True
        sure: Any = True
        failed: list[ConditionSpec] = []
        for spec, fn in c.conditions:
            v = fn(env, outcomes)
            if v is True:
                continue
            if v is False:  # t_and, inlined: the hot loop of matching
                failed.append(spec)
                t = False
            else:
                if v is MISSING or sure is True:
                    sure = v
                if t is not False:
                    t = v if t is True else (MISSING if MISSING in (t, v) else REVIEW)
        notes = [self._bounds_note(spec, env, e) for spec in c.spec.all_conditions()
                 if f"bounds:{id(spec)}" in env.memo] if len(env.memo) else []
        return self.result(c, env, e, outcomes, t, sure, failed, notes)

    def result(self, c: _Clause, env: Env, e: Enterprise, outcomes: dict[str, Any], t: Any,
               sure: Any, failed: list[ConditionSpec], notes: list[Text]) -> ClauseResult:
        """A clause's result from the outcomes of its conditions: ``t`` the conjunction of its
        top-level conditions, ``failed`` those not met, ``sure`` True if each of them is met
        or not met, else MISSING if one is undetermined, else REVIEW. Only an undetermined
        top-level condition (or amount) has missing facts, and only one neither met nor not
        met has reviews: the others are never visited for them."""
        trace: AmountTrace | None = None
        amount: Any = None
        undefined: Text | None = None
        if c.amount is not None and t is not False:
            trace = AmountTrace()
            amount = _amount(c.amount, env, trace)
            if isinstance(amount, Undefined):
                undefined = amount.reason
        if t is True:
            if amount is MISSING:
                status = UNDETERMINED
            elif undefined is not None:
                status = NOT_ELIGIBLE
            else:
                status = ELIGIBLE
        elif t is False:
            status = NOT_ELIGIBLE
        elif t is MISSING:
            status = UNDETERMINED
        else:
            status = NEEDS_REVIEW
        value = amount if type(amount) is Decimal else None
        missing: tuple[Missing, ...] = ()
        reviews: tuple[str, ...] = ()
        if sure is MISSING or amount is MISSING:
            missing = self._missing(c, outcomes, e, amount is MISSING, env)
        if sure is not True:
            reviews = self._reviews(c, outcomes)
        gaps: tuple[Gap, ...] = ()
        if failed:
            found = [self._gap(spec, env) for spec in failed]
            gaps = tuple(g for g in found if g is not None)
        # positional, in the fields' order: keywords cost several times as much here
        return ClauseResult(
            c.key, c.spec.policy, c.spec.id, status, value if status is ELIGIBLE else None,
            value, tuple(spec.id for spec in failed), gaps, missing, reviews, outcomes, notes,
            c.window, trace, env.slots, undefined, c.assumed)

    def _bounds_note(self, spec: ConditionSpec, env: Env, e: Enterprise) -> Text:
        """What the explanation says of a condition the missing facts could not change:
        "无论研发费用如何,得分均不低于 80"."""
        from .explain import score_label

        node, v = env.memo[f"bounds:{id(spec)}"][-1]
        if isinstance(node, ir.Review) and node.test is not None:
            node = node.test  # a scored review: its score against the pass mark
        specs = self.compiler._value_specs
        missing = [f for f, y in ir.needs([node], self.as_of.year, lambda k: specs[k].expr)
                   if not f.startswith(("choice:", "score:")) and (
                       e.value(f, y) if y is not None else e.facts.get(f)) is None]
        unscored = [f for f, _ in ir.needs([node], self.as_of.year, lambda k: specs[k].expr)
                    if f.startswith("score:") and _unscored(e, f)]
        choices = [f[7:] for f, _ in ir.needs([node], self.as_of.year,
                                             lambda k: specs[k].expr)
                   if f.startswith("choice:") and f[7:] not in e.choices]
        cat = self.pack.catalogue
        zh = [cat.facts[f].label.zh if f in cat.facts else f for f in dict.fromkeys(missing)]
        en = [cat.facts[f].label.en if f in cat.facts else f for f in dict.fromkeys(missing)]
        for f in dict.fromkeys(unscored):
            label = score_label(f, self.pack)
            zh.append(label.zh)
            en.append(label.en)
        for key in choices:
            pol = self.pack.policy(key.partition(":")[0])
            ch = pol.choices.get(key.partition(":")[2]) if pol else None
            zh.append(f"{ch.label.zh if ch else key}的选择")
            en.append(f"the choice of {ch.label.en if ch else key}")
        what_zh, what_en = "、".join(zh) or "缺少的信息", ", ".join(en) or "the missing facts"
        outcome_zh, outcome_en = ("均成立", "met") if v else ("均不成立", "not met")
        detail_zh = detail_en = ""
        if isinstance(node, ir.Cmp) and node.left.type.kind.value == "number" and \
                node.src is not None and isinstance(node.src, S.Compare):
            r = self.bounds.rng(node.left, lambda n: self.compiler.compile(n)(env))
            side = to_text(node.src.left)
            if r.lo is not None and r.hi is not None:
                detail_zh = f",{side} 均在 {fmt_number(r.lo)} 至 {fmt_number(r.hi)} 之间"
                detail_en = f", {side} is between {fmt_number(r.lo)} and {fmt_number(r.hi)}"
            elif r.lo is not None:
                detail_zh = f",{side} 均不低于 {fmt_number(r.lo)}"
                detail_en = f", {side} is at least {fmt_number(r.lo)}"
            elif r.hi is not None:
                detail_zh = f",{side} 均不高于 {fmt_number(r.hi)}"
                detail_en = f", {side} is at most {fmt_number(r.hi)}"
        return Text(f"“{spec.label.zh}”:无论{what_zh}如何{detail_zh},该条件{outcome_zh}"
                    f"(无需补充即可判定)",
                    f"“{spec.label.en}”: whatever {what_en}{' are' if len(en) > 1 else ' is'}"
                    f"{detail_en}, the condition is {outcome_en} (decided without them)")

    def _missing(self, c: _Clause, outcomes: dict[str, Any], e: Enterprise,
                 amount_missing: bool, env: Env) -> tuple[Missing, ...]:
        needs = self._undetermined_needs(c, outcomes)
        if amount_missing and c.amount is not None:
            needs.extend(c.amount.needs)
        out: list[Missing] = []
        reg = e.registration_year
        for fact, year in dict.fromkeys(needs):
            if fact.startswith("choice:"):
                if e.choices.get(fact[7:]) is None:
                    out.append(Missing(fact))
            elif fact.startswith("score:"):
                if _unscored(e, fact):
                    out.append(Missing(fact))
            elif year is None:
                if e.facts.get(fact) is None or self._records_unsure(fact, env, needs_of=c):
                    out.append(Missing(fact))
            elif not (reg is not None and year < reg) and e.value(fact, year) is None:
                out.append(Missing(fact, year))
        return tuple(out)

    @staticmethod
    def _undetermined_needs(c: _Clause, outcomes: dict[str, Any]) -> list[Need]:
        """The facts the clause's undetermined conditions need (only a condition whose own
        outcome is undetermined needs its facts)."""
        needs: list[Need] = []

        def visit(cond: ConditionSpec) -> None:
            if outcomes.get(cond.path) is not MISSING:
                return
            needs.extend(c.needs.get(cond.path, ()))
            for k in cond.children:
                visit(k)

        if c.flat:  # the same, without sub-conditions to visit
            for top in c.spec.conditions:
                if outcomes.get(top.path) is MISSING:
                    needs.extend(c.needs.get(top.path, ()))
        else:
            for top in c.spec.conditions:
                visit(top)
        return needs

    def _records_unsure(self, fact: str, env: Env, needs_of: _Clause) -> bool:
        """Is a filter over this records fact, in this clause, undetermined (a record lacks
        a field it tests)? Decided on the data alone, whichever branch was taken."""
        nodes = needs_of.rec_nodes.get(fact, ())
        return any(self.compiler.compile(node)(env) is MISSING for node in nodes)

    def _reviews(self, c: _Clause, outcomes: dict[str, Any]) -> tuple[str, ...]:
        """Conditions a person must still judge, where the judgment can change the outcome."""
        if c.flat:  # no sub-conditions: the reviews among them not yet judged
            return tuple(top.path for top in c.spec.conditions
                         if top.kind == "review" and outcomes.get(top.path) is REVIEW)
        out: list[str] = []

        def visit(cond: ConditionSpec) -> None:
            v = outcomes.get(cond.path)
            if v is not REVIEW and v is not MISSING:
                return
            if cond.kind == "review" and v is REVIEW:
                out.append(cond.path)
            for k in cond.children:
                visit(k)

        for top in c.spec.conditions:
            visit(top)
        return tuple(out)

    def _gap_plan(self, spec: ConditionSpec) -> tuple[Any, ...] | None:
        """What computing this condition's gap needs, worked out once."""
        n = spec.expr
        if spec.kind != "expr" or not isinstance(n, ir.Cmp) or n.op == "!=" or \
                n.left.type.kind in NO_GAP or n.right.type.kind in NO_GAP:
            return None  # (a side of such a kind is never a number or a date)
        unit = _unit_name(n.left.type if n.left.type.unit is not None else n.right.type)
        return (n, unit, tuple(ex.when for ex in spec.exceptions), self._getter(n.left),
                self._getter(n.right))

    def _getter(self, n: ir.Node) -> tuple[bool, Any]:
        """(True, value) for a node constant at this date, else (False, its slot)."""
        if isinstance(n, ir.Const):
            return True, n.value
        if isinstance(n, ir.Param | ir.AsOf):
            return True, self.compiler.compile(n)(Env({}, {}, {}, {}))
        return False, self.compiler.slot_of(n)

    def _gap(self, spec: ConditionSpec, env: Env) -> Gap | None:
        key = id(spec)
        plan = self._gap_plans[key] if key in self._gap_plans else \
            self._gap_plans.setdefault(key, self._gap_plan(spec))
        if plan is None:
            return None
        n, unit, whens, left, right = plan
        for when in whens:  # the default decided only if no exception applied
            if self._slot_value(when, env) is not False:
                return None
        slots = env.slots
        a = left[1] if left[0] else slots.get(left[1])
        b = right[1] if right[0] else slots.get(right[1])
        return gap_of(spec.path, n.op, unit, a, b)

    def _slot_value(self, n: ir.Node, env: Env) -> Any:
        if isinstance(n, ir.Const):
            return n.value
        if isinstance(n, ir.Param | ir.AsOf):
            return self.compiler.compile(n)(env)
        i = self.compiler.slot_of(n)
        return env.slots.get(i) if i is not None else None

    # ------------------------------------------------------------------ stacking

    def _stack(self, results: list[ClauseResult]) -> None:
        """Stacking, group by group in the pack's order."""
        order = self._order
        for g, at in self._members:
            paying = [r for r in (results[i] for i in at) if r.status is ELIGIBLE and r.amount]
            if g.kind == "exclusive":
                apply_exclusive(g, paying, order)
            else:
                apply_cap(g, paying, order)


def apply_exclusive(g: GroupSpec, paying: list[ClauseResult], order: dict[str, int]) -> None:
    """就高不重复: of the paying clauses of the group only the highest amount pays."""
    if len(paying) < 2:
        return
    best = max(paying, key=lambda r: (r.amount, -order.get(r.key, 0)))
    for r in paying:
        if r is not best:
            r.amount = Decimal(0)
            if r.trace is not None:
                r.trace.stacking.append(Text(
                    f"与“{best.clause}”就高不重复({g.label.zh}),本条不再支付",
                    f"not paid: the higher amount of “{best.clause}” is paid instead "
                    f"({g.label.en})"))


def apply_cap(g: GroupSpec, paying: list[ClauseResult], order: dict[str, int]) -> None:
    """A yearly cap per enterprise: amounts are met largest first until the cap is spent."""
    assert g.cap is not None
    remaining = g.cap
    for r in sorted(paying, key=lambda r: (-(r.amount or 0), order.get(r.key, 0))):
        amount = r.amount or Decimal(0)
        paid = min(amount, remaining)
        remaining = EXACT.subtract(remaining, paid)
        if paid != amount:
            r.amount = paid
            if r.trace is not None:
                r.trace.stacking.append(Text(
                    f"受“{g.label.zh}”每年合计上限 ¥{g.cap} 限制,本条支付 ¥{paid}",
                    f"limited by the yearly cap “{g.label.en}” of ¥{g.cap}: ¥{paid} paid"))


def gap_of(path: str, op: str, unit: str, a: Any, b: Any) -> Gap | None:
    """The gap of a comparison ``a op b`` that is not met (None unless both are numbers or
    both dates)."""
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        diff: Any = (b - a).days if op in (">", ">=") else (a - b).days
        if op == "==":
            diff = abs((a - b).days)
        return Gap(path, op, a, b, Decimal(diff), op in (">", "<"), "days")
    if not (is_number(a) and is_number(b)):
        return None
    if op in (">", ">="):
        diff = sub(b, a)
    elif op in ("<", "<="):
        diff = sub(a, b)
    else:
        diff = abs(sub(a, b))
    return Gap(path, op, a, b, to_decimal(diff, GAP_PLACES), op in (">", "<"), unit)


def _chain(env: Env, exceptions: list[tuple[Fn, Any]], i: int, default: Any) -> Any:
    """Labelled exceptions in order: the first that applies decides (Kleene if-then-else)."""
    if i == len(exceptions):
        return default
    when, then = exceptions[i]
    w = truth(when(env))
    if w is True:
        return then
    rest = _chain(env, exceptions, i + 1, default)
    if w is False:
        return rest
    return then if rest == then and rest in (True, False) else w


def _amount(a: _Amount, env: Env, trace: AmountTrace) -> Any:
    base = a.formula(env)
    trace.formula = base
    value = _amount_chain(a, env, 0, base, trace)
    if not is_number(value):
        return value
    if a.cap is not None:
        cap = a.cap(env)
        trace.cap = cap
        if not is_number(cap):
            return cap
        value = min(value, cap)
    trace.capped = value
    if value < 0:
        value = Decimal(0)
        trace.clamped = True
    spec = a.spec
    assert spec.rounding_unit is not None and spec.rounding_mode is not None
    rounded = round_exact(value, spec.rounding_unit, spec.rounding_mode)
    trace.rounded = rounded
    return rounded


def _amount_chain(a: _Amount, env: Env, i: int, base: Any, trace: AmountTrace) -> Any:
    """Amount exceptions in order (Kleene if-then-else): the first that applies decides;
    an undetermined one leaves the amount undetermined unless it would not change it."""
    if i == len(a.exceptions):
        return base
    eid, when, amount = a.exceptions[i]
    w = truth(when(env))
    if w is True:
        trace.exception = eid
        return amount(env)
    rest = _amount_chain(a, env, i + 1, base, trace)
    if w is False:
        return rest
    mine = amount(env)
    return mine if (is_number(mine) and is_number(rest) and mine == rest) else MISSING


def _unit_name(t: Any) -> str:
    if t.kind.value == "number":
        if t.unit == (("yuan", 1),):
            return "yuan"
        if not t.unit:
            return "ratio" if t.percent else ""
        return "·".join(k for k, _ in t.unit)
    return str(t.kind.value)


def matcher_for(pack: Pack, as_of: dt.date) -> Matcher:
    """A compiled matcher, kept on the pack and reused for the same date."""
    key = ("matcher", as_of)
    m = pack.cache.get(key)
    if m is None:
        if len(pack.cache) > 64:
            pack.cache.clear()
        m = pack.cache[key] = Matcher(pack, as_of)
    assert isinstance(m, Matcher)
    return m


def match(pack: Pack, enterprise: Enterprise, as_of: dt.date) -> MatchResult:
    return matcher_for(pack, as_of).match(enterprise)


def _unscored(e: Enterprise, need: str) -> bool:
    """Is the sub-score ``score:<policy/clause/condition>:<part>`` missing from the
    enterprise's recorded decision (or is no scored decision recorded)?"""
    key, _, part = need[6:].rpartition(":")
    d = e.reviews.get(key)
    return not isinstance(d, dict) or d.get(part) is None
