"""A composite index, computed the way the JRC/OECD handbook and COINr describe it:
directions, imputation, normalisation, weighting, aggregation up a tree, scores and ranks.

Everything is NumPy over a units × indicators matrix in which a missing value is ``NaN``
(never 0). Each step is a plain function, so that the Monte Carlo
(:mod:`huiqi.analytics.uncertainty`) can re-run any of them with other choices.

Normalisations (all give "higher is better", on a 0–100 scale):

``minmax``
    100 × (x − min) ÷ (max − min) after the direction is applied; a constant indicator
    gives every unit 50 (it tells no unit from another).
``zscore``
    50 + 10 × (x − mean) ÷ sd (sample sd, as R's ``sd``); constant → 50.
``frontier``
    distance to the frontier, the best unit: 100 × x ÷ max for "more is better", 100 × min
    ÷ x for "less is better"; needs positive data (else the indicator falls back to
    ``minmax``, said so in ``Result.notes``).
``rank``
    100 × rank ÷ number of units with data (average ranks for ties; the best is 100).
    Invariant to any increasing change of an indicator's unit.

Aggregations: weighted ``arithmetic`` mean; weighted ``geometric`` mean, for which values
below 1 are raised to 1 (a 0 would make the mean 0 whatever else the unit does). Missing
values drop out of a mean and the weights of the rest are renormalised; a unit whose
share of available indicators is below the framework's threshold gets no score and no
rank. Ranks: 1 is the best; equal scores share the better rank (R's ``ties = "min"``).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .framework import Framework

Array = np.ndarray[Any, np.dtype[np.float64]]
Normalisation = Literal["minmax", "zscore", "frontier", "rank"]
Aggregation = Literal["arithmetic", "geometric"]
Imputation = Literal["none", "mean", "median"]
NORMALISATIONS: tuple[Normalisation, ...] = ("minmax", "zscore", "frontier", "rank")
AGGREGATIONS: tuple[Aggregation, ...] = ("arithmetic", "geometric")
IMPUTATIONS: tuple[Imputation, ...] = ("none", "mean", "median")


@contextmanager
def quiet() -> Iterator[None]:
    """NumPy's warnings about all-missing slices silenced: a missing value is an answer here
    (NaN, shown as missing), not an accident."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@dataclass(frozen=True)
class Tree:
    """How indicators aggregate: ``parents[l][i]`` is the index of the parent (at level
    l + 1) of node i at level l, ``weights[l][i]`` its weight relative to its siblings.
    Level 0 are the indicators; the last level has a single parent, the index."""

    parents: tuple[np.ndarray[Any, np.dtype[np.int64]], ...]
    weights: tuple[Array, ...]
    names: tuple[tuple[str, ...], ...] = ()  # names of the nodes of levels 1.. (not leaves)

    @classmethod
    def of(cls, fw: Framework) -> Tree:
        g = len(fw.groups)
        return cls((fw.membership(), np.zeros(g, dtype=np.int64)),
                   (fw.indicator_weights(), fw.group_weights()),
                   (tuple(x.key for x in fw.groups), ("index",)))

    def sizes(self) -> list[int]:
        return [int(p.max()) + 1 for p in self.parents]


def impute(x: Array, method: Imputation) -> Array:
    """Missing values replaced by the indicator's mean or median over the units with data
    (``none``: kept missing)."""
    if method == "none" or not np.isnan(x).any():
        return x
    with quiet():
        fill = np.nanmean(x, axis=0) if method == "mean" else np.nanmedian(x, axis=0)
    out = x.copy()
    rows, cols = np.nonzero(np.isnan(out))
    out[rows, cols] = fill[cols]
    return out


def normalise(x: Array, directions: Array, method: Normalisation,
              notes: list[str] | None = None) -> Array:
    """Each column (indicator) of ``x`` put on a 0–100 "higher is better" scale."""
    d = x * directions
    with quiet():
        if method == "minmax":
            return _minmax(d)
        if method == "zscore":
            mean = np.nanmean(d, axis=0)
            n = np.sum(~np.isnan(d), axis=0)
            sd = np.sqrt(np.nansum((d - mean) ** 2, axis=0) / np.maximum(n - 1, 1))
            z = np.where(sd > 0, (d - mean) / np.where(sd > 0, sd, 1), 0.0)
            return np.where(np.isnan(d), np.nan, 50 + 10 * z)
        if method == "frontier":
            out = np.empty_like(x)
            for j in range(x.shape[1]):
                col = x[:, j]
                ok = col[~np.isnan(col)]
                if directions[j] > 0 and ok.size and ok.max() > 0 and ok.min() >= 0:
                    out[:, j] = 100 * col / ok.max()
                elif directions[j] < 0 and ok.size and ok.min() > 0:
                    out[:, j] = 100 * ok.min() / col
                else:
                    out[:, j] = _minmax(d[:, [j]])[:, 0]
                    if notes is not None:
                        notes.append(f"frontier: column {j} not positive, min-max used")
            return out
        if method == "rank":
            return _rank_scale(d)
    raise ValueError(f"unknown normalisation {method!r}")


def _minmax(d: Array) -> Array:
    lo, hi = np.nanmin(d, axis=0), np.nanmax(d, axis=0)
    span = hi - lo
    out: Array = np.where(span > 0, 100 * (d - lo) / np.where(span > 0, span, 1), 50.0)
    return np.where(np.isnan(d), np.nan, out)


