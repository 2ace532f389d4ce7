"""The demo's service cases (``huiqi init-demo``), after the seed: Kunming-like approval
agency projects (17 projects, 12 started, 5 in progress, items in every state, three on the
green channel, two not contacted for over a week), Dalian-like supervision (36 measures in 6
areas, some overdue and escalated, with progress, evidence, third-party scores and
satisfaction), enterprise requests in every state with 好差评 (a 差评 under rectification,
one rectified with evidence, one under appeal), and cross-district moves (one awaiting the
old district, one awaiting the new district, one done).

The cases' histories lie in the past: their events are written with the days they happened
on (the audit log records, now, that the demo wrote them), so every time, pause and target
on the pages is derived from those events like any other.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from huiqi.clock import CHINA, china_date
from huiqi.service.audit import record
from huiqi.service.context import Actor, Context, Platform
from huiqi.service.permissions import Role
from huiqi.store.models import Entity
from huiqi.workflow import timers
from huiqi.workflow.calendar import WorkingDays
from huiqi.workflow.events import emit
from huiqi.workflow.holidays import working_days

from . import flows, sla, standards
from .agency import _contact_check
from .models import CaseAgent, CaseRating, ServiceCase
from .requests import RECTIFY_DAYS
from .service import add_file, note, open_case, subject
from .supervision import _schedule_escalations

AREAS = {
    "政务服务便利化": ("行政审批局", ["企业开办一日办结", "工程建设项目审批压减至60个工作日", "政务服务事项全程网办",
                              "“一件事一次办”主题服务", "电子证照互认共享", "政务服务好差评全覆盖"]),
    "投资建设便利化": ("住房和城乡建设局", ["社会投资低风险项目“拿地即开工”", "联合验收一次办结",
                                 "水电气暖外线接入并联审批", "区域评估成果共享", "施工图审查告知承诺",
                                 "规划许可容缺受理"]),
    "市场主体保护": ("市场监督管理局", ["涉企违法行为轻微免罚清单", "信用修复一网通办", "知识产权快速维权",
                               "中小投资者保护机制", "破产案件繁简分流", "涉企收费目录清单"]),
    "融资与要素保障": ("金融工作局", ["普惠小微贷款增量扩面", "政府性融资担保降费", "“信易贷”平台企业全覆盖",
                              "工业用地弹性年期出让", "标准厂房租金补贴", "人才公寓配租"]),
    "跨境贸易便利化": ("商务局", ["进出口整体通关时间压缩", "“两步申报”应用率提升", "出口退税平均办理时间压减",
                             "国际贸易单一窗口功能拓展", "港口收费公示", "跨境电商综试区建设"]),
    "监管执法规范化": ("司法局", ["“双随机、一公开”全覆盖", "包容审慎监管清单", "行政执法三项制度",
                              "涉企检查备案", "企业合规指引", "营商环境投诉快速处理"]),
}
CHANNELS = ("visit", "call", "meeting", "message")
#: the district a demo move waits to enter (released by the old district): its case officer
#: (``demo_case_officer2``) admits it
AWAITING_ADMISSION = "城阳区"


def _ctx(platform: Platform, username: str, role: Role, entity: Entity | None = None
         ) -> Context:
    return platform.as_actor(Actor(username=username, role=role,
                                   entity_id=entity.id if entity else None,
                                   entity_code=entity.credit_code if entity else None))


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), CHINA).astimezone(dt.UTC)


def _step(s: Session, ctx: Context, case: ServiceCase, name: str, day: dt.date,
          reason: str | None = None, hour: int = 10) -> None:
    """A transition of the case's workflow as it happened on ``day``: checked against the
    declared workflow, the state changed and its event written with that date."""
    flow = flows.FLOWS[case.kind]
    t = flow.transition(name)
    assert case.state in t.sources, f"{case.kind} {case.state} cannot {name}"
    event = emit(s, ctx, f"{flow.name}.{name}", subject(case),
                 {"from": case.state, "to": t.target, "reason": reason})
    event.occurred_at = _at(day, hour)
    case.state = t.target
    s.flush()


def _note(s: Session, ctx: Context, case: ServiceCase, kind: str, day: dt.date,
          payload: dict[str, Any]) -> None:
    event = emit(s, ctx, f"{subject(case).type}.{kind}", subject(case), payload)
    event.occurred_at = _at(day, 15)
    s.flush()


def _agents(s: Session, case: ServiceCase, names: Sequence[str], day: dt.date) -> None:
    for i, n in enumerate(names):
        s.add(CaseAgent(case_id=case.id, username=n, lead=i == 0, assigned_at=_at(day),
                        assigned_by="demo"))


def seed(platform: Platform, codes: Sequence[str], today: dt.date | None = None,
         officer: str = "demo_case_officer", admin: str = "demo_admin",
         enterprise: str = "demo_enterprise") -> dict[str, int]:
    """Write the demo's cases for the enterprises ``codes`` (the first is the demo
    enterprise user's); how many of each kind."""
    today = today or china_date(platform.now())
    rnd = random.Random(2026)
    system = platform.system()
    counts: dict[str, int] = {}
    with platform.db.write() as s:
        cal = working_days(s)
        ents = [e for c in codes if (e := _entity(s, c)) is not None]
        staff = _ctx(platform, officer, Role.CASE_OFFICER)
        boss = _ctx(platform, admin, Role.ADMIN)
        counts["project"] = _projects(s, staff, boss, ents, cal, today, rnd)
        counts["measure"] = _measures(s, staff, ents, cal, today, rnd)
        counts["request"] = _requests(s, platform, staff, ents, enterprise, cal, today, rnd)
        counts["move"] = _moves(s, platform, staff, boss, ents, enterprise, today)
        record(s, system, "case.demo", target="init-demo", after=counts)
    return counts


