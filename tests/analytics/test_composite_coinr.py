"""The composite index checked against a published example.

Source: COINr's ASEM example (https://github.com/bluefoxr/COINr, data/ASEM_COIN.rda, built
by COINr6::build_ASEM(); the JRC's ASEM Sustainable Connectivity index, 2018 data, 51
countries). From the published treated indicators huiqi computes the normalised values, the
eight pillars, the two sub-indexes and the index, and must give COINr's published scores
(two decimals) and ranks. The data and how it was extracted: tests/analytics/data/README.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from huiqi.analytics.composite import Options, Tree, compute, ranks

DATA = Path(__file__).parent / "data"


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _asem() -> tuple[list[str], np.ndarray, np.ndarray, Tree, list[str], list[str]]:
    meta = _read("coinr_asem_meta.csv")
    treated = _read("coinr_asem_treated.csv")
    codes = [m["IndCode"] for m in meta]
    units = [r["UnitCode"] for r in treated]
    x = np.array([[float(r[c]) for c in codes] for r in treated])
    directions = np.array([float(m["Direction"]) for m in meta])
    pillars = list(dict.fromkeys(m["Agg1"] for m in meta))
    subs = list(dict.fromkeys(m["Agg2"] for m in meta))
    pillar_sub = {m["Agg1"]: m["Agg2"] for m in meta}
    tree = Tree(
        (np.array([pillars.index(m["Agg1"]) for m in meta]),
         np.array([subs.index(pillar_sub[p]) for p in pillars]),
         np.zeros(len(subs), dtype=np.int64)),
        (np.array([float(m["IndWeight"]) for m in meta]), np.ones(len(pillars)),
         np.ones(len(subs))),
        (tuple(pillars), tuple(subs), ("Index",)))
    return units, x, directions, tree, pillars, subs


def test_asem_scores_and_ranks_as_published() -> None:
    units, x, directions, tree, pillars, subs = _asem()
    result = compute(x, directions, tree, Options("minmax", "arithmetic", "none"), units)
    published = {r["UnitCode"]: r for r in _read("coinr_asem_scores.csv")}
    published_ranks = {r["UnitCode"]: r for r in _read("coinr_asem_ranks.csv")}
    assert len(published) == len(units) == 51
    # COINr6 ranks the scores it publishes, rounded to two decimals (so LUX 77.575 and PRT
    # 77.565 share 3rd place in "Instit"): huiqi's ranks of the same rounded scores
    rank = ranks(np.round(result.index, 2))
    for i, u in enumerate(units):
        assert round(float(result.index[i]), 2) == float(published[u]["Index"]), u
        assert int(rank[i]) == int(published_ranks[u]["Index"]), u
        for level, names in ((1, pillars), (2, subs)):
            level_ranks = ranks(np.round(result.levels[level], 2).T).T
            for j, name in enumerate(names):
                assert round(float(result.levels[level][i, j]), 2) == \
                    float(published[u][name]), (u, name)
                assert int(level_ranks[i, j]) == int(published_ranks[u][name]), (u, name)
    # the published leader; unrounded, the order is the same at the top
    assert units[int(np.argmin(rank))] == "CHE"
    assert [units[i] for i in np.argsort(result.rank)[:5]] == ["CHE", "NLD", "DNK", "NOR", "BEL"]
