"""Rich renderings of matches and explanations for the terminal."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RText
from rich.tree import Tree

from huiqi.engine.explain import ConditionExplanation, Explainer, Explanation, label_of_missing
from huiqi.engine.format import fmt_money, fmt_number, fmt_shortfall
from huiqi.engine.matcher import Matcher
from huiqi.engine.result import RANK, ClauseResult, MatchResult, Status, nearly_fits
from huiqi.rules.model import Citation, ClauseSpec, Pack
from huiqi.text import Lang, Text

STYLE = {Status.ELIGIBLE: "green", Status.NOT_ELIGIBLE: "red", Status.UNDETERMINED: "yellow",
         Status.NEEDS_REVIEW: "magenta"}
MARK = {"met": ("✓", "green"), "not_met": ("✗", "red"), "undetermined": ("?", "yellow"),
        "needs_review": ("⚑", "magenta")}


def _l(t: Text | None, lang: Lang) -> str:
    return "" if t is None else t.get(lang)


def match_table(matcher: Matcher, res: MatchResult, lang: Lang, show_all: bool = False) -> Group:
    """The clauses that fit or nearly fit; the clearly unmet ones are counted, not listed
    (unless ``show_all``)."""
    zh = lang == "zh"
    pack = matcher.pack
    title = (f"{res.enterprise_name or res.enterprise_id} · 评估日 {res.as_of} · {res.pack_version}"
             if zh else f"{res.enterprise_name or res.enterprise_id} · as of {res.as_of} · "
             f"{res.pack_version}")
    t = Table(title=title, show_lines=False, expand=False)
    t.add_column("条款" if zh else "Clause", overflow="fold")
    t.add_column("状态" if zh else "Status")
    t.add_column("金额" if zh else "Amount", justify="right")
    t.add_column("原因 / 差距" if zh else "Why / gap", overflow="fold")
    specs = {c.key: c for c in pack.clauses()}
    hidden = 0
    for r in sorted(res.clauses, key=lambda r: (RANK[r.status], len(r.failed),
                                                 -(r.potential or 0))):
        spec = specs[r.key]
        if not show_all and not nearly_fits(r.status, len(r.failed), bool(r.gaps)):
            hidden += 1
            continue
        t.add_row(f"{spec.title.get(lang)}\n[dim]{r.key}[/dim]",
                  f"[{STYLE[r.status]}]{r.status.text.get(lang)}[/]", _amount_cell(r, lang),
                  "\n".join(_why(matcher, spec, r, lang)))
    return Group(*_after_table(matcher, res, lang, t, hidden))  # type: ignore[arg-type]


def _amount_cell(r: ClauseResult, lang: Lang) -> str:
    """The amount if eligible, the potential in brackets otherwise; marked if assumed."""
    amount = ""
    if r.status is Status.ELIGIBLE and r.amount is not None:
        amount = fmt_money(r.amount)
    elif r.potential is not None:
        amount = f"({fmt_money(r.potential)})"
    if amount and r.amount_assumed:
        amount += "\n" + assumed_mark(lang)
    return amount


def _why(matcher: Matcher, spec: ClauseSpec, r: ClauseResult, lang: Lang) -> list[str]:
    """Why a clause is where it is: the gaps, the other failed conditions, the missing facts
    (three named), the conditions under review, the stacking and what could not be computed."""
    zh = lang == "zh"
    why: list[str] = []
    conds = {c.path: c for c in spec.all_conditions()}
    for g in r.gaps:
        lab = conds[g.condition].label.get(lang)
        why.append(f"{lab}: {fmt_shortfall(g.shortfall, g.unit, lang)}")
    for f in r.failed:
        if not any(g.condition == f for g in r.gaps):
            why.append("✗ " + conds[f].label.get(lang))
    if r.missing:
        names = "、".join(label_of_missing(m, matcher.pack.catalogue, matcher).get(lang)
                         for m in r.missing[:3])
        more = f" 等{len(r.missing)}项" if zh and len(r.missing) > 3 else (
            f" and {len(r.missing) - 3} more" if len(r.missing) > 3 else "")
        why.append(("缺:" if zh else "missing: ") + names + more)
    for p in r.reviews:
        why.append(("待审:" if zh else "review: ") + conds[p].label.get(lang))
    if r.trace is not None:
        why.extend(s.get(lang) for s in r.trace.stacking)
    if r.undefined is not None:
        why.append(r.undefined.get(lang))
    return why


def _after_table(matcher: Matcher, res: MatchResult, lang: Lang, t: Table, hidden: int
                 ) -> list[object]:
    """The table, the total, how many clauses are not listed, the facts that would settle
    more clauses, the policies not in force."""
    zh = lang == "zh"
    pack = matcher.pack
    footer = RText(("符合条件可获资金合计:" if zh else "Total payable if eligible: ")
                   + fmt_money(res.total) + assumed_part(res.assumed_total, lang), style="bold")
    parts: list[object] = [t, footer]
    if res.values:
        parts.append(values_table(res, lang))
    if hidden:
        parts.append(RText((f"另有 {hidden} 个条款明显不符合(多项基本条件不满足),未列出;"
                            "加 --all 查看全部。") if zh else
                           (f"{hidden} more clauses are clearly not met (several basic "
                            "conditions fail) and are not listed; add --all to see them."),
                           style="dim"))
    missing = {m.key: m for r in res.clauses for m in r.missing
               if r.status in (Status.UNDETERMINED, Status.NEEDS_REVIEW)}
    if missing:
        lst = "\n".join("· " + label_of_missing(m, pack.catalogue, matcher).get(lang)
                        for m in missing.values())
        parts.append(Panel(lst, title="补充以下信息可确定更多条款" if zh else
                           "Provide these to settle more clauses", border_style="yellow"))
    if res.not_in_force:
        parts.append(RText(("未生效或已失效的政策:" if zh else "Policies not in force: ")
                           + ", ".join(res.not_in_force), style="dim"))
    return parts


def values_table(res: MatchResult, lang: Lang) -> Table:
    """The values the pack reports for the enterprise: a score, a growth rate, a grade."""
    zh = lang == "zh"
    t = Table(title="列出的数值" if zh else "Reported values", title_justify="left")
    t.add_column("数值" if zh else "Value", overflow="fold")
    t.add_column("取值" if zh else "Is", justify="right")
    t.add_column("等级" if zh else "Grade")
    empty = {"missing": ("缺失", "missing"), "undefined": ("无意义", "undefined")}
    for v in res.values:
        shown = fmt_number(v.value) if v.value is not None else \
            empty.get(v.state, ("", ""))[0 if zh else 1]
        t.add_row(f"{v.label.get(lang)}\n[dim]{v.key}[/dim]", shown, v.grade or "")
    return t


def assumed_mark(lang: Lang) -> str:
    """The mark beside an amount the text does not give."""
    return r"[yellow]\[假定][/yellow]" if lang == "zh" else r"[yellow]\[assumed][/yellow]"


def assumed_part(assumed: Decimal, lang: Lang) -> str:
    """"(含假定金额 ¥…)" after a total, when some of it is assumed."""
    if not assumed:
        return ""
    return (f"(含假定金额 {fmt_money(assumed)})" if lang == "zh"
            else f" (incl. assumed amounts {fmt_money(assumed)})")


def _cite(c: Citation, lang: Lang) -> str:
    """A citation as Rich markup (its text escaped: "[assumed]" is not a style)."""
    from rich.markup import escape

    bits = []
    if c.paragraph is not None:
        bits.append(f"¶{c.paragraph}" + (("(要点摘要,非原文)" if lang == "zh" else
                                           " (summary, not the original)") if c.summary else ""))
    if c.quote:
        bits.append(f"“{c.quote}”")
    if c.assumed is not None:
        bits.append(("[假定] " if lang == "zh" else "[assumed] ") + c.assumed)
    return escape(" ".join(bits))


def _cond(node: Tree, c: ConditionExplanation, lang: Lang) -> None:
    mark, style = MARK[c.outcome]
    head = f"[{style}]{mark}[/] {c.label.get(lang)} [{style}]{c.outcome_text.get(lang)}[/]"
    sub = node.add(head)
    if c.cite.paragraph or c.cite.assumed:
        sub.add(f"[dim]{'出处' if lang == 'zh' else 'source'}: {_cite(c.cite, lang)}[/dim]")
    if c.expr:
        sub.add(f"[cyan]{c.expr}[/cyan]")
    if c.review is not None:
        sub.add(("须人工判断:" if lang == "zh" else "to be judged: ") + c.review.get(lang))
    for s in c.seen:
        sub.add(f"{s.label.get(lang)} [dim]{s.expr}[/dim] = [bold]{s.value.get(lang)}[/bold]")
    for eid, label, outcome, cite in c.exceptions:
        m, st = MARK[outcome]
        sub.add(f"[{st}]{m}[/] {'例外' if lang == 'zh' else 'exception'} {eid}: "
                f"{label.get(lang)} [dim]{_cite(cite, lang)}[/dim]")
    if c.gap is not None:
        sub.add(f"[red]{'差距' if lang == 'zh' else 'gap'}: {c.gap.get(lang)}[/red]")
    for k in c.children:
        _cond(sub, k, lang)


def explanation_tree(e: Explanation, lang: Lang) -> Tree:
    zh = lang == "zh"
    head = f"[bold]{e.title.get(lang)}[/bold] [dim]{e.key}[/dim] — " \
           f"[{STYLE[e.status]}]{e.status.text.get(lang)}[/]"
    if e.amount is not None and e.status is Status.ELIGIBLE:
        head += f" [bold]{fmt_money(e.amount)}[/bold]"
        if e.amount_assumed:
            head += " " + assumed_mark(lang)
    tree = Tree(head)
    tree.add(f"[dim]{'政策包' if zh else 'pack'} {e.pack_version} · "
             f"{'评估日' if zh else 'as of'} {e.as_of}[/dim]")
    if e.cite.paragraph or e.cite.assumed:
        tree.add(f"[dim]{'出处' if zh else 'source'}: {_cite(e.cite, lang)}[/dim]")
    conds = tree.add("条件" if zh else "Conditions")
    for c in e.conditions:
        _cond(conds, c, lang)
    if e.amount_steps:
        amt = tree.add("金额" if zh else "Amount")
        for s in e.amount_steps:
            amt.add(s.get(lang))
        for note in e.amount_assumed:
            amt.add(f"{assumed_mark(lang)} [dim]{escape(note)}[/dim]")
    if e.missing:
        miss = tree.add("[yellow]" + ("缺少的信息" if zh else "Missing") + "[/yellow]")
        for m in e.missing:
            miss.add(m.get(lang))
    if e.window is not None or e.program:
        prog = tree.add("申报" if zh else "Applications")
        if e.window is not None:
            prog.add(e.window.get(lang))
        for p in e.program:
            prog.add(p.get(lang))
    for n in e.notes:
        tree.add(f"[dim]{n.get(lang)}[/dim]")
    return tree


def citations(pack: Pack, lang: Lang, console: Console) -> None:
    """Every clause with the citation or assumed note of each of its rules."""
    for pol in pack.policies:
        tree = Tree(f"[bold]{pol.title.get(lang)}[/bold] [dim]{pol.id} "
                    f"{pol.document_number or ''}[/dim]")
        if pol.source_note:
            tree.add(f"[dim]{'来源说明' if lang == 'zh' else 'about the text'}: "
                     f"{escape(pol.source_note)}[/dim]")
        for p in pol.params.values():
            tree.add(f"{'参数' if lang == 'zh' else 'parameter'} {p.name}: "
                     f"{_cite(p.cite, lang)}")
        for tb in pol.tables.values():
            tree.add(f"{'分档表' if lang == 'zh' else 'table'} {tb.name}: {_cite(tb.cite, lang)}")
        for c in pol.clauses:
            node = tree.add(f"{c.title.get(lang)} [dim]{c.key}[/dim]")
            for cond in c.all_conditions():
                if cond.kind in ("expr", "review"):
                    node.add(f"{cond.label.get(lang)}: {_cite(cond.cite, lang)}")
            if c.benefit is not None:
                node.add(f"{'待遇' if lang == 'zh' else 'benefit'}: {_cite(c.benefit.cite, lang)}")
                for n in c.benefit.assumptions:
                    node.add(f"{'金额' if lang == 'zh' else 'amount'} {assumed_mark(lang)} {escape(n)}")
        console.print(tree)


def explain_all(matcher: Matcher, res: MatchResult, lang: Lang, console: Console,
                only: set[str] | None = None) -> None:
    ex = Explainer(matcher)
    for r in res.clauses:
        if only is not None and r.status.value not in only:
            continue
        console.print(explanation_tree(ex.explain_one(r), lang))
