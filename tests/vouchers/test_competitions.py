"""炬火种 competitions: an enterprise posts a problem (as itself only), the organisers open
it, teams of students register (a name once per problem), the preliminary panel's scores
choose the finalists, the final's rank them and give the prizes (shares of the problem's
prize money) and certificates; every move is audited and writes its event; the counts by
university and by problem add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from huiqi.errors import Conflict, InputError, PermissionDenied
from huiqi.facts.credit_code import make
from huiqi.service.context import Actor, Context
from huiqi.service.permissions import Role
from huiqi.vouchers import competitions as K
from huiqi.vouchers.schemas import (
    CompetitionCreate,
    ProblemPost,
    StageRubric,
    StageScores,
    TeamRegister,
)
from huiqi.workflow.models import DomainEvent
from programmes.conftest import Park

XM = "厦门火炬高新区"


def make_competition(park: Park, finalists: int = 2) -> Context:
    K.create(park.staff(), CompetitionCreate.model_validate({
        "key": "jhz-2025", "title_zh": "2025年“炬火种”创新创业大赛", "title_en": "Torch Seeds 2025",
        "organiser": "厦门火炬高新区管委会", "year": 2025, "finalists": finalists,
        "prizes": K.PRIZES,
        "preliminary": StageRubric.model_validate({"criteria": K.PRELIMINARY, "pass_mark": "60"}),
        "final": StageRubric.model_validate({"criteria": K.FINAL, "pass_mark": "60"}),
        "panels": {"preliminary": ["专家甲", "专家乙"], "final": ["专家丙"]}}))
    code = park.add_firm(801, "厦门市", XM, "厦门命题科技有限公司")
    return park.firm(code)


def sheet(stage: str, v: str) -> dict[str, str]:
    return {c["id"]: v for c in (K.PRELIMINARY if stage == "preliminary" else K.FINAL)}


def team(n: int, uni: str, size: int = 4) -> TeamRegister:
    return TeamRegister.model_validate({
        "name": f"队伍{n}", "university": uni, "mentor": f"导师{n}", "contact": f"1390000{n:04d}",
        "members": [{"name": f"学生{n}-{i}", "university": uni if i else "集美大学",
                     "role": "队长" if i == 0 else "队员"} for i in range(size)]})


def public(park: Park) -> Context:
    return park.platform.as_actor(Actor(username="public", role=Role.ENTERPRISE))


def test_a_problem_from_posting_to_its_prizes(park: Park) -> None:
    firm = make_competition(park)
    code = firm.actor.entity_code
    assert code == make("9", "1", "330201", "MA000801")  # the firm the competition's enterprise user belongs to
    with pytest.raises(PermissionDenied):     # an enterprise posts as itself only
        K.post(firm, "jhz-2025", ProblemPost(code="P1", enterprise="91350200MA00000000",
                                             title_zh="x", title_en="x", description="x",
                                             prize="1"))
    p = K.post(firm, "jhz-2025", ProblemPost(
        code="P1", enterprise=code, title_zh="产线视觉检测", title_en="Vision inspection",
        description="在 0.5 秒内识别焊点缺陷", prize="100000"))
    assert p.state == "posted" and p.enterprise_name == "厦门命题科技有限公司"
    with pytest.raises(Conflict):             # not open yet
        K.register(public(park), p.id, team(1, "厦门大学"))
    with pytest.raises(PermissionDenied):     # the organisers open it, not the enterprise
        K.move(firm, p.id, "open")
    K.move(park.staff(), p.id, "open")
    ids = [K.register(public(park), p.id, team(n, u)).id
           for n, u in ((1, "厦门大学"), (2, "华侨大学"), (3, "福州大学"))]
    with pytest.raises(Conflict):             # a name once per problem
        K.register(public(park), p.id, team(1, "厦门大学"))
    assert K.move(park.staff(), p.id, "review").state == "preliminary"
    with pytest.raises(InputError):           # every team scored, or nothing changes
        K.advance(park.staff(), p.id, StageScores(reviews={str(ids[0]): [sheet("preliminary", "90")]}))
    assert K.problem(park.staff(), p.id).state == "preliminary"
    out = K.advance(park.staff(), p.id, StageScores(reviews={
        str(ids[0]): [sheet("preliminary", "90"), sheet("preliminary", "80")],
        str(ids[1]): [sheet("preliminary", "70")], str(ids[2]): [sheet("preliminary", "75")]}))
    assert out.state == "final"
    states = {t.name: (t.state, t.preliminary_score) for t in out.roster}
    assert states == {"队伍1": ("finalist", "85.00"), "队伍3": ("finalist", "75.00"),
                      "队伍2": ("eliminated", "70.00")}
    out = K.award(park.staff(), p.id, StageScores(reviews={
        str(ids[0]): [sheet("final", "70")], str(ids[2]): [sheet("final", "88")]}))
    assert out.state == "awarded"
    placed = [(t.name, t.rank, t.prize, t.award and t.award["zh"]) for t in out.roster
              if t.state == "placed"]
    assert placed == [("队伍3", 1, "50000.00", "一等奖"), ("队伍1", 2, "30000.00", "二等奖")]
    cert = K.certificate(park.platform.db, out.roster[0].certificate or "")
    assert cert["award"]["zh"] == "一等奖" and cert["prize"] == "50000.00"
    assert cert["team"] == "队伍3" and cert["university"] == "福州大学"
    with park.platform.db.read() as s:
        kinds = [k for k in s.scalars(select(DomainEvent.kind).where(
            DomainEvent.subject_type.like("competition_%")).order_by(DomainEvent.id))]
    assert kinds[:4] == ["competition_problem.open", "competition_problem.review",
                         "competition_problem.advance", "competition_team.advance"]
    assert kinds.count("competition_team.place") == 2 and kinds[-1] == "competition_team.place"
    # the counts: a member counts for the university named with them
    n = K.counts(park.staff(), "jhz-2025")
    assert (n.teams, n.entrants) == (3, 12)
    unis = {u["university"]: (u["teams"], u["entrants"]) for u in n.universities}
    assert unis["集美大学"] == (0, 3) and unis["厦门大学"] == (1, 3)
    assert [(x["code"], x["teams"], x["entrants"]) for x in n.problems] == [("P1", 3, 12)]
    # the public sees no contacts; the enterprise sees its own problem's
    assert all(t.contact is None for t in K.public_problem(park.platform.db, p.id).roster)
    assert K.problem(firm, p.id).roster[0].contact


def test_withdrawal_needs_a_reason_and_only_the_poster_or_the_organisers(park: Park) -> None:
    firm = make_competition(park)
    code = firm.actor.entity_code
    assert code == make("9", "1", "330201", "MA000801")  # the firm the competition's enterprise user belongs to
    p = K.post(firm, "jhz-2025", ProblemPost(code="P2", enterprise=code, title_zh="能耗预测",
                                             title_en="Energy forecast", description="预测",
                                             prize="50000"))
    with pytest.raises(InputError):
        K.move(firm, p.id, "withdraw")
    with pytest.raises(InputError):           # scores are needed to advance
        K.move(park.staff(), p.id, "advance")
    assert K.move(firm, p.id, "withdraw", "需求变更").state == "withdrawn"
    with pytest.raises(Conflict):
        K.move(park.staff(), p.id, "open")
    with pytest.raises(Conflict):             # a problem code once
        K.post(firm, "jhz-2025", ProblemPost(code="P2", enterprise=code, title_zh="x",
                                             title_en="x", description="x", prize="1"))


def test_prizes_need_shares_within_the_money(park: Park) -> None:
    bad = [{**K.PRIZES[0], "share": "0.8"}, K.PRIZES[1]]
    with pytest.raises(InputError):
        K.create(park.staff(), CompetitionCreate.model_validate({
            "key": "jhz-bad", "title_zh": "x", "title_en": "x", "organiser": "x", "year": 2025,
            "prizes": bad, "preliminary": {"criteria": K.PRELIMINARY},
            "final": {"criteria": K.FINAL}}))
    assert Decimal(sum(Decimal(p["share"]) for p in K.PRIZES)) == 1
