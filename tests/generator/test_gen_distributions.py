"""The distributions the generator's modules document hold at N = 20,000."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from huiqi.generator import missing
from huiqi.generator.industries import INDUSTRIES, TECH_INDUSTRIES
from huiqi.generator.parks import PARKS

from .helpers import AS_OF, LAST, YEARS, floats, holders, records, strings, valid, years_open


def _ages(park: Any) -> np.ndarray[Any, Any]:
    return np.array([(AS_OF - d).days / 365.25 for d in park["registration_date"].to_pylist()])


def _enterprise(park: Any) -> np.ndarray[Any, Any]:
    out: np.ndarray[Any, Any] = strings(park["entity_kind"]) != "individual_business"
    return out


def _tech(park: Any) -> np.ndarray[Any, Any]:
    return _enterprise(park) & np.isin(strings(park["industry"]), sorted(TECH_INDUSTRIES))


def _holding(park: Any, kind: str, *, now: bool = False, year: int | None = None) -> np.ndarray[Any, Any]:
    rows, f = records(park["honours"])
    hit = f["kind"] == kind
    if now:
        as_of = np.datetime64(AS_OF.isoformat(), "D")
        hit &= (f["date"] <= as_of) & (np.isnat(f["expiry"]) | (f["expiry"] >= as_of))
    if year is not None:
        hit &= f["date"].astype("datetime64[Y]").astype(int) + 1970 == year
    return holders(park.num_rows, rows, hit)


def test_parks_and_kinds(park: Any) -> None:
    names = strings(park["park"])
    total = sum(p.weight for p in PARKS)
    for p in PARKS:
        assert abs((names == p.name).mean() - p.weight / total) < 0.025, p.name
    assert 0.03 < (~_enterprise(park)).mean() < 0.05


def test_ages(park: Any) -> None:
    age = _ages(park)[_enterprise(park)]
    assert 4.5 < np.median(age) < 6.5
    assert age.min() >= 7 / 365.25 - 1e-9 and age.max() <= 38.01


@pytest.mark.parametrize("industry", INDUSTRIES, ids=lambda i: i.id)
def test_revenue_of_mature_firms_by_industry(park: Any, industry: Any) -> None:
    revenue = floats(park[f"revenue@{LAST}"])
    mature = (strings(park["industry"]) == industry.id) & _enterprise(park) & (_ages(park) >= 9)
    r = revenue[mature & ~np.isnan(revenue)]
    assert len(r) > 50
    median = np.median(r)
    assert industry.revenue / 1.5 < median < industry.revenue * 1.5
    assert np.quantile(r, 0.9) / median > 4         # a heavy right tail


def test_revenue_is_heavy_tailed_and_grows_with_age(park: Any) -> None:
    revenue = floats(park[f"revenue@{LAST}"])
    ent = _enterprise(park) & (revenue > 0)
    r = revenue[ent]
    assert np.quantile(r, 0.99) / np.median(r) > 30
    age = _ages(park)
    young = np.median(revenue[ent & (age > 2) & (age < 3)])
    mature = np.median(revenue[ent & (age > 9)])
    assert young < 0.5 * mature


@pytest.mark.parametrize("industry", INDUSTRIES, ids=lambda i: i.id)
def test_rd_intensity_by_industry(park: Any, industry: Any) -> None:
    revenue, rd = floats(park[f"revenue@{LAST}"]), floats(park[f"rd_expense@{LAST}"])
    ours = (strings(park["industry"]) == industry.id) & _enterprise(park)
    doing = ours & (revenue > 0) & (rd > 0)
    intensity = rd[doing] / revenue[doing]
    assert industry.rd / 1.3 < np.median(intensity) < industry.rd * 1.3
    assert intensity.max() <= 0.8 + 1e-6
    known = ours & (revenue > 0) & ~np.isnan(rd)
    assert abs((rd[known] == 0).mean() - industry.no_rd) < 0.08


def test_honour_shares(park: Any) -> None:
    tech, ent = _tech(park), _enterprise(park)
    assert 0.15 <= _holding(park, "hnte", now=True)[tech].mean() <= 0.25
    staff, revenue = floats(park[f"staff_total@{LAST}"]), floats(park[f"revenue@{LAST}"])
    sme = np.nan_to_num(staff) <= 500
    sme &= np.nan_to_num(revenue) <= 200_000_000
    registered = np.array([d.year for d in park["registration_date"].to_pylist()]) < LAST
    assert 0.25 <= _holding(park, "tsme", year=LAST)[tech & sme & registered].mean() <= 0.35
    assert 0.03 <= _holding(park, "specialized_sme")[ent].mean() <= 0.07
    assert 0.002 <= _holding(park, "little_giant")[ent].mean() <= 0.01
    spec = _holding(park, "specialized_sme")
    assert not (_holding(park, "little_giant") & ~spec).any()      # every 小巨人 is 专精特新


@pytest.mark.parametrize(("fact", "low", "high"), [
    ("awards", 0.03, 0.08), ("standards", 0.015, 0.05), ("rd_institutions", 0.02, 0.06),
    ("equity_financing", 0.04, 0.10), ("violations", 0.005, 0.02)])
def test_record_shares(park: Any, fact: str, low: float, high: float) -> None:
    values = park[fact].to_pylist()
    known = [v for v in values if v is not None]
    assert low <= np.mean([len(v) > 0 for v in known]) <= high


NEVER_MISSING = ("id", "name", "entity_kind", "registration_date", "province", "city", "district", "park",
                 "industry", "abnormal_operation_list", "serious_dishonest_list", "violations", "honours")
NOT_ALWAYS_APPLICABLE = ("niche_market_since", "zjtx_local_feature_points", "voucher_service_classes",
                         "voucher_redeemed_period")


def test_never_missing(park: Any) -> None:
    for name in NEVER_MISSING:
        assert park[name].null_count == 0, name


@pytest.mark.parametrize("fact", sorted(missing.STATIC))
def test_static_missing_rates(park: Any, fact: str) -> None:
    rate = missing.STATIC[fact]
    nulls = ~valid(park[fact])
    if fact in NOT_ALWAYS_APPLICABLE:     # null also where the fact does not apply
        assert nulls.mean() >= rate - 0.015
        return
    applies = _enterprise(park) if fact in ("digitalization_level", "national_market_share") else \
        np.ones(len(nulls), dtype=bool)
    assert abs(nulls[applies].mean() - rate) < 0.015


@pytest.mark.parametrize("fact", sorted(missing.YEARLY))
def test_yearly_missing_rates(park: Any, fact: str) -> None:
    rate = missing.YEARLY[fact]
    open_ = years_open(park)
    if fact == "industrial_output":
        sector = dict((i.id, i.sector) for i in INDUSTRIES)
        industrial = np.array([sector[i] == "industrial" for i in strings(park["industry"])])
        open_ &= (industrial & _enterprise(park))[:, None]
    nulls = np.stack([~valid(park[f"{fact}@{y}"]) for y in YEARS], axis=1)
    assert abs(nulls[open_].mean() - rate) < 0.01
