"""Generated park-level statistics for the demo and the benchmark: 169 national high-tech
zones with plausible figures for every indicator of a framework, a few years of them, some
values missing, and Xiamen's Torch zone placed near 11th as on the seed page.

Nothing here is real data: the park names beyond the seed's are "示例高新区 NNN".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .composite import Options, Tree, compute
from .framework import Framework

HOME = "厦门火炬高新区"
SEED_PARKS = ("中关村科技园区", "厦门火炬高新区", "宁波高新区", "青岛高新区", "大连高新区",
              "昆明高新区", "桂林高新区")

# a typical level and spread (log scale) per unit: figures of the right order
_LEVEL = {"%": (12.0, 0.5), "个": (40.0, 0.8), "家": (120.0, 0.9), "件/万人": (60.0, 0.6),
          "元/人": (30000.0, 0.8), "万元/人": (60.0, 0.5), "吨标煤/万元": (0.4, 0.4),
          "立方米/万元": (8.0, 0.5), "吨/万元": (0.9, 0.4), "起": (2.0, 0.7), "套": (3000.0, 0.8),
          "项": (5.0, 0.9), "亿元": (800.0, 0.9), "亿元/平方公里": (40.0, 0.7)}


@dataclass
class Parks:
    codes: list[str]
    names: list[str]
    years: list[int]
    values: dict[int, np.ndarray[Any, np.dtype[np.float64]]]  # year → parks × indicators


def generate(fw: Framework, n: int = 169, years: tuple[int, ...] = (2022, 2023, 2024, 2025),
             seed: int = 17, home_rank: int = 11, missing: float = 0.03) -> Parks:
    rng = np.random.default_rng(seed)
    k = len(fw.indicators)
    strength = rng.normal(0, 1, n)
    loadings = rng.uniform(0.3, 0.8, k)
    noise_sd = np.sqrt(1 - loadings ** 2)
    base_noise = rng.normal(0, 1, (n, k))
    values: dict[int, np.ndarray[Any, Any]] = {}
    for t, year in enumerate(years):
        drift = strength + 0.15 * t * rng.normal(0, 1, n)  # parks move a little each year
        z = drift[:, None] * loadings + noise_sd * (0.8 * base_noise + 0.6 * rng.normal(0, 1, (n, k)))
        cols = []
        for j, ind in enumerate(fw.indicators):
            level, spread = _LEVEL.get(ind.unit, (50.0, 0.6))
            v = level * np.exp(ind.direction * spread * z[:, j]) * (1.04 ** t)
            if ind.unit == "%":
                v = np.clip(v, 0.1, 95.0)
            if ind.key.endswith("growth"):
                v = 2.0 + 6.0 * ind.direction * z[:, j]  # growth rates may be negative
            cols.append(np.round(v, 3))
        m = np.stack(cols, axis=1)
        m[rng.random((n, k)) < missing] = np.nan
        values[year] = m
    # the home park is the one ranked home_rank in the latest year under the nominal method
    latest = values[years[-1]]
    result = compute(latest, fw.directions(), Tree.of(fw), Options(), None, fw.min_available)
    order = np.argsort(result.rank)
    home = int(order[home_rank - 1])
    others = [f"示例高新区 {i:03d}" for i in range(1, n + 1)]
    names = others[:]
    seed_names = [p for p in SEED_PARKS if p != HOME]
    fill = [int(i) for i in order if int(i) != home]
    for name, i in zip(seed_names, fill[1::19], strict=False):  # seed parks spread over ranks
        names[i] = name
    names[home] = HOME
    codes = [f"GXQ{i + 1:03d}" for i in range(n)]
    return Parks(codes, names, list(years), values)
