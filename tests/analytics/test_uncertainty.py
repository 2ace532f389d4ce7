"""Rank stability: the Monte Carlo, the sensitivity, the what-if."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.analytics import framework as F
from huiqi.analytics import sample
from huiqi.analytics.composite import Options, Tree, compute
from huiqi.analytics.uncertainty import Choices, monte_carlo, what_if
from properties import examples

FW = F.get("gxq-2021")


def _parks(n: int = 40, seed: int = 3) -> sample.Parks:
    return sample.generate(FW, n=n, years=(2024, 2025), seed=seed, home_rank=11)


@settings(max_examples=examples(15), deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(12, 30), st.integers(20, 200))
def test_the_interval_always_contains_the_nominal_rank(seed: int, n: int, draws: int) -> None:
    p = sample.generate(FW, n=n, years=(2025,), seed=seed, home_rank=5)
    s = monte_carlo(FW, p.values[2025], p.names, draws=draws, seed=seed)
    lo, hi, _ = s.interval()
    ok = ~np.isnan(s.nominal)
    assert ((lo[ok] <= s.nominal[ok]) & (s.nominal[ok] <= hi[ok])).all()


def test_no_uncertainty_gives_the_nominal_rank_every_time() -> None:
    p = _parks()
    s = monte_carlo(FW, p.values[2025], p.names, draws=50,
                    choices=Choices((), (), (), weights=False))
    np.testing.assert_array_equal(np.nanmedian(s.ranks, axis=0), s.nominal)
    lo, _hi, outside = s.interval()
    np.testing.assert_array_equal(lo, s.nominal)
    assert not outside.any()


def test_monte_carlo_draws_match_a_direct_computation() -> None:
    """Each batched draw equals compute() with the same choices and weights."""
    p = _parks(n=25)
    x = p.values[2025]
    s = monte_carlo(FW, x, p.names, draws=30, seed=5)
    rng = np.random.default_rng(5)  # the same stream: options, then weights
    from huiqi.analytics.uncertainty import perturb

    norms, aggs, imps = s.options
    ni, ai, ii = (rng.integers(0, len(norms), 30), rng.integers(0, len(aggs), 30),
                  rng.integers(0, len(imps), 30))
    g = len(FW.groups)
    tree = Tree.of(FW)
    gr, ir = FW.ranges()
    wi = perturb(rng, ir, tree.parents[0], g, 30)
    wg = perturb(rng, gr, np.zeros(g, dtype=np.int64), 1, 30)
    for d in (0, 7, 29):
        t = Tree(tree.parents, (wi[d], wg[d]))
        r = compute(x, FW.directions(), t, Options(norms[ni[d]], aggs[ai[d]], imps[ii[d]]),
                    p.names, FW.min_available)
        np.testing.assert_array_equal(s.ranks[d], r.rank.astype(np.float32))


def test_sensitivity_names_the_choice_that_moves_the_rank() -> None:
    p = _parks()
    s = monte_carlo(FW, p.values[2025], p.names, draws=400, seed=2,
                    choices=Choices(("minmax", "rank"), (), (), weights=False))
    sens = s.sensitivity()
    moved = np.nanvar(s.ranks, axis=0) > 0
    # only the normalisation varies: it explains (almost) everything where ranks move
    assert (sens["normalisation"][moved] > 0.99).all()
    assert (sens["aggregation"] == 0).all()


def test_what_if_moves_the_park_up_one_place() -> None:
    p = _parks()
    x = p.values[2025]
    home = sample.HOME
    base = compute(x, FW.directions(), Tree.of(FW), Options(), p.names,
                   FW.min_available).rank[p.names.index(home)]
    options = what_if(FW, x, p.names, home)
    assert options, "some single indicator can move the park up"
    assert [o.sd for o in options] == sorted(o.sd for o in options)
    best = options[0]
    k = FW.keys.index(best.indicator)
    y = x.copy()
    y[p.names.index(home), k] = best.value_after
    after = compute(y, FW.directions(), Tree.of(FW), Options(), p.names,
                    FW.min_available).rank[p.names.index(home)]
    assert after < base and best.rank_after == after


def test_sensitivity_names_the_indicator_weight_that_moves_the_rank() -> None:
    """Only one indicator's weight may move (every other weight fixed, one normalisation,
    one aggregation): its share explains the rank's variance, no other weight's does."""
    doc = {"key": "t", "title": "t", "groups": [
        {"key": "g1", "label": "g1", "weight": 1, "indicators": [
            {"key": "a", "label": "a", "weight": 1, "range": [0.1, 5]},
            {"key": "b", "label": "b", "weight": 1}]},
        {"key": "g2", "label": "g2", "weight": 1, "indicators": [
            {"key": "c", "label": "c", "weight": 1}]}]}
    fw = F.parse(doc)
    x = np.random.default_rng(4).uniform(0, 100, (30, 3))
    s = monte_carlo(fw, x, [str(i) for i in range(30)], draws=2000, seed=1,
                    choices=Choices(("minmax",), ("arithmetic",), ("none",), weights=True))
    sens = s.sensitivity()
    moved = np.nanvar(s.ranks, axis=0) >= 1
    assert moved.sum() > 10
    # by deciles of the weight: the variation within a decile is not counted, so a little
    # less than all of it
    assert (sens["indicator_weight:a"][moved] > 0.8).all()
    # b's weight is a's complement within g1 (renormalised): it moves with a and so
    # explains as much; c's and the groups' weights are fixed and explain nothing
    assert (sens["indicator_weight:c"] == 0).all()
    assert (sens["weight:g1"] == 0).all() and (sens["weight:g2"] == 0).all()
    assert (sens["normalisation"] == 0).all()


def test_first_order_shares_equal_their_definition_with_ranks_missing_in_some_draws() -> None:
    """The fast sums equal Var(E[rank | option]) ÷ Var(rank) written out with NaN-aware
    means, also for a unit that has no rank in some draws only."""
    from huiqi.analytics.composite import quiet
    from huiqi.analytics.uncertainty import _first_order, _Ranks

    rng = np.random.default_rng(8)
    ranks = rng.integers(1, 20, (300, 6)).astype(np.float32)
    ranks[rng.random(300) < 0.2, 2] = np.nan  # some draws only
    ranks[:, 5] = np.nan  # never scored
    idx = rng.integers(0, 4, 300)
    r = ranks.astype(float)
    expected = np.zeros(6)
    with quiet():  # the unit never scored: means of nothing
        for level in range(4):
            sel = idx == level
            expected += sel.mean() * (np.nanmean(r[sel], axis=0) - np.nanmean(r, axis=0)) ** 2
        total = np.nanvar(r, axis=0)
        expected = np.where(total > 0, expected / np.where(total > 0, total, 1), 0.0)
    got = _first_order(_Ranks.of(ranks), idx)
    np.testing.assert_allclose(got[:5], expected[:5], rtol=1e-12)
    assert got[5] == 0
