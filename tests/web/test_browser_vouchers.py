"""Innovation vouchers in a real browser (Debian's Chromium driven by Playwright), from a
voucher issued to the provider's settlement: the enterprise sees its balance and history
and confirms the delivery, the provider claims its quarter, the officer settles it (and
settling again pays nothing twice); no page breaches the Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from service_fixtures import make_settings

from .test_browser import PASSWORD, _free_port, browser, built, chromium, page, shot, sign_in
from .test_phone import on_a_phone

__all__ = ["browser", "page"]  # the fixtures, used by name


def _vouchers(url: str, code: str) -> dict[str, str]:
    """A scheme, a recognised provider with an account of its own, a voucher of the
    enterprise user's, a contract redeemed and delivered in the first quarter."""
    from sqlalchemy import select

    from huiqi.service import accounts
    from huiqi.service.context import Actor, Platform
    from huiqi.service.permissions import Role
    from huiqi.store.database import Database
    from huiqi.store.models import Entity
    from huiqi.vouchers import service as VS
    from huiqi.vouchers.schemas import (
        Issue,
        ProviderApply,
        ProviderEvaluate,
        Redeem,
        SchemeCreate,
    )

    db = Database.connect(url)
    now = dt.datetime(2025, 2, 10, 2, tzinfo=dt.UTC)
    platform = Platform(db, make_settings(database_url=url, as_of=None), clock=lambda: now)
    ctx = platform.system()
    officer = platform.as_actor(Actor(username="b_case_officer", role=Role.CASE_OFFICER))
    with db.read() as s:
        ids = dict(s.execute(select(Entity.credit_code, Entity.id).where(
            Entity.kind == "enterprise").order_by(Entity.credit_code).limit(50)).all())
        me = s.scalar(select(Entity.id).where(Entity.credit_code == code))
    pcode = next(c for c in ids if c != code)
    accounts.create(ctx, "b_provider", "测试服务机构", Role.ENTERPRISE, PASSWORD, pcode)
    VS.create_scheme(officer, SchemeCreate(key="xm-2025", title_zh="2025年火炬创新券",
                                           title_en="Torch vouchers 2025", year=2025,
                                           budget="1000000", valid_until=dt.date(2025, 12, 31)))
    provider = platform.as_actor(Actor(username="b_provider", role=Role.ENTERPRISE,
                                       entity_id=ids[pcode], entity_code=pcode))
    p = VS.apply_provider(provider, "xm-2025", ProviderApply.model_validate({
        "enterprise": pcode, "items": [{"code": "cfd", "title_zh": "流体仿真", "title_en": "CFD",
                                        "service_class": "technology", "price": "80000"}]}))
    VS.evaluate_provider(officer, p.id, ProviderEvaluate(reviews=[
        {"operations": "85", "capability": "90"}]))
    v = VS.issue(officer, "xm-2025", Issue(enterprise=code, amount="100000", tsme=True))
    firm = platform.as_actor(Actor(username="b_enterprise", role=Role.ENTERPRISE, entity_id=me,
                                   entity_code=code))
    first = VS.redeem(firm, v.id, Redeem(provider=p.id, number="HT-2025-011", amount="40000"))
    VS.deliver(provider, first.id)
    VS.confirm(firm, first.id)        # confirmed in the first quarter: claimable
    c = VS.redeem(firm, v.id, Redeem(provider=p.id, number="HT-2025-031", amount="60000"))
    VS.deliver(provider, c.id)
    db.dispose()
    return {"provider": str(p.id)}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    import uvicorn

    from huiqi.web import create_app

    chromium()
    url, info = built(tmp_path_factory, "browser-vouchers")
    info.update(_vouchers(url, info["code"]))
    app = create_app(make_settings(database_url=url))   # the day: 2025-06-01 (Q2)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield {**info, "base": f"http://127.0.0.1:{port}"}
    srv.should_exit = True
    thread.join(timeout=10)


def test_a_voucher_from_issue_to_the_providers_settlement(page: Any) -> None:
    sign_in(page, "enterprise")
    page.get_by_role("link", name="创新券").first.click()
    page.get_by_role("link", name="2025年火炬创新券").click()
    # 100,000 − 50% of 40,000 − 50% of 60,000
    assert "¥50,000" in page.locator(".voucher .remaining").inner_text()
    page.get_by_role("button", name="确认服务完成").click()
    page.wait_for_load_state()
    assert page.locator(".contracts .state").all_inner_texts() == ["企业已确认", "企业已确认"]
    shot(page, "vouchers-enterprise", full=True)
    failures = on_a_phone(page)  # the scheme as the enterprise reads it (issue 16, item 1)
    # the provider claims: Q2 runs until 30 June (refused with the reason), Q1 is claimed
    sign_in(page, "provider")
    page.goto("/staff/vouchers/xm-2025")
    page.locator("form.claim input[name=period]").fill("2025Q2")
    page.locator("form.claim button").click()
    assert "尚未结束" in page.content()
    page.goto("/staff/vouchers/xm-2025")
    page.locator("form.claim input[name=period]").fill("2025Q1")
    page.locator("form.claim button").click()
    page.wait_for_load_state()
    assert page.locator("#claims .state").all_inner_texts() == ["已申请兑付"]
    # the officer settles the quarter, twice: paid once, with the 20% bonus
    sign_in(page, "case_officer")
    for _ in range(2):
        page.goto("/staff/vouchers/xm-2025")
        page.locator("form.settle input[name=period]").fill("2025Q1")
        page.locator("form.settle input[name=reference]").fill("厦火炬兑付-2025-1")
        page.locator("form.settle button").click()
        page.wait_for_load_state()
    assert page.locator("#claims .state").all_inner_texts() == ["已兑付"]
    balances = page.locator("#balances").inner_text()
    assert "已兑付\t¥20,000" in balances and "区内机构奖励\t¥4,000" in balances
    shot(page, "vouchers-officer", full=True)
    failures += on_a_phone(page)
    assert failures == [], "\n".join(failures)
