"""The analytics part of ``huiqi init-demo``: 169 generated parks over four years (Xiamen's
Torch zone near 11th), the battery chain with a chain leader, and a market whose matches
stand in every state (proposed, one side interested, connected, deal, no deal, declined)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from huiqi.service.context import Actor, Context
from huiqi.service.permissions import Role
from huiqi.store.models import Entity, FactValue

from . import chain, evaluation, market, sample
from . import framework as F
from .schemas import ListingCreate, MemberDecision


@dataclass
class Made:
    parks: int
    figures: int
    listings: int
    matches: int
    home_rank: int | None


def _firms(ctx: Context, park: str, industries: tuple[str, ...], n: int) -> list[Entity]:
    """The park's enterprises of ``industries``, largest revenue first."""
    with ctx.db.read() as s:
        rev = (select(FactValue.entity_id, func.max(FactValue.value_number).label("r"))
               .where(FactValue.fact == "revenue").group_by(FactValue.entity_id).subquery())
        q = (select(Entity).outerjoin(rev, rev.c.entity_id == Entity.id)
             .where(Entity.kind == "enterprise", Entity.park == park,
                    Entity.industry.in_(industries))
             .order_by(rev.c.r.desc().nulls_last(), Entity.id).limit(n))
        return list(s.scalars(q))


def _as(ctx: Context, e: Entity) -> Context:
    return ctx.platform.as_actor(Actor(username=f"demo:{e.credit_code}", role=Role.ENTERPRISE,
                                       entity_id=e.id, entity_code=e.credit_code))


def populate(ctx: Context, today: dt.date, enterprise: str | None = None,
             parks: int = 169) -> Made:
    """Everything analytics shows, for the demo (``ctx``: the operator)."""
    fw = F.for_year(today.year - 1)
    years = tuple(range(today.year - 4, today.year))
    p = sample.generate(fw, n=parks, years=years, home_rank=11)
    figures = evaluation.store_generated(ctx, p.codes, p.names, p.values, fw, sample.HOME,
                                         "generated demo figures (huiqi.analytics.sample)")
    # the chain: the largest energy-storage firm of the park is its chain leader
    leaders = _firms(ctx, sample.HOME, ("energy_storage",), 1)
    if leaders:
        chain.decide(ctx, "battery", MemberDecision(
            segment="storage", credit_code=leaders[0].credit_code, decision="include",
            leader=True, note="演示:园区储能龙头"))
    made = _market(ctx, today, enterprise)
    evaluation.refresh(ctx)  # every year's evaluation, kept: the page's first visit reads it
    rank = next((r.rank for r in evaluation.evaluate(ctx, years[-1]).parks if r.home), None)
    return Made(len(p.codes), figures, made[0], made[1], rank)


STATES = ("proposed", "demand_yes", "offer_yes", "connected", "deal", "no_deal", "declined")


