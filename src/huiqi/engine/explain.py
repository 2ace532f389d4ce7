"""Explanations a non-programmer can believe: every condition with its label, citation,
the values it saw and its outcome; the amount step by step; the gap and what is missing.

Built from what :class:`~huiqi.engine.matcher.Matcher` recorded while matching;
nothing is evaluated again.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from huiqi.facts.catalogue import Catalogue
from huiqi.facts.enterprise import Enterprise
from huiqi.rules import ir
from huiqi.rules.model import Citation, ClauseSpec, ConditionSpec, Pack
from huiqi.rules.printer import to_text
from huiqi.text import Text

from .format import fmt_money, fmt_shortfall, fmt_value
from .matcher import Matcher
from .result import ClauseResult, Gap, Missing, Status
from .values import MISSING, REVIEW, is_number, mul, sub

NOT_EVALUATED = Text("未计算(不影响结论)", "not evaluated (it did not decide the outcome)")
OUTCOME = {
    True: Text("满足", "met"), False: Text("不满足", "not met"),
    "missing": Text("待补充", "undetermined"), "review": Text("需人工审核", "needs review"),
}


def outcome_text(v: Any) -> Text:
    if v is True or v is False:
        return OUTCOME[v]
    if v is REVIEW:
        return OUTCOME["review"]
    return OUTCOME["missing"]


def outcome_code(v: Any) -> str:
    if v is True:
        return "met"
    if v is False:
        return "not_met"
    if v is REVIEW:
        return "needs_review"
    return "undetermined"


@dataclass
class Seen:
    """One value a condition or amount read: what it is, how it is written, what it was."""

    label: Text
    expr: str
    value: Text


@dataclass
class ConditionExplanation:
    path: str
    label: Text
    outcome: str
    outcome_text: Text
    cite: Citation
    expr: str | None
    review: Text | None
    seen: list[Seen]
    exceptions: list[tuple[str, Text, str, Citation]]  # id, label, outcome code, cite
    gap: Text | None
    children: list[ConditionExplanation] = field(default_factory=list)


@dataclass
class Explanation:
    key: str
    title: Text
    status: Status
    amount: Decimal | None
    potential: Decimal | None
    cite: Citation
    conditions: list[ConditionExplanation]
    amount_steps: list[Text]
    missing: list[Text]
    notes: list[Text]
    window: Text | None
    program: list[Text]
    pack_version: str
    as_of: str
    #: what the amount assumes that the text does not give (empty if nothing)
    amount_assumed: list[str] = field(default_factory=list)


def label_of_missing(m: Missing, cat: Catalogue, matcher: Matcher) -> Text:
    if m.fact.startswith("choice:"):
        key = m.fact[7:]
        pol_id, _, cid = key.partition(":")
        pol = matcher.pack.policy(pol_id)
        ch = pol.choices.get(cid) if pol else None
        label = ch.label if ch else Text(cid, cid)
        return Text(f"申报时须声明:{label.zh}", f"to be declared: {label.en}")
    if m.fact.startswith("score:"):
        return score_label(m.fact, matcher.pack)
    f = cat.facts.get(m.fact)
    label = f.label if f else Text(m.fact, m.fact)
    if m.year is not None:
        return Text(f"{label.zh}({m.year}年度)", f"{label.en} ({m.year})")
    return label


def score_label(need: str, pack: Pack) -> Text:
    """What a missing ``score:<policy/clause/condition>:<part>`` is: "评审评分:…"."""
    key, _, part = need[6:].rpartition(":")
    pol, clause, path = [*key.split("/", 2), "", ""][:3]
    spec = pack.clause(f"{pol}/{clause}")
    cond = next((c for c in spec.all_conditions() if c.path == path), None) if spec else None
    if cond is None or cond.score is None or part not in cond.score.parts:
        return Text(f"评审评分:{key} {part}", f"review score: {key} {part}")
    label = cond.label
    if list(cond.score.parts) != ["score"]:
        plabel = cond.score.parts[part].label
        label = Text(f"{label.zh}·{plabel.zh}", f"{label.en} · {plabel.en}")
    return Text(f"评审评分:{label.zh}", f"review score: {label.en}")


def explain_clause(matcher: Matcher, e: Enterprise, key: str) -> Explanation | None:
    """One clause's explanation for one enterprise, built on demand: that clause matched by
    the full path, the others by the straight-line path (:meth:`Matcher.explained`); None if
    the pack has no clause in force with that key."""
    r = matcher.explained(e, key)
    return None if r is None else Explainer(matcher).explain_one(r)


Plan = list[tuple[Text, ir.Node, str, str]]

#: What each expression of a matcher reads (:meth:`Explainer._plan`), kept as long as the
#: matcher: a plan depends on nothing else, and working it out again for every enterprise
#: took a third of the time of an explained match
_PLANS: weakref.WeakKeyDictionary[Matcher, dict[int, Plan]] = weakref.WeakKeyDictionary()


class Explainer:
    """Builds explanations for results of one matcher."""

    def __init__(self, matcher: Matcher) -> None:
        self.m = matcher
        plans = _PLANS.get(matcher)
        self._plans: dict[int, Plan] = plans if plans is not None else \
            _PLANS.setdefault(matcher, {})
        self._slots: dict[int, Any] = {}
        self.cat = matcher.pack.catalogue
        self.fy = matcher.as_of.year

    def explain(self, r: ClauseResult) -> Explanation:
        c = next(x for x in self.m.clauses if x.spec.key == r.key)
        spec = c.spec
        gaps = {g.condition: g for g in r.gaps}
        conds = [self._condition(k, r, gaps) for k in spec.conditions]
        steps = self._amount_steps(spec, r)
        window = None
        if r.window is not None:
            a, b = r.window
            window = Text(f"申报时间 {a} 至 {b}", f"applications {a} to {b}")
        return Explanation(
            key=r.key, title=spec.title, status=r.status, amount=r.amount, potential=r.potential,
            cite=spec.cite, conditions=conds, amount_steps=steps,
            missing=[label_of_missing(x, self.cat, self.m) for x in r.missing],
            notes=list(r.notes) + ([spec.notes] if spec.notes else []), window=window,
            program=self._program(spec), pack_version=self.m.pack.version_id,
            as_of=self.m.as_of.isoformat(),
            amount_assumed=list(spec.benefit.assumptions) if spec.benefit else [])

    # ------------------------------------------------------------------ conditions

    def _condition(self, c: ConditionSpec, r: ClauseResult, gaps: dict[str, Gap]
                   ) -> ConditionExplanation:
        v = r.outcomes.get(c.path, MISSING)
        seen = self._seen(c.expr) if c.expr is not None and (c.kind == "expr" or c.score) \
            else []
        exc = []
        for e in c.exceptions:
            w = self._slot(e.when)
            exc.append((e.id, e.label, outcome_code(w if w is not None else MISSING), e.cite))
            seen.extend(s for s in self._seen(e.when) if s not in seen)
        gap = gaps.get(c.path)
        return ConditionExplanation(
            path=c.path, label=c.label, outcome=outcome_code(v), outcome_text=outcome_text(v),
            cite=c.cite, expr=c.text, review=c.review, seen=seen, exceptions=exc,
            gap=self._gap_text(c, gap) if gap else None,
            children=[self._condition(k, r, gaps) for k in c.children])

    def _slot(self, n: ir.Node) -> Any:
        if isinstance(n, ir.Const):
            return n.value
        i = self.m.compiler.slot_of(n)
        return self._slots.get(i) if i is not None else None

    def explain_all(self, results: list[ClauseResult]) -> list[Explanation]:
        return [self.explain_one(r) for r in results]

    def explain_one(self, r: ClauseResult) -> Explanation:
        self._slots = r.slots
        return self.explain(r)

    def _plan(self, n: ir.Node) -> Plan:
        """What an expression reads, in order: (label, node, its text, how to read it).

        Worked out once per expression; an explanation then only reads recorded values.
        """
        key = id(n)
        cached = self._plans.get(key)
        if cached is not None:
            return cached
        out: Plan = []
        done: set[str] = set()

        def add(label: Text, node: ir.Node, how: str) -> None:
            text = to_text(node.src) if node.src is not None else ""
            if text not in done:
                done.add(text)
                out.append((label, node, text, how))

        def visit(x: ir.Node) -> None:
            read = self._read(x)
            if read is not None:
                add(*read)
            if isinstance(x, ir.RecAgg):
                return
            if isinstance(x, ir.ValueRef):
                visit(self.m.compiler._value_specs[x.key].expr)
                return
            for k in x.kids():
                visit(k)

        visit(n)
        self._plans[key] = out
        return out

    def _read(self, x: ir.Node) -> tuple[Text, ir.Node, str] | None:
        """What an explanation shows of node ``x`` itself: (label, node, how to read it)."""
        if isinstance(x, ir.Fact | ir.YearFact | ir.YearAgg | ir.RecAgg):
            return self._fact_read(x), x, "slot"
        if isinstance(x, ir.Param | ir.ValueRef | ir.Choice | ir.Band | ir.Lookup):
            return self._policy_read(x)
        if isinstance(x, ir.AsOf):
            return Text("评估日期", "evaluation date"), x, "as_of"
        if isinstance(x, ir.ReviewScore):
            return score_label(x.need, self.m.pack), x, "slot"
        if isinstance(x, ir.Review) and isinstance(x.test, ir.Cmp) and \
                not isinstance(x.test.left, ir.ReviewScore):
            return Text("评审总分", "review total"), x.test.left, "slot"
        return None

    def _fact_read(self, x: ir.Fact | ir.YearFact | ir.YearAgg | ir.RecAgg) -> Text:
        """The label of a fact as an expression reads it (a year, years, a filter)."""
        lab = self._fact_label(x.fact)
        if isinstance(x, ir.YearFact):
            y = self.fy + x.offset
            return Text(f"{lab.zh}({y}年度)", f"{lab.en} ({y})")
        if isinstance(x, ir.YearAgg):
            y1, y2 = self.fy + x.start, self.fy + x.end
            fn = {"sum": ("合计", "total"), "avg": ("平均", "average"),
                  "min": ("最低", "lowest"), "max": ("最高", "highest")}[x.func]
            return Text(f"{lab.zh}{y1}–{y2}年度{fn[0]}", f"{lab.en}, {fn[1]} {y1}–{y2}")
        if isinstance(x, ir.RecAgg):
            return Text(f"{lab.zh}(筛选)", f"{lab.en} (filtered)")
        return lab

    def _policy_read(self, x: ir.Param | ir.ValueRef | ir.Choice | ir.Band | ir.Lookup
                     ) -> tuple[Text, ir.Node, str]:
        """A parameter, named value, choice or table of the policy, with its label."""
        if isinstance(x, ir.ValueRef):
            return self.m.compiler._value_specs[x.key].label, x, "slot"
        if isinstance(x, ir.Choice):
            pol = self.m.pack.policy(x.key.split(":")[0])
            ch = pol.choices[x.name] if pol else None
            return (ch.label if ch else Text(x.name, x.name)), x, "choice"
        pol = self.m.pack.policy(x.policy)
        assert pol is not None
        if isinstance(x, ir.Param):
            return pol.params[x.name].label, x, "param"
        return pol.tables[x.table].label, x, "slot"

    def _seen(self, n: ir.Node) -> list[Seen]:
        out: list[Seen] = []
        for label, node, text, how in self._plan(n):
            if how == "param":
                assert isinstance(node, ir.Param)
                pol = self.m.pack.policy(node.policy)
                assert pol is not None
                value: Any = pol.params[node.name].at(self.m.as_of)
            elif how == "as_of":
                value = self.m.as_of
            else:
                i = self.m.compiler.slot_of(node)
                if i is None or i not in self._slots:
                    out.append(Seen(label, text, NOT_EVALUATED))
                    continue
                value = self._slots[i]
            if how == "choice":
                assert isinstance(node, ir.Choice)
                pol = self.m.pack.policy(node.key.split(":")[0])
                ch = pol.choices.get(node.name) if pol else None
                if ch is not None and isinstance(value, str) and value in ch.options:
                    out.append(Seen(label, text, ch.options[value]))
                    continue
            enum = self.cat.enums.get(node.type.domain or "") \
                if node.type.kind.value == "enum" else None
            if enum is not None and isinstance(value, str) and value in enum.values:
                out.append(Seen(label, text, enum.values[value]))
                continue
            out.append(Seen(label, text, Text(fmt_value(value, node.type, "zh"),
                                                fmt_value(value, node.type, "en"))))
        return out

    def _fact_label(self, fid: str) -> Text:
        f = self.cat.facts.get(fid)
        return f.label if f else Text(fid, fid)

    def _gap_text(self, c: ConditionSpec, g: Gap) -> Text:
        assert isinstance(c.expr, ir.Cmp)
        t = c.expr.left.type if c.expr.left.type.unit is not None else c.expr.right.type
        shown = Text(fmt_value(g.value, t, "zh"), fmt_value(g.value, t, "en"))
        target = Text(fmt_value(g.target, t, "zh"), fmt_value(g.target, t, "en"))
        zh = f"{shown.zh},要求 {g.op} {target.zh}:{fmt_shortfall(g.shortfall, g.unit, 'zh')}"
        en = f"{shown.en}, needs {g.op} {target.en}: {fmt_shortfall(g.shortfall, g.unit, 'en')}"
        if g.strict and g.shortfall == 0:
            zh += "(须严格超过)"
            en += " (must be strictly beyond)"
        lever = self._lever(c.expr, g)
        if lever is not None:
            zh += f";{lever.zh}"
            en += f"; {lever.en}"
        return Text(zh, en)

    def _lever(self, n: ir.Cmp, g: Gap) -> Text | None:
        """For ``a / b >= t`` with a money fact a: how much more a is needed at this b."""
        left = n.left
        while isinstance(left, ir.ValueRef):
            left = self.m.compiler._value_specs[left.key].expr
        if n.op not in (">=", ">") or not isinstance(left, ir.Arith) or left.op != "/":
            return None
        num, den = left.left, left.right
        if not isinstance(num, ir.YearFact | ir.YearAgg | ir.Fact):
            return None
        a, b = self._slot(num), self._slot(den)
        if not (is_number(a) and is_number(b) and is_number(g.target)):
            return None
        need = sub(mul(g.target, b), a)
        if not is_number(need) or need <= 0:
            return None
        lab = self._fact_label(num.fact)
        den_lab = (self._fact_label(den.fact) if isinstance(den, ir.YearFact | ir.YearAgg
                                                            | ir.Fact) else Text("分母", "the base"))
        amount = fmt_value(need, num.type)
        return Text(f"按当前{den_lab.zh},{lab.zh}约需增加 {amount}",
                    f"about {amount} more {lab.en} at this {den_lab.en}")

    # ------------------------------------------------------------------ amount

    def _amount_steps(self, spec: ClauseSpec, r: ClauseResult) -> list[Text]:
        b = spec.benefit
        tr = r.trace
        if b is None:
            return []
        if b.expr is None:
            label = b.label or Text({"title": "认定/称号", "service": "服务"}.get(b.kind, b.kind),
                                    b.kind)
            return [Text(f"待遇:{label.zh}(非资金)", f"benefit: {label.en} (not money)")]
        steps: list[Text] = []
        if tr is None:
            return [Text(f"金额公式:{b.text}", f"formula: {b.text}")]
        base = fmt_value(tr.formula, b.expr.type)
        steps.append(Text(f"按公式 {b.text} 计算得 {base}",
                          f"the formula {b.text} gives {fmt_value(tr.formula, b.expr.type, 'en')}"))
        for s in self._seen(b.expr):
            steps.append(Text(f"  其中 {s.label.zh} {s.expr} = {s.value.zh}",
                              f"  where {s.label.en} {s.expr} = {s.value.en}"))
        if tr.exception is not None:
            ex = next(e for e in b.exceptions if e.id == tr.exception)
            steps.append(Text(f"适用例外“{ex.label.zh}”:金额按 {ex.amount_text} 计",
                              f"exception “{ex.label.en}” applies: amount is {ex.amount_text}"))
        if tr.cap is not None and b.cap is not None:
            steps.append(Text(f"本条上限 {fmt_value(tr.cap, b.cap.type)},取较小者得 "
                              f"{fmt_value(tr.capped, b.expr.type)}",
                              f"capped at {fmt_value(tr.cap, b.cap.type, 'en')}: "
                              f"{fmt_value(tr.capped, b.expr.type, 'en')}"))
        if tr.clamped:
            steps.append(Text("计算结果为负,按 ¥0 计", "a negative result counts as ¥0"))
        if tr.rounded is not None:
            mode = {"half_up": ("四舍五入", "rounded half up"), "half_even": ("四舍六入五成双",
                    "rounded half to even"), "down": ("舍去", "rounded down"),
                    "up": ("进位", "rounded up")}[b.rounding_mode or "half_up"]
            unit = {"fen": ("分", "fen"), "jiao": ("角", "jiao"), "yuan": ("元", "yuan"),
                    "ten_yuan": ("十元", "10 yuan"), "hundred_yuan": ("百元", "100 yuan"),
                    "thousand_yuan": ("千元", "1,000 yuan"),
                    "ten_thousand_yuan": ("万元", "10,000 yuan")}[b.rounding_name or "yuan"]
            steps.append(Text(f"按{unit[0]}{mode[0]}得 {fmt_money(tr.rounded)}",
                              f"{mode[1]} to the {unit[1]}: {fmt_money(tr.rounded)}"))
        steps.extend(tr.stacking)
        if r.status is Status.ELIGIBLE and r.amount is not None:
            steps.append(Text(f"应付金额 {fmt_money(r.amount)}", f"amount payable {fmt_money(r.amount)}"))
        return steps

    def _program(self, spec: ClauseSpec) -> list[Text]:
        p = spec.program
        if p is None:
            return []
        out: list[Text] = []
        if p.recurrence:
            rec = {"yearly": ("每年申报", "yearly"), "once": ("一次性", "once"),
                   "rolling": ("常年受理", "rolling"), "batch": ("分批", "in batches")}[p.recurrence]
            out.append(Text(rec[0], rec[1]))
        if p.quota_per_year is not None:
            out.append(Text(f"每年名额不超过 {p.quota_per_year} 个", f"at most {p.quota_per_year} a year"))
        if p.budget_total is not None:
            out.append(Text(f"总预算 {fmt_money(p.budget_total)}", f"budget {fmt_money(p.budget_total)}"))
        if p.validity_months:
            out.append(Text(f"有效期 {p.validity_months // 12} 年" if p.validity_months % 12 == 0
                            else f"有效期 {p.validity_months} 个月",
                            f"valid {p.validity_months} months"))
        if p.cooldown_months:
            out.append(Text(f"满 {p.cooldown_months // 12} 年后可重新申报" if p.cooldown_months % 12
                            == 0 else f"{p.cooldown_months} 个月后可重新申报",
                            f"may re-apply after {p.cooldown_months} months"))
        if p.once_only:
            out.append(Text("限享受一次", "once only"))
        if p.may_be_vacant:
            out.append(Text("无企业达标时可空缺", "may stay vacant"))
        return out


def explain(matcher: Matcher, result: ClauseResult) -> Explanation:
    return Explainer(matcher).explain_one(result)


__all__ = ["ConditionExplanation", "Explainer", "Explanation", "Seen", "explain",
           "label_of_missing", "outcome_code", "outcome_text"]
