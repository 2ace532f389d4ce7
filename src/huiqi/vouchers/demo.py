"""The demo's vouchers (``huiqi init-demo``), replayed on a clock that moves through the
months before the demo's day, so that every state is there with real dates:

- last year's scheme: providers recognised (one in the zone, one outside it, one rejected
  by the panel, one whose recognition lapsed), vouchers issued, contracts delivered,
  confirmed and settled by quarter with the bonus, the Q4 claim waiting for its payment, the
  vouchers expired and what was left returned to the budget;
- this year's scheme: vouchers issued (the demo's enterprise user holds one), contracts
  redeemed, delivered, confirmed and cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from huiqi.errors import HuiqiError
from huiqi.programmes.demo import Demo
from huiqi.service.context import Context, Platform
from huiqi.store.models import Entity

from . import service as VS
from .schemas import Issue, ItemSpec, ProviderApply, ProviderEvaluate, Redeem, SchemeCreate

ITEMS = [ItemSpec(code="fea", title_zh="结构仿真分析", title_en="Structural simulation",
                  service_class="technology", price="60000"),
         ItemSpec(code="cfd", title_zh="流体仿真分析", title_en="Fluid simulation",
                  service_class="technology", price="80000"),
         ItemSpec(code="emc", title_zh="电磁仿真分析", title_en="Electromagnetic simulation",
                  service_class="technology", price="50000")]
GOOD = [{"operations": "85", "capability": "90"}, {"operations": "80", "capability": "88"},
        {"operations": "90", "capability": "84"}]
POOR = [{"operations": "60", "capability": "55"}, {"operations": "65", "capability": "62"}]


def _firms(platform: Platform, first: str | None, n: int) -> list[tuple[str, int]]:
    """Enterprises of the Xiamen zone first, then any (the demo user's enterprise first)."""
    with platform.db.read() as s:
        rows = [(c, i, p) for c, i, p in s.execute(
            select(Entity.credit_code, Entity.id, Entity.park).where(Entity.kind == "enterprise")
            .order_by(Entity.credit_code).limit(5000))]
    rows.sort(key=lambda r: (r[0] != first, r[2] != "厦门火炬高新区", r[0]))
    return [(c, i) for c, i, _ in rows[:n]]


class _Run:
    def __init__(self, d: Demo, firms: list[tuple[str, int]]) -> None:
        self.d, self.firms = d, firms

    def firm(self, i: int) -> tuple[str, int]:
        return self.firms[i]

    def as_firm(self, i: int) -> Context:
        code, eid = self.firms[i]
        return self.d.firm(code, eid)


def _scheme(r: _Run, key: str, year: int, start: dt.date, until: dt.date,
            providers: list[int], lapse: int | None, reject: int | None) -> list[int]:
    d = r.d
    d.at(start)
    officer = d.staff()
    VS.create_scheme(officer, SchemeCreate(
        key=key, title_zh=f"{year}年厦门火炬高新区火炬创新券", title_en=f"Xiamen Torch vouchers {year}",
        year=year, budget="3000000", valid_until=until))
    ids = []
    for n, i in enumerate(providers):
        code, _ = r.firm(i)
        p = VS.apply_provider(r.as_firm(i), key, ProviderApply(enterprise=code, in_zone=n != 1,
                                                               items=ITEMS[: 1 + n % 3]))
        VS.evaluate_provider(officer, p.id, ProviderEvaluate(reviews=POOR if i == reject else GOOD))
        if i == lapse:
            VS.lapse_provider(officer, p.id, "认定有效期届满未复核")
        ids.append(p.id)
    return ids


def _last_year(r: _Run, year: int) -> None:
    d = r.d
    key = f"xm-voucher-{year}"
    pids = _scheme(r, key, year, dt.date(year, 1, 15), dt.date(year, 12, 31), [10, 11, 12, 13],
                   lapse=13, reject=12)
    officer = d.staff()
    vouchers = [VS.issue(officer, key, Issue(enterprise=r.firm(i)[0], amount=a, tsme=i % 2 == 0))
                for i, a in ((1, "200000"), (2, "100000"), (3, "100000"), (4, "200000"))]
    n = 0
    for q in range(4):
        d.at(dt.date(year, 3 * q + 1, 20))
        for j, v in enumerate(vouchers):
            n += 1
            pid = pids[(j + q) % 2]
            c = VS.redeem(r.as_firm(1 + j), v.id, Redeem(provider=pid, number=f"XM{year}-{n:04d}",
                                                         amount=str(30000 + 5000 * j)))
            d.at(dt.date(year, 3 * q + 2, 10))
            VS.deliver(r.as_firm(10 + (j + q) % 2), c.id)
            VS.confirm(r.as_firm(1 + j), c.id)
        end = dt.date(year + 1, 1, 10) if q == 3 else dt.date(year, 3 * q + 4, 10)
        d.at(end)
        for pid, i in zip(pids[:2], (10, 11), strict=True):
            VS.claim(r.as_firm(i), pid, f"{year}Q{q + 1}")
        if q < 3:
            VS.settlement_run(officer, key, f"{year}Q{q + 1}", f"厦火炬兑付〔{year}〕{q + 1}号")
    VS.expire_due(officer, key)
    d.log(f"✓ 火炬创新券 / vouchers {key}: settled Q1–Q3, Q4 claimed, expired")


def _this_year(r: _Run, day: dt.date) -> None:
    d = r.d
    start = max(dt.date(day.year, 1, 2), day - dt.timedelta(days=60))
    key = f"xm-voucher-{day.year}"
    pids = _scheme(r, key, day.year, start, dt.date(day.year, 12, 31), [10, 11], None, None)
    officer = d.staff()

    def at(frac: float) -> None:
        d.at(start + dt.timedelta(days=int((day - start).days * frac)))

    at(0.1)
    vs = [VS.issue(officer, key, Issue(enterprise=r.firm(i)[0], amount=a, tsme=i == 0))
          for i, a in ((0, "200000"), (1, "100000"), (2, "50000"))]
    states = ["confirmed", "delivered", "redeemed", "cancelled", "confirmed"]
    for n, state in enumerate(states):
        at(0.2 + 0.1 * n)
        j = n % len(vs)
        c = VS.redeem(r.as_firm(j), vs[j].id, Redeem(provider=pids[n % 2],
                                                     number=f"XM{day.year}-{n + 1:04d}",
                                                     amount=str(30000 + 15000 * n)))
        if state == "cancelled":
            VS.cancel(r.as_firm(j), c.id)
            continue
        if state == "redeemed":
            continue
        VS.deliver(r.as_firm(10 + n % 2), c.id)
        if state == "confirmed":
            VS.confirm(r.as_firm(j), c.id)
    d.log(f"✓ 火炬创新券 / vouchers {key}: issued, redeemed, delivered, confirmed, cancelled")


def create(platform: Platform, day: dt.date, reviewers: list[str], first: str | None,
           log: Callable[[str], None]) -> None:
    """Both schemes, each on its own (one that cannot be made is reported and skipped)."""
    from . import competitions_demo

    d = Demo(platform, reviewers, log)
    firms = _firms(platform, first, 14)

    def contest() -> None:
        if firms:
            competitions_demo.create(d, day, firms, log)

    if len(firms) < 14:
        log("火炬创新券:企业不足,跳过 / too few enterprises, skipped")
        _try(lambda: _challenges(d, day), log)
        _try(contest, log)
        return
    r = _Run(d, firms)
    last = (day - dt.timedelta(days=400)).year
    steps: list[Callable[[], None]] = [lambda: _last_year(r, last), lambda: _this_year(r, day),
                                       lambda: _challenges(d, day), contest]
    for make in steps:
        _try(make, log)


def _try(make: Callable[[], None], log: Callable[[str], None]) -> None:
    try:
        make()
    except HuiqiError as exc:
        log(f"✗ {exc.message('zh')} / {exc.message('en')}")


# ---------------------------------------------------------------------- 揭榜挂帅

#: Beijing's automotive-grade chips: 3 classes, 11 chips, ¥42 million (the split of the
#: budget among the chips is the demo's: the seed gives only the total)
CHIPS = [("控制类", "A1", "车规级主控 MCU", "mcu", "5000000", 1),
         ("控制类", "A2", "车规级域控 SoC", "mcu", "6000000", 2),
         ("控制类", "A3", "车规级安全 MCU", "mcu", "3000000", 1),
         ("控制类", "A4", "车身控制 MCU", "mcu", "3000000", 1),
         ("功率类", "B1", "主驱 SiC MOSFET", "power", "5000000", 1),
         ("功率类", "B2", "车规级 IGBT 模块", "power", "4000000", 1),
         ("功率类", "B3", "车载充电功率器件", "power", "3000000", 1),
         ("功率类", "B4", "DC-DC 功率器件", "power", "3000000", 1),
         ("传感类", "C1", "毫米波雷达芯片", "mcu", "4000000", 1),
         ("传感类", "C2", "图像传感器接口芯片", "mcu", "3000000", 1),
         ("传感类", "C3", "胎压监测芯片", "mcu", "3000000", 1)]


def _challenges(d: Demo, day: dt.date) -> None:
    from huiqi.facts.credit_code import make

    from . import challenges as C
    from .schemas import (
        ChallengeApply,
        ChallengeListCreate,
        CriterionIn,
        MilestoneAccept,
        MilestoneSpec,
        Selection,
        TaskCreate,
    )

    d.at(day - dt.timedelta(days=90))
    officer = d.staff()
    key = f"bj-chips-{day.year}"
    C.create_list(officer, ChallengeListCreate(
        key=key, title_zh=f"{day.year}年北京市车规级芯片揭榜挂帅榜单",
        title_en=f"Beijing automotive-grade chips {day.year}", issuer="北京市经济和信息化局",
        budget="42000000", opens_on=day - dt.timedelta(days=90), closes_on=day + dt.timedelta(days=30),
        criteria=[CriterionIn.model_validate(c) for c in C.BEIJING_CRITERIA], pass_mark="70"))
    milestones = [MilestoneSpec(id="design", zh="设计", en="Design", share="0.2"),
                  MilestoneSpec(id="tapeout", zh="流片", en="Tape-out", share="0.3"),
                  MilestoneSpec(id="aecq100", zh="AEC-Q100 认证", en="AEC-Q100", share="0.3"),
                  MilestoneSpec(id="vehicle", zh="上车验证", en="On-vehicle validation", share="0.2")]
    ids = {}
    for group, code, title, cat, budget, winners in CHIPS:
        t = C.add_task(officer, key, TaskCreate(
            code=code, group_zh=group, title_zh=title, title_en=f"Chip {code}", category=cat,
            indicators={"temperature_c": [-40, 125]} if cat == "mcu" else {"voltage_v": 1200},
            qualifications=["AEC-Q100-G1"], packaging="LQFP-144" if cat == "mcu" else "TO-247",
            deliverables=["工程样片", "AEC-Q100 认证报告", "上车验证报告"], period_months=24,
            budget=budget, winners=winners, milestones=milestones))
        ids[code] = t.id
    C.publish(officer, key)
    good = {"maturity": "88", "mass_production": "84", "team": "86", "indicators": "90"}
    fair = {"maturity": "72", "mass_production": "70", "team": "75", "indicators": "71"}
    n = 0

    def apply(code: str, members: int = 0) -> int:
        nonlocal n
        n += 1
        lead = make("9", "1", "310115", f"MAC{n:05d}")
        agreement = (f"联合体协议-{n}.pdf", b"%PDF-1.4\n% consortium agreement " +
                     str(n).encode() + b"\n%%EOF\n") if members else None
        return C.apply(officer, ids[code], ChallengeApply.model_validate(dict(
            lead_code=lead, lead_name=f"芯片设计公司{n}号", province=("上海市", "北京市", "江苏省")[n % 3],
            members=[{"code": make("9", "1", "110108", f"MAM{n:03d}{i:02d}"), "name": f"封测伙伴{n}-{i}",
                      "role": ("封装测试", "整车验证", "晶圆代工")[i % 3]} for i in range(members)],
            proposal="面向国产整车平台的车规级芯片研制方案")), agreement).id

    d.at(day - dt.timedelta(days=60))
    a1 = [apply("A1", 2), apply("A1")]
    a2 = [apply("A2", 1), apply("A2", 3), apply("A2")]
    b1 = [apply("B1", 2)]
    apply("C1")                       # waiting for the panel
    d.at(day - dt.timedelta(days=40))
    C.select_winners(officer, ids["A1"], Selection(reviews={str(a1[0]): [good, good], str(a1[1]): [fair]}))
    C.select_winners(officer, ids["A2"], Selection(reviews={str(a2[0]): [good], str(a2[1]): [good, fair],
                                                            str(a2[2]): [fair]}))
    C.select_winners(officer, ids["B1"], Selection(reviews={str(b1[0]): [good]}))
    d.at(day - dt.timedelta(days=10))
    C.accept_milestone(officer, a1[0], MilestoneAccept(milestone="design", reviewers=["专家甲", "专家乙"],
                                                       reference=f"京经信拨〔{day.year}〕1号"))
    C.accept_milestone(officer, b1[0], MilestoneAccept(milestone="design", reviewers=["专家丙"],
                                                       reference=f"京经信拨〔{day.year}〕2号"))
    d.log(f"✓ 揭榜挂帅 / challenge list {key}: 11 tasks, consortia, 赛马, milestones paid")
