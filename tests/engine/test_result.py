"""The ideas every view of a match shares, defined once: the order of statuses, what "nearly
fits", what a near-miss is, and how results are tallied."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from huiqi.engine.result import (
    RANK,
    STATUS_ORDER,
    Status,
    Tally,
    capped_by_quota,
    near_miss,
    nearly_fits,
)


def test_statuses_read_from_what_fits_to_what_clearly_does_not() -> None:
    assert [s.value for s in STATUS_ORDER] == ["eligible", "needs_review", "undetermined",
                                               "not_eligible"]
    assert RANK["needs_review"] == RANK[Status.NEEDS_REVIEW] == 1
    assert sorted(Status, key=RANK.__getitem__) == list(STATUS_ORDER)


def test_what_nearly_fits() -> None:
    assert nearly_fits("eligible", 0, False) and nearly_fits("undetermined", 3, False)
    assert nearly_fits("not_eligible", 2, True) and not nearly_fits("not_eligible", 3, True)
    assert nearly_fits("not_eligible", 1, False) and not nearly_fits("not_eligible", 2, False)


def test_a_near_miss_is_one_failed_condition_with_a_measurable_gap() -> None:
    assert near_miss("not_eligible", ["revenue"], {"revenue"}) == "revenue"
    assert near_miss("not_eligible", ["revenue"], {"staff"}) is None      # no gap of its own
    assert near_miss("not_eligible", ["revenue", "staff"], {"revenue", "staff"}) is None
    assert near_miss("undetermined", ["revenue"], {"revenue"}) is None


def test_a_tally_counts_statuses_and_keeps_money_apart() -> None:
    t = Tally("lang/rd_subsidy")
    t.add("eligible", 2, Decimal("300000.00"), Decimal("300000.00"))
    t.add("undetermined", 1, None, Decimal("150000"))
    t.add("needs_review", 1, None, Decimal("50000"))
    t.add("not_eligible", 5, None, Decimal("999999"))   # what it would pay is nobody's due
    assert t.counts == {"eligible": 2, "needs_review": 1, "undetermined": 1, "not_eligible": 5}
    assert t.total == 9
    assert (t.amount, t.potential) == (Decimal("300000.00"), Decimal("200000"))


@given(st.lists(st.decimals(min_value=0, max_value=10**7, places=2), max_size=12),
       st.lists(st.decimals(min_value=0, max_value=10**7, places=2), max_size=12),
       st.one_of(st.none(), st.integers(min_value=0, max_value=15)))
def test_money_capped_by_a_quota(eligible: list[Decimal], undetermined: list[Decimal],
                                 quota: int | None) -> None:
    """Issue 12: with a quota of k, payable is the k largest eligible amounts, and payable
    plus potential the k largest of all; never more than without the quota."""
    payable, potential = capped_by_quota(eligible, undetermined, quota)
    k = len(eligible) + len(undetermined) if quota is None else quota
    assert payable == sum(sorted(eligible, reverse=True)[:k], Decimal(0))
    assert payable + potential == sum(sorted(eligible + undetermined, reverse=True)[:k],
                                      Decimal(0))
    assert 0 <= payable <= sum(eligible, Decimal(0))
    assert 0 <= potential <= sum(undetermined, Decimal(0))
    if quota is None:
        assert (payable, potential) == (sum(eligible, Decimal(0)), sum(undetermined, Decimal(0)))
