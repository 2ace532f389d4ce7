"""Money at grant time (就高不重复 across an exclusive group, the yearly cap per enterprise)
and 免申即享 (the population engine lists; staff confirm with exclusions; 公示; grant
without any application)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huiqi.errors import Conflict
from huiqi.programmes import applications as A
from huiqi.programmes import automatic, calls, reviews
from huiqi.programmes.schemas import AutomaticConfirm, Exclusion, ProgrammeCreate
from huiqi.service import enterprises
from huiqi.service.schemas import FactSet, FactsUpdate

from .conftest import NINGBO, Park, universal


def _prog(park: Park, key: str, group: str | None, cap: str | None) -> None:
    calls.create(park.staff("policy_officer"), ProgrammeCreate(
        key=key, title_zh=key, title_en=key, pack="seed", clause="nbgx-ip/ip_mgmt_cert",
        mode="universal", year=2025, opens_on=dt.date(2025, 5, 1), closes_on=dt.date(2025, 6, 30),
        budget="1000000", exclusive_group=group, enterprise_year_cap=cap))


def _through(park: Park, key: str, code: str) -> int:
    me, officer = park.firm(code), park.staff()
    app = A.start(me, key, code)
    A.move(me, app.id, "submit")
    A.move(officer, app.id, "pass")
    reviews.select_one(officer, app.id)
    A.move(officer, app.id, "publicise")
    return app.id


def test_highest_not_repeated_and_the_yearly_cap(park: Park) -> None:
    _prog(park, "p1", "ip-2025", "30000")
    _prog(park, "p2", "ip-2025", "30000")
    _prog(park, "p3", "ip-2025", "30000")
    code = park.add_firm(71, "宁波市", NINGBO, "宁波叠加有限公司")
    a1, a2 = _through(park, "p1", code), _through(park, "p2", code)
    park.advance_days(10)
    officer = park.staff()
    assert A.move(officer, a1, "grant").amount == "20000.00"
    second = A.move(officer, a2, "grant")
    assert second.amount == "0.00"       # the same ¥20,000 once: 就高不重复
    assert second.explanation["grant"]["steps"][0]["rule"] == "highest_not_repeated"
    assert calls.get(officer, "p2").committed == "0.00"   # given back to the budget


def test_automatic_lists_confirms_with_exclusions_and_grants_without_application(park: Park) -> None:
    calls.create(park.staff("policy_officer"), ProgrammeCreate(
        key="xm-bonus", title_zh="火炬创新平台兑付奖励", title_en="Platform bonus", pack="seed",
        clause="xm-torch-voucher/platform_bonus", mode="automatic", year=2025,
        opens_on=dt.date(2025, 5, 1), closes_on=dt.date(2025, 6, 30), budget="100000"))
    codes = [park.add_firm(80 + i, "厦门市", "厦门火炬高新区", f"厦门平台{i}号") for i in range(3)]
    for i, code in enumerate(codes):
        enterprises.set_facts(park.system(), code, FactsUpdate(items=[
            FactSet(fact="honours", value=[{"kind": "innovation_platform", "level": "district",
                                            "date": "2023-01-01"}]),
            FactSet(fact="voucher_redeemed_period", value=str(100000 * (i + 1)))]))
    with pytest.raises(Conflict, match="无需申报"):
        A.start(park.firm(codes[0]), "xm-bonus", codes[0])
    officer = park.staff()
    assert automatic.propose(officer, "xm-bonus") == 3
    assert automatic.propose(officer, "xm-bonus") == 0   # listed once
    out = automatic.confirm(officer, "xm-bonus", AutomaticConfirm(exclusions=[
        Exclusion(enterprise=codes[2], reason="本期兑付存在争议,待核实")]))
    assert out == {"confirmed": 2, "excluded": 1, "over_budget": 0}
    assert automatic.publicise_all(officer, "xm-bonus") == 2
    park.advance_days(10)
    assert automatic.grant_all(officer, "xm-bonus") == 2
    mine = A.list_for(park.firm(codes[1]))
    assert [(x.origin, x.state, x.amount) for x in mine] == [("automatic", "granted", "40000.00")]
    assert calls.get(officer, "xm-bonus").committed == "60000.00"


def test_a_once_only_benefit_is_granted_once(park: Park) -> None:
    _prog(park, "once-a", None, None)
    _prog(park, "once-b", None, None)
    code = park.add_firm(91, "宁波市", NINGBO, "宁波一次性有限公司")
    a = _through(park, "once-a", code)
    park.advance_days(10)
    A.move(park.staff(), a, "grant")
    me = park.firm(code)
    app = A.start(me, "once-b", code)
    with pytest.raises(Conflict, match="只享受一次"):
        A.move(me, app.id, "submit")


def test_a_programme_stays_within_its_clause(park: Park) -> None:
    from huiqi.errors import InputError

    with pytest.raises(InputError, match="总预算"):
        calls.create(park.staff("policy_officer"), ProgrammeCreate(
            key="chips", title_zh="揭榜", title_en="Chips", pack="seed", clause=_chip_clause(park),
            mode="universal", year=2025, opens_on=dt.date(2025, 5, 1), closes_on=dt.date(2025, 6, 30),
            budget="99000000"))


def _chip_clause(park: Park) -> str:
    from huiqi.service import policies

    pack = policies.pack_of(park.system(), "seed")
    return next(c.key for c in pack.clauses() if c.program is not None and c.program.budget_total)


def test_the_calls_of_a_year_share_its_budget_line(park: Park) -> None:
    """Two calls on one clause in 2025, each with ¥50,000, under a year's line of ¥60,000:
    three grants of ¥20,000 over both calls, the fourth refused in either call."""
    universal(park, key="nb-spring", budget="50000", budget_year="60000")
    universal(park, key="nb-autumn", budget="50000", budget_year="60000")
    codes = [park.add_firm(700 + i, "宁波市", NINGBO, f"宁波年度{i}号有限公司") for i in range(5)]
    for code, key in zip(codes[:3], ("nb-spring", "nb-autumn", "nb-spring"), strict=True):
        _through(park, key, code)
    for code, key in zip(codes[3:], ("nb-autumn", "nb-spring"), strict=True):
        with pytest.raises(Conflict, match="本年度预算"):
            _through(park, key, code)
    got = {p.key: p for p in calls.list_all(park.staff(), 2025)}
    assert (got["nb-spring"].committed, got["nb-autumn"].committed) == ("40000.00", "20000.00")


def test_a_year_line_is_one_amount_and_holds_each_call(park: Park) -> None:
    from huiqi.errors import InputError

    with pytest.raises(InputError, match="超过年度预算"):
        universal(park, key="nb-big", budget="100000", budget_year="60000")
    universal(park, key="nb-one", budget="50000", budget_year="60000")
    with pytest.raises(InputError, match="共用一条年度预算"):
        universal(park, key="nb-two", budget="50000", budget_year="80000")
    with pytest.raises(InputError, match="共用一条年度预算"):
        universal(park, key="nb-three", budget="50000")


def test_potential_is_capped_by_the_quota_on_the_dashboard_and_the_budget_lines(
        park: Park) -> None:
    """Guilin's award (at most 2 winners of ¥500,000): with three candidates under review,
    the dashboard and the programme's budget line both count ¥1,000,000, not ¥1,500,000."""
    from huiqi.engine.result import capped_by_quota
    from huiqi.service import matching, reports

    from .conftest import GUILIN_CITY, GUILIN_PARK, guilin

    for i in range(3):
        code = park.add_firm(800 + i, GUILIN_CITY, GUILIN_PARK, f"桂林看板{i}号有限公司")
        enterprises.set_facts(park.system(), code, FactsUpdate(items=[
            FactSet(fact="awards", value=[])]))  # known: none; the panel's questions remain
    guilin(park, budget="5000000")
    boss = park.staff("leadership")
    matching.run(park.staff("policy_officer"), "seed")
    o = reports.overview(boss)
    award = next(t for t in o.by_policy if t.key == "seed/gl-mayor-quality")
    assert award.counts["needs_review"] == 3
    assert (award.amount, award.potential) == (Decimal(0), Decimal(1000000))
    clause = next(t for t in reports.pack_totals(boss, "seed").clauses
                  if t.key == "gl-mayor-quality/award")
    assert (clause.counts["needs_review"], clause.potential) == (3, Decimal(1000000))
    line = next(b for b in calls.budgets(boss) if b.programme == "gl-2025")
    assert (line.potential, line.potential_capped, line.potential_count) == (
        "1500000.00", "1000000.00", 3)
    # the one definition: the eligible first, what the undetermined may add within the quota
    assert capped_by_quota([Decimal(5), Decimal(3)], [Decimal(9), Decimal(1)], 2) == (
        Decimal(8), Decimal(6))
    assert capped_by_quota([Decimal(5)], [Decimal(9)], None) == (Decimal(5), Decimal(9))
