"""A park for the programme tests: the seed pack published, firms in Guilin and Ningbo,
accounts of every role (five reviewers), and a clock the test moves (no fixed as-of date:
deadlines and 公示 periods pass as the clock moves)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from huiqi.facts.credit_code import make
from huiqi.packs.files import read_folder
from huiqi.programmes import calls
from huiqi.programmes.panel import GUILIN
from huiqi.programmes.schemas import (
    HonourSpec,
    MaterialSpec,
    ProgrammeCreate,
    ProgrammePublic,
    RubricSpec,
)
from huiqi.service import accounts, enterprises, policies
from huiqi.service.context import Actor, Context, Platform
from huiqi.service.permissions import Role
from huiqi.service.schemas import EnterpriseCreate, FactSet, FactsUpdate
from huiqi.settings import Settings
from huiqi.store.models import Entity
from service_fixtures import PASSWORD, ROOT, Clock, make_settings

SEED = ROOT / "policies" / "seed"
GUILIN_CITY, GUILIN_PARK, NINGBO = "桂林市", "桂林高新区", "宁波高新区"
REVIEWERS = tuple(f"reviewer{i}" for i in range(1, 6))
PDF = b"%PDF-1.4\n% huiqi test\n"


@pytest.fixture
def settings() -> Settings:
    return make_settings(as_of=None)


@pytest.fixture
def clock() -> Clock:
    c = Clock()
    c.now = dt.datetime(2025, 6, 3, 2, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in China
    return c


@dataclass(repr=False)
class Park:
    platform: Platform
    clock: Clock
    firms: dict[str, str] = field(default_factory=dict)   # name → credit code
    ids: dict[str, int] = field(default_factory=dict)     # credit code → entity id

    def system(self) -> Context:
        return self.platform.system()

    def staff(self, role: str = "case_officer") -> Context:
        return self.platform.as_actor(Actor(username=f"u_{role}", role=Role(role)))

    def reviewer(self, name: str) -> Context:
        return self.platform.as_actor(Actor(username=name, role=Role.REVIEWER))

    def firm(self, code: str) -> Context:
        return self.platform.as_actor(Actor(username=f"ent_{code}", role=Role.ENTERPRISE,
                                            entity_id=self.ids[code], entity_code=code))

    def add_firm(self, n: int, city: str, park: str, name: str) -> str:
        code = make("9", "1", "450300" if city == "桂林市" else "330201", f"MA{n:06d}")
        enterprises.create(self.system(), EnterpriseCreate(
            credit_code=code, name=name, kind="enterprise", district="七星区", park=park,
            since=dt.date(2015, 1, 1)))
        items = [FactSet(fact="city", value=city),
                 FactSet(fact="registration_date", value="2015-01-01")]
        if park == NINGBO:
            items.append(FactSet(fact="honours", value=[
                {"kind": "ip_mgmt_standard", "level": "national", "date": "2024-10-01"}]))
        enterprises.set_facts(self.system(), code, FactsUpdate(items=items))
        self.firms[name] = code
        with self.platform.db.read() as s:
            self.ids[code] = s.scalars(select(Entity.id).where(Entity.credit_code == code)).one()
        return code

    def advance_days(self, n: int) -> None:
        self.clock.advance(days=n)


@pytest.fixture
def park(platform: Platform, clock: Clock) -> Park:
    return make_park(platform, clock)


def make_park(platform: Platform, clock: Clock) -> Park:
    system = platform.system()
    policies.upload(system, "seed", read_folder(Path(SEED)))
    policies.publish(system, "seed", 1)
    for role in ("case_officer", "policy_officer", "admin", "leadership"):
        accounts.create(system, f"u_{role}", role, Role(role), PASSWORD)
    for name in REVIEWERS:
        accounts.create(system, name, name, Role.REVIEWER, PASSWORD)
    return Park(platform, clock)


def guilin(park: Park, key: str = "gl-2025", quota: int | None = None,
           budget: str = "1000000") -> ProgrammePublic:
    return calls.create(park.staff("policy_officer"), ProgrammeCreate(
        key=key, title_zh="2025年桂林市市长质量奖", title_en="Guilin Mayor's Quality Award 2025",
        pack="seed", clause="gl-mayor-quality/award", mode="competitive", year=2025,
        opens_on=dt.date(2025, 5, 1), closes_on=dt.date(2025, 6, 30), budget=budget, quota=quota,
        materials=[MaterialSpec(kind="report", label_zh="自评报告", label_en="Self-assessment")],
        rubric=RubricSpec.model_validate(GUILIN.to_json()), reviewers=list(REVIEWERS),
        honour=HonourSpec(fact="awards", kind="quality", level="municipal")))


def universal(park: Park, key: str = "nb-cert", budget: str = "1000000", quota: int | None = None,
              materials: bool = False, budget_year: str | None = None) -> ProgrammePublic:
    """A 普惠 programme: Ningbo's subsidy for a first IP-management certification (¥20,000)."""
    return calls.create(park.staff("policy_officer"), ProgrammeCreate(
        key=key, title_zh="贯标认证补助", title_en="IP-management certification subsidy", pack="seed",
        clause="nbgx-ip/ip_mgmt_cert", mode="universal", year=2025,
        opens_on=dt.date(2025, 5, 1), closes_on=dt.date(2025, 6, 30), budget=budget, quota=quota,
        budget_year=budget_year,
        materials=[MaterialSpec(kind="report", label_zh="自评报告", label_en="Self-assessment")]
        if materials else []))


ZERO = Decimal(0)
