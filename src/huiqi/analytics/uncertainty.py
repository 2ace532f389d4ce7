"""How stable is a rank: a Monte Carlo over the choices nobody can be sure of, which of
them move a unit's rank most, and what would move a unit up one place at least cost.

Each draw picks, independently and uniformly: every weight within its declared range (then
the weights of siblings are renormalised to sum 1), a normalisation, an aggregation and a
way of treating missing data. The draws are grouped by their discrete choices, and each
group is computed at once with NumPy (a batch of weight vectors against one normalised
matrix), so 10,000 draws over 169 parks and 40 indicators take seconds
(``python -m bench.analytics``).

A unit's interval is the 5th–95th percentile of its ranks over the draws. Robustness is a
property of a claim ("11th, 90% interval 9–14"), so the interval shown always contains the
nominal rank: should the nominal rank fall outside the middle 90% of the draws, the
interval is widened to it and ``nominal_outside`` says so.

Sensitivity is a first-order variance decomposition of each unit's rank: for a discrete
choice, the variance of the mean rank per option; for a weight (of a group, or of an
indicator within its group), of the mean rank per decile of that weight; each divided by
the variance of the rank. What is left (the interactions between choices) is reported as
the remainder. SALib's Sobol' estimators need a
sampling design over continuous factors; three of the four choices here are categorical,
for which this direct decomposition is exact in its first order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .composite import (
    AGGREGATIONS,
    IMPUTATIONS,
    NOMINAL,
    NORMALISATIONS,
    Aggregation,
    Array,
    Imputation,
    Normalisation,
    Options,
    Tree,
    aggregate,
    compute,
    impute,
    normalise,
    quiet,
    ranks,
)
from .framework import Framework

CHUNK = 512  # draws computed at once (memory: CHUNK × units × groups floats)


def perturb(rng: np.random.Generator, ranges: Array, parents: np.ndarray[Any, Any],
            n_parents: int, draws: int) -> Array:
    """``draws`` weight vectors, each weight uniform within its range (``ranges``: n × 2),
    then renormalised so that the weights of each parent's children sum to 1."""
    lo, hi = ranges[:, 0], ranges[:, 1]
    raw = lo + (hi - lo) * rng.random((draws, len(lo)))
    sums = np.zeros((draws, n_parents))
    np.add.at(sums.T, parents, raw.T)
    out: Array = raw / sums[:, parents]
    return out


@dataclass(frozen=True)
class Choices:
    """What the Monte Carlo varies. An empty tuple keeps the nominal option."""

    normalisations: tuple[Normalisation, ...] = NORMALISATIONS
    aggregations: tuple[Aggregation, ...] = AGGREGATIONS
    imputations: tuple[Imputation, ...] = IMPUTATIONS
    weights: bool = True