def _entity(s: Session, code: str) -> Entity | None:
    from sqlalchemy import select

    return s.scalar(select(Entity).where(Entity.credit_code == code))


# ---------------------------------------------------------------- 审批代办

def _projects(s: Session, staff: Context, boss: Context, ents: list[Entity], cal: WorkingDays,
              today: dt.date, rnd: random.Random) -> int:
    _name, body = standards.DEFAULTS[("project_template", "industrial")]
    items = body["items"]
    names = ["新建智能制造基地", "新能源电池材料产线", "生物医药研发中心", "数据中心二期", "高端装备产业园",
             "冷链物流枢纽", "光伏组件扩产", "半导体封测厂房", "食品精深加工", "新材料中试基地",
             "总部办公楼", "汽车零部件产线", "绿色建材工厂", "医疗器械产业化", "氢能装备制造",
             "跨境电商仓储", "工业互联网平台"]
    for n, title in enumerate(names):
        e = ents[n % len(ents)]
        green = n in (0, 5, 13)
        started = n < 12
        opened = cal.add(today - dt.timedelta(days=150 - n * 4), 0)
        case = open_case(s, staff, "project", title, entity_id=e.id, category="industrial",
                         green=green, at=_at(opened, 9), details={
                             "investment": str(Decimal(rnd.randrange(8, 120) * 1000)),
                             "location": "高新区" if n % 2 else "经开区",
                             "template_name": "一般工业项目"})
        _agents(s, case, ["demo_case_officer", "demo_admin"] if green else
                ["demo_case_officer"], opened)
        _step(s, staff, case, "handle", cal.add(opened, 1))
        day = cal.add(opened, 2)
        for i, it in enumerate(items):
            days = (it.get("green_days") or it["days"]) if green else it["days"]
            item = open_case(s, staff, "item", it["name"], entity_id=e.id, parent_id=case.id,
                             department=it["agency"], green=green, target_days=days,
                             at=_at(opened, 9), details={"order": i})
            if not started and i > 1 + n % 4:
                continue  # not started yet (未启动)
            if day >= today:
                continue
            _step(s, staff, item, "submit", day)
            late = started and (n + i) % 9 == 4
            if not started and i == 1 + n % 4:  # the item under way now
                if n % 2:
                    _step(s, staff, item, "return", cal.add(day, 2), "缺少环评报告附件")
                    if n % 4 == 1:
                        _step(s, staff, item, "resubmit", cal.add(day, 5))
                sla.schedule(s, item, staff.now())
                continue
            if (n + i) % 5 == 2:
                _step(s, staff, item, "return", cal.add(day, 1), "材料需补正")
                back = cal.add(day, 3)
                _step(s, staff, item, "resubmit", back)
                done = cal.add(day, 3 + max(1, days - 2))
            else:
                done = cal.add(day, days + 3 if late else max(1, days - 1 - (n + i) % 3))
            done = min(done, today - dt.timedelta(days=1))
            _step(s, staff, item, "approve", done)
            day = cal.add(done, 1)
        if started:
            _step(s, staff, case, "start", min(cal.add(day, 2), today - dt.timedelta(days=1)))
        # contacts: weekly, but two projects have not been contacted for over a week
        last = opened
        while True:
            nxt = last + dt.timedelta(days=rnd.randrange(4, 7))
            if nxt >= today - dt.timedelta(days=(10 if n in (3, 15) else 0)):
                break
            _note(s, staff, case, "contact", nxt, {"channel": CHANNELS[rnd.randrange(4)],
                                                   "summary": "了解项目进展,协调审批事项"})
            last = nxt
        if case.state in ("accepted", "handling", "started"):
            _contact_check(s, case, _at(last, 15), staff.now())
    return len(names)


