"""Property tests over random programmes and decisions: grants ≤ quota; their sum ≤ the
budget; nobody below the pass mark chosen; vacancy exactly when nobody passes; the ranking
is the one shown (by the aggregate, then the declared tie-break); the trimmed mean only
from five reviews."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from huiqi.programmes.panel import TRIMMED, Candidate, aggregate, choose, rank

scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
amounts = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False,
                      allow_infinity=False)


@st.composite
def candidates(draw: st.DrawFn) -> list[Candidate]:
    n = draw(st.integers(0, 30))
    return [Candidate(id=i + 1, entity_id=i + 1, score=draw(scores),
                      criteria={"q": draw(scores)}, submitted_order=draw(st.integers(0, 100)),
                      amount=draw(amounts)) for i in range(n)]


@given(candidates(), st.none() | scores, st.none() | st.integers(0, 10), amounts)
def test_choices_respect_quota_budget_and_pass_mark(cands: list[Candidate], pass_mark: Decimal | None,
                                                    quota: int | None, budget: Decimal) -> None:
    out = choose(cands, pass_mark, quota, budget, ("q", "submitted_at"))
    by_id = {c.id: c for c in cands}
    chosen = [by_id[i] for i in out.chosen]
    if quota is not None:
        assert len(chosen) <= quota
    assert sum((c.amount for c in chosen), Decimal(0)) <= budget
    if pass_mark is not None:
        assert all(c.score >= pass_mark for c in chosen)
    passing = [c for c in cands if pass_mark is None or c.score >= pass_mark]
    assert out.vacant == (not passing)
    assert set(out.chosen) <= set(out.passing) == {c.id for c in passing}
    # every passing candidate left out was so for the quota or the budget
    for c in passing:
        assert c.id in out.chosen or out.left_out[c.id] in ("quota", "budget")
    # the chosen are the best of those that fit: nobody left out for the quota ranks above
    # a chosen one
    pos = {c.id: i for i, c in enumerate(out.ranked)}
    for i, why in out.left_out.items():
        if why == "quota":
            assert all(pos[j] < pos[i] for j in out.chosen)
    if out.chosen:
        assert out.cut_off == by_id[out.chosen[-1]].score


@given(candidates())
def test_the_ranking_is_by_the_score_shown_then_the_tie_break(cands: list[Candidate]) -> None:
    ranked = rank(cands, ("q", "submitted_at"))
    keys = [(-c.score, -c.criteria["q"], c.submitted_order, c.id) for c in ranked]
    assert keys == sorted(keys)


@given(st.lists(scores, min_size=1, max_size=9))
def test_the_trimmed_mean_needs_five_reviews(totals: list[Decimal]) -> None:
    got = aggregate(totals, TRIMMED)
    mean = aggregate(totals, "mean")
    if len(totals) < 5:
        assert got == mean
    else:
        assert min(totals) <= got <= max(totals)
        inner = sorted(totals)[1:-1]
        assert got == aggregate(inner, "mean")
