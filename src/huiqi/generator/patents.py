"""Intellectual property, year by year: grants accumulate into stocks.

- invention patents granted in a year: Poisson with mean R&D expense / the industry's
  R&D yuan per patent × a firm propensity (log-normal, sd 0.8, rising with
  capability), ×0.1 in the first year of a firm's life and ×0.5 in the second
  (examination takes time), at most 2,000;
- valid class-I IP (有效Ⅰ类知识产权): a stock before the first fiscal year (Poisson:
  the first year's rate × 0.6 × the years the firm had before, at most 15), then
  ``ip_class1[y] = ip_class1[y-1] + invention_patents_granted[y]`` exactly (no
  invention patent expires within five years);
- self-developed and high-value class-I IP: each grant is self-developed with a firm
  probability Beta(8, 2) and high-value with Beta(2, 4): both stocks grow with the
  stock and never exceed it;
- class-II IP (utility models, designs, software copyrights): its own stock, growing
  at the class-I rate × the industry's ``class2`` (software firms: 8 per patent);
- patents brought into production: Binomial(class-I stock, Beta(2, 3));
- IP-pledge loans: in a year, 5 % of firms holding class-I IP (0.3 % of others) take
  one, log-normal, median ¥3 M, in units of ¥10,000; interest paid 3–5 % a year for
  3–12 months; others: ¥0. IP insurance: 3 % of holders (0.2 % of others), premium
  log-normal, median ¥20,000; others ¥0.

Individual businesses hold no patents.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from huiqi.generator import dates as D
from huiqi.generator.finances import Figures
from huiqi.generator.firms import Firms
from huiqi.generator.industries import column

Ints = np.ndarray[Any, Any]

COUNT_FACTS = ("ip_class1", "ip_class1_self_developed", "ip_class1_high_value", "ip_class2",
               "invention_patents_granted", "patents_industrialized")
MONEY_FACTS = ("ip_pledge_loan", "ip_pledge_interest", "ip_insurance_premium")


def _stock(rng: np.random.Generator, start: Ints, flows: Ints, p: Any) -> tuple[Ints, Ints]:
    """A sub-stock: each unit of the start and of every flow kept with probability p."""
    s0 = rng.binomial(start, p)
    kept = rng.binomial(flows, p[:, None])
    return s0, s0[:, None] + np.cumsum(kept, axis=1)


def draw(rng: np.random.Generator, firms: Firms, fig: Figures) -> None:
    """Add the IP figures to ``fig``."""
    n, ny = firms.n, len(fig.years)
    ind = firms.industry
    ends = D.dec31(np.array(fig.years))
    age_end = D.years_between(firms.registered[:, None], ends[None, :])
    lag = np.where(age_end < 1, 0.1, np.where(age_end < 2, 0.5, 1.0))
    propensity = np.exp(0.8 * rng.standard_normal(n) + 0.3 * firms.capability - 0.37)
    rd_yuan = fig.values["rd_expense"] / 100.0
    lam = np.minimum(rd_yuan / column("patent_cost")[ind][:, None] * propensity[:, None] * lag, 2000.0)
    lam = np.where(fig.exists & ~firms.individual[:, None], lam, 0.0)
    granted = rng.poisson(lam)
    before = np.clip(D.years_between(firms.registered, D.jan1(np.array([fig.years[0]]))[0]), 0, 15)
    s0 = rng.poisson(lam[:, 0] * 0.6 * before)
    class1 = s0[:, None] + np.cumsum(granted, axis=1)
    _, self_dev = _stock(rng, s0, granted, rng.beta(8.0, 2.0, n))
    _, high_value = _stock(rng, s0, granted, rng.beta(2.0, 4.0, n))
    lam2 = lam * column("class2")[ind][:, None] * np.exp(0.5 * rng.standard_normal(n))[:, None]
    lam2 = lam2 + np.where(firms.tech, 0.3, 0.0)[:, None] * fig.exists
    s2 = rng.poisson(lam2[:, 0] * 0.6 * before)
    class2 = s2[:, None] + np.cumsum(rng.poisson(lam2), axis=1)
    industrialized = rng.binomial(class1, rng.beta(2.0, 3.0, n)[:, None])

    holder = class1 > 0
    eligible = fig.exists & ~firms.individual[:, None]
    pledge = eligible & (rng.random((n, ny)) < np.where(holder, 0.05, 0.003))
    loan = np.maximum(1.0, np.rint(np.exp(np.log(300.0) + 0.8 * rng.standard_normal((n, ny)))))
    loan_c = np.where(pledge, loan.astype(np.int64) * 1_000_000, 0)
    interest = loan_c * rng.uniform(0.03, 0.05, (n, ny)) * rng.uniform(0.25, 1.0, (n, ny))
    insured = eligible & (rng.random((n, ny)) < np.where(holder, 0.03, 0.002))
    premium = np.rint(np.exp(np.log(20_000.0) + 0.7 * rng.standard_normal((n, ny))))
    fig.values.update({
        "invention_patents_granted": granted.astype(np.int64), "ip_class1": class1.astype(np.int64),
        "ip_class1_self_developed": self_dev.astype(np.int64),
        "ip_class1_high_value": high_value.astype(np.int64), "ip_class2": class2.astype(np.int64),
        "patents_industrialized": industrialized.astype(np.int64),
        "ip_pledge_loan": loan_c.astype(np.int64),
        "ip_pledge_interest": np.rint(interest).astype(np.int64),
        "ip_insurance_premium": np.where(insured, premium.astype(np.int64) * 100, 0),
    })
