"""揭榜挂帅: Beijing's automotive-grade chip list (3 classes, 11 chips, ¥42 million) — tasks
in the market's vocabulary, a consortium's application (one per task per applicant), the
panel's selection (one winner, or two for 赛马), milestones paid in stages; a selection
that would take the list past ¥42 million is refused and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.vouchers import challenges as C
from huiqi.vouchers.schemas import (
    ChallengeApply,
    ChallengeListCreate,
    CriterionIn,
    MilestoneAccept,
    MilestoneSpec,
    Selection,
    TaskCreate,
)
from programmes.conftest import Park

MILESTONES = [MilestoneSpec(id="design", zh="设计", en="Design", share="0.2"),
              MilestoneSpec(id="tapeout", zh="流片", en="Tape-out", share="0.3"),
              MilestoneSpec(id="aecq100", zh="AEC-Q100 认证", en="AEC-Q100 qualification",
                            share="0.3"),
              MilestoneSpec(id="vehicle", zh="上车验证", en="On-vehicle validation", share="0.2")]
#: 3 classes, 11 chips, shares summing to ¥42 million (the split is the test's)
CHIPS = [("控制类", "A1", "mcu", "5000000", 1), ("控制类", "A2", "mcu", "4000000", 2),
         ("控制类", "A3", "mcu", "4000000", 1), ("控制类", "A4", "mcu", "3000000", 1),
         ("功率类", "B1", "power", "5000000", 1), ("功率类", "B2", "power", "4000000", 1),
         ("功率类", "B3", "power", "4000000", 1), ("功率类", "B4", "power", "3000000", 1),
         ("传感类", "C1", "mcu", "4000000", 1), ("传感类", "C2", "mcu", "3000000", 1),
         ("传感类", "C3", "mcu", "3000000", 1)]
GOOD = {"maturity": "90", "mass_production": "85", "team": "88", "indicators": "92"}
FAIR = {"maturity": "75", "mass_production": "70", "team": "72", "indicators": "74"}


def _code(n: int) -> str:
    from huiqi.facts.credit_code import make

    return make("9", "1", "110108", f"MA{n:06d}")


def _beijing(park: Park) -> dict[str, int]:
    officer = park.staff()
    C.create_list(officer, ChallengeListCreate(
        key="bj-chips-2025", title_zh="北京市车规级芯片揭榜挂帅榜单",
        title_en="Beijing automotive-grade chips", issuer="北京市经济和信息化局",
        budget="42000000", opens_on=dt.date(2025, 3, 1), closes_on=dt.date(2025, 6, 30),
        criteria=[CriterionIn.model_validate(c) for c in C.BEIJING_CRITERIA], pass_mark="70"))
    ids = {}
    for group, code, cat, budget, winners in CHIPS:
        t = C.add_task(officer, "bj-chips-2025", TaskCreate(
            code=code, group_zh=group, title_zh=f"车规级芯片 {code}", title_en=f"Chip {code}",
            category=cat, indicators={"temperature_c": [-40, 125]} if cat == "mcu" else
            {"voltage_v": 1200}, qualifications=["AEC-Q100-G1"], packaging="LQFP-144",
            deliverables=["样片", "AEC-Q100 报告"], period_months=24, budget=budget,
            winners=winners, milestones=MILESTONES))
        ids[code] = t.id
    with pytest.raises(Conflict, match="超出预算"):     # the shares are the whole budget
        C.add_task(officer, "bj-chips-2025", TaskCreate(
            code="D1", group_zh="其他", title_zh="x", title_en="x", category="mcu",
            period_months=12, budget="1", milestones=MILESTONES))
    C.publish(officer, "bj-chips-2025")
    return ids


def _apply(park: Park, task: int, n: int, members: int = 0) -> int:
    return C.apply(park.staff(), task, ChallengeApply(
        lead_code=_code(n), lead_name=f"芯片公司{n}", province="上海市",
        members=[{"code": _code(n * 10 + i), "name": f"成员{i}", "role": "封装测试"}
                 for i in range(members)],
        agreement_sha256="a" * 64 if members else None, agreement_name="联合体协议.pdf"
        if members else None)).id


def test_the_list_its_consortia_selection_and_staged_payment(park: Park) -> None:
    park.clock.now = dt.datetime(2025, 4, 1, 2, tzinfo=dt.UTC)
    ids = _beijing(park)
    out = C.public(park.platform.db, "bj-chips-2025")
    assert len(out.tasks) == 11 and {t.group for t in out.tasks} == {"控制类", "功率类", "传感类"}
    assert sum(Decimal(t.budget) for t in out.tasks) == Decimal(42_000_000)
    assert [t.code for t in out.tasks if t.horse_race] == ["A2"]
    with pytest.raises(InputError, match="联合体协议"):
        C.apply(park.staff(), ids["A1"], ChallengeApply(
            lead_code=_code(1), lead_name="x", province="北京市",
            members=[{"code": _code(2), "name": "y", "role": "设计"}]))
    a = _apply(park, ids["A1"], 1, members=2)
    b = _apply(park, ids["A1"], 3)
    with pytest.raises(Conflict, match="只能申请一次"):
        _apply(park, ids["A1"], 10)          # 芯片公司10 is a member of the first consortium
    res = C.select_winners(park.staff(), ids["A1"], Selection(reviews={
        str(a): [GOOD, GOOD, FAIR], str(b): [FAIR, FAIR]}))
    assert [(x.id, x.state, x.award) for x in res] == [(a, "selected", "5000000.00"),
                                                       (b, "not_selected", None)]
    paid = C.accept_milestone(park.staff(), a, MilestoneAccept(
        milestone="design", reviewers=["专家甲", "专家乙"], reference="京经信拨〔2025〕1号"))
    assert paid.paid == "1000000.00"
    with pytest.raises(Conflict, match="已验收"):
        C.accept_milestone(park.staff(), a, MilestoneAccept(
            milestone="design", reviewers=["专家甲"], reference="again"))
    for m in ("tapeout", "aecq100", "vehicle"):
        paid = C.accept_milestone(park.staff(), a, MilestoneAccept(
            milestone=m, reviewers=["专家甲"], reference=m))
    assert paid.paid == "5000000.00"
    assert C.public(park.platform.db, "bj-chips-2025").paid == "5000000.00"


def test_a_selection_beyond_42_million_is_refused(park: Park) -> None:
    park.clock.now = dt.datetime(2025, 4, 1, 2, tzinfo=dt.UTC)
    ids = _beijing(park)
    officer = park.staff()
    n = 100
    for _group, code, _cat, _budget, winners in CHIPS[:-1]:
        apps = []
        for _ in range(winners):
            n += 1
            apps.append(_apply(park, ids[code], n))
        C.select_winners(officer, ids[code], Selection(reviews={str(x): [GOOD] for x in apps}))
    assert C.public(park.platform.db, "bj-chips-2025").committed == "39000000.00"
    last = _apply(park, ids["C3"], 999)
    with pytest.raises(Conflict, match="超出预算"):     # ¥4 million where ¥3 million are left
        C.select_winners(officer, ids["C3"], Selection(reviews={str(last): [GOOD]},
                                                      awards={str(last): "4000000"}))
    out = C.applications(officer, ids["C3"])
    assert [(x.state, x.award, x.score) for x in out] == [("submitted", None, None)]  # unchanged
    assert C.public(park.platform.db, "bj-chips-2025").committed == "39000000.00"
    C.select_winners(officer, ids["C3"], Selection(reviews={str(last): [GOOD]}))
    assert C.public(park.platform.db, "bj-chips-2025").committed == "42000000.00"

def test_tasks_speak_the_markets_vocabulary(park: Park) -> None:
    officer = park.staff()
    C.create_list(officer, ChallengeListCreate(
        key="xx", title_zh="x", title_en="x", issuer="x", budget="100", opens_on=dt.date(2025, 1, 1),
        closes_on=dt.date(2025, 12, 31),
        criteria=[CriterionIn.model_validate(c) for c in C.BEIJING_CRITERIA]))
    with pytest.raises(InputError, match="统一词表"):
        C.add_task(officer, "xx", TaskCreate(code="Z", group_zh="z", title_zh="z", title_en="z",
                                            category="nonsense", period_months=1, budget="1",
                                            milestones=MILESTONES))
    with pytest.raises(InputError, match="规格"):
        C.add_task(officer, "xx", TaskCreate(code="Z", group_zh="z", title_zh="z", title_en="z",
                                            category="mcu", indicators={"colour": "red"},
                                            period_months=1, budget="1", milestones=MILESTONES))
    # the values too, as the market checks them: an interval, a number, choices
    with pytest.raises(InputError, match=r"工作温度.*区间"):
        C.add_task(officer, "xx", TaskCreate(code="Z", group_zh="z", title_zh="z", title_en="z",
                                            category="mcu", indicators={"temperature_c": [125, -40]},
                                            period_months=1, budget="1", milestones=MILESTONES))
    with pytest.raises(InputError, match="资质“AEC-Q999”"):
        C.add_task(officer, "xx", TaskCreate(code="Z", group_zh="z", title_zh="z", title_en="z",
                                            category="mcu", qualifications=["AEC-Q999"],
                                            period_months=1, budget="1", milestones=MILESTONES))
    with pytest.raises(NotFoundError):
        C.public(park.platform.db, "xx")      # a draft is not public


def test_an_enterprise_applies_as_itself_only_and_car_makers_needs_are_counted(park: Park) -> None:
    from huiqi.analytics.models import MarketListing
    from huiqi.errors import PermissionDenied

    park.clock.now = dt.datetime(2025, 4, 1, 2, tzinfo=dt.UTC)
    ids = _beijing(park)
    me = park.add_firm(77, "北京市", "中关村科技园区", "北京芯片设计有限公司")
    other = park.add_firm(78, "北京市", "中关村科技园区", "别家公司")
    with pytest.raises(PermissionDenied):
        C.apply(park.firm(me), ids["A1"], ChallengeApply(lead_code=other, lead_name="别家公司",
                                                         province="北京市"))
    a = C.apply(park.firm(me), ids["A1"], ChallengeApply(lead_code=me, lead_name="北京芯片设计有限公司",
                                                         province="北京市"))
    assert [x.id for x in C.applications(park.firm(me), ids["A1"])] == [a.id]
    with park.platform.db.write() as s:     # a car maker's recorded need, in the same vocabulary
        s.add(MarketListing(side="demand", entity_id=park.ids[other], kind="need", category="mcu",
                            title="车身域控 MCU", specs={"flash_kb": 2048}, qualifications=[],
                            contact="采购部", state="open", created_at=park.clock.now,
                            created_by="t"))
    tasks = {t.code: t for t in C.public(park.platform.db, "bj-chips-2025").tasks}
    assert tasks["A1"].needs == 1 and tasks["B1"].needs == 0
