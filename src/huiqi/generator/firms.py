"""Who the enterprises are: park, district, industry, kind, age, capability.

- park and district: weights of :mod:`huiqi.generator.parks`;
- industry: the weights of :mod:`huiqi.generator.industries` times the park's bias;
- kind: 4 % 个体工商户 (individual businesses: credit-code kind 2, industries
  modern services 60 %, other 30 %, software 10 %); all 知识产权服务 firms and 40 % of
  工程技术服务 firms are service providers (服务机构); the rest are enterprises;
- age at the evaluation date: exponential, mean 8 years (individual businesses 4),
  at least 7 days, at most 38 years — half the enterprises are under 5.5 years old;
  the registration date is the evaluation date minus the age;
- how it set up in the park: 12 % of enterprises are branches; 20 % of the others
  moved in after registering (a date between registration and the evaluation date);
- capability: a hidden standard-normal score shared by size, R&D intensity and the
  odds of honours, so that the firms that do well on one tend to do well on others.

Tested at N = 20,000: each park's share within 2.5 points of its weight, individual
businesses 3–5 %, the median age of enterprises 4.5–6.5 years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from huiqi.generator import dates as D
from huiqi.generator.industries import INDEX, INDIVIDUAL_INDUSTRIES, INDUSTRIES
from huiqi.generator.parks import DISTRICTS, PARKS

INDIVIDUAL_SHARE = 0.04
BRANCH_SHARE = 0.12
MOVED_IN_SHARE = 0.20
MEAN_AGE = 8.0
MEAN_AGE_INDIVIDUAL = 4.0
MAX_AGE = 38.0

Floats = np.ndarray[Any, Any]
Ints = np.ndarray[Any, Any]
Bools = np.ndarray[Any, Any]

ENTITY_KINDS = ("enterprise", "university", "institute", "service_provider", "individual_business")


@dataclass
class Firms:
    """One block of enterprises, as arrays (one entry per enterprise)."""

    index: Ints              # position in the population
    park: Ints               # index into PARKS
    district: Ints           # index into DISTRICTS
    industry: Ints           # index into INDUSTRIES
    individual: Bools        # 个体工商户
    entity_kind: Ints        # index into ENTITY_KINDS
    registered: D.Days
    established: D.Days
    branch: Bools
    capability: Floats
    tech: Bools              # an enterprise (not individual) in a tech industry
    as_of: np.datetime64

    @property
    def n(self) -> int:
        return len(self.index)

    @property
    def reg_year(self) -> Ints:
        return D.year_of(self.registered)

    def age_at(self, day: Any) -> Floats:
        """Age in years at a day (or at each of an array of days)."""
        return D.years_between(self.registered, day)


def _categorical(rng: np.random.Generator, cum: Floats) -> Ints:
    """One draw per row of a matrix of cumulative probabilities."""
    u = rng.random(cum.shape[0])
    out: Ints = np.minimum((u[:, None] > cum).sum(axis=1), cum.shape[1] - 1).astype(np.int64)
    return out


def _industry_matrix() -> Floats:
    w = np.array([[ind.weight * p.bias.get(ind.id, 1.0) for ind in INDUSTRIES] for p in PARKS])
    return np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)


def draw(rng: np.random.Generator, start: int, n: int, as_of: np.datetime64) -> Firms:
    index = np.arange(start, start + n, dtype=np.int64)
    pw = np.array([p.weight for p in PARKS])
    park = _categorical(rng, np.tile(np.cumsum(pw / pw.sum()), (n, 1)))
    dist_cum = np.zeros((len(PARKS), max(len(p.districts) for p in PARKS)))
    first = {}
    for p_i, p in enumerate(PARKS):
        w = np.array([d.weight for d in p.districts])
        row = np.cumsum(w / w.sum())
        dist_cum[p_i, :] = 1.0
        dist_cum[p_i, : len(row)] = row
        first[p_i] = next(i for i, (pp, _) in enumerate(DISTRICTS) if pp == p_i)
    local = _categorical(rng, dist_cum[park])
    district = np.array([first[p] for p in range(len(PARKS))], dtype=np.int64)[park] + local
    industry = _categorical(rng, _industry_matrix()[park])
    individual = rng.random(n) < INDIVIDUAL_SHARE
    ind_ids = list(INDIVIDUAL_INDUSTRIES)
    ind_cum = np.cumsum(np.array(list(INDIVIDUAL_INDUSTRIES.values())))
    ind_pick = np.array([INDEX[i] for i in ind_ids])[_categorical(rng, np.tile(ind_cum, (n, 1)))]
    industry = np.where(individual, ind_pick, industry)
    age = rng.exponential(np.where(individual, MEAN_AGE_INDIVIDUAL, MEAN_AGE))
    age = np.clip(age, 7 / 365.25, MAX_AGE)
    registered = as_of - np.rint(age * 365.25).astype(np.int64).astype("timedelta64[D]")
    branch = ~individual & (rng.random(n) < BRANCH_SHARE)
    moved = ~individual & ~branch & (rng.random(n) < MOVED_IN_SHARE)
    later = D.between(rng, registered, np.full(n, as_of))
    established = np.where(moved, later, registered)
    capability = rng.standard_normal(n)
    service = (industry == INDEX["ip_services"]) | (
        (industry == INDEX["engineering_services"]) & (rng.random(n) < 0.4))
    kind = np.where(individual, ENTITY_KINDS.index("individual_business"),
                    np.where(service, ENTITY_KINDS.index("service_provider"),
                             ENTITY_KINDS.index("enterprise")))
    tech_ind = np.array([ind.tech for ind in INDUSTRIES])
    return Firms(index=index, park=park, district=district, industry=industry,
                 individual=individual, entity_kind=kind.astype(np.int64), registered=registered,
                 established=established, branch=branch, capability=capability,
                 tech=tech_ind[industry] & ~individual, as_of=as_of)
