"""Service cases through the service layer, on both databases: a request's times derived
from its events against a hand-computed timeline; 好差评 and a rectification closed only with
evidence; an approval project from its template, its weekly-contact alert fired by the worker;
a measure escalated twice; a move that changes nothing until both districts approve."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from huiqi.cases import agency, moves, requests, service, supervision, views
from huiqi.cases import standards as S
from huiqi.clock import CHINA
from huiqi.errors import Conflict, InputError, PermissionDenied
from huiqi.service import enterprises
from huiqi.service.context import Context
from huiqi.store.database import Database
from huiqi.workflow import timers
from huiqi.workflow.models import DomainEvent
from service_fixtures import Clock, World


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CHINA).astimezone(dt.UTC)


@pytest.fixture
def as_(world: World) -> dict[str, Context]:
    """A context of each role, signed in before the test moves the clock to 2026."""
    return {role: world.ctx(role) for role in world.tokens}


def _events(db: Database, kind: str) -> list[DomainEvent]:
    with db.read() as s:
        return list(s.scalars(select(DomainEvent).where(DomainEvent.kind == kind)
                              .order_by(DomainEvent.id)))


def test_a_request_timeline_from_its_events(world: World, as_: dict[str, Context], clock: Clock, db: Database) -> None:
    firm, officer = as_["enterprise"], as_["case_officer"]
    clock.now = at("2026-02-10")
    rid = requests.submit(firm, world.own, "finance", "流动资金贷款", "需要一笔贷款")
    steps = [("2026-02-11", officer, "acknowledge", None),
             ("2026-02-12", officer, "ask", "请补充近三年财务报表"),
             ("2026-02-25", firm, "supply", None),
             ("2026-02-27", officer, "answer", "已对接两家银行"),
             ("2026-03-09", officer, "resolve", None)]
    for day, ctx, name, reason in steps:
        clock.now = at(day)
        requests.transition(ctx, rid, name, reason)
    clock.now = at("2026-03-10")
    d = views.detail(officer, rid)
    tl = d.timeline
    # finance: acknowledge 1, answer 5, resolve 15 working days; paused 13, 14 (make-up),
    # 24 and 25 Feb while waiting for the enterprise
    assert tl.paused_days == 4
    assert [(p.state, p.working_days) for p in tl.periods] == [
        ("submitted", 1), ("acknowledged", 1), ("waiting", 4), ("acknowledged", 2),
        ("answered", 7), ("resolved", 1)]
    got = {k: (t.status, t.used, t.due) for k, t in tl.targets.items()}
    assert got == {"acknowledge": ("met", 1, dt.date(2026, 2, 11)),
                   "answer": ("met", 4, dt.date(2026, 2, 28)),
                   "resolve": ("met", 11, dt.date(2026, 3, 13))}
    assert [e.kind for e in d.events] == ["request.opened", "request.acknowledge", "request.ask",
                                          "request.supply", "request.answer", "request.resolve"]
    # the enterprise rates it 差评: a rectification opens, closed only with evidence
    fix = requests.rate(firm, rid, 2, "答复太慢")
    assert isinstance(fix, int) and fix != rid
    assert views.detail(officer, fix).row.case.state == "open"
    with pytest.raises(Conflict):
        requests.rate(firm, rid, 5)
    with pytest.raises(Conflict) as refused:
        requests.transition(officer, fix, "close", "已约谈")
    assert refused.value.reason == "case.evidence_required"
    assert views.detail(as_["leadership"], fix).row.case.state == "open"
    service.attach(officer, fix, "evidence", "整改报告.pdf", "application/pdf", b"%PDF-1.4 ...")
    requests.transition(officer, fix, "close", "已整改并回访")
    assert views.detail(officer, fix).row.case.state == "closed"
    assert views.ratings_summary(officer)["poor"] == 1


def test_an_appeal_upheld_voids_the_rating_and_withdraws_the_rectification(
        world: World, as_: dict[str, Context], clock: Clock) -> None:
    firm, officer, admin = as_["enterprise"], as_["case_officer"], as_["admin"]
    clock.now = at("2026-03-02")
    rid = requests.submit(firm, world.own, "policy", "条款咨询", "研发费用怎么算")
    for name, reason in (("acknowledge", None), ("answer", "见第三条"), ("resolve", None)):
        requests.transition(officer, rid, name, reason)
    fix = requests.rate(firm, rid, 1, "误点")
    assert fix is not None and views.detail(officer, fix).row.case.kind == "rectify"
    with pytest.raises(PermissionDenied):
        requests.decide(officer, rid, True, "企业误评")
    requests.appeal(officer, rid, "企业来电说明是误点")
    requests.decide(admin, rid, True, "核实为误评")
    assert views.detail(officer, fix).row.case.state == "withdrawn"
    assert views.ratings_summary(officer) | {} == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0,
                                                   "poor": 0, "appealed": 0, "void": 1}


def test_an_enterprise_sees_only_its_own_cases(world: World, as_: dict[str, Context], clock: Clock) -> None:
    officer = as_["case_officer"]
    clock.now = at("2026-03-02")
    theirs = requests.submit(officer, world.other, "land", "厂房", "需要厂房")
    ours = requests.submit(as_["enterprise"], world.own, "land", "厂房", "需要厂房")
    firm = as_["enterprise"]
    with pytest.raises(PermissionDenied):
        views.detail(firm, theirs)
    with pytest.raises(PermissionDenied):
        requests.submit(firm, world.other, "land", "厂房", "x")
    assert [r.case.id for r in views.queue(firm)] == [ours]
    with pytest.raises(PermissionDenied):
        requests.transition(firm, ours, "acknowledge")


def test_a_project_gets_its_items_and_a_weekly_contact_alert(world: World, as_: dict[str, Context], clock: Clock,
                                                             db: Database) -> None:
    officer, admin = as_["case_officer"], as_["admin"]
    clock.now = at("2026-03-02", 9)
    normal = agency.create_project(officer, world.own, "新建厂房", template="industrial",
                                   investment=Decimal("12000.5"), location="高新区",
                                   agents=["u_case_officer"])
    major = agency.create_project(officer, world.other, "重大项目", template="industrial",
                                  green=True, agents=["u_case_officer", "u_admin"])
    d = views.detail(officer, major)
    assert len(d.children) == len(S.DEFAULTS[("project_template", "industrial")][1]["items"])
    assert [c.case.target_days for c in d.children][:2] == [2, 5]  # the green channel's
    assert [c.case.target_days for c in views.detail(officer, normal).children][:2] == [5, 10]
    assert [a.username for a in d.agents] == ["u_case_officer", "u_admin"]  # 多对一
    assert views.queue(officer, mine=True, kind="project")[0].case.id == major  # green first
    with pytest.raises(InputError):
        agency.create_project(officer, world.own, "x", template="nope")
    # a week without contact: the worker raises one alert per project, once
    clock.now = at("2026-03-05")
    agency.log_contact(officer, normal, "visit", "上门了解用地进展")
    clock.now = at("2026-03-09")
    assert timers.run_due(world.platform) == 1  # the major project's check
    assert timers.run_due(world.platform) == 0
    alerts = _events(db, "project.contact_overdue")
    assert [int(e.subject_id) for e in alerts] == [major]
    assert views.detail(officer, major).row.alert and not views.detail(officer, normal).row.alert
    clock.now = at("2026-03-13")
    assert timers.run_due(world.platform) == 1  # the normal one: 8 days since its contact
    dash = agency.dashboard(admin)
    assert (dash.projects, dash.in_progress, dash.started, dash.green) == (2, 2, 0, 1)
    assert dash.contact_overdue == 2
    # an item through its states
    item = d.children[0].case.id
    for name, reason in (("submit", None), ("return", "缺材料"), ("resubmit", None),
                         ("approve", None)):
        requests.transition(officer, item, name, reason)
    assert agency.dashboard(admin).items_on_time == 1


def test_an_overdue_measure_escalates_twice(world: World, as_: dict[str, Context], clock: Clock, db: Database) -> None:
    officer = as_["case_officer"]
    clock.now = at("2026-02-02")
    late = supervision.create_measure(officer, "企业开办一日办结", area="政务服务",
                                      department="行政审批局", deadline=dt.date(2026, 2, 12),
                                      number="1")
    done = supervision.create_measure(officer, "电力接入压减时限", area="获得电力",
                                      department="供电公司", deadline=dt.date(2026, 2, 12),
                                      number="2")
    for name, reason in (("begin", None), ("complete", "已完成")):
        requests.transition(officer, done, name, reason)
    supervision.report(officer, late, 40, "已梳理流程")
    # escalation rules: 3 working days after the deadline to the department's leader,
    # 5 to park leadership; 13 and 14 Feb are working days, then the Spring Festival
    clock.now = at("2026-02-24", 1)
    assert timers.run_due(world.platform) == 2  # 3rd working day after the 12th: the 24th
    assert [e.payload["level"] for e in _events(db, "measure.escalated")] == [1]
    clock.now = at("2026-02-26", 1)
    timers.run_due(world.platform)
    assert [e.payload["level"] for e in _events(db, "measure.escalated")] == [1, 2]
    supervision.evaluate(officer, late, Decimal("78.5"), "第三方评估机构")
    supervision.survey(as_["enterprise"], late, 4)
    b = supervision.board(as_["leadership"])
    row = next(r for r in b.measures if r.id == late)
    assert (row.overdue, row.escalation, row.progress, row.evaluation, row.satisfaction) == (
        True, 2, 40, Decimal("78.5"), Decimal("4.00"))
    assert (b.by_area["获得电力"].completed, b.by_department["行政审批局"].overdue) == (1, 1)
    by_dept = dict(views.overdue_by_department(as_["leadership"]))
    assert by_dept["行政审批局"]["measure"] == 1


def test_a_move_changes_nothing_until_both_districts_approve(world: World, as_: dict[str, Context], clock: Clock,
                                                             db: Database) -> None:
    """Each district's approval only by that district's staff: the old district (崂山区)
    releases, the new one (黄岛区) admits; neither the other's staff nor an administrator
    without that district can."""
    firm, officer, admin = as_["enterprise"], as_["case_officer"], as_["admin"]
    huangdao = _officer(world, admin, "u_huangdao", "黄岛区")
    clock.now = at("2026-03-02")
    mid = moves.request(firm, world.own, "黄岛区", "西海岸新区", "扩大产能")
    with pytest.raises(Conflict):
        moves.request(firm, world.own, "即墨区", None, "again")
    with pytest.raises(PermissionDenied):
        moves.release(firm, mid)
    for other in (huangdao, admin):
        with pytest.raises(Conflict) as wrong:
            requests.transition(other, mid, "release")  # the pages' and the API's path
        assert wrong.value.reason == "case.wrong_district"
    moves.release(officer, mid)
    assert enterprises.get(admin, world.own).district == "崂山区"
    for other in (officer, admin):
        with pytest.raises(Conflict) as wrong:
            moves.admit(other, mid)
        assert wrong.value.reason == "case.wrong_district"
    with pytest.raises(Conflict) as wrong:
        requests.transition(officer, mid, "refuse", "不同意")
    assert wrong.value.reason == "case.wrong_district"
    assert enterprises.get(admin, world.own).district == "崂山区"
    requests.transition(huangdao, mid, "admit")
    e = enterprises.get(admin, world.own)
    assert (e.district, e.park, e.credit_code) == ("黄岛区", "西海岸新区", world.own)
    [handover] = _events(db, "move.handover")
    assert handover.payload["from_place"] == {"district": "崂山区", "park": "青岛高新区"}
    assert handover.payload["credit_code"] == world.own
    assert [x.district for x in enterprises.locations(admin, world.own)] == ["崂山区", "黄岛区"]


def _officer(world: World, admin: Context, username: str, district: str) -> Context:
    from huiqi.service import accounts
    from huiqi.service.context import Actor
    from huiqi.service.permissions import Role
    from service_fixtures import PASSWORD

    accounts.create(admin, username, username, Role.CASE_OFFICER, PASSWORD, district=district)
    return world.platform.as_actor(Actor(username=username, role=Role.CASE_OFFICER))


def test_within_one_district_the_second_approval_is_someone_else(
        world: World, as_: dict[str, Context], clock: Clock) -> None:
    """A move between two parks of one district: its staff release and admit, not the same
    person twice."""
    firm, officer, admin = as_["enterprise"], as_["case_officer"], as_["admin"]
    colleague = _officer(world, admin, "u_laoshan2", "崂山区")
    clock.now = at("2026-03-02")
    mid = moves.request(firm, world.own, "崂山区", "崂山科技城", "搬入新园区")
    moves.release(officer, mid)
    with pytest.raises(Conflict) as same:
        moves.admit(officer, mid)
    assert same.value.reason == "case.second_approver"
    moves.admit(colleague, mid)
    assert enterprises.get(admin, world.own).park == "崂山科技城"


def test_a_missed_target_is_told_once_by_the_worker(world: World, as_: dict[str, Context],
                                                    clock: Clock, db: Database) -> None:
    firm, officer = as_["enterprise"], as_["case_officer"]
    clock.now = at("2026-02-10")
    rid = requests.submit(firm, world.own, "finance", "贷款", "需要贷款")  # acknowledge in 1
    clock.now = at("2026-02-11", 12)
    assert timers.run_due(world.platform) == 0  # due on the 11th: not missed yet
    clock.now = at("2026-02-12", 1)
    assert timers.run_due(world.platform) == 1
    assert [e.payload["target"] for e in _events(db, "request.breached")] == ["acknowledge"]
    requests.transition(officer, rid, "acknowledge")
    requests.transition(officer, rid, "ask", "请补充材料")  # paused: checked day by day
    clock.now = at("2026-03-30")
    timers.run_due(world.platform)
    assert [e.payload["target"] for e in _events(db, "request.breached")] == ["acknowledge"]
    requests.transition(firm, rid, "supply")
    clock.now = at("2026-06-30")
    timers.run_due(world.platform)
    timers.run_due(world.platform)
    assert sorted(e.payload["target"] for e in _events(db, "request.breached")) == [
        "acknowledge", "answer", "resolve"]


def test_the_workbench_counts_overdue_due_this_week_green_and_waiting(
        world: World, as_: dict[str, Context], clock: Clock) -> None:
    """On Wednesday 4 March 2026: a request submitted on Monday missed its 1-working-day
    acknowledgement (overdue); one submitted today is due tomorrow (this week); one asked
    for more waits for the enterprise (its clock paused); a major project is green."""
    firm, officer = as_["enterprise"], as_["case_officer"]
    clock.now = at("2026-03-02")
    requests.submit(firm, world.own, "finance", "贷款", "需要一笔贷款")
    asked = requests.submit(firm, world.own, "finance", "担保", "需要担保")
    requests.transition(officer, asked, "acknowledge")
    clock.now = at("2026-03-03")
    requests.transition(officer, asked, "ask", "请补充财务报表")
    clock.now = at("2026-03-04")
    requests.submit(firm, world.own, "finance", "贴息", "申请贴息")
    c = views.counters(officer)
    assert (c.open, c.overdue, c.due_this_week, c.green, c.waiting) == (3, 1, 1, 0, 1)
    with pytest.raises(PermissionDenied):
        views.counters(firm)
    agency.create_project(officer, world.other, "重大项目", template="industrial", green=True)
    c = views.counters(officer)
    green = [r for r in views.queue(officer) if r.case.green]
    assert c.green == len(green) >= 1 and (c.overdue, c.waiting) == (1, 1)
    assert views.counters(officer, mine=True).open == 0  # none assigned to the officer
