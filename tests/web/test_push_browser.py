"""Push in a real browser (issue 15): the unread count in the header, a message that opens
its clause, the subscription settings saved."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from huiqi.facts.credit_code import make
from service_fixtures import make_settings

from .test_browser import CHROMIUM_ARGS, PASSWORD, _free_port, chromium, sign_in_as

pytestmark = pytest.mark.slow
PACK = Path(__file__).parents[1] / "push" / "pack"
CODE = make("9", "1", "370212", "MA3PW4H1")


def _build(url: str) -> None:
    import datetime as dt

    from huiqi.push import triggers
    from huiqi.service import accounts, enterprises, policies
    from huiqi.service.context import Platform
    from huiqi.service.permissions import Role
    from huiqi.service.schemas import EnterpriseCreate, FactSet, FactsUpdate
    from huiqi.store.database import Database

    db = Database.connect(url)
    db.upgrade()
    platform = Platform(db, make_settings(database_url=url))
    ctx = platform.system()
    enterprises.create(ctx, EnterpriseCreate(credit_code=CODE, name="青岛推送测试有限公司",
                                             kind="enterprise", district="崂山区",
                                             park="青岛高新区", since=dt.date(2019, 5, 1)))
    enterprises.set_facts(ctx, CODE, FactsUpdate(items=[
        FactSet(fact="revenue", year=2024, value="6000000")]))
    files = [(p.name, p.read_bytes().replace(b"THRESHOLD", b"5000000")
              .replace(b"AMOUNT", b"100000")) for p in sorted(PACK.iterdir())]
    v = policies.upload(ctx, "pushtest", files)
    policies.publish(ctx, "pushtest", v.number)
    assert triggers.announce(platform) == 1
    accounts.create(ctx, "p_enterprise", "推送企业", Role.ENTERPRISE, PASSWORD, CODE)
    accounts.create(ctx, "p_officer", "走访专员", Role.CASE_OFFICER, PASSWORD)
    db.dispose()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from huiqi.web import create_app

    chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('push-browser') / 'huiqi.db'}"
    _build(url)
    app = create_app(make_settings(database_url=url, worker_embedded=False))
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
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(base: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        context = b.new_context(locale="zh-CN", base_url=base)
        context.set_default_timeout(15_000)
        p = context.new_page()
        errors: list[str] = []
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.on("console", lambda m: errors.append(m.text) if m.type == "error" and
             "Content Security Policy" in m.text else None)
        yield p
        b.close()
        assert errors == [], errors


def test_the_inbox_count_a_message_opening_its_clause_and_the_settings(page: Any) -> None:
    sign_in_as(page, "p_enterprise")
    assert page.locator("#inbox-count .count").inner_text() == "1"
    page.locator("#inbox-count").click()
    page.wait_for_url("**/inbox")
    assert "100,000.00 元" in page.locator("pre.message").inner_text()
    page.get_by_role("link", name="【新符合】成长奖励").click()  # its title, not its id
    page.wait_for_url("**/library/pushtest/p#clause-growth")
    assert page.locator("#clause-growth").is_visible()
    assert page.locator("#inbox-count .count").inner_text() == "0"
    page.goto("/inbox/settings")
    page.get_by_label("电子邮件").check()
    page.get_by_label("邮箱").fill("boss@push.cn")
    page.get_by_label("发送方式").select_option("daily")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/inbox/settings?saved=true")
    assert page.get_by_label("邮箱").input_value() == "boss@push.cn"
    assert page.get_by_label("电子邮件").is_checked()
    assert page.get_by_label("发送方式").input_value() == "daily"
    page.locator("#mine-link").click()  # the user's own, beside the enterprise's
    page.wait_for_url("**/inbox/settings/mine")
    assert page.get_by_label("邮箱").input_value() == ""
    page.get_by_label("电子邮件").check()
    page.get_by_label("邮箱").fill("me@push.cn")
    page.get_by_label("申报项目").fill("gl-2025")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/inbox/settings/mine?saved=true")
    assert page.get_by_label("邮箱").input_value() == "me@push.cn"
    assert page.get_by_label("申报项目").input_value() == "gl-2025"


def test_an_officer_records_a_visit_and_downloads_the_plan_pdf(page: Any, tmp_path: Path
                                                               ) -> None:
    from pypdf import PdfReader

    sign_in_as(page, "p_officer")
    page.goto("/staff/plans")
    page.get_by_role("link", name="青岛推送测试有限公司").click()
    page.get_by_label("走访情况").fill("了解研发投入")
    page.get_by_label("跟进事项").fill("协助申报成长奖励")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "了解研发投入" in page.content()
    with page.expect_download() as d:
        page.locator("#plan-pdf").click()
    path = tmp_path / "plan.pdf"
    d.value.save_as(path)
    text = "".join(pg.extract_text() for pg in PdfReader(path).pages)
    assert "p/growth" in text and "了解研发投入" in text