def _market(ctx: Context, today: dt.date, enterprise: str | None) -> tuple[int, int]:
    with ctx.db.read() as s:
        demand_firm = s.scalar(select(Entity).where(Entity.credit_code == enterprise)) \
            if enterprise else None
    suppliers = _firms(ctx, sample.HOME, ("integrated_circuits", "third_gen_semiconductors",
                                          "automotive_electronics", "sensors"), 9)
    if demand_firm is None and suppliers:
        demand_firm = suppliers.pop()
    suppliers = [e for e in suppliers if demand_firm is None or e.id != demand_firm.id]
    if demand_firm is None or len(suppliers) < len(STATES):
        return 0, 0
    need = ListingCreate(
        side="demand", credit_code=demand_firm.credit_code, kind="need", category="mcu",
        title="车身域控制器用车规级 MCU",
        specs={"core": ["Cortex-M7", "Cortex-R5"], "frequency_mhz": 300, "flash_kb": 4096,
               "ram_kb": 512, "temperature_c": [-40, 125], "can_fd": 4, "price_yuan": 30},
        qualifications=["AEC-Q100-G1", "IATF16949"], volume=300_000,
        needed_by=today + dt.timedelta(days=180), contact="采购部 王工 0592-5550101")
    market.create_listing(ctx, need)
    offers = [(280, 4096, 28, ["AEC-Q100-G0", "IATF16949"], "Cortex-M7"),
              (300, 2048, 26, ["AEC-Q100-G1", "IATF16949"], "Cortex-R5"),
              (320, 4096, 35, ["AEC-Q100-G1"], "Cortex-M7"),
              (240, 4096, 22, ["AEC-Q100-G2", "IATF16949"], "Cortex-M7"),
              (400, 8192, 39, ["AEC-Q100-G0", "IATF16949"], "Cortex-R5"),
              (300, 4096, 31, ["AEC-Q100-G1", "IATF16949"], "Cortex-M7"),
              (200, 1024, 18, ["AEC-Q100-G1"], "Cortex-M4")]
    for i, (mhz, flash, price, quals, core) in enumerate(offers):
        e = suppliers[i]
        market.create_listing(ctx, ListingCreate(
            side="offer", credit_code=e.credit_code, kind="product", category="mcu",
            title=f"{core} 车规 MCU({mhz}MHz/{flash // 1024 or 1}MB)",
            specs={"core": core, "frequency_mhz": mhz, "flash_kb": flash, "ram_kb": 512,
                   "temperature_c": [-40, 150 if "AEC-Q100-G0" in quals else 125],
                   "can_fd": 4, "price_yuan": price},
            qualifications=quals, volume=1_000_000,
            needed_by=today + dt.timedelta(days=60 * i), contact=f"销售 {e.name[:12]} 400-800-{1000 + i}"))
    # a university's research result and a cell demand: listings of other kinds
    market.create_listing(ctx, ListingCreate(
        side="demand", credit_code=suppliers[-1].credit_code, kind="need", category="cell",
        title="储能电站用磷酸铁锂电芯", specs={"chemistry": "LFP", "capacity_ah": 280,
                                             "cycle_life": 8000},
        volume=20_000, needed_by=today + dt.timedelta(days=120), contact="项目部 陈工"))
    research = _research(ctx, today, demand_firm)
    found = [m for m in market.matches(ctx) if m.demand.title == need.title]
    by_offer = {m.offer.title: m for m in found}
    moved = 0
    for state, (mhz, flash, _p, _q, core) in zip(STATES, offers, strict=True):
        m = by_offer.get(f"{core} 车规 MCU({mhz}MHz/{flash // 1024 or 1}MB)")
        if m is None:
            continue
        offer_ctx = _as(ctx, suppliers[offers.index((mhz, flash, _p, _q, core))])
        demand_ctx = _as(ctx, demand_firm)
        if state == "demand_yes":
            market.interest(demand_ctx, m.id)
        elif state == "offer_yes":
            market.interest(offer_ctx, m.id)
        elif state in ("connected", "deal", "no_deal"):
            market.interest(offer_ctx, m.id)
            market.interest(demand_ctx, m.id)
            if state == "deal":
                market.outcome(demand_ctx, m.id, True, "首批 5 万片,2026 年第三季度交付")
            elif state == "no_deal":
                market.outcome(ctx, m.id, False, "价格未谈拢")
        elif state == "declined":
            market.decline(offer_ctx, m.id, "产能已排满")
        moved += 1
    return len(offers) + 2 + research, len(found) + (research > 0)


def _research(ctx: Context, today: dt.date, firm: Entity) -> int:
    """A university's research result and an enterprise's need for it (Dalian's practice:
    enterprise needs matched with university results)."""
    with ctx.db.read() as s:
        uni = s.scalar(select(Entity).where(Entity.kind == "university").order_by(Entity.id)
                       .limit(1))
    if uni is None:  # the generated park rarely has one: the demo adds a fictitious university
        from huiqi.facts.credit_code import make
        from huiqi.service import enterprises
        from huiqi.service.schemas import EnterpriseCreate

        code = make("1", "2", "350200", "42600099")
        enterprises.create(ctx, EnterpriseCreate(credit_code=code, name="厦门示例大学(演示)",
                                                 kind="university", park=sample.HOME))
        with ctx.db.read() as s:
            uni = s.scalar(select(Entity).where(Entity.credit_code == code))
        if uni is None:
            return 0
    market.create_listing(ctx, ListingCreate(
        side="offer", credit_code=uni.credit_code, kind="research", category="research",
        title="固态电解质界面改性技术(专利许可)",
        specs={"field": "battery_materials", "trl": 6, "mode": ["license", "joint_rd"],
               "budget_wan": 150}, volume=None, needed_by=today,
        contact=f"{uni.name[:20]} 技术转移中心"))
    market.create_listing(ctx, ListingCreate(
        side="demand", credit_code=firm.credit_code, kind="need", category="research",
        title="提升电芯循环寿命的电解质技术合作",
        specs={"field": "battery_materials", "trl": 5, "mode": "license", "budget_wan": 200},
        needed_by=today + dt.timedelta(days=90), contact="研发部 林博士"))
    return 2
