"""The public page of 揭榜挂帅 lists: a visitor (no sign-in) sees the published list's tasks
with their indicators, budget shares and milestones; a draft list is not shown."""

from __future__ import annotations

import datetime as dt

from huiqi.vouchers import challenges as C
from huiqi.vouchers.schemas import ChallengeListCreate, CriterionIn, MilestoneSpec, TaskCreate

from .conftest import Site


def test_a_visitor_sees_the_published_tasks(site: Site) -> None:
    admin = site.world.ctx("admin")
    C.create_list(admin, ChallengeListCreate(
        key="bj-chips-2025", title_zh="北京市车规级芯片揭榜挂帅榜单", title_en="Beijing chips",
        issuer="北京市经济和信息化局", budget="42000000", opens_on=dt.date(2025, 3, 1),
        closes_on=dt.date(2025, 6, 30),
        criteria=[CriterionIn.model_validate(c) for c in C.BEIJING_CRITERIA]))
    C.add_task(admin, "bj-chips-2025", TaskCreate(
        code="A1", group_zh="控制类", title_zh="车规级 MCU", title_en="MCU", category="mcu",
        indicators={"frequency_mhz": 200}, qualifications=["AEC-Q100-G1"], packaging="LQFP-144",
        deliverables=["样片"], period_months=24, budget="5000000", winners=2,
        milestones=[MilestoneSpec(id="design", zh="设计", en="Design", share="1")]))
    site.sign_in(None)
    assert "车规级 MCU" not in site.client.get("/public/challenges").text   # a draft
    C.publish(admin, "bj-chips-2025")
    page = site.client.get("/public/challenges/bj-chips-2025")
    assert page.status_code == 200
    assert "车规级 MCU" in page.text and "frequency_mhz: 200" in page.text and "赛马" in page.text
    assert "¥5,000,000" in page.text