def _rank_scale(d: Array) -> Array:
    """Average ranks (1 = lowest) of each column among its non-missing values, × 100 ÷ n."""
    out = np.full_like(d, np.nan)
    for j in range(d.shape[1]):
        col = d[:, j]
        ok = ~np.isnan(col)
        out[ok, j] = 100 * average_ranks(col[ok]) / max(int(ok.sum()), 1)
    return out


def average_ranks(v: Array) -> Array:
    """Ranks 1..n of ``v`` (1 = smallest), ties sharing the average of their ranks."""
    order = np.argsort(v, kind="mergesort")
    sv = v[order]
    ranks = np.empty(len(v))
    # the start and end of each run of equal values
    edges = np.flatnonzero(np.r_[True, sv[1:] != sv[:-1], True])
    for a, b in itertools.pairwise(edges):
        ranks[order[a:b]] = (a + 1 + b) / 2
    return ranks


def aggregate(values: Array, parents: np.ndarray[Any, Any], weights: Array, n_parents: int,
              method: Aggregation) -> Array:
    """Weighted means of children into parents over the last axis; a missing child drops
    out and its siblings' weights are renormalised. ``weights`` may carry leading draw
    axes matching ``values``' (… × children)."""
    onehot = np.zeros((len(parents), n_parents))
    onehot[np.arange(len(parents)), parents] = 1.0
    mask = ~np.isnan(values)
    v = np.log(np.maximum(np.where(mask, values, 1.0), 1.0)) if method == "geometric" else np.where(mask, values, 0.0)
    w = weights[..., None] * onehot  # (… × children × parents)
    if w.ndim == 2:
        num = v @ w
        den = mask.astype(float) @ w
    else:  # a batch of weights: values (units × children) or (draws × units × children)
        num = np.matmul(v, w) if v.ndim == 3 else np.einsum("uc,dcp->dup", v, w)
        m = mask.astype(float)
        den = np.matmul(m, w) if m.ndim == 3 else np.einsum("uc,dcp->dup", m, w)
    with np.errstate(all="ignore"):
        mean = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    out: Array = np.exp(mean) if method == "geometric" else mean
    return out


def ranks(scores: Array) -> Array:
    """Ranks over the last axis, 1 for the highest score; equal scores share the better
    rank (scores equal to 9 decimals are equal: the same data summed in another order
    differs in the last bits); a missing score has no rank (``NaN``)."""
    s = np.where(np.isnan(scores), -np.inf, np.round(scores, 9))
    order = np.argsort(-s, axis=-1, kind="stable")
    sorted_s = np.take_along_axis(s, order, axis=-1)
    pos = np.arange(s.shape[-1], dtype=float) + 1
    pos = np.broadcast_to(pos, s.shape).copy()
    # a tie takes the rank of the first of its run
    same = np.zeros_like(sorted_s, dtype=bool)
    same[..., 1:] = sorted_s[..., 1:] == sorted_s[..., :-1]
    run_start = np.where(same, 0, pos)
    run_start = np.maximum.accumulate(run_start, axis=-1)
    out = np.empty_like(pos)
    np.put_along_axis(out, order, run_start, axis=-1)
    result: Array = np.where(np.isnan(scores), np.nan, out)
    return result


@dataclass(frozen=True)
class Options:
    normalisation: Normalisation = "minmax"
    aggregation: Aggregation = "arithmetic"
    imputation: Imputation = "none"


NOMINAL = Options()


@dataclass
class Result:
    """Scores and ranks of every unit at every level (``levels[0]`` is the normalised
    indicators, ``levels[-1]`` the index, one column)."""

    units: list[str]
    levels: list[Array]
    available: Array  # share of indicators with data, per unit
    scored: np.ndarray[Any, np.dtype[np.bool_]]
    notes: list[str] = field(default_factory=list)

    @property
    def index(self) -> Array:
        out: Array = self.levels[-1][:, 0]
        return out

    @property
    def rank(self) -> Array:
        return ranks(self.index)

    def level_ranks(self, level: int) -> Array:
        return ranks(self.levels[level].T).T


def compute(x: Array, directions: Array, tree: Tree, options: Options = NOMINAL,
            units: Sequence[str] | None = None, min_available: float = 0.0) -> Result:
    """Scores and ranks of the units (rows of ``x``) under ``options``."""
    with quiet():
        return _compute(x, directions, tree, options, units, min_available)


def _compute(x: Array, directions: Array, tree: Tree, options: Options,
             units: Sequence[str] | None, min_available: float) -> Result:
    notes: list[str] = []
    available = np.mean(~np.isnan(x), axis=1)
    scored = available >= min_available
    filled = impute(x, options.imputation)
    norm = normalise(filled, directions, options.normalisation, notes)
    levels = [norm]
    cur = norm
    for parents, weights, n in zip(tree.parents, tree.weights, tree.sizes(), strict=True):
        cur = aggregate(cur, parents, weights, n, options.aggregation)
        levels.append(cur)
    levels[-1] = np.where(scored[:, None], levels[-1], np.nan)
    return Result(list(units) if units is not None else [str(i) for i in range(len(x))],
                  levels, available, scored, notes)
