"""The composite index: framework, normalisations, aggregation, missing data, ranks; and
the properties the issue asks for (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from huiqi.analytics import framework as F
from huiqi.analytics.composite import (
    Options,
    Tree,
    aggregate,
    average_ranks,
    compute,
    normalise,
    ranks,
)
from huiqi.analytics.uncertainty import perturb
from huiqi.errors import InputError


def test_shipped_framework_has_the_national_weights_marked() -> None:
    fw = F.get("gxq-2021")
    weights = {g.key: (g.weight, g.status) for g in fw.groups}
    assert [w for w, _ in weights.values()] == [20, 20, 15, 15, 30]
    # one weight is confirmed on an official page, four are not (shared/references.md §2f)
    assert [s for _, s in weights.values()] == ["confirmed"] + ["unofficial"] * 4
    assert fw.indicator("rd_institutions").weight == 0.8
    assert fw.indicator("rd_fte_share").weight == 1.2
    assert len(fw.indicators) == 40
    np.testing.assert_allclose(fw.group_weights().sum(), 1)
    iw = fw.indicator_weights()
    np.testing.assert_allclose(np.bincount(fw.membership(), iw), np.ones(5))
    assert F.for_year(2025).key == "gxq-2021"  # the 2024 revision is known only in part
    assert not F.get("gxq-2024").complete


def test_the_2024_revision_is_what_is_known_of_it() -> None:
    """references §2f: 6 first-level and 43 second-level indicators published; only the
    first group (高质量发展综合质效, 15 %, sub-weights 0.8 / 1.2 / 1 / 1) is known."""
    fw = F.get("gxq-2024")
    assert fw.published == (6, 43) and fw.known == (1, 4) and not fw.complete
    (g,) = fw.groups
    assert (g.label.zh, g.weight, g.status) == ("高质量发展综合质效", 15, "confirmed")
    assert [(i.weight, i.status) for i in g.indicators] == [
        (0.8, "confirmed"), (1.2, "confirmed"), (1, "confirmed"), (1, "confirmed")]
    assert F.for_year(2024).key == "gxq-2021"  # never scored with a sixth of a method
    doc = {"key": "x", "title": "x", "published": {"groups": 2, "indicators": 3},
           "groups": [{"key": "g", "label": "g", "weight": 1,
                       "indicators": [{"key": "a", "label": "a", "weight": 1}]}]}
    with pytest.raises(InputError, match="complete: false"):
        F.parse(doc)
    assert F.parse({**doc, "complete": False}).known == (1, 1)
    with pytest.raises(InputError, match="more than"):
        F.parse({**doc, "complete": False, "published": {"groups": 1, "indicators": 0}})


def test_a_wrong_framework_is_refused() -> None:
    doc = {"key": "x", "title": "x", "groups": [{"key": "g", "label": "g", "weight": 1,
                                                    "indicators": [{"key": "a", "label": "a",
                                                                    "weight": 2, "range": [0.5, 1]}]}]}
    with pytest.raises(InputError, match="range"):
        F.parse(doc)


def test_normalisations_by_hand() -> None:
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, np.nan], [5.0, 40.0]])
    d = np.array([1.0, -1.0])
    mm = normalise(x, d, "minmax")
    np.testing.assert_allclose(mm[:, 0], [0, 25, 50, 100])
    np.testing.assert_allclose(mm[[0, 1, 3], 1], [100, 200 / 3, 0])
    assert np.isnan(mm[2, 1])  # missing stays missing, never 0
    fr = normalise(x, d, "frontier")
    np.testing.assert_allclose(fr[:, 0], [20, 40, 60, 100])
    np.testing.assert_allclose(fr[[0, 1, 3], 1], [100, 50, 25])
    z = normalise(x, d, "zscore")
    np.testing.assert_allclose(z[:, 0], 50 + 10 * (x[:, 0] - 2.75) / np.std(x[:, 0], ddof=1))
    rk = normalise(x, d, "rank")
    np.testing.assert_allclose(rk[:, 0], [25, 50, 75, 100])
    np.testing.assert_allclose(rk[[0, 1, 3], 1], [100, 200 / 3, 100 / 3])
    # a constant indicator tells no unit from another
    assert (normalise(np.ones((3, 1)), np.ones(1), "minmax") == 50).all()


def test_aggregation_arithmetic_geometric_and_missing() -> None:
    v = np.array([[10.0, 40.0], [np.nan, 40.0]])
    parents = np.array([0, 0])
    w = np.array([0.5, 0.5])
    np.testing.assert_allclose(aggregate(v, parents, w, 1, "arithmetic")[:, 0], [25, 40])
    np.testing.assert_allclose(aggregate(v, parents, w, 1, "geometric")[:, 0], [20, 40])
    assert np.isnan(aggregate(np.full((1, 2), np.nan), parents, w, 1, "arithmetic")[0, 0])


def test_ranks_share_ties_and_skip_missing() -> None:
    np.testing.assert_array_equal(ranks(np.array([3.0, 5.0, 5.0, np.nan, 1.0])),
                                  [3, 1, 1, np.nan, 4])
    np.testing.assert_array_equal(average_ranks(np.array([2.0, 1.0, 2.0])), [2.5, 1, 2.5])


def test_unit_below_the_data_threshold_gets_no_score() -> None:
    fw = F.get("gxq-2021")
    x = np.random.default_rng(1).uniform(1, 100, (5, 40))
    x[0, :20] = np.nan
    r = compute(x, fw.directions(), Tree.of(fw), Options(), None, fw.min_available)
    assert np.isnan(r.index[0]) and np.isnan(r.rank[0])
    assert r.available[0] == 0.5
    assert sorted(r.rank[1:].tolist()) == [1, 2, 3, 4]


# ------------------------------------------------------------------ properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(arrays(np.float64, st.tuples(st.integers(3, 12), st.just(4)), elements=finite),
       st.integers(0, 3), st.lists(st.floats(0.001, 1e4), min_size=12, max_size=12),
       st.floats(-1e5, 1e5))
def test_rank_normalisation_is_invariant_to_a_monotone_change_of_unit(
        x: np.ndarray, col: int, steps: list[float], start: float) -> None:
    """Any strictly increasing change of one indicator's unit (here: its distinct values
    mapped onto an arbitrary increasing sequence) changes no rank-normalised value, so no
    score and no rank."""
    parents, weights = np.array([0, 0, 1, 1]), np.array([0.5, 0.5, 0.3, 0.7])
    tree = Tree((parents, np.zeros(2, dtype=np.int64)), (weights, np.array([0.4, 0.6])))
    d = np.array([1.0, -1.0, 1.0, 1.0])
    y = x.copy()
    distinct = np.unique(x[:, col])
    image = start + np.cumsum(steps[:len(distinct)])
    y[:, col] = image[np.searchsorted(distinct, x[:, col])]
    a, b = compute(x, d, tree, Options("rank")), compute(y, d, tree, Options("rank"))
    np.testing.assert_allclose(a.levels[0], b.levels[0])
    np.testing.assert_array_equal(a.rank, b.rank)


@given(st.integers(2, 8), st.integers(1, 4), st.integers(1, 50), st.integers(0, 2**32 - 1),
       st.floats(0.01, 10))
def test_perturbed_weights_still_sum_to_one(children: int, parents: int, draws: int,
                                            seed: int, width: float) -> None:
    rng = np.random.default_rng(seed)
    member = rng.integers(0, parents, children)
    member[:parents] = np.arange(min(parents, children))  # every parent has a child
    n_parents = int(member.max()) + 1
    lo = rng.uniform(0.1, 5, children)
    ranges = np.stack([lo, lo + width], axis=1)
    w = perturb(rng, ranges, member, n_parents, draws)
    sums = np.zeros((draws, n_parents))
    np.add.at(sums.T, member, w.T)
    np.testing.assert_allclose(sums, 1.0)
    assert (w > 0).all()
