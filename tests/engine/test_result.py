"""The ideas every view of a match shares, defined once: the order of statuses, what "nearly
fits", what a near-miss is, and how results are tallied."""

from __future__ import annotations

from decimal import Decimal

from huiqi.engine.result import RANK, STATUS_ORDER, Status, Tally, near_miss, nearly_fits


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
