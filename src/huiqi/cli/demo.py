"""``huiqi demo``: the policy packs against a generated park, a few enterprises explained.

On first use it generates the demo park (``var/demo``): a few hundred enterprises as YAML
for the one-enterprise engine and the CLI, and a larger park as Parquet for the
population commands. Then it picks three telling enterprises — the one that can get
the most, one that misses a clause by a small measurable gap, one whose data is
incomplete — and prints their matches and explanations.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from huiqi.cli.render import explanation_tree, match_table
from huiqi.engine.explain import Explainer
from huiqi.engine.matcher import Matcher
from huiqi.engine.result import MatchResult, Status, near_miss
from huiqi.facts.enterprise import Enterprise
from huiqi.text import Lang

DEMO_SEED = 2026
DEMO_ENTERPRISES = 300
DEMO_PARK = 20_000


def ensure_demo_data(as_of: dt.date, console: Console, folder: Path = Path("var/demo")) -> Path:
    """The demo enterprises (YAML), generated once."""
    from huiqi.generator import write

    folder.mkdir(parents=True, exist_ok=True)
    small = folder / "enterprises.yaml"
    park = folder / "park.parquet"
    if not small.exists():
        with console.status("生成演示企业 / generating demo enterprises …"):
            write(small, DEMO_ENTERPRISES, DEMO_SEED, as_of)
    if not park.exists():
        with console.status("生成演示园区 / generating the demo park …"):
            write(park, DEMO_PARK, DEMO_SEED, as_of)
    return small


def pick(results: list[MatchResult]) -> list[MatchResult]:
    """The richest, a near miss, and an undetermined one (each a different enterprise)."""
    chosen: list[MatchResult] = []
    richest = max(results, key=lambda r: r.total)
    chosen.append(richest)
    near = [r for r in results if r not in chosen and any(
        near_miss(c.status, c.failed, {g.condition for g in c.gaps}) for c in r.clauses)]
    if near:
        chosen.append(max(near, key=lambda r: r.total))
    unsure = [r for r in results if r not in chosen and any(
        c.status is Status.UNDETERMINED and c.missing for c in r.clauses)]
    if unsure:
        chosen.append(max(unsure, key=lambda r: sum(1 for c in r.clauses
                                                     if c.status is Status.ELIGIBLE)))
    return chosen


def run_demo(lang: Lang, as_of: dt.date, count: int, console: Console) -> None:
    from huiqi.cli.app import _one_pack
    from huiqi.facts.io import load_enterprises

    data = ensure_demo_data(as_of, console)
    pack = _one_pack(None)
    firms: list[Enterprise] = load_enterprises(data, check_codes=True)
    m = Matcher(pack, as_of)
    results = [m.match(e) for e in firms]
    zh = lang == "zh"
    eligible = sum(1 for r in results for c in r.clauses if c.status is Status.ELIGIBLE)
    console.print(Rule("惠企 huiqi 演示" if zh else "huiqi demo"))
    console.print(
        (f"政策包 {pack.version_id}:{len(pack.policies)} 项政策、{len(pack.clauses())} 个条款;"
         f"{len(firms)} 家演示企业,评估日 {as_of},共 {eligible} 个符合的条款。") if zh else
        (f"Pack {pack.version_id}: {len(pack.policies)} policies, {len(pack.clauses())} clauses; "
         f"{len(firms)} demo enterprises as of {as_of}; {eligible} eligible clauses in all."))
    ex = Explainer(m)
    for res in pick(results)[:count]:
        console.print(Rule(res.enterprise_name))
        console.print(match_table(m, res, lang))
        shown = [c for c in res.clauses if c.status is Status.ELIGIBLE and c.amount][:1]
        shown += [c for c in res.clauses if c.status is Status.NOT_ELIGIBLE and c.gaps][:1]
        shown += [c for c in res.clauses if c.status is Status.UNDETERMINED and c.missing][:1]
        for c in shown:
            console.print(explanation_tree(ex.explain_one(c), lang))
    console.print(Rule())
    console.print(
        "更多:huiqi match <企业> / huiqi explain <企业> <条款> / huiqi match-all / "
        "huiqi near-miss <条款> / huiqi simulate --reform examples/reforms/xm-voucher-raise.yaml "
        "-p policies/seed" if zh else
        "More: huiqi match <enterprise> / huiqi explain <enterprise> <clause> / huiqi match-all / "
        "huiqi near-miss <clause> / huiqi simulate --reform examples/reforms/xm-voucher-raise.yaml "
        "-p policies/seed")
