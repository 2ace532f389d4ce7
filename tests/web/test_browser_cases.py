"""Service cases in a real browser (Chromium driven by Playwright, as in test_browser): one
test for each kind of case — an approval project, a supervised measure, a request rated
差评 whose rectification cannot be closed without evidence, a move that changes nothing
until both districts approve. The cases are opened over the API; the rest is done on the
pages."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from service_fixtures import make_settings

from . import test_browser as B
from .test_browser import PASSWORD, _free_port, built, chromium, shot, sign_in
from .test_phone import on_a_phone

browser, page = B.browser, B.page  # the browser and a page of it, as in test_browser

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """As test_browser's server, with no limit on sign-ins per minute: these tests sign in
    as four roles in turn, many times a minute, from one address."""
    import uvicorn

    from huiqi.web import create_app

    chromium()
    url, info = built(tmp_path_factory, "browser-cases")
    # the enterprises were registered in their districts a month ago, not on the day of the
    # import (a move takes effect today, after its current place began)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        con.execute("UPDATE entity_location SET valid_from = date(valid_from, '-30 days')")
    app = create_app(make_settings(database_url=url, rate_limit_login_per_minute=0,
                                   rate_limit_login_account_per_minute=0,
                                   rate_limit_anonymous_per_minute=0))
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


def _api(server: dict[str, str], role: str, method: str, path: str,
         body: dict[str, Any] | None = None) -> Any:
    def call(url: str, data: dict[str, Any] | None, token: str | None = None) -> Any:
        req = urllib.request.Request(server["base"] + url, method=method if token else "POST",
                                     data=json.dumps(data).encode() if data is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"}
                                                 if token else {})})
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    token = call("/auth/login", {"username": f"b_{role}", "password": PASSWORD})["access_token"]
    return call(path, body, token)


def _step(page: Any, name: str, reason: str = "") -> None:
    if reason:
        page.locator(f"#reason-{name}").fill(reason)
    page.locator(f"button[data-step='{name}']").click()
    page.wait_for_load_state()


def test_an_approval_project_from_its_template(page: Any, server: dict[str, str]) -> None:
    pid = _api(server, "case_officer", "POST", "/cases/projects", {
        "credit_code": server["code"], "title": "浏览器测试重大项目", "template": "industrial",
        "green": True, "agents": ["b_case_officer", "b_admin"]})["id"]
    sign_in(page, "case_officer")
    page.goto("/staff/cases?kind=project")
    first = page.locator("table.cases tbody tr").first
    assert first.get_attribute("data-case") == str(pid)  # the green channel on top
    assert "绿色通道" in first.inner_text()
    first.locator("a").first.click()
    page.wait_for_load_state()
    assert page.locator("table.cases tbody tr").count() == 7  # every item of the template
    page.locator("#summary").fill("上门了解用地进展")
    page.get_by_role("button", name="记录").click()
    page.wait_for_load_state()
    assert page.locator("[data-event='project.contact']").count() == 1
    page.locator("table.cases tbody tr").first.locator("a").first.click()
    page.wait_for_load_state()
    _step(page, "submit")
    assert page.locator("[data-state]").inner_text() == "审批中"
    assert page.locator("[data-target='approve']").is_visible()
    shot(page, "case-item")
    failures = on_a_phone(page)  # a case's page, with its steps (issue 16, item 1)
    sign_in(page, "enterprise")
    page.goto("/my/projects")
    assert page.locator(f"[data-project='{pid}']").is_visible()
    assert failures == [], "\n".join(failures)


def test_a_measure_overdue_on_the_leaders_dashboard(page: Any, server: dict[str, str]) -> None:
    deadline = dt.date.today() - dt.timedelta(days=3)
    mid = _api(server, "case_officer", "POST", "/cases/measures", {
        "title": "浏览器测试措施", "area": "政务服务", "department": "行政审批局",
        "deadline": deadline.isoformat(), "number": "99"})["id"]
    sign_in(page, "case_officer")
    page.goto(f"/staff/cases/{mid}")
    _step(page, "begin")
    page.locator("#percent").fill("40")
    page.locator("#text").fill("已梳理流程")
    page.get_by_role("button", name="报送").click()
    page.wait_for_load_state()
    assert page.locator("[data-event='measure.progress']").count() == 1
    sign_in(page, "leadership")
    page.goto("/dashboard/cases")
    row = page.locator("tr.overdue", has_text="浏览器测试措施")
    assert row.is_visible() and "逾期" in row.inner_text()
    assert page.locator("tr.overdue", has_text="行政审批局").count() >= 1
    shot(page, "cases-dashboard", full=True)
    failures = on_a_phone(page)
    assert failures == [], "\n".join(failures)


def test_a_poor_rating_cannot_be_closed_without_evidence(page: Any,
                                                         server: dict[str, str]) -> None:
    sign_in(page, "enterprise")
    page.goto("/my/requests")
    page.locator("#category").select_option("finance")
    page.locator("#title").fill("浏览器测试诉求")
    page.locator("#description").fill("需要流动资金贷款")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    rid = page.url.rstrip("/").split("/")[-1]
    sign_in(page, "case_officer")
    page.goto(f"/staff/cases/{rid}")
    _step(page, "acknowledge")
    _step(page, "answer", "已对接两家银行")
    _step(page, "resolve")
    sign_in(page, "enterprise")
    page.goto(f"/staff/cases/{rid}")
    page.get_by_label("2 不满意").check()
    page.locator("#comment").fill("答复太慢")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert page.locator("[data-rating='2']").is_visible()
    fix = page.locator("table.cases tbody tr").first.get_attribute("data-case")
    sign_in(page, "case_officer")
    page.goto(f"/staff/cases/{fix}")
    page.locator("#reason-close").fill("已约谈")
    response = None
    with page.expect_response(lambda r: r.url.endswith("/step")) as info:
        page.locator("button[data-step='close']").click()
    response = info.value
    page.wait_for_load_state()
    assert response.status == 409
    assert "整改证明材料" in page.content()
    page.goto(f"/staff/cases/{fix}")
    assert page.locator("[data-state]").inner_text() == "整改中"
    page.locator("#file").set_input_files({"name": "整改报告.pdf", "mimeType": "application/pdf",
                                           "buffer": b"%PDF-1.4 evidence"})
    page.locator("#purpose").select_option("evidence")
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    assert page.locator("[data-file='evidence']").count() == 1
    _step(page, "close", "已整改并回访企业")
    assert page.locator("[data-state]").inner_text() == "已整改"
    sign_in(page, "leadership")
    page.goto("/dashboard/cases")
    assert page.locator("[data-rectify='closed']").count() >= 1


def test_a_move_changes_nothing_until_both_districts_approve(page: Any,
                                                             server: dict[str, str]) -> None:
    code = server["code"]
    sign_in(page, "admin")
    page.goto(f"/staff/enterprises/{code}")
    before = page.locator(".card", has_text="区县 / 园区").inner_text()
    sign_in(page, "enterprise")
    page.goto("/my/requests")
    page.locator("#to_district").fill("浏览器测试区")
    page.locator("#reason").fill("扩大产能")
    page.get_by_role("button", name="申请").click()
    page.wait_for_load_state()
    mid = page.url.rstrip("/").split("/")[-1]
    assert page.locator("[data-state]").inner_text() == "已申请"

    def district() -> str:
        page.goto(f"/staff/enterprises/{code}")
        return str(page.locator(".card", has_text="区县 / 园区").inner_text())

    sign_in(page, "case_officer")
    page.goto(f"/staff/cases/{mid}")
    _step(page, "release")
    assert page.locator("[data-state]").inner_text() == "迁出地已同意"
    assert district() == before  # one district's approval moves nothing
    page.goto(f"/staff/cases/{mid}")
    with page.expect_response(lambda r: r.url.endswith("/step")) as info:
        page.locator("button[data-step='admit']").click()
    assert info.value.status == 409  # the new district's approval is its own staff's
    assert district() == before
    sign_in(page, "admin")  # of no district: refused too, until it belongs to the new one
    page.goto(f"/staff/cases/{mid}")
    with page.expect_response(lambda r: r.url.endswith("/step")) as info:
        page.locator("button[data-step='admit']").click()
    assert info.value.status == 409
    page.goto("/staff/accounts")
    row = page.locator("tr", has=page.locator("th", has_text="b_admin"))
    row.locator("input[name='district']").fill("浏览器测试区")
    row.locator("form", has=page.locator("input[name='district']")).get_by_role("button").click()
    page.wait_for_load_state()
    assert page.locator("td[data-district='浏览器测试区']").count() == 1
    page.goto(f"/staff/cases/{mid}")
    _step(page, "admit")
    assert page.locator("[data-state]").inner_text() == "已迁入"
    assert page.locator("[data-event='move.handover']").count() == 1
    assert "浏览器测试区" in district()
    shot(page, "case-move")
