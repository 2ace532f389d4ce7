"""Awards, standards, R&D institutions, equity financing and violations (records).

================  =========================================================  ========
record            who, how many, what                                        tested
================  =========================================================  ========
awards            3 % of enterprises (tech ×1.5, by capability), 1 + Poisson  3–8 %
                  (0.4) each, in the last 10 years: kind science_tech 35 %,
                  maker_china 20 %, ip 15 %, quality 15 %, other 15 %; level
                  national 5 %, provincial 25 %, municipal 50 %, district
                  20 %; rank 1 (60 %) or 2–5; maker_china often in a top 10,
                  50, 100 or 500
standards         2 % (industrial firms ×2), 1 + Poisson(0.8): association    1.5–5 %
                  40 %, industry 25 %, national 20 %, local 12 %,
                  international 3 %; led 30 % (rank 1), else rank 2 +
                  Poisson(3); rank unknown 20 %
R&D institutions  4 % of tech firms, 1 % of others: enterprise technology    2–6 %
                  centres 40 %, engineering centres 30 %, key labs, new-type
                  institutes, other 10 % each; mostly municipal
equity financing  12 % of tech firms under 10 years, 2 % of others; 1–4     4–10 %
                  rounds, ascending in date and size (median ¥8 M for the
                  first round, log-sd 0.9, in units of ¥10,000); 70 % by a
                  qualified institutional investor
violations        1 % of enterprises (2 % of individual businesses), in the   0.5–2 %
                  last 6 years: tax 30 %, environment 20 %, other 20 %,
                  safety 15 %, quality 10 %, research misconduct 5 %
================  =========================================================  ========

Shares count enterprises with at least one record; the others have an empty list
(known: none) — except where the fact is missing (see :mod:`~huiqi.generator.missing`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from huiqi.generator import arrays as A
from huiqi.generator import dates as D
from huiqi.generator.firms import Firms
from huiqi.generator.honours import LEVELS, lift
from huiqi.generator.industries import column

Ints = np.ndarray[Any, Any]

AWARD_KINDS = {"science_tech": 0.35, "maker_china": 0.20, "ip": 0.15, "quality": 0.15, "other": 0.15}
AWARD_LEVELS = {"national": 0.05, "provincial": 0.25, "municipal": 0.50, "district": 0.20}
STANDARD_LEVELS = {"group": 0.40, "industry": 0.25, "national": 0.20, "local": 0.12, "international": 0.03}
RD_KINDS = {"enterprise_tech_center": 0.4, "engineering_center": 0.3, "key_lab": 0.1,
            "new_rd_institute": 0.1, "other": 0.1}
RD_LEVELS = {"national": 0.03, "provincial": 0.20, "municipal": 0.60, "district": 0.17}
VIOLATION_KINDS = {"tax_violation": 0.30, "serious_environmental": 0.20, "other": 0.20,
                   "major_safety_accident": 0.15, "major_quality_accident": 0.10,
                   "research_misconduct": 0.05}


def _pick(rng: np.random.Generator, n: int, table: dict[str, float]) -> tuple[list[str], Ints]:
    names = list(table)
    p = np.array(list(table.values()))
    return names, rng.choice(len(names), size=n, p=p / p.sum()).astype(np.int64)


def _expand(rng: np.random.Generator, p: Any, extra: float, cap: int) -> tuple[Ints, Ints]:
    """Rows of the records: holders drawn with probability p, 1 + Poisson(extra) each."""
    holders = np.flatnonzero(rng.random(len(p)) < p)
    counts = np.minimum(1 + rng.poisson(extra, len(holders)), cap)
    rows = np.repeat(holders, counts)
    seq = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, seq


def _dates(rng: np.random.Generator, firms: Firms, rows: Ints, years_back: float,
           after_years: float = 0.0) -> D.Days:
    as_of = firms.as_of
    window = as_of - np.timedelta64(int(years_back * 365.25), "D")
    lo = np.maximum(firms.registered[rows] + np.timedelta64(int(after_years * 365.25), "D"), window)
    lo = np.minimum(lo, as_of - np.timedelta64(1, "D"))
    return D.between(rng, lo, np.full(len(rows), as_of))


def awards(rng: np.random.Generator, firms: Firms, type_: Any) -> Any:
    p = 0.03 * np.where(firms.tech, 1.5, 1.0) * lift(firms.capability, 0.7) * ~firms.individual
    rows, _ = _expand(rng, p, 0.4, 6)
    m = len(rows)
    kinds, kind = _pick(rng, m, AWARD_KINDS)
    _, level = _pick(rng, m, AWARD_LEVELS)
    rank = np.where(rng.random(m) < 0.6, 1, rng.integers(2, 6, m))
    maker = np.array(kinds)[kind] == "maker_china"
    top = np.array([10, 50, 100, 500])[rng.integers(0, 4, m)]
    date = _dates(rng, firms, rows, 10)
    fields = {"kind": A.choice(kinds, kind), "level": A.choice(LEVELS, level), "rank": A.ints(rank),
              "date": A.dates(date), "top_n": A.ints(top, maker & (rng.random(m) < 0.6))}
    return A.records(firms.n, rows, date, fields, type_)


def standards(rng: np.random.Generator, firms: Firms, type_: Any) -> Any:
    industrial = column("sector")[firms.industry] == "industrial"
    p = 0.02 * np.where(industrial, 2.0, 1.0) * lift(firms.capability, 0.7) * ~firms.individual
    rows, _ = _expand(rng, p, 0.8, 8)
    m = len(rows)
    levels, level = _pick(rng, m, STANDARD_LEVELS)
    lead = rng.random(m) < 0.3
    rank = np.where(lead, 1, 2 + rng.poisson(3.0, m))
    date = _dates(rng, firms, rows, 12, 1)
    fields = {"level": A.choice(levels, level), "role": A.choice(("lead", "participate"), (~lead).astype(int)),
              "rank": A.ints(rank, rng.random(m) >= 0.2), "date": A.dates(date)}
    return A.records(firms.n, rows, date, fields, type_)


def rd_institutions(rng: np.random.Generator, firms: Firms, type_: Any) -> Any:
    p = np.where(firms.tech, 0.04, 0.01) * lift(firms.capability, 0.7) * ~firms.individual
    rows, _ = _expand(rng, p, 0.3, 4)
    m = len(rows)
    kinds, kind = _pick(rng, m, RD_KINDS)
    _, level = _pick(rng, m, RD_LEVELS)
    date = _dates(rng, firms, rows, 15, 1)
    fields = {"kind": A.choice(kinds, kind), "level": A.choice(LEVELS, level), "date": A.dates(date)}
    return A.records(firms.n, rows, date, fields, type_)


def equity_financing(rng: np.random.Generator, firms: Firms, type_: Any) -> Any:
    young = firms.age_at(firms.as_of) < 10
    p = np.where(firms.tech & young, 0.12, 0.02) * lift(firms.capability, 0.5) * ~firms.individual
    rows, seq = _expand(rng, p, 0.5, 4)
    m = len(rows)
    # rounds: dates sorted within each firm, amounts growing by round
    date = np.sort(_dates(rng, firms, rows, 12).astype(np.int64) + rows * 10**7).astype(np.int64)
    date = (date - rows * 10**7).astype("datetime64[D]")
    units = np.maximum(1, np.rint(np.exp(np.log(800.0) + 0.8 * seq + 0.9 * rng.standard_normal(m))))
    amount = units.astype(np.int64) * 1_000_000   # units of ¥10,000, in cents
    fields = {"date": A.dates(date), "amount": A.money(amount),
              "qualified_investor": A.bools(rng.random(m) < 0.7)}
    return A.records(firms.n, rows, date, fields, type_)


def violations(rng: np.random.Generator, firms: Firms, type_: Any) -> tuple[Any, Ints]:
    """The column, and for each enterprise the number of tax violations."""
    p = np.where(firms.individual, 0.02, 0.01)
    rows, _ = _expand(rng, p, 0.1, 3)
    m = len(rows)
    kinds, kind = _pick(rng, m, VIOLATION_KINDS)
    date = _dates(rng, firms, rows, 6)
    fields = {"kind": A.choice(kinds, kind), "date": A.dates(date)}
    tax = np.bincount(rows[np.array(kinds)[kind] == "tax_violation"], minlength=firms.n)
    any_ = np.bincount(rows, minlength=firms.n)
    return A.records(firms.n, rows, date, fields, type_), np.stack([any_, tax])

