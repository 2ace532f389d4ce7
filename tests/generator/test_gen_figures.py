"""Generated figures hang together: years, accounts, staff, patents, dates, places."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from huiqi.facts.catalogue import default_catalogue
from huiqi.generator.parks import PARKS

from .helpers import AS_OF, LAST, YEARS, cents, floats, records, strings, valid, years_open


def _both(park: Any, *columns: str) -> np.ndarray[Any, Any]:
    out = np.ones(park.num_rows, dtype=bool)
    for c in columns:
        out &= valid(park[c])
    return out


def test_no_figures_before_registration(park: Any) -> None:
    open_ = years_open(park)
    yearly = [f.id for f in default_catalogue().facts.values() if f.yearly]
    for t, year in enumerate(YEARS):
        closed = ~open_[:, t]
        assert closed.any()
        for fact in yearly:
            assert not valid(park[f"{fact}@{year}"])[closed].any(), f"{fact}@{year}"


def test_money_is_never_negative_where_the_catalogue_says_so(park: Any) -> None:
    for f in default_catalogue().facts.values():
        if f.kind == "money" and f.min is not None and f.yearly:
            for y in YEARS:
                assert (cents(park[f"{f.id}@{y}"]) >= 0).all(), f.id


@pytest.mark.parametrize("year", YEARS)
def test_accounts_hang_together(park: Any, year: int) -> None:
    def c(fact: str) -> np.ndarray[Any, Any]:
        return cents(park[f"{fact}@{year}"])

    ok = _both(park, f"total_assets@{year}", f"total_liabilities@{year}", f"net_assets@{year}")
    assert ok.sum() > 1000
    assert (c("total_assets") == c("total_liabilities") + c("net_assets"))[ok].all()
    assert (c("total_assets")[ok] >= 1_000_000).all()          # at least ¥10,000
    ok = _both(park, f"revenue@{year}", f"main_business_revenue@{year}", f"high_tech_product_income@{year}")
    assert (c("main_business_revenue") <= c("revenue"))[ok].all()
    assert (c("high_tech_product_income") <= c("revenue"))[ok].all()
    ok = _both(park, f"rd_expense@{year}", f"rd_expense_domestic@{year}", f"total_cost_expense@{year}")
    assert (c("rd_expense_domestic") <= c("rd_expense"))[ok].all()
    assert (c("rd_expense") <= c("total_cost_expense"))[ok].all()
    ok = _both(park, f"revenue@{year}", f"rd_expense@{year}")
    assert (c("rd_expense") <= 0.8 * c("revenue") + 1)[ok & (c("revenue") > 0)].all()
    ok = _both(park, f"revenue@{year}", f"total_cost_expense@{year}")
    below = (c("total_cost_expense") < c("revenue"))[ok & (c("revenue") > 0)]
    assert 0.6 < below.mean() < 0.8
    ok = _both(park, f"ip_pledge_loan@{year}", f"ip_pledge_interest@{year}")
    loan, interest = c("ip_pledge_loan")[ok], c("ip_pledge_interest")[ok]
    assert ((loan > 0) == (interest > 0)).all() and (interest <= loan * 0.05 + 1).all()


@pytest.mark.parametrize("year", YEARS)
def test_staff_hang_together(park: Any, year: int) -> None:
    staff, st, rd = (floats(park[f"{f}@{year}"]) for f in ("staff_total", "st_staff", "rd_staff"))
    ok = ~np.isnan(staff) & ~np.isnan(st) & ~np.isnan(rd)
    assert (staff[~np.isnan(staff)] >= 1).all()
    assert (rd[ok] <= st[ok]).all() and (st[ok] <= staff[ok]).all()


def test_revenue_grows_with_noise(park: Any) -> None:
    a, b = floats(park[f"revenue@{LAST - 2}"]), floats(park[f"revenue@{LAST - 1}"])
    age = np.array([(AS_OF - d).days / 365.25 for d in park["registration_date"].to_pylist()])
    ok = (a > 0) & (b > 0) & (age > 10)
    growth = b[ok] / a[ok] - 1
    assert 0.05 < np.median(growth) < 0.2
    assert np.std(growth) > 0.1 and (growth < 0).mean() > 0.2


def test_patents_accumulate(park: Any) -> None:
    for prev, year in itertools.pairwise(YEARS):
        cols = (f"ip_class1@{prev}", f"ip_class1@{year}", f"invention_patents_granted@{year}")
        ok = _both(park, *cols)
        s0, s1, granted = (floats(park[c])[ok] for c in cols)
        assert ok.sum() > 1000
        assert (s1 == s0 + granted).all()
        for stock in ("ip_class2", "ip_class1_self_developed", "ip_class1_high_value"):
            ok2 = _both(park, f"{stock}@{prev}", f"{stock}@{year}")
            assert (floats(park[f"{stock}@{year}"]) >= floats(park[f"{stock}@{prev}"]))[ok2].all()
    for year in YEARS:
        class1 = floats(park[f"ip_class1@{year}"])
        for part in ("ip_class1_self_developed", "ip_class1_high_value", "patents_industrialized"):
            other = floats(park[f"{part}@{year}"])
            ok = ~np.isnan(class1) & ~np.isnan(other)
            assert (other[ok] <= class1[ok]).all()
    granted = floats(park[f"invention_patents_granted@{LAST}"])
    assert 0.05 < (granted > 0).mean() < 0.6


def test_records_are_dated_between_registration_and_the_evaluation_date(park: Any) -> None:
    registered = np.asarray(park["registration_date"].to_numpy(zero_copy_only=False), dtype="datetime64[D]")
    as_of = np.datetime64(AS_OF.isoformat(), "D")
    for fact in ("honours", "awards", "standards", "rd_institutions", "equity_financing", "violations"):
        rows, f = records(park[fact])
        assert len(rows) > 50, fact
        assert (registered[rows] <= f["date"]).all() and (f["date"] < as_of).all(), fact
        if "expiry" in f:
            known = ~np.isnat(f["expiry"])
            assert (f["expiry"][known] > f["date"][known]).all()
    rows, f = records(park["equity_financing"])
    later = rows[1:] == rows[:-1]
    assert (f["date"][1:][later] >= f["date"][:-1][later]).all()


def test_places_are_consistent_with_the_park(park: Any) -> None:
    place = {p.name: (p.province, p.city, {d.name for d in p.districts}) for p in PARKS}
    for p, prov, city, dist in zip(*(strings(park[c]) for c in ("park", "province", "city", "district")),
                                   strict=True):
        assert (prov, city) == place[p][:2] and dist in place[p][2]


def test_establishment_and_loans(park: Any) -> None:
    ok = _both(park, "establishment_date", "establishment_kind", "independent_legal_person")
    reg = np.array(park["registration_date"].to_pylist())[ok]
    est = np.array(park["establishment_date"].to_pylist())[ok]
    assert (est >= reg).all()
    branch = strings(park["establishment_kind"])[ok] == "branch"
    assert not np.array(park["independent_legal_person"].to_pylist())[ok][branch].any()
    ok = valid(park["bank_loan_history"])
    assert (np.array(park["bank_loan_history"].to_pylist())[ok] == valid(park["first_loan_date"])[ok]).all()


def test_names_look_like_company_names(park: Any) -> None:
    names = strings(park["name"])
    kinds = strings(park["entity_kind"])
    firms = names[kinds != "individual_business"]
    assert all(n.endswith(("有限公司", "有限责任公司")) for n in firms)
    shorts = tuple(p.short for p in PARKS) + tuple(p.province_short for p in PARKS)
    assert np.mean([n.startswith(shorts) for n in firms]) > 0.8
    assert len(set(names)) > 0.9 * len(names)
    shops = names[kinds == "individual_business"]
    assert all(n.startswith(tuple(p.city for p in PARKS)) for n in shops)
