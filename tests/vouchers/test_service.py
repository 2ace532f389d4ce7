"""The voucher services end to end: a provider recognised by the panel, a voucher issued,
a contract redeemed within the share and the quota, delivered, confirmed, claimed for its
quarter, settled once with the bonus, the voucher expired back to the budget; and who may
do what."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huiqi.errors import Conflict, PermissionDenied
from huiqi.vouchers import service as VS
from huiqi.vouchers.schemas import Issue, ProviderApply, ProviderEvaluate, Redeem

from .conftest import World


def test_from_issue_to_settlement_and_expiry(world: World) -> None:
    park, officer = world.park, world.park.staff()
    firm = world.firms[0]
    v = VS.issue(officer, "xm-2025", Issue(enterprise=firm, amount="100000", tsme=True))
    assert (v.remaining, v.share) == ("100000.00", "0.50")
    me = park.firm(firm)
    c = VS.redeem(me, v.id, Redeem(provider=world.provider, number="HT-2025-001", amount="80000"))
    assert c.deducted == "40000.00"
    with pytest.raises(Conflict, match="重复兑付"):
        VS.redeem(me, v.id, Redeem(provider=world.provider, number="HT-2025-001", amount="80000"))
    c2 = VS.redeem(me, v.id, Redeem(provider=world.provider, number="HT-2025-002", amount="200000"))
    assert c2.deducted == "60000.00"           # what was left of the quota, not 50% of 200,000
    with pytest.raises(Conflict, match="额度已用完"):
        VS.redeem(me, v.id, Redeem(provider=world.provider, number="HT-2025-003", amount="1000"))
    provider = park.firm(world.provider_code)
    with pytest.raises(PermissionDenied):
        VS.confirm(provider, c.id)              # only the enterprise confirms
    VS.deliver(provider, c.id)
    VS.confirm(me, c.id)
    VS.cancel(me, c2.id)                        # given up: back to the quota
    assert VS.voucher(me, v.id).remaining == "60000.00"
    with pytest.raises(Conflict, match="尚未结束"):
        VS.claim(provider, world.provider, "2025Q1")
    park.advance_days(30)
    cl = VS.claim(provider, world.provider, "2025Q1")
    assert cl.amount == "40000.00"
    run = VS.settlement_run(officer, "xm-2025", "2025Q1", "PAY-Q1")
    assert (run.settled, run.paid, run.bonus) == (1, "40000.00", "8000.00")
    again = VS.settlement_run(officer, "xm-2025", "2025Q1", "PAY-Q1")
    assert (again.settled, again.already, again.paid) == (0, 1, "0.00")
    p = next(x for x in VS.providers(officer, "xm-2025") if x.id == world.provider)
    assert (p.paid, p.bonus, p.receivable) == ("40000.00", "8000.00", "0.00")
    park.advance_days(300)
    assert VS.expire_due(officer, "xm-2025") == {"expired": 1, "returned": "60000.00"}
    s = VS.scheme(officer, "xm-2025")
    assert s.balances["budget"] == "952000.00"     # 1,000,000 − 40,000 paid − 8,000 bonus
    assert s.balances["funding"] == "-1000000.00"
    _head, rows = VS.reconciliation(officer, "xm-2025")
    assert sum(r[5] for r in rows if r and r[1] != "balance") == 0


def test_the_clause_gives_the_amount_and_the_budget_holds(world: World) -> None:
    officer = world.park.staff()
    with pytest.raises(Conflict, match="不符合"):     # no sector, no figures: not eligible
        VS.issue(officer, "xm-2025", Issue(enterprise=world.firms[0]))
    VS.issue(officer, "xm-2025", Issue(enterprise=world.firms[0], amount="999999"))
    with pytest.raises(Conflict, match="预算余额"):
        VS.issue(officer, "xm-2025", Issue(enterprise=world.firms[1], amount="2"))


def test_who_may(world: World) -> None:
    park, officer = world.park, world.park.staff()
    v = VS.issue(officer, "xm-2025", Issue(enterprise=world.firms[0], amount="1000"))
    other = park.firm(world.firms[1])
    with pytest.raises(PermissionDenied):
        VS.voucher(other, v.id)
    with pytest.raises(PermissionDenied):
        VS.redeem(other, v.id, Redeem(provider=world.provider, number="X1", amount="10"))
    with pytest.raises(PermissionDenied):
        VS.issue(other, "xm-2025", Issue(enterprise=world.firms[1], amount="1000"))
    assert VS.vouchers(other, "xm-2025") == []
    assert len(VS.vouchers(park.staff("leadership"), "xm-2025")) == 1
    with pytest.raises(PermissionDenied):
        VS.apply_provider(other, "xm-2025", ProviderApply.model_validate({
            "enterprise": world.firms[0], "items": [{"code": "x1", "title_zh": "x",
                                                     "title_en": "x", "service_class": "finance",
                                                     "price": "1"}]}))


def test_a_provider_below_the_pass_mark_is_rejected_and_a_lapsed_one_refused(world: World) -> None:
    park, officer = world.park, world.park.staff()
    code = park.add_firm(700, "厦门市", "厦门火炬高新区", "厦门弱平台")
    p = VS.apply_provider(park.firm(code), "xm-2025", ProviderApply.model_validate({
        "enterprise": code, "items": [{"code": "law", "title_zh": "法律", "title_en": "Legal",
                                       "service_class": "intermediary", "price": "5000"}]}))
    out = VS.evaluate_provider(officer, p.id, ProviderEvaluate(reviews=[
        {"operations": "50", "capability": "60"}]))
    assert (out.state, out.score) == ("rejected", "56.00")
    v = VS.issue(officer, "xm-2025", Issue(enterprise=world.firms[0], amount="1000"))
    VS.lapse_provider(officer, world.provider, "认定期满")
    with pytest.raises(Conflict, match="不是有效的火炬创新平台"):
        VS.redeem(park.firm(world.firms[0]), v.id, Redeem(provider=world.provider, number="L1",
                                                          amount="100"))
    assert Decimal(VS.voucher(officer, v.id).remaining) == 1000
