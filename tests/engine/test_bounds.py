"""What the missing facts cannot change (issue 11, item 6): whenever huiqi decides a
condition with facts missing, every completion of those facts gives that outcome (sound);
whenever every completion gives one outcome, huiqi decides it (complete, for the constructs
of :mod:`bounds_packs`, each fact read once — checked by enumerating the completions)."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.engine.matcher import Matcher
from huiqi.engine.result import Status
from huiqi.engine.values import MISSING
from huiqi.facts.enterprise import Enterprise
from huiqi.rules import ir
from huiqi.rules.loader import load_pack
from huiqi.rules.model import ConditionSpec
from properties import examples

from . import bounds_packs as B

SETTINGS = settings(max_examples=examples(100), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _matcher(text: str) -> Matcher:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bp.yaml").write_text(text, encoding="utf-8")
        return Matcher(load_pack(folder / "bp.yaml", B.catalogue(folder)), B.AS_OF)


def _reads_once(c: ConditionSpec) -> bool:
    """A condition whose exceptions read none of the facts it or another exception reads,
    and that compares by order: a range is one interval, so ``==`` and ``!=`` are not
    decided where the values between its ends cannot all occur (a product of two whole
    numbers is never 5; points 0 or 9 are never 5)."""
    seen: set[str] = set()
    assert isinstance(c.expr, ir.Node), c.path  # the random packs' conditions are leaves
    for n in [c.expr, *(e.when for e in c.exceptions)]:
        if any(isinstance(x, ir.Cmp) and x.op in ("==", "!=") for x in ir.walk(n)):
            return False
        used = ir.facts_used(n) | {x.key for x in ir.walk(n) if isinstance(x, ir.Choice)}
        if used & seen:
            return False
        seen |= used
    return True


@SETTINGS
@given(st.data())
def test_decided_with_facts_missing_means_decided_for_every_completion(data: st.DataObject
                                                                       ) -> None:
    text = data.draw(B.pack_text(), label="pack")
    m = _matcher(text)
    for i in range(4):
        e = data.draw(B.enterprise(), label=f"enterprise {i}")
        got = m.match(e)
        alls = [m.match(c) for c in B.completions(e)]
        for r in got.clauses:
            leaves = {c.path for c in m.pack.clause(r.key).all_conditions()  # type: ignore[union-attr]
                      if c.kind in ("expr", "review") and _reads_once(c)}
            for path, v in r.outcomes.items():
                outs = {a.by_key(r.key).outcomes[path] for a in alls}  # type: ignore[union-attr]
                if v is True or v is False:  # sound
                    assert outs == {v}, (r.key, path, v, outs, e, text)
                elif v is MISSING and path in leaves:  # complete, on leaf conditions
                    assert len(outs) > 1, (r.key, path, outs, e, text)
            if r.status in (Status.ELIGIBLE, Status.NOT_ELIGIBLE):
                assert {a.by_key(r.key).status for a in alls} == {r.status}  # type: ignore[union-attr]


def test_a_score_that_cannot_fall_below_the_mark_is_met() -> None:
    text = """id: bp
title: 界限
issuer: 测试
dates: {effective: 2020-01-01}
source: {text: 测试。}
choices:
  - {id: m, label: 方式, assumed: 测试, options: {p: 甲, q: 乙}}
tables:
  ta:
    label: 分档
    assumed: 测试
    bands:
      - {range: "(-∞, 2)", value: 10}
      - {range: "[2, ∞)", value: 20}
values:
  score: "band(ta, x1) + (if m == \\"p\\" then band(ta, x2) else 15) + x3 * 10"
clauses:
  - id: c
    title: c
    conditions:
      - {id: pass, label: 及格, when: "score >= 45", assumed: 测试}
    benefit: {kind: title, assumed: 测试}
"""
    m = _matcher(text)
    full = {"registration_date": dt.date(2015, 1, 1), "x1": 3, "x3": 2}
    # x2 missing, no choice declared: 20 + (10..20 or 15) + 20 ≥ 50 ≥ 45 whatever they are
    r = m.match(Enterprise(id="e", name="e", facts=dict(full))).by_key("bp/c")
    assert r is not None and r.status is Status.ELIGIBLE and r.missing == ()
    # the explanation says so
    assert [n.zh for n in r.notes] == [
        "“及格”:无论测试数x2、方式的选择如何,score 均在 50 至 60 之间,该条件均成立(无需补充即可判定)"]
    assert "whatever" in r.notes[0].en and "between 50 and 60" in r.notes[0].en
    # x3 missing too: 20 + 10..20 + 0..30 may be below 45: still undetermined
    r = m.match(Enterprise(id="e", name="e", facts={**full, "x3": None})).by_key("bp/c")
    assert r is not None and r.status is Status.UNDETERMINED
    assert {x.fact for x in r.missing} >= {"x3"}


def test_a_missing_sub_score_that_cannot_change_the_outcome_is_not_needed() -> None:
    """A scored review recorded without one sub-score (issue 11): decided when the parts
    given already settle the pass mark whatever the missing one is within its declared
    range; undetermined (the sub-score missing) when it could go either way; needs review
    until a decision is recorded."""
    text = """id: bp
title: 界限
issuer: 测试
dates: {effective: 2020-01-01}
source: {text: 测试。}
clauses:
  - id: c
    title: c
    conditions:
      - id: r
        label: 评审得分高于70分
        review: 专家分项打分
        assumed: 测试
        score:
          pass_mark: 70
          strict: true
          parts:
            tech: {label: 技术先进性, min: 0, max: 60}
            market: {label: 市场前景, min: 0, max: 40}
          formula: tech + market
    benefit: {kind: title, assumed: 测试}
"""
    m = _matcher(text)
    facts = {"registration_date": dt.date(2015, 1, 1)}

    def status(reviews: dict[str, Any]) -> Any:
        r = m.match(Enterprise(id="e", name="e", facts=dict(facts),
                               reviews=reviews)).by_key("bp/c")
        assert r is not None and r.key == "bp/c"
        return r

    assert status({}).status is Status.NEEDS_REVIEW
    # 55 for tech: 55 + (0..40) may be at or below 70, or above it — the market score is needed
    r = status({"bp/c/r": {"tech": Decimal(55)}})
    assert r.status is Status.UNDETERMINED
    assert [x.fact for x in r.missing] == ["score:bp/c/r:market"]
    # market 0, tech missing: 0 + (0..60) is never above 70 — not met whatever tech is
    r = status({"bp/c/r": {"market": Decimal(0), "tech": None}})
    assert r.status is Status.NOT_ELIGIBLE and r.missing == ()
    assert [n.zh for n in r.notes] == [
        "“评审得分高于70分”:无论评审评分:评审得分高于70分·技术先进性如何,tech + market "
        "均在 0 至 60 之间,该条件均不成立(无需补充即可判定)"]
    # market 40 of 40 and a pass mark of 35: above it whatever tech is
    m3 = _matcher(text.replace("pass_mark: 70", "pass_mark: 35"))
    r = m3.match(Enterprise(id="e", name="e", facts=dict(facts),
                            reviews={"bp/c/r": {"market": Decimal(40)}})).by_key("bp/c")
    assert r is not None and r.status is Status.ELIGIBLE and r.missing == ()
    # both given: exact, the strict mark at exactly the mark is not met
    r = m3.match(Enterprise(id="e", name="e", facts=dict(facts),
                            reviews={"bp/c/r": {"market": Decimal(30),
                                                "tech": Decimal(5)}})).by_key("bp/c")
    assert r is not None and r.status is Status.NOT_ELIGIBLE
