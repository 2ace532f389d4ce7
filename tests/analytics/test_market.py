"""The supply-demand market: every score explained, and never a link without both sides'
consent."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from huiqi.analytics import market as M
from huiqi.analytics.models import MarketMatch
from huiqi.analytics.schemas import ListingCreate
from huiqi.errors import Conflict, InputError, PermissionDenied
from huiqi.service.context import Context
from properties import examples
from service_fixtures import CODE_A, CODE_B, World

DEMAND = dict(side="demand", kind="need", category="mcu", title="车身域控 MCU",
              specs={"core": ["Cortex-M7", "Cortex-R5"], "frequency_mhz": 300, "flash_kb": 4096,
                     "temperature_c": [-40, 125], "price_yuan": 30},
              qualifications=["AEC-Q100-G1"], volume=500_000,
              needed_by=dt.date(2026, 6, 30), contact="采购部 王工 0592-1234567")
OFFER = dict(side="offer", kind="product", category="mcu", title="XM7 系列车规 MCU",
             specs={"core": "Cortex-M7", "frequency_mhz": 280, "flash_kb": 4096,
                    "temperature_c": [-40, 150], "price_yuan": 28},
             qualifications=["AEC-Q100-G0", "IATF16949"], volume=2_000_000,
             needed_by=dt.date(2026, 3, 1), contact="销售 李经理 138****0000")


def test_every_point_of_a_score_is_explained() -> None:
    value, checks = M.score(ListingCreate(credit_code=CODE_A, **DEMAND),
                            ListingCreate(credit_code=CODE_B, **OFFER))
    by = {c.spec: c for c in checks}
    assert set(by) == {"core", "frequency_mhz", "flash_kb", "temperature_c", "price_yuan",
                       "qualification:AEC-Q100-G1", "volume", "timing"}
    assert by["frequency_mhz"].status == "partial"  # 280 of 300 MHz, within 20 %
    assert by["qualification:AEC-Q100-G1"].status == "met"  # grade 0 covers grade 1
    assert all(c.note.zh and c.note.en for c in checks)
    total = sum(c.weight for c in checks)
    assert value == round(100 * sum(c.weight * c.points for c in checks) / total, 1)
    assert 80 < value < 100


@pytest.mark.parametrize(("specs", "quals", "says"), [
    ({"temperature_c": "hot"}, [], "应为区间"),
    ({"temperature_c": [125, -40]}, [], "小者在前"),
    ({"temperature_c": [-40, 125, 150]}, [], "应为区间"),
    ({"flash_kb": "lots"}, [], "应为一个数"),
    ({"flash_kb": True}, [], "应为一个数"),
    ({"flash_kb": float("inf")}, [], "应为一个数"),
    ({"core": 7}, [], "选项"),
    ({"core": []}, [], "选项"),
    ({"colour": "red"}, [], "不是类别“mcu”的规格"),
    ({}, ["AEC-Q999"], "资质“AEC-Q999”"),
])
def test_a_description_outside_the_vocabulary_is_refused(specs: dict, quals: list[str],  # type: ignore[type-arg]
                                                         says: str) -> None:
    with pytest.raises(InputError, match=says):
        M.check_description("mcu", specs, quals)
    with pytest.raises(InputError, match="统一词表"):
        M.check_description("flux", {}, [])
    M.check_description("mcu", {"temperature_c": [-40, 125], "flash_kb": 512,
                                "core": ["Cortex-M7", "Cortex-R5"]}, ["AEC-Q100-G1"])


@settings(max_examples=examples(200), deadline=None)
@given(st.dictionaries(st.sampled_from(["frequency_mhz", "flash_kb", "ram_kb", "can_fd",
                                        "price_yuan"]),
                       st.floats(0, 1e5, allow_nan=False), max_size=5),
       st.dictionaries(st.sampled_from(["frequency_mhz", "flash_kb", "ram_kb", "can_fd",
                                        "price_yuan"]),
                       st.floats(0, 1e5, allow_nan=False), max_size=5))
def test_any_score_is_the_weighted_sum_of_its_checks(want: dict, have: dict) -> None:  # type: ignore[type-arg]
    d = ListingCreate(credit_code=CODE_A, side="demand", category="mcu", title="d", specs=want,
                      contact="x")
    o = ListingCreate(credit_code=CODE_B, side="offer", category="mcu", title="o", specs=have,
                      contact="y")
    value, checks = M.score(d, o)
    assert len(checks) == len(want)
    assert 0 <= value <= 100
    for c in checks:
        assert 0 <= c.points <= 1 and c.status in ("met", "partial", "unmet", "unknown")
    if checks:
        total = sum(c.weight for c in checks)
        assert value == round(100 * sum(c.weight * c.points for c in checks) / total, 1)


def _listings(world: World) -> int:
    ent = world.ctx("enterprise")  # bound to CODE_A
    M.create_listing(ent, ListingCreate(credit_code=CODE_A, **DEMAND))
    staff = world.ctx("case_officer")  # posts the offer for CODE_B
    M.create_listing(staff, ListingCreate(credit_code=CODE_B, **OFFER))
    (m,) = M.matches(staff)
    return m.id


def test_contacts_only_after_both_consents(world: World, system: Context) -> None:
    mid = _listings(world)
    ent = world.ctx("enterprise")
    m = M.match(ent, mid)
    assert m.state == "proposed" and m.contacts is None and m.my_side == "demand"
    m = M.interest(ent, mid)
    assert m.state == "demand_yes" and m.contacts is None
    # staff cannot say yes for the other side
    with pytest.raises(PermissionDenied):
        M.interest(world.ctx("case_officer"), mid)
    # the same side saying yes again does not connect
    with pytest.raises(Conflict):
        M.interest(ent, mid)
    assert M.match(world.ctx("admin"), mid).contacts is None
    # the database refuses a connected match without both consents, whatever the code does
    with world.platform.db.write() as s, pytest.raises(IntegrityError), s.begin_nested():
        s.execute(update(MarketMatch).where(MarketMatch.id == mid).values(state="connected"))
    assert M.match(world.ctx("admin"), mid).state == "demand_yes"


def test_connected_after_both_sides_and_outcome(world: World, system: Context) -> None:
    from huiqi.service import accounts
    from huiqi.service.permissions import Role
    from huiqi.service.sessions import authenticate, login
    from service_fixtures import PASSWORD

    mid = _listings(world)
    accounts.create(system, "u_offer", "供给方", Role.ENTERPRISE, PASSWORD, CODE_B)
    offer_ctx = world.platform.as_actor(
        authenticate(world.platform, login(world.platform, "u_offer", PASSWORD).token))
    m = M.interest(offer_ctx, mid)
    assert m.state == "offer_yes" and m.contacts is None and m.my_side == "offer"
    m = M.interest(world.ctx("enterprise"), mid)
    assert m.state == "connected"
    assert m.contacts == {"demand": DEMAND["contact"], "offer": OFFER["contact"]}
    assert M.match(offer_ctx, mid).contacts is not None
    m = M.outcome(world.ctx("case_officer"), mid, deal=True, note="首批 5 万片")
    assert m.state == "deal" and m.outcome_note == "首批 5 万片"


def test_an_enterprise_sees_only_its_own_matches(world: World, system: Context) -> None:
    from huiqi.service import accounts
    from huiqi.service.permissions import Role
    from huiqi.service.sessions import authenticate, login
    from service_fixtures import CODE_UNI, PASSWORD

    mid = _listings(world)
    accounts.create(system, "u_uni", "大学", Role.ENTERPRISE, PASSWORD, CODE_UNI)
    uni = world.platform.as_actor(
        authenticate(world.platform, login(world.platform, "u_uni", PASSWORD).token))
    assert M.matches(uni) == []
    with pytest.raises(PermissionDenied):
        M.match(uni, mid)
    with pytest.raises(PermissionDenied):
        M.interest(uni, mid)
    # and cannot post for another enterprise
    with pytest.raises(PermissionDenied):
        M.create_listing(uni, ListingCreate(credit_code=CODE_A, **DEMAND))
    # listings show no contacts to anyone
    assert all("contact" not in ls.model_dump() for ls in M.listings(uni))


ACTIONS = ("demand_yes", "offer_yes", "demand_no", "offer_no", "staff_yes", "deal", "no_deal",
           "stranger_yes")


@settings(max_examples=examples(40), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=8))
def test_never_linked_without_both_consents(world: World, system: Context,
                                            steps: list[str]) -> None:
    """Whatever anyone does, in any order: the contacts are shown exactly when both sides
    have said yes, and a refused step changes nothing."""
    from huiqi.service import accounts
    from huiqi.service.permissions import Role
    from huiqi.service.sessions import authenticate, login
    from service_fixtures import CODE_UNI, PASSWORD

    def ctx_of(name: str, code: str) -> Context:
        if not accounts_made.get(name):
            with contextlib.suppress(Conflict):
                accounts.create(system, name, name, Role.ENTERPRISE, PASSWORD, code)
            accounts_made[name] = True
        return world.platform.as_actor(
            authenticate(world.platform, login(world.platform, name, PASSWORD).token))

    accounts_made: dict[str, bool] = {}
    demand, offer = world.ctx("enterprise"), ctx_of("u_offer_side", CODE_B)
    stranger = ctx_of("u_stranger", CODE_UNI)
    staff = world.ctx("case_officer")
    d = M.create_listing(demand, ListingCreate(credit_code=CODE_A, **DEMAND))
    o = M.create_listing(staff, ListingCreate(credit_code=CODE_B, **OFFER))
    from sqlalchemy import select

    from huiqi.analytics.models import MarketListing

    with world.platform.db.write() as s:  # the next example's listings match only each other
        mid = s.execute(select(MarketMatch.id).where(MarketMatch.demand_id == d.id,
                                                     MarketMatch.offer_id == o.id)).scalar_one()
        s.execute(update(MarketListing).where(MarketListing.id.in_([d.id, o.id]))
                  .values(state="closed"))
    first = M.match(staff, mid)
    assert (first.demand.id, first.offer.id) == (d.id, o.id)
    assert (first.demand_consented, first.offer_consented, first.contacts) == (False, False, None)
    said = {"demand": False, "offer": False}
    for step in steps:
        before = M.match(staff, mid)
        try:
            if step == "demand_yes":
                M.interest(demand, mid)
                said["demand"] = True
            elif step == "offer_yes":
                M.interest(offer, mid)
                said["offer"] = True
            elif step == "demand_no":
                M.decline(demand, mid)
            elif step == "offer_no":
                M.decline(offer, mid)
            elif step == "staff_yes":
                M.interest(staff, mid)
            elif step == "stranger_yes":
                M.interest(stranger, mid)
            else:
                M.outcome(demand, mid, step == "deal", "记录")
        except (Conflict, PermissionDenied, InputError):
            after = M.match(staff, mid)
            assert (after.state, after.demand_consented, after.offer_consented) == (
                before.state, before.demand_consented, before.offer_consented), step
            continue
        now = M.match(staff, mid)
        both = now.demand_consented and now.offer_consented
        assert (now.contacts is not None) == both, (step, now.state)
        assert now.demand_consented == said["demand"] and now.offer_consented == said["offer"]
        assert (now.state in ("connected", "deal", "no_deal")) == both
        for ctx, side in ((demand, "demand"), (offer, "offer")):
            assert (M.match(ctx, mid).contacts is not None) == both, side