# ---------------------------------------------------------------- 督查督办

def _measures(s: Session, staff: Context, ents: list[Entity], cal: WorkingDays,
              today: dt.date, rnd: random.Random) -> int:
    n = 0
    start = today - dt.timedelta(days=200)
    for area, (dept, titles) in AREAS.items():
        for title in titles:
            n += 1
            deadline = today - dt.timedelta(days=90 - n * 3)
            deadline = min(deadline, today + dt.timedelta(days=5))
            m = open_case(s, staff, "measure", title, department=dept, category=area,
                          deadline=deadline, at=_at(start, 9),
                          details={"number": str(n), "description": f"大连营商环境36条第{n}条"})
            state = "completed" if n % 3 != 0 and deadline < today + dt.timedelta(days=20) \
                and n % 7 != 0 else ("in_progress" if n % 9 != 0 else "assigned")
            if state != "assigned":
                _step(s, staff, m, "begin", cal.add(start, 3))
                for k, pct in enumerate((30, 60, 90) if state == "completed" else (20, 45)):
                    day = start + dt.timedelta(days=30 * (k + 1))
                    if day >= today:
                        break
                    _note(s, staff, m, "progress", day, {"progress": pct,
                                                        "text": f"完成第{k + 1}阶段工作"})
                add_file(s, staff, m, "evidence", f"第{n}条进展佐证.pdf", "application/pdf",
                         b"%PDF-1.4 demo evidence")
            if state == "completed":
                _step(s, staff, m, "complete", min(deadline, today) - dt.timedelta(days=2),
                      "已按期完成")
                m.evaluation = Decimal(70 + rnd.randrange(0, 28))
                _note(s, staff, m, "evaluated", today - dt.timedelta(days=3), {
                    "score": str(m.evaluation), "evaluator": "第三方评估机构"})
            for e in ents[: 3 + n % 5]:
                s.add(CaseRating(case_id=m.id, entity_id=e.id, score=rnd.choice((3, 4, 4, 5, 5)),
                                 status="valid", rated_at=_at(today - dt.timedelta(days=5)),
                                 rated_by=f"survey:{e.credit_code}"))
            _schedule_escalations(s, m, staff.now())
    return n


# ---------------------------------------------------------------- 企业诉求, 好差评

def _requests(s: Session, platform: Platform, staff: Context, ents: list[Entity],
              enterprise: str, cal: WorkingDays, today: dt.date, rnd: random.Random) -> int:
    plans: list[tuple[str, str, str, list[str], int | None]] = [
        ("policy", "研发费用加计扣除如何归集", "我们的研发人员同时做生产,工时如何分摊?", [], None),
        ("finance", "流动资金贷款需求", "需要500万元流动资金贷款,希望对接银行", ["acknowledge"], None),
        ("land", "扩产需要标准厂房", "需要3000平方米标准厂房", ["acknowledge", "ask"], None),
        ("talent", "人才公寓申请", "新引进博士5名,申请人才公寓", ["acknowledge", "answer"], None),
        ("approval", "排污许可证办理", "新产线需要排污许可", ["acknowledge", "answer", "resolve"], 5),
        ("policy", "专精特新申报材料", "申报材料清单是什么", ["acknowledge", "answer", "resolve"], 4),
        ("finance", "贷款贴息进度", "贴息资金何时到账", ["acknowledge", "ask", "supply", "answer",
                                                  "resolve"], 2),
        ("other", "道路施工影响货车通行", "门前道路封闭影响出货", ["acknowledge", "answer", "resolve"], 1),
        ("land", "厂房租金补贴", "租金补贴申请进度", ["acknowledge", "answer", "resolve"], 2),
        ("talent", "用工招聘对接", "需要招聘50名技工", ["acknowledge", "answer", "resolve"], 3),
    ]
    demo_ent = ents[0]
    for n, (cat, title, text, steps, score) in enumerate(plans):
        e = demo_ent if n % 2 == 0 else ents[(n + 3) % len(ents)]
        firm = _ctx(platform, enterprise if e is demo_ent else f"firm:{e.credit_code}",
                    Role.ENTERPRISE, e)
        name, targets = standards.DEFAULTS[("request_category", cat)]
        opened = cal.add(today - dt.timedelta(days=40 - n * 3), 0)
        case = open_case(s, firm, "request", title, entity_id=e.id, category=cat,
                         target_days=int(targets["resolve"]), at=_at(opened, 9), details={
                             "description": text, "category_name": name, "targets": targets,
                             "clause": None})
        _agents(s, case, ["demo_case_officer"], opened)
        day = opened
        for k, step in enumerate(steps):
            day = cal.add(day, 1 + (k + n) % 3)
            if step == "supply":
                day = cal.add(day, 3)
            if day >= today:
                break
            who = firm if step == "supply" else staff
            reason = {"ask": "请补充近三年财务报表", "answer": "已协调相关部门,答复如下",
                      "supply": None}.get(step)
            _step(s, who, case, step, day, reason)
        sla.schedule(s, case, staff.now())
        if score is None or case.state != "resolved":
            continue
        rated = min(cal.add(day, 1), today)
        s.add(CaseRating(case_id=case.id, entity_id=e.id, score=score,
                         comment="办理太慢" if score <= 2 else "满意", status="valid",
                         rated_at=_at(rated, 16), rated_by=firm.actor.username))
        _note(s, firm, case, "rated", rated, {"score": score, "poor": score <= 2})
        if score > 2:
            continue
        fix = open_case(s, staff, "rectify", f"差评整改:{title}", entity_id=e.id,
                        parent_id=case.id, category=cat, target_days=RECTIFY_DAYS,
                        at=_at(rated, 17), details={"score": score, "comment": "办理太慢"})
        if n == 6:   # rectified, with evidence
            add_file(s, staff, fix, "evidence", "整改报告.pdf", "application/pdf",
                     b"%PDF-1.4 demo rectification")
            _step(s, staff, fix, "close", min(cal.add(rated, 4), today), "已约谈并回访企业")
        elif n == 8:  # staff hold it mistaken: under appeal
            rating = s.query(CaseRating).filter_by(case_id=case.id).one()
            rating.status, rating.appeal = "appealed", "企业来电说明误选评价等级"
            note(s, staff, case, "appealed", {"reason": rating.appeal, "score": score})
    return len(plans)


