"""Certifications and titles (records of the catalogue's ``honour`` type).

Shares are of the enterprises each line names, at the evaluation date; the odds of
a firm rise with its capability (×exp(b·c − b²/2), so the share is kept), and a title
needs its conditions (age, R&D, size). Every record has a date between registration
and the evaluation date; a 3-year certificate expires three years less a day later
and is renewed with the probability given.

================================  ==========================================  ========
title (kind, level)               who and how often                           tested
================================  ==========================================  ========
高新技术企业 hnte, national       tech firms; first certificate (Oct–Dec) at   15–25 %
                                  least a year after registration, since       holding
                                  2008; renewed every 3 years w.p. 0.75; far   one now
                                  rarer with R&D < 3 % or S&T staff < 10 %
科技型中小企业 tsme, national     tech SMEs (≤ 500 staff, revenue ≤ ¥200 M), a 25–35 % in
                                  record each year (Mar–Sep, valid to 31 Dec)  the last
                                  since 2017; non-tech SMEs 5 %               fiscal year
创新型中小企业 innovative_sme     tech SMEs ~10 %, since mid-2022; and every
(provincial)                      专精特新 holder certified since then
专精特新中小企业 specialized_sme  all enterprises ~5 % (tech industrial firms   3–7 %
(provincial)                      ×2), at least 2 years old, since 2019
专精特新“小巨人” little_giant     ~8 % of 专精特新 firms, since mid-2019        0.2–1 %
(national)
制造业单项冠军 single_champion    industrial firms with revenue ≥ ¥300 M
技术创新示范企业, 知识产权示范/   a few in a thousand; IP titles need class-I
优势企业, 贯标认证, 商业秘密保护  IP (贯标 8 % of IP holders)
示范点, 知识产权服务品牌机构 (IP
service firms 10 %), 创新平台
(engineering services 15 %, no
expiry)
================================  ==========================================  ========
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from huiqi.generator import arrays as A
from huiqi.generator import dates as D
from huiqi.generator.finances import Figures
from huiqi.generator.firms import Firms
from huiqi.generator.industries import INDEX, column

LEVELS = ("national", "provincial", "municipal", "district")
Bools = np.ndarray[Any, Any]
Ints = np.ndarray[Any, Any]


def lift(c: np.ndarray[Any, Any], b: float) -> np.ndarray[Any, Any]:
    """Odds multiplier of capability with mean 1 over the population."""
    return np.exp(b * c - b * b / 2)


@dataclass
class Long:
    """Records in long form: one entry per record, ``rows`` the enterprise."""

    rows: list[Ints] = field(default_factory=list)
    kind: list[list[str]] = field(default_factory=list)
    cols: dict[str, list[Any]] = field(default_factory=dict)
    first: dict[str, D.Days] = field(default_factory=dict)     # first date of a title, NaT if none
    current: dict[str, Bools] = field(default_factory=dict)    # valid at the evaluation date

    def add(self, rows: Ints, kind: str, **cols: Any) -> None:
        self.rows.append(rows)
        self.kind.append([kind] * len(rows))
        for k, v in cols.items():
            self.cols.setdefault(k, []).append(v)


@dataclass
class Honours:
    column: Any
    first: dict[str, D.Days]          # first date of each title (NaT if never)
    current: dict[str, Bools]         # holding a valid one at the evaluation date


def _level(rng: np.random.Generator, n: int, probs: dict[str, float]) -> Ints:
    p = np.array([probs.get(level, 0.0) for level in LEVELS])
    return rng.choice(len(LEVELS), size=n, p=p / p.sum()).astype(np.int64)


def _certificate(long: Long, rng: np.random.Generator, firms: Firms, kind: str, p: Any,
                 lo: D.Days, levels: dict[str, float], renew: float = 0.75,
                 season: tuple[int, int] | None = None, term: int | None = 3) -> Bools:
    """Certificates of one kind, renewed every ``term`` years; returns who got one."""
    n, as_of = firms.n, firms.as_of
    pick = (rng.random(n) < p) & (lo < as_of)
    idx = np.flatnonzero(pick)
    if season is None:
        d = D.between(rng, lo[idx], np.full(len(idx), as_of))
    else:
        y0, y1 = D.year_of(lo[idx]), int(D.year_of(np.array([as_of]))[0])
        years = y0 + np.floor(rng.random(len(idx)) * (y1 - y0 + 1)).astype(np.int64)
        d = D.in_year(rng, years, *season)
        ok = (d >= lo[idx]) & (d < as_of)
        idx, d = idx[ok], d[ok]
    level = _level(rng, len(idx), levels)
    first = np.full(n, D.NAT)
    first[idx] = d
    current = np.zeros(n, dtype=bool)
    alive = np.ones(len(idx), dtype=bool)
    while bool(alive.any()):
        rows, dk = idx[alive], d[alive]
        expiry = D.add_years(dk, term) - np.timedelta64(1, "D") if term else np.full(len(dk), D.NAT)
        long.add(rows, kind, level=level[alive], date=dk, expiry=expiry)
        if term is None:
            current[rows] = True
            break
        current[rows] = expiry >= as_of
        jitter = np.floor(rng.random(len(d)) * (1 if season else 21)).astype(np.int64)
        d = D.add_years(d, term) + jitter.astype("timedelta64[D]")
        alive &= (rng.random(len(d)) < renew) & (d < as_of)
    long.first[kind] = first
    long.current[kind] = current
    out: Bools = pick
    return out


def _after(firms: Firms, years: float, since: str) -> D.Days:
    """The later of registration + ``years`` and the date ``since``."""
    lo = firms.registered + np.rint(years * 365.25).astype(np.int64).astype("timedelta64[D]")
    out: D.Days = np.maximum(lo, np.datetime64(since, "D"))
    return out


def _tsme(long: Long, rng: np.random.Generator, firms: Firms, sme: Bools) -> None:
    as_of = firms.as_of
    y_now = int(D.year_of(np.array([as_of]))[0])
    p_part = np.where(firms.tech, 0.36 * lift(firms.capability, 0.5), 0.05) * sme
    part = (rng.random(firms.n) < p_part) & ~firms.individual
    for y in range(max(2017, y_now - 5), y_now + 1):
        take = part & (rng.random(firms.n) < 0.85)
        rows = np.flatnonzero(take)
        d = D.in_year(rng, np.full(len(rows), y), 59, 273)
        d = np.maximum(d, firms.registered[rows] + np.timedelta64(30, "D"))
        ok = (d < as_of) & (d <= D.jan1(np.array([y]))[0] + np.timedelta64(273, "D"))
        rows, d = rows[ok], d[ok]
        long.add(rows, "tsme", level=np.zeros(len(rows), dtype=np.int64), date=d,
                 expiry=np.full(len(rows), D.dec31(np.array([y]))[0]))


def draw(rng: np.random.Generator, firms: Firms, fig: Figures, type_: Any) -> Honours:
    n, c = firms.n, firms.capability
    long = Long()
    ent = ~firms.individual
    revenue = fig.annual[:, -1] * ~fig.pre_revenue
    staff = fig.values["staff_total"][:, -1]
    sme = (staff <= 500) & (revenue <= 200_000_000)
    class1 = fig.values["ip_class1"][:, -1] * fig.exists[:, -1]
    industrial = column("sector")[firms.industry] == "industrial"
    qualified = np.where((fig.intensity >= 0.03) & ~fig.pre_revenue, 1.0, 0.2) * np.where(
        fig.st_share >= 0.10, 1.0, 0.3)

    _certificate(long, rng, firms, "hnte", 0.42 * qualified * lift(c, 0.8) * firms.tech,
                 _after(firms, 1, "2008-01-01"), {"national": 1}, renew=0.75, season=(287, 365))
    _tsme(long, rng, firms, sme)
    p_spec = np.where(firms.tech & industrial, 0.10, np.where(firms.tech, 0.06, 0.012)) * lift(c, 0.9)
    spec = _certificate(long, rng, firms, "specialized_sme", p_spec * ent,
                        _after(firms, 2, "2019-01-01"), {"provincial": 1}, renew=0.8)
    # every 专精特新 firm certified since mid-2022 was first an innovative SME
    s_first = long.first["specialized_sme"]
    lo = np.maximum(firms.registered, np.datetime64("2022-06-01", "D"))
    has = np.flatnonzero(~np.isnat(s_first) & (lo < s_first))
    if len(has):
        d = D.between(rng, lo[has], s_first[has])
        long.add(has, "innovative_sme", level=np.ones(len(has), dtype=np.int64), date=d,
                 expiry=D.add_years(d, 3) - np.timedelta64(1, "D"))
    _certificate(long, rng, firms, "innovative_sme", 0.10 * lift(c, 0.6) * firms.tech * sme * ~spec,
                 _after(firms, 1, "2022-06-01"), {"provincial": 1}, renew=0.7)
    lg_lo = np.maximum(s_first + np.timedelta64(180, "D"), np.datetime64("2019-06-01", "D"))
    lg_lo = np.where(np.isnat(s_first), firms.as_of, lg_lo)
    _certificate(long, rng, firms, "little_giant", 0.08 * lift(c, 0.8) * spec, lg_lo,
                 {"national": 1}, renew=0.8)
    big_industrial = industrial & ent & (revenue >= 300_000_000)
    _certificate(long, rng, firms, "single_champion", 0.15 * big_industrial,
                 _after(firms, 3, "2016-06-01"), {"national": 1}, renew=0.8)
    _certificate(long, rng, firms, "tech_innovation_demo", 0.05 * ent * (revenue >= 100_000_000),
                 _after(firms, 2, "2010-01-01"), {"national": 0.3, "provincial": 0.7})
    _certificate(long, rng, firms, "ip_demo", 0.03 * lift(c, 0.6) * firms.tech * (class1 >= 5),
                 _after(firms, 2, "2014-01-01"), {"national": 0.3, "provincial": 0.7})
    _certificate(long, rng, firms, "ip_advantage", 0.04 * firms.tech * (class1 >= 1),
                 _after(firms, 2, "2014-01-01"), {"national": 0.25, "provincial": 0.75})
    _certificate(long, rng, firms, "ip_mgmt_standard", np.where(class1 >= 1, 0.08, 0.01) * ent,
                 _after(firms, 1, "2014-01-01"), {"national": 1}, renew=0.7)
    _certificate(long, rng, firms, "trade_secret_demo", np.where(firms.tech, 0.005, 0.002) * ent,
                 _after(firms, 1, "2019-01-01"), {"municipal": 0.7, "district": 0.3})
    ind = firms.industry
    _certificate(long, rng, firms, "ip_service_brand", 0.10 * (ind == INDEX["ip_services"]),
                 _after(firms, 1, "2015-01-01"), {"national": 0.4, "provincial": 0.6})
    p_platform = np.where(ind == INDEX["engineering_services"], 0.15,
                          np.where(ind == INDEX["software_it"], 0.02, 0.005)) * ent
    _certificate(long, rng, firms, "innovation_platform", p_platform, _after(firms, 0, "2018-01-01"),
                 {"municipal": 0.7, "district": 0.3}, term=None)
    return Honours(column=_column(long, n, type_), first=long.first, current=long.current)


def _column(long: Long, n: int, type_: Any) -> Any:
    rows = np.concatenate(long.rows) if long.rows else np.zeros(0, dtype=np.int64)
    kinds = [k for ks in long.kind for k in ks]
    date = np.concatenate(long.cols["date"]) if long.rows else np.zeros(0, dtype="datetime64[D]")
    level = np.concatenate(long.cols["level"]) if long.rows else np.zeros(0, dtype=np.int64)
    expiry = np.concatenate(long.cols["expiry"]) if long.rows else np.zeros(0, dtype="datetime64[D]")
    fields = {"kind": A.strings(kinds), "level": A.choice(LEVELS, level), "date": A.dates(date),
              "expiry": A.dates(expiry)}
    return A.records(n, rows, date, fields, type_)