@dataclass
class Stability:
    units: list[str]
    nominal: Array  # nominal rank per unit (NaN: no score)
    ranks: np.ndarray[Any, np.dtype[np.float32]]  # draws × units
    normalisation: np.ndarray[Any, np.dtype[np.int8]]  # option index per draw
    aggregation: np.ndarray[Any, np.dtype[np.int8]]
    imputation: np.ndarray[Any, np.dtype[np.int8]]
    group_weights: Array  # draws × groups
    group_keys: list[str]
    options: tuple[tuple[Normalisation, ...], tuple[Aggregation, ...], tuple[Imputation, ...]]
    indicator_weights: np.ndarray[Any, np.dtype[np.float32]] | None = None  # draws × indicators
    indicator_keys: tuple[str, ...] = ()

    @property
    def draws(self) -> int:
        return int(self.ranks.shape[0])

    def median(self) -> Array:
        with quiet():
            out: Array = np.nanmedian(self.ranks, axis=0)
        return out

    def percentiles(self, lo: float = 5, hi: float = 95) -> tuple[Array, Array]:
        with quiet():
            p = np.nanpercentile(self.ranks, [lo, hi], axis=0, method="inverted_cdf")
        return p[0], p[1]

    def interval(self, lo: float = 5, hi: float = 95
                 ) -> tuple[Array, Array, np.ndarray[Any, np.dtype[np.bool_]]]:
        """(low, high, nominal_outside): the percentile interval widened, where needed, to
        contain the nominal rank."""
        a, b = self.percentiles(lo, hi)
        outside = (self.nominal < a) | (self.nominal > b)
        return np.fmin(a, self.nominal), np.fmax(b, self.nominal), outside

    def sensitivity(self, bins: int = 10) -> dict[str, Array]:
        """First-order share of each unit's rank variance explained by each choice
        (``weight:<group>`` for a group's weight, ``indicator_weight:<indicator>`` for an
        indicator's weight within its group), and ``remainder`` (interactions)."""
        with quiet():
            return self._sensitivity(bins)

    def _sensitivity(self, bins: int) -> dict[str, Array]:
        r = _Ranks.of(self.ranks)
        out: dict[str, Array] = {}
        for name, idx in (("normalisation", self.normalisation),
                          ("aggregation", self.aggregation),
                          ("imputation", self.imputation)):
            out[name] = _first_order(r, idx)
        weights: list[tuple[str, np.ndarray[Any, Any]]] = [
            (f"weight:{key}", self.group_weights[:, g])
                   for g, key in enumerate(self.group_keys)]
        if self.indicator_weights is not None:
            weights += [(f"indicator_weight:{key}", self.indicator_weights[:, k])
                        for k, key in enumerate(self.indicator_keys)]
        for name, w in weights:
            if np.ptp(w) == 0:
                out[name] = np.zeros(len(r.mean))
                continue
            edges = np.quantile(w, np.linspace(0, 1, bins + 1)[1:-1])
            out[name] = _first_order(r, np.searchsorted(edges, w))
        explained = np.sum(list(out.values()), axis=0)
        out["remainder"] = np.clip(1 - explained, 0, 1)
        return out


@dataclass(frozen=True)
class _Ranks:
    """What every first-order share needs, computed once: the draws' ranks (float32, whole
    numbers: their sums are exact), each unit's mean and variance, and, should some unit
    miss a rank in some draws only, which ranks are present."""

    ranks: np.ndarray[Any, np.dtype[np.float32]]  # draws × units, missing as 0
    present: np.ndarray[Any, np.dtype[np.float32]] | None  # None: none missing in part
    mean: Array
    total: Array

    @classmethod
    def of(cls, ranks: np.ndarray[Any, Any]) -> _Ranks:
        ok = ~np.isnan(ranks)
        counts = ok.sum(axis=0)
        filled = np.where(ok, ranks, 0).astype(np.float32)
        with np.errstate(all="ignore"):
            mean = filled.sum(axis=0, dtype=np.float64) / counts
            var = (np.where(ok, (filled - mean) ** 2, 0).sum(axis=0, dtype=np.float64)
                   / counts)
        partial = ((counts > 0) & (counts < len(ranks))).any()
        return cls(filled, ok.astype(np.float32) if partial else None, mean, var)


def _first_order(r: _Ranks, idx: np.ndarray[Any, Any]) -> Array:
    """Var(E[rank | choice]) ÷ Var(rank) per unit, the choice's options (or a weight's
    deciles) given by ``idx`` per draw. Plain sums over the selected draws, not NaN-aware
    means nor a matrix product (a BLAS product of this shape is slow on a busy machine)."""
    acc = np.zeros(len(r.mean))
    n = len(idx)
    with np.errstate(all="ignore"):
        for level in np.unique(idx):
            sel = idx == level
            count = r.present[sel].sum(axis=0) if r.present is not None else sel.sum()
            acc += sel.sum() / n * (r.ranks[sel].sum(axis=0, dtype=np.float64) / count
                                    - r.mean) ** 2
        out: Array = np.where(r.total > 0, acc / np.where(r.total > 0, r.total, 1), 0.0)
    return out


