"""Industry-chain maps: enterprises mapped to segments, staff decisions, leaders, revenue
and growth per segment, and the gaps as a 招商 list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huiqi.analytics import chain as C
from huiqi.analytics.schemas import MemberDecision
from huiqi.errors import InputError, PermissionDenied
from huiqi.facts.credit_code import make
from huiqi.service import enterprises
from huiqi.service.context import Context
from huiqi.service.schemas import EnterpriseCreate, FactSet, FactsUpdate
from service_fixtures import World

PARK = "厦门火炬高新区"


def _firm(system: Context, seq: str, name: str, industry: str | None,
          revenue: tuple[int | Decimal, int | Decimal] | None = None) -> str:
    code = make("9", "1", "350206", f"MA{seq}")
    enterprises.create(system, EnterpriseCreate(credit_code=code, name=name, district="湖里区",
                                                park=PARK, since=dt.date(2020, 1, 1)))
    items = []
    if industry:
        items.append(FactSet(fact="industry", value=industry))
    if revenue:
        items += [FactSet(fact="revenue", year=2024, value=str(revenue[0])),
                  FactSet(fact="revenue", year=2025, value=str(revenue[1]))]
    if items:
        enterprises.set_facts(system, code, FactsUpdate(items=items))
    return code


def test_chain_map_and_targets(world: World, system: Context) -> None:
    a = _firm(system, "000001", "厦门正极材料科技有限公司", "new_materials", (100, 120))
    _firm(system, "000002", "厦门海辰储能科技股份有限公司", "energy_storage", (1000, 900))
    c = _firm(system, "000003", "厦门某某电池有限公司", None, (500, 600))
    _firm(system, "000004", "厦门软件有限公司", "software_it")
    ctx = world.ctx("leadership")
    m = C.chain_map(ctx, "battery", 2025, PARK)
    seg = {s.key: s for s in m.segments}
    assert [s.key for s in m.segments] == ["materials", "cells", "storage", "applications"]
    assert m.links == [("materials", "cells"), ("cells", "storage"), ("storage", "applications")]
    assert seg["materials"].firms == 1 and seg["materials"].members[0].code == a
    assert seg["cells"].members[0].basis == "keyword"
    assert seg["storage"].growth == -10.0 and seg["materials"].growth == 20.0
    assert seg["applications"].firms == 0 and seg["applications"].revenue is None
    # staff: the cell maker is the chain leader
    C.decide(world.ctx("case_officer"), "battery", MemberDecision(
        segment="cells", credit_code=c, decision="include", leader=True))
    m = C.chain_map(ctx, "battery", 2025, PARK)
    assert m.segments[1].leaders == 1 and m.segments[1].members[0].basis == "staff"
    t = {x.segment: x for x in C.targets(ctx, "battery", 2025, PARK)}
    assert "applications" in t and t["applications"].attract
    assert any("下降" in r.zh for r in t["storage"].reasons)
    assert C.targets(ctx, "battery", 2025, PARK)[0].segment == "applications"  # empty first
    C.decide(world.ctx("case_officer"), "battery", MemberDecision(
        segment="materials", credit_code=a, decision="exclude"))
    assert C.chain_map(ctx, "battery", 2025, PARK).segments[0].firms == 0
    with pytest.raises(InputError):
        C.decide(world.ctx("case_officer"), "battery", MemberDecision(
            segment="cells", credit_code=c, decision="exclude", leader=True))
    with pytest.raises(PermissionDenied):
        C.decide(ctx, "battery", MemberDecision(segment="cells", credit_code=c,
                                                decision="include"))
    with pytest.raises(PermissionDenied):
        C.chain_map(world.ctx("enterprise"), "battery", 2025, PARK)
    assert Decimal(str(m.segments[2].revenue)) == Decimal("900.0")


def test_a_firm_is_mapped_by_the_products_it_offers(world: World, system: Context) -> None:
    """A firm whose name says nothing and whose industry code is another segment's sits where
    its market offers (the shared vocabulary's categories) put it; revenue is exact."""
    from huiqi.analytics import market
    from huiqi.analytics.schemas import ListingCreate

    b = _firm(system, "000011", "厦门某某科技有限公司", "energy_storage",
              (Decimal("0.10"), Decimal("0.20")))
    _firm(system, "000012", "厦门甲储能有限公司", None, (Decimal("0.20"), Decimal("0.10")))
    _firm(system, "000013", "厦门乙电芯有限公司", None, (Decimal("0.05"), Decimal("0.10")))
    ctx = world.ctx("leadership")
    assert C.chain_map(ctx, "battery", 2025, PARK).segments[2].firms == 2  # storage, by industry
    market.create_listing(world.ctx("case_officer"), ListingCreate(
        side="offer", credit_code=b, category="cell", title="280Ah 储能电芯",
        specs={"capacity_ah": 280}, contact="张经理"))
    m = C.chain_map(ctx, "battery", 2025, PARK)
    cells, storage = m.segments[1], m.segments[2]
    assert (cells.members[0].code, cells.members[0].basis) == (b, "product")
    assert [f.basis for f in cells.members][1:] == ["keyword"] and storage.firms == 1
    # revenue summed exactly, in yuan to the fen (0.2 + 0.1 in floats is 0.30000000000000004)
    assert cells.revenue == "0.30" and storage.revenue == "0.10"
    assert cells.growth == 100.0 and storage.growth == -50.0


def test_a_chain_naming_a_category_outside_the_vocabulary_is_refused() -> None:
    doc = {"key": "x", "label": "x", "segments": [
        {"key": "s", "label": "s", "products": ["cell", "flux_capacitor"]}]}
    with pytest.raises(InputError, match="flux_capacitor"):
        C.parse(doc)
    assert C.parse({**doc, "segments": [{"key": "s", "label": "s", "products": ["cell"]}]}
                   )[1].segments[0].products == ("cell",)
