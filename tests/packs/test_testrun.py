"""Which clauses a test run matches on Spark: those the cases check, with their stacking
groups, in force on the day (:func:`huiqi.packs.testrun._checked`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from huiqi.packs import testcases as C
from huiqi.packs import testrun as T
from huiqi.rules.loader import load_pack

ROOT = Path(__file__).parents[2]
SEED = ROOT / "policies" / "seed"


def _case(expect: dict[str, object], day: dt.date) -> C.Case:
    return C.Case(name="c", file="f.yaml", line=1, pack_path=SEED, as_of=day, enterprise={},
                  expect=expect)


def test_the_checked_clauses_with_their_stacking_groups() -> None:
    pack = load_pack(SEED)
    day = dt.date(2024, 6, 1)
    group = [_case({"nbgx-ip/ip_award_provincial": "eligible"}, day),
             _case({"rent_subsidy": {"status": "not_eligible"},
                    "nbgx-ip/ip_mgmt_cert": C.NOT_IN_FORCE}, day)]
    got = [c.key for c in T._checked(pack, day, group)]
    # the whole "highest award only" group (stacking changes each one's amount), in pack order;
    # a clause the cases name by its own id; nothing for a clause expected not in force
    assert got == ["nbgx-ip/ip_award_national", "nbgx-ip/ip_award_provincial",
                   "nbgx-ip/ip_award_municipal", "nbgx-ip/rent_subsidy"]
    assert len(pack.clauses()) > len(got)


def test_nothing_of_a_policy_not_yet_in_force() -> None:
    pack = load_pack(SEED)
    group = [_case({"nbgx-ip/ip_award_provincial": "eligible"}, dt.date(2022, 6, 1))]
    assert T._checked(pack, dt.date(2022, 6, 1), group) == []