def monte_carlo(fw: Framework, x: Array, units: Sequence[str], draws: int = 10_000,
                seed: int = 0, choices: Choices | None = None,
                nominal: Options = NOMINAL) -> Stability:
    """Ranks of the units (rows of ``x``, columns in ``fw.keys`` order) under ``draws``
    random choices."""
    choices = choices or Choices()
    rng = np.random.default_rng(seed)
    tree = Tree.of(fw)
    directions = fw.directions()
    n_units, g = x.shape[0], len(fw.groups)
    norms = choices.normalisations or (nominal.normalisation,)
    aggs = choices.aggregations or (nominal.aggregation,)
    imps = choices.imputations or (nominal.imputation,)
    ni = rng.integers(0, len(norms), draws).astype(np.int8)
    ai = rng.integers(0, len(aggs), draws).astype(np.int8)
    ii = rng.integers(0, len(imps), draws).astype(np.int8)
    granges, iranges = fw.ranges()
    if choices.weights:
        wi = perturb(rng, iranges, tree.parents[0], g, draws)
        wg = perturb(rng, granges, np.zeros(g, dtype=np.int64), 1, draws)
    else:
        wi = np.broadcast_to(tree.weights[0], (draws, len(tree.weights[0])))
        wg = np.broadcast_to(tree.weights[1], (draws, g))
    scored = np.mean(~np.isnan(x), axis=1) >= fw.min_available
    out = np.full((draws, n_units), np.nan, dtype=np.float32)
    for a in range(len(imps)):
        filled = impute(x, imps[a])
        for b in range(len(norms)):
            xn = normalise(filled, directions, norms[b])
            for c in range(len(aggs)):
                sel = np.flatnonzero((ii == a) & (ni == b) & (ai == c))
                for start in range(0, len(sel), CHUNK):
                    part = sel[start:start + CHUNK]
                    with quiet():
                        gs = aggregate(xn, tree.parents[0], wi[part], g, aggs[c])
                        idx = aggregate(gs, tree.parents[1], wg[part], 1, aggs[c])[..., 0]
                    idx = np.where(scored, idx, np.nan)
                    out[part] = ranks(idx)
    nominal_result = compute(x, directions, tree, nominal, units, fw.min_available)
    return Stability(list(units), nominal_result.rank, out, ni, ai, ii, np.asarray(wg),
                     [grp.key for grp in fw.groups], (norms, aggs, imps),
                     np.asarray(wi, dtype=np.float32), tuple(fw.keys))


@dataclass(frozen=True)
class Improvement:
    """Raising one indicator alone by ``change`` (in its unit; ``sd``: in standard
    deviations over the units) moves the unit from ``rank_before`` to ``rank_after``."""

    indicator: str
    value_before: float
    value_after: float
    change: float
    relative: float | None  # change ÷ |value before|, when that is not 0
    sd: float
    rank_before: int
    rank_after: int


def what_if(fw: Framework, x: Array, units: Sequence[str], unit: str,
            options: Options = NOMINAL, max_sd: float = 5.0, steps: int = 30,
            limit: int = 5) -> list[Improvement]:
    """The single-indicator improvements that move ``unit`` up at least one place, least
    costly first (cost: the change in standard deviations of the indicator over all units,
    a unit-free measure). Each candidate is found by bisection, the whole index recomputed
    at each step (a changed value can move the min, max or mean of its indicator)."""
    tree, directions = Tree.of(fw), fw.directions()
    u = list(units).index(unit)
    base = compute(x, directions, tree, options, units, fw.min_available).rank[u]
    if np.isnan(base) or base <= 1:
        return []
    found: list[Improvement] = []
    for k, ind in enumerate(fw.indicators):
        v0 = x[u, k]
        col = x[:, k][~np.isnan(x[:, k])]
        if np.isnan(v0) or col.size < 2:
            continue
        sd = float(np.std(col, ddof=1))
        if sd == 0:
            continue

        def rank_at(t: float, k: int = k, v0: float = float(v0), sd: float = sd,
                    direction: int = ind.direction) -> float:
            y = x.copy()
            y[u, k] = v0 + direction * t * sd
            if direction < 0:
                y[u, k] = max(y[u, k], 0.0) if v0 >= 0 else y[u, k]
            return float(compute(y, directions, tree, options, units,
                                 fw.min_available).rank[u])

        if rank_at(max_sd) >= base:
            continue
        lo, hi = 0.0, max_sd
        for _ in range(steps):
            mid = (lo + hi) / 2
            if rank_at(mid) < base:
                hi = mid
            else:
                lo = mid
        after = v0 + ind.direction * hi * sd
        if ind.direction < 0 and v0 >= 0:
            after = max(after, 0.0)
        change = float(after - v0)
        found.append(Improvement(ind.key, float(v0), float(after), change,
                                 change / abs(v0) if v0 else None, hi, int(base),
                                 int(rank_at(hi))))
    found.sort(key=lambda i: i.sd)
    return found[:limit]
