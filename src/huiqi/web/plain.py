"""Plain words for enterprises: a failed condition as what it means and what can be done,
never as an expression (``rd_expense / revenue >= 0.05``), a clause id or a pack hash.

- a gap says the value, what is required and how far it is, in 元 / 万元 / 亿元, %, 天;
- a condition on a fact that cannot change by supplying documents (the date the firm was
  founded, where it is registered, what kind of entity it is) says so plainly:
  "成立日期不满足,无法通过补充材料改变";
- a group of alternatives that failed lists the alternatives;
- a clause that gives a title or a service says what it gives;
- where a policy applies: the parks and cities its conditions name; none is national.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from huiqi.engine import wording
from huiqi.engine.public import ConditionExplanationPublic, GapPublic, Localized
from huiqi.engine.wording import gap_text, wan
from huiqi.facts.catalogue import Catalogue, default_catalogue
from huiqi.rules.fixed import FIXED
from huiqi.rules.fixed import fixed_facts as _fixed_facts
from huiqi.rules.model import ClauseSpec, ConditionSpec
from huiqi.rules.places import local, places
from huiqi.text import Lang


def _s(v: Localized | None) -> str:
    return "" if v is None else v if isinstance(v, str) else v.zh


def fact_label(fid: str, lang: Lang, cat: Catalogue | None = None) -> str:
    """A fact's label in ``cat`` — the platform's catalogue (the base and the facts the
    published packs declare, :func:`huiqi.service.catalogue.platform_catalogue`) or a pack's
    own; the base catalogue when none is given. An unknown fact: its id."""
    return wording.fact_label(fid, lang, cat=cat)


def fixed_facts(spec: ConditionSpec | None, cat: Catalogue | None = None) -> list[str]:
    """The facts a condition reads that an enterprise cannot change (in catalogue order)."""
    read = _fixed_facts(spec)
    return [f for f in (cat or default_catalogue()).facts if f in read]


def cannot_change(facts: list[str], lang: Lang, cat: Catalogue | None = None) -> str:
    names = "、".join(fact_label(f, lang, cat) for f in facts) if lang == "zh" else \
        ", ".join(fact_label(f, lang, cat) for f in facts)
    return (f"{names}不满足,无法通过补充材料改变" if lang == "zh" else
            f"{names} does not qualify and cannot be changed by supplying documents")


@dataclass
class Reason:
    """Why a clause is not met, as an enterprise reads it."""

    text: str
    fixed: bool = False            # nothing the enterprise can do about it
    options: list[str] = field(default_factory=list)  # the alternatives, none of them met


def _gap_under(path: str, gaps: dict[str, GapPublic]) -> GapPublic | None:
    if path in gaps:
        return gaps[path]
    return next((g for p, g in gaps.items() if p.startswith(path + "/")), None)


def reasons(conditions: list[ConditionExplanationPublic], specs: dict[str, ConditionSpec],
            gaps: list[GapPublic], lang: Lang, cat: Catalogue | None = None) -> list[Reason]:
    """A reason for each condition not met: fixed ones last (nothing can be done there);
    facts named by their labels in ``cat`` (see :func:`fact_label`)."""
    by_path = {g.condition: g for g in gaps}
    out: list[Reason] = []
    for c in conditions:
        if c.outcome != "not_met":
            continue
        out.append(reason(c, specs, by_path, lang, cat))
    return sorted(out, key=lambda r: r.fixed)


def reason(c: ConditionExplanationPublic, specs: dict[str, ConditionSpec],
           gaps: dict[str, GapPublic], lang: Lang, cat: Catalogue | None = None) -> Reason:
    zh = lang == "zh"
    spec = specs.get(c.path)
    label = _s(c.label)
    fixed = fixed_facts(spec, cat)
    kind = spec.kind if spec is not None else ("any" if c.children else "expr")
    if kind == "any" and c.children:
        options = [_s(k.label) for k in c.children]
        head = (f"{label}:以下各项均不满足" if zh else f"{label}: none of these is met")
        kid_fixed = all(fixed_facts(specs.get(k.path), cat) for k in c.children)
        return Reason(head, fixed=kid_fixed and bool(c.children), options=options)
    if kind == "all" and c.children:
        failed = [k for k in c.children if k.outcome == "not_met"]
        if len(failed) == 1:
            return reason(failed[0], specs, gaps, lang, cat)
        parts = [reason(k, specs, gaps, lang, cat) for k in failed]
        return Reason(label + (":" if zh else ": ") + ("；" if zh else "; ").join(p.text for p in parts),
                      fixed=all(p.fixed for p in parts))
    if fixed:
        g = _gap_under(c.path, gaps)
        detail = f"({gap_text(g, lang)})" if g is not None and zh else \
            f" ({gap_text(g, lang)})" if g is not None else ""
        return Reason(f"{label}{detail}" + (":" if zh else ": ") + cannot_change(fixed, lang, cat),
                      fixed=True)
    g = _gap_under(c.path, gaps)
    if g is not None:
        return Reason(f"{label}:{gap_text(g, lang)}" if zh else f"{label}: {gap_text(g, lang)}")
    return Reason(f"未满足:{label}" if zh else f"Not met: {label}")


def condition_specs(spec: ClauseSpec | None) -> dict[str, ConditionSpec]:
    return {} if spec is None else {c.path: c for c in spec.all_conditions()}


def gives(spec: ClauseSpec | None, lang: Lang) -> str | None:
    """What a clause without money gives: 称号 “专精特新中小企业” · 服务 …"""
    if spec is None or spec.benefit is None or spec.benefit.expr is not None:
        return None
    b = spec.benefit
    kind = {"title": ("认定/称号", "a title"), "service": ("服务", "a service")}.get(
        b.kind, (b.kind, b.kind))
    label = b.label.zh if b.label and lang == "zh" else b.label.en if b.label else ""
    word = kind[0] if lang == "zh" else kind[1]
    return f"{word}:{label}" if label and lang == "zh" else f"{word}: {label}" if label else word


def steps(lines: list[str], formula: str | None, lang: Lang) -> list[str]:
    """The amount's steps without the formula's code: "按政策规定计算得 ¥…", "其中 研发费用:¥…"."""
    zh = lang == "zh"
    out: list[str] = []
    for line in lines:
        text = line.strip()
        if formula and text.endswith(formula):  # the formula alone: nothing computed yet
            out.append("金额按政策规定的方法计算(条件满足后可算出)" if zh else
                       "the amount follows the policy's method (once the conditions are met)")
        elif formula and formula in text:
            value = text.rsplit(" ", 1)[-1]
            out.append(f"按政策规定的方法计算得 {value}" if zh else f"the policy's method gives {value}")
        elif text.startswith(("其中 ", "where ")):
            head, _, value = text.partition(" = ")
            label = head.split(" ")[1] if len(head.split(" ")) > 1 else head
            out.append(f"其中 {label}:{value}" if zh else f"where {label}: {value}")
        elif "金额按" in text or ": amount is" in text:
            out.append(text.split(":金额按")[0].split(": amount is")[0])
        else:
            out.append(text)
    return out


_SOURCES = {"self_confirmed": ("企业自报(工作人员已确认)", "Self-reported (confirmed by staff)"),
            "manual": ("工作人员录入", "Entered by staff"),
            "generator": ("园区导入(演示数据)", "Park import (demo data)"),
            "import": ("园区导入", "Park import"), "csv": ("园区导入", "Park import"),
            "xlsx": ("园区导入", "Park import"),
            "programme": ("申报项目授予", "Granted by a programme")}


def source_words(source: str | None, lang: Lang) -> str:
    """Where a value came from, in plain words: 企业自报 / 税务数据 / 园区导入 …"""
    if not source:
        return ""
    i = 0 if lang == "zh" else 1
    if source in _SOURCES:
        return _SOURCES[source][i]
    label = default_catalogue().sources.get(source)
    if label is not None:
        text = label.zh if lang == "zh" else label.en
        return text + ("数据" if lang == "zh" and source in ("tax", "statistics") else "")
    return "园区导入" if lang == "zh" else "Park import"


def who_words(by: str | None, lang: Lang) -> str:
    """Who recorded it: a person's name, or what the system was (命令行导入, 系统)."""
    if not by:
        return ""
    if by.startswith("cli:"):
        return "命令行导入" if lang == "zh" else "command-line import"
    if by in ("system", "generator"):
        return "系统" if lang == "zh" else "the system"
    if "/" in by:  # requested by / confirmed by
        a, b = by.split("/", 1)
        return f"{a} 报,{b} 确认" if lang == "zh" else f"{a}, confirmed by {b}"
    return by


__all__ = [
    "FIXED",
    "Reason",
    "condition_specs",
    "fact_label",
    "gap_text",
    "gives",
    "local",
    "places",
    "reasons",
    "source_words",
    "wan",
    "who_words",
]
