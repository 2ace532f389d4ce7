"""Five fiscal years of figures that hang together.

The fiscal years are the five ending the year before the evaluation date. A year
before the year of registration has no figures (null); the year of registration
is partial (revenue, costs, R&D and rent in proportion to the days open).

Revenue (营业收入), in the latest fiscal year, for an enterprise of age ``a``:
``log R = log(median of the industry) + 1.3·log(min(a, 8)/8) + sigma·(0.6·c + 0.8·e)``
with ``c`` the firm's capability and ``e`` standard normal — log-normal with a heavy
right tail, smaller for young firms (a firm of one year has ~7 % of a mature one's
median, of three years ~28 %). Individual businesses: median ¥400,000, sigma 0.9.
Earlier years are back-cast with yearly growth drawn from a normal law: mean 45 %
(sd 35 %) under 2 years old, 25 % (sd 35 %) under 5, 10 % (sd 22 %) after,
bounded to [−60 %, +300 %]. Pre-revenue firms have revenue 0 in every year: 30 % of
biomedicine firms under 6 years, 10 % of other tech firms under 2, 1 % of the rest.

The rest follows revenue:

- R&D intensity (R&D / revenue): a firm's level is log-normal around its industry's
  median (see :mod:`~huiqi.generator.industries`), ×1.4 for tech firms under 3, bounded
  to [0.2 %, 60 %], with ±15 % log-noise each year (never above 80 %); the share of
  firms doing no R&D is the industry's ``no_rd``. R&D expense = intensity × revenue;
  pre-revenue firms spend ¥360–600 k per R&D employee. Domestic R&D equals R&D for
  75 % of firms and is 85–99 % of it for the rest (never more);
- staff: latest revenue / revenue per employee (industry median, log-sd 0.45), at least
  1, earlier years with elasticity 0.7 to revenue; S&T staff a share of staff
  (Beta(3.5, 6.5), mean 35 %, in tech firms; Beta(1, 10) elsewhere); R&D staff a share
  of S&T staff (Beta(6, 3)): R&D staff ≤ S&T staff ≤ staff, always;
- costs (成本费用): revenue × a firm ratio N(0.90, 0.10) (+0.15 in a year when the firm is
  under 3 years old) with yearly noise (sd 0.04), and never below R&D × 1.05 + ¥40,000
  per employee: most firms with revenue (60–80 %) have costs below revenue;
- net profit: revenue − costs, less 15 % (tech firms) or 25 % tax when positive;
- main-business revenue 85–100 % of revenue; industrial output (industrial firms only,
  null for others) 95–115 % of revenue; high-tech product income Beta(6, 2.5) of revenue
  in tech firms, Beta(1, 8) elsewhere (×0.3 without R&D);
- total assets: revenue × the industry's asset ratio (log-sd 0.4), at least ¥10,000
  (pre-revenue firms: log-normal, median ¥8 M); liabilities a debt ratio of assets
  (Beta(2.2, 3), mean 42 %; 3 % of firms insolvent, 100–140 %); net assets = assets −
  liabilities, exactly, to the fen;
- taxes paid 1.5–7 % of revenue (individual businesses 0.5–3 %);
- office: 60 % of enterprises (80 % of individual businesses) rent, 6–15 m² per
  employee; rent paid = area × the park's daily rent × 365 (others rent 0 m², pay ¥0).

Every money figure is drawn as a float and rounded to the fen as int64 cents before
it leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from huiqi.generator import dates as D
from huiqi.generator.arrays import cents
from huiqi.generator.firms import Firms
from huiqi.generator.industries import INDEX, column
from huiqi.generator.parks import PARKS

Floats = np.ndarray[Any, Any]
Ints = np.ndarray[Any, Any]
Bools = np.ndarray[Any, Any]

MONEY_FACTS = ("revenue", "main_business_revenue", "total_cost_expense", "net_profit",
               "industrial_output", "total_assets", "net_assets", "total_liabilities",
               "rd_expense", "rd_expense_domestic", "high_tech_product_income", "office_rent_paid",
               "tax_paid")
INTEGER_FACTS = ("staff_total", "st_staff", "rd_staff")


@dataclass
class Figures:
    """The yearly figures of a block: matrices of (enterprise, year)."""

    years: tuple[int, ...]
    exists: Bools                     # the year is not before registration
    frac: Floats                      # share of the year the firm was open
    annual: Floats                    # annualised revenue scale, yuan
    pre_revenue: Bools
    intensity: Floats                 # the firm's R&D intensity level (0 for no R&D)
    st_share: Floats
    office_area: Floats               # m², 0 for firms that do not rent
    values: dict[str, Ints] = field(default_factory=dict)    # cents or counts
    applies: dict[str, Bools] = field(default_factory=dict)  # where a fact applies

    def valid(self, fact: str) -> Bools:
        a = self.applies.get(fact)
        return self.exists if a is None else (self.exists & a[:, None])


def _growth_mean(age: Floats) -> tuple[Floats, Floats]:
    mean = np.where(age < 2, 0.45, np.where(age < 5, 0.25, 0.10))
    sd = np.where(age < 5, 0.35, 0.22)
    return mean, sd


def draw(rng: np.random.Generator, firms: Firms, years: tuple[int, ...]) -> Figures:
    n, ny = firms.n, len(years)
    yrs = np.array(years, dtype=np.int64)
    starts, ends = D.jan1(yrs), D.dec31(yrs)
    reg = firms.registered
    exists = reg[:, None] <= ends[None, :]
    open_days = (ends[None, :] - np.maximum(reg[:, None], starts[None, :])).astype(np.int64) + 1
    year_days = (ends - starts).astype(np.int64) + 1
    frac = np.clip(open_days / year_days[None, :], 0.0, 1.0) * exists
    age_end = D.years_between(reg[:, None], ends[None, :])
    ind, c, indiv = firms.industry, firms.capability, firms.individual
    tech = firms.tech

    # revenue: the latest year, then back-cast
    a_last = np.clip(age_end[:, -1], 0.25, 8.0)
    e = rng.standard_normal(n)
    log_r = (np.log(column("revenue")[ind]) + 1.3 * np.log(a_last / 8.0)
             + column("sigma")[ind] * (0.6 * c + 0.8 * e))
    log_r = np.where(indiv, np.log(400_000.0) + 0.9 * e, log_r)
    annual = np.empty((n, ny))
    annual[:, -1] = np.exp(log_r)
    mean, sd = _growth_mean(age_end[:, 1:])
    growth = np.clip(mean + sd * rng.standard_normal((n, ny - 1)), -0.6, 3.0)
    for t in range(ny - 2, -1, -1):
        annual[:, t] = annual[:, t + 1] / (1.0 + growth[:, t])
    biomed = ind == INDEX["biomedicine"]
    p_pre = np.where(biomed & (age_end[:, -1] < 6), 0.30,
                     np.where(tech & (age_end[:, -1] < 2), 0.10, 0.01))
    pre = ~indiv & (rng.random(n) < p_pre)
    revenue = np.where(pre[:, None], 0.0, annual * frac)

    # R&D intensity
    log_rho = (np.log(column("rd")[ind]) + column("rd_sigma")[ind] * (
        0.4 * c + 0.92 * rng.standard_normal(n)) + np.where(tech & (a_last < 3), np.log(1.4), 0.0))
    rho = np.clip(np.exp(log_rho), 0.002, 0.6)
    no_rd = (indiv | (rng.random(n) < column("no_rd")[ind])) & ~pre
    rho = np.where(no_rd, 0.0, rho)
    rho_t = np.clip(rho[:, None] * np.exp(0.15 * rng.standard_normal((n, ny))), 0.0, 0.8)

    # staff
    prod = np.where(indiv, 200_000.0, column("per_staff")[ind]) * np.exp(0.45 * rng.standard_normal(n))
    staff_last = np.where(pre, np.exp(np.log(12.0) + 0.7 * rng.standard_normal(n)),
                          annual[:, -1] / prod)
    staff_f = staff_last[:, None] * (annual / annual[:, -1:]) ** 0.7
    staff_f = np.where(indiv[:, None], np.clip(staff_f, 1, 10), staff_f)
    staff = np.maximum(1, np.rint(staff_f)).astype(np.int64)
    st_share = np.where(tech, rng.beta(3.5, 6.5, n), rng.beta(1.0, 10.0, n))
    st_share = np.where(indiv, 0.0, st_share)
    st = np.minimum(staff, np.rint(staff * st_share[:, None]
                                   * np.exp(0.05 * rng.standard_normal((n, ny))))).astype(np.int64)
    rd_share = rng.beta(6.0, 3.0, n)
    rd_staff = np.where(no_rd[:, None], 0, np.minimum(st, np.rint(st * rd_share[:, None]))).astype(np.int64)

    # R&D expense
    per_head = 300_000.0 * rng.uniform(1.2, 2.0, n)
    rd = np.where(pre[:, None], np.maximum(rd_staff, 1) * per_head[:, None] * frac, revenue * rho_t)
    rd = np.where(no_rd[:, None], 0.0, rd)
    rd_c = cents(rd)
    domestic = np.where(rng.random(n) < 0.75, 1.0, rng.uniform(0.85, 0.99, n))
    rd_dom_c = np.floor(rd_c * domestic[:, None]).astype(np.int64)

    # costs and profit
    kappa = rng.normal(0.90, 0.10, n)
    kappa_t = np.clip(kappa[:, None] + np.where(age_end < 3, 0.15, 0.0) + rng.normal(0.0, 0.04, (n, ny)),
                      0.3, 3.0)
    cost = np.maximum(revenue * kappa_t, rd * 1.05 + staff * 40_000.0 * frac)
    revenue_c, cost_c = cents(revenue), cents(cost)
    pre_tax = revenue_c - cost_c
    rate = np.where(tech, 0.15, 0.25)[:, None]
    profit_c = np.where(pre_tax > 0, pre_tax - np.rint(pre_tax * rate).astype(np.int64), pre_tax)

    main_c = np.floor(revenue_c * rng.uniform(0.85, 1.0, n)[:, None]).astype(np.int64)
    industrial = (column("sector")[ind] == "industrial") & ~indiv
    output_c = cents(revenue * rng.uniform(0.95, 1.15, n)[:, None])
    ht_share = np.where(tech, rng.beta(6.0, 2.5, n), rng.beta(1.0, 8.0, n))
    ht_share = np.where(indiv, 0.0, np.where(no_rd, 0.3, 1.0) * ht_share)
    ht_c = np.floor(revenue_c * ht_share[:, None]).astype(np.int64)

    # balance sheet
    ratio = column("assets")[ind] * np.exp(0.4 * rng.standard_normal(n))
    ratio = np.where(indiv, 0.3 * np.exp(0.5 * rng.standard_normal(n)), ratio)
    pre_assets = np.exp(np.log(8_000_000.0) + 0.9 * rng.standard_normal(n))
    assets = np.where(pre[:, None], pre_assets[:, None] * (annual / annual[:, -1:]) ** 0.8,
                      annual * ratio[:, None])
    assets_c = cents(np.maximum(assets, 10_000.0))
    debt = np.where(rng.random(n) < 0.03, rng.uniform(1.0, 1.4, n), rng.beta(2.2, 3.0, n))
    debt_t = np.clip(debt[:, None] + rng.normal(0.0, 0.03, (n, ny)), 0.01, 1.6)
    liab_c = np.rint(assets_c * debt_t).astype(np.int64)
    net_c = assets_c - liab_c

    tau = np.where(indiv, rng.uniform(0.005, 0.03, n), rng.uniform(0.015, 0.07, n))
    tax_c = np.rint(revenue_c * tau[:, None] * np.exp(0.1 * rng.standard_normal((n, ny)))).astype(np.int64)

    renter = rng.random(n) < np.where(indiv, 0.8, 0.6)
    area = np.where(renter, np.maximum(10.0, staff_last * rng.uniform(6.0, 15.0, n)), 0.0)
    area = np.round(area, 2)
    daily = np.array([p.rent_per_m2_day for p in PARKS])[firms.park]
    rent = (area[:, None] * (staff / np.maximum(staff[:, -1:], 1)) ** 0.8 * daily[:, None]
            * np.exp(0.1 * rng.standard_normal((n, ny))) * 365.0 * frac)

    fig = Figures(years=years, exists=exists, frac=frac, annual=annual, pre_revenue=pre,
                  intensity=rho, st_share=st_share, office_area=area)
    fig.values.update({
        "revenue": revenue_c, "main_business_revenue": main_c, "total_cost_expense": cost_c,
        "net_profit": profit_c, "industrial_output": output_c, "total_assets": assets_c,
        "net_assets": net_c, "total_liabilities": liab_c, "rd_expense": rd_c,
        "rd_expense_domestic": rd_dom_c, "high_tech_product_income": ht_c,
        "office_rent_paid": cents(rent), "tax_paid": tax_c,
        "staff_total": staff, "st_staff": st, "rd_staff": rd_staff,
    })
    fig.applies["industrial_output"] = industrial
    return fig
