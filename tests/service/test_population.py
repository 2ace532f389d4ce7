"""Near-misses and simulations over the stored park, by the population engine; they agree
with the one-enterprise engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from huiqi.errors import PermissionDenied
from huiqi.packs.files import read_folder
from huiqi.service import enterprises, matching, policies, population
from huiqi.service.schemas import EnterpriseUpdate, FactSet, FactsUpdate
from service_fixtures import CODE_A, CODE_B, CODE_UNI, ROOT, World

LANGUAGE = ROOT / "tests" / "packs" / "language"
DAY = dt.date(2025, 6, 1)


@pytest.fixture
def park(world: World) -> World:
    admin = world.ctx("admin")
    world.publish("language", read_folder(Path(LANGUAGE)))
    for code, rd in ((CODE_A, "900000"), (CODE_B, "10")):
        enterprises.update(admin, code, EnterpriseUpdate(park="测试区", moved_on=dt.date(2020, 1, 1)))
        enterprises.set_facts(admin, code, FactsUpdate(items=[
            FactSet(fact="registration_date", value="2015-01-01"),
            FactSet(fact="industry", value="集成电路"),
            FactSet(fact="revenue", year=2024, value="10000000"),
            FactSet(fact="rd_expense", year=2024, value=rd),
            FactSet(fact="staff_total", year=2024, value="100"),
            FactSet(fact="st_staff", year=2024, value="40")]))
    return world


def test_a_draft_is_simulated_and_agrees_with_one_enterprise_matching(park: World) -> None:
    """One run of the (slow to plan) population query per backend: a draft with the same
    rules as the published version, simulated before anyone publishes it."""
    officer = park.ctx("policy_officer")
    policies.upload(officer, "language", read_folder(Path(LANGUAGE)), note="same rules")
    sim = population.simulate(officer, "language", number=2, as_of=DAY)
    assert (sim.status, sim.number, sim.entities) == ("draft", 2, 3)
    assert policies.get_version(officer, "language", 2).status == "draft"
    expected: dict[str, dict[str, int]] = {}
    total = Decimal(0)
    for code in (CODE_A, CODE_B, CODE_UNI):
        [p] = matching.match_one(officer, code, DAY, explain=False).packs
        total += Decimal(p.total_eligible_amount)
        for c in p.clauses:
            expected.setdefault(c.key, {}).setdefault(c.status, 0)
            expected[c.key][c.status] += 1
    got = {c.clause: {st: getattr(c, st) for st in ("eligible", "not_eligible", "undetermined",
                                                    "needs_review") if getattr(c, st)}
           for c in sim.clauses}
    assert got == expected
    assert Decimal(sim.total_amount) == total


def test_near_misses_are_one_condition_short(park: World) -> None:
    officer = park.ctx("policy_officer")
    for clause in ("lang/rd_subsidy",):
        page = population.near_misses(officer, "language", clause, as_of=DAY)
        assert [n.credit_code for n in page.items] == [CODE_B]   # R&D of ¥10 on ¥10m revenue
        for n in page.items:
            [r] = [c for c in matching.match_one(officer, n.credit_code, DAY, explain=False)
                   .packs[0].clauses if c.key == clause]
            assert r.status == "not_eligible" and r.failed == [n.condition]


def test_leadership_may_not_run_simulations(park: World) -> None:
    with pytest.raises(PermissionDenied):
        population.simulate(park.ctx("leadership"), "language")
    assert population.near_misses(park.ctx("leadership"), "language", "lang/rd_subsidy").total >= 0


def test_near_misses_follow_a_change_of_facts(park: World) -> None:
    """The list is kept between requests while the park's data stay the same; a change of
    an enterprise's facts is seen by the next request."""
    officer, admin = park.ctx("policy_officer"), park.ctx("admin")
    first = population.near_misses(officer, "language", "lang/rd_subsidy", as_of=DAY)
    assert CODE_B in {n.credit_code for n in first.items}
    again = population.near_misses(officer, "language", "lang/rd_subsidy", as_of=DAY)
    assert again.items == first.items
    enterprises.set_facts(admin, CODE_B, FactsUpdate(items=[
        FactSet(fact="rd_expense", year=2024, value="900000")]))
    after = population.near_misses(officer, "language", "lang/rd_subsidy", as_of=DAY)
    assert CODE_B not in {n.credit_code for n in after.items}
    [r] = [c for c in matching.match_one(officer, CODE_B, DAY, explain=False).packs[0].clauses
           if c.key == "lang/rd_subsidy"]
    assert r.status == "eligible"