# ---------------------------------------------------------------- 跨区迁移

def _moves(s: Session, platform: Platform, staff: Context, boss: Context, ents: list[Entity],
           enterprise: str, today: dt.date) -> int:
    from sqlalchemy import select

    from huiqi.registry import entities as E
    from huiqi.store.models import EntityLocation

    plans = [(ents[0], "黄岛区", "西海岸新区", []),
             (ents[1 % len(ents)], AWAITING_ADMISSION, None, ["release"]),
             (ents[2 % len(ents)], "即墨区", "即墨经济开发区", ["release", "admit"])]
    for n, (e, district, park, steps) in enumerate(plans):
        firm = _ctx(platform, enterprise if n == 0 else f"firm:{e.credit_code}",
                    Role.ENTERPRISE, e)
        opened = today - dt.timedelta(days=12 - n * 3)
        # the firm was in its district before it asked to move (the demo's import placed it
        # today): a move approved today then follows its current place
        here = s.scalar(select(EntityLocation).where(EntityLocation.entity_id == e.id,
                                                     EntityLocation.valid_to.is_(None)))
        if here is not None and here.valid_from >= opened:
            here.valid_from = opened - dt.timedelta(days=30)
        case = open_case(s, firm, "move", f"{e.name}:{e.district or '-'} → {district}",
                         entity_id=e.id, at=_at(opened, 9), details={
                             "from_district": e.district, "from_park": e.park,
                             "to_district": district, "to_park": park,
                             "reason": "扩大产能,新址位于迁入区", "on": None})
        for k, step in enumerate(steps):
            who = staff if step == "release" else boss
            _step(s, who, case, step, opened + dt.timedelta(days=2 + k * 2))
        if case.state == "moved":
            since = s.scalar(select(EntityLocation.valid_from).where(
                EntityLocation.entity_id == e.id, EntityLocation.valid_to.is_(None)))
            on = max(opened + dt.timedelta(days=4), (since or opened) + dt.timedelta(days=1))
            before = {"district": e.district, "park": e.park}
            E.move(s, e, district, park, on, E.Provenance("move", boss.actor.username,
                                                          boss.now()))
            _note(s, boss, case, "handover", on, {"credit_code": e.credit_code, "from_place": before,
                                                  "to_place": {"district": district, "park": park},
                                                  "on": on.isoformat()})
    return len(plans)


def fire_due(platform: Platform) -> int:
    """Fire the timers already due (the demo's overdue escalations and contact alerts)."""
    from . import alerts  # noqa: F401  (the handlers of the cases' timers)

    return timers.run_due(platform, "init-demo")
