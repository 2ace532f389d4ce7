"""一企一策 plans (issue 15, item 5): what fits, what nearly fits with its steps, the officer,
visits and follow-ups; enterprises without a visit in N months."""

from __future__ import annotations

import datetime as dt

import pytest

from huiqi.errors import PermissionDenied
from huiqi.push import plans as P
from service_fixtures import CODE_A, CODE_B, World

from .test_triggers import pack_files, revenue


def test_a_plan_says_what_fits_what_nearly_fits_and_the_visits(world: World) -> None:
    revenue(world, CODE_A, 6_000_000)
    revenue(world, CODE_B, 4_000_000)
    world.publish("pushtest", pack_files(5_000_000, 100_000))
    officer = world.ctx("case_officer")
    P.assign(officer, CODE_B, "u_case_officer")
    P.record_visit(officer, CODE_B, "走访了解研发情况", "协助整理营收证明", dt.date(2025, 7, 1))
    a, b = P.plan(officer, CODE_A), P.plan(officer, CODE_B)
    assert [x.clause for x in a.fits] == ["p/growth"] and a.near == []
    assert b.fits == [] and [x.clause for x in b.near] == ["p/growth"]
    assert "还差 1000000元" in b.near[0].steps[0]
    assert b.officer == "u_case_officer"
    assert [(v.summary, v.due) for v in b.visits] == [("走访了解研发情况", dt.date(2025, 7, 1))]
    codes = [c for c, _n, _at in P.unvisited(officer, months=6)]
    assert CODE_A in codes and CODE_B not in codes
    with pytest.raises(PermissionDenied):
        P.record_visit(world.ctx("enterprise"), CODE_A, "x")
