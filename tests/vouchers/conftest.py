"""A park for the voucher tests: the programmes' park (the seed pack published, staff and
reviewer accounts, a clock the test moves), a scheme of 2025 with its budget, a provider
recognised by the panel and firms in Xiamen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from huiqi.service.context import Platform
from huiqi.settings import Settings
from huiqi.vouchers import service as VS
from huiqi.vouchers.schemas import (
    ItemSpec,
    ProviderApply,
    ProviderEvaluate,
    SchemeCreate,
)
from programmes.conftest import Park, make_park
from service_fixtures import Clock, make_settings

XM = "厦门火炬高新区"


@pytest.fixture
def settings() -> Settings:
    return make_settings(as_of=None)


@pytest.fixture
def clock() -> Clock:
    c = Clock()
    c.now = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in China
    return c


@dataclass
class World:
    park: Park
    provider: int
    provider_code: str
    firms: list[str]


def make_world(park: Park, firms: int = 2, budget: str = "1000000") -> World:
    officer = park.staff()
    VS.create_scheme(officer, SchemeCreate(
        key="xm-2025", title_zh="2025年火炬创新券", title_en="Torch vouchers 2025", year=2025,
        budget=budget, valid_until=dt.date(2025, 12, 31)))
    pcode = park.add_firm(500, "厦门市", XM, "闽西南工业仿真协同创新中心")
    p = VS.apply_provider(park.firm(pcode), "xm-2025", ProviderApply(
        enterprise=pcode, items=[
            ItemSpec(code="cfd", title_zh="流体仿真", title_en="Fluid simulation",
                     service_class="technology", price="80000"),
            ItemSpec(code="fea", title_zh="结构仿真", title_en="Structural simulation",
                     service_class="technology", price="60000")]))
    VS.evaluate_provider(officer, p.id, ProviderEvaluate(reviews=[
        {"operations": "80", "capability": "90"}, {"operations": "70", "capability": "75"},
        {"operations": "90", "capability": "85"}]))
    codes = [park.add_firm(600 + i, "厦门市", XM, f"厦门用券{i}号有限公司") for i in range(firms)]
    return World(park, p.id, pcode, codes)


@pytest.fixture
def park(platform: Platform, clock: Clock) -> Park:
    return make_park(platform, clock)


@pytest.fixture
def world(platform: Platform, clock: Clock) -> World:
    return make_world(make_park(platform, clock))
