"""The pages in a real browser: Debian's Chromium, driven by Playwright, against the app
served by uvicorn in a thread on a free port of 127.0.0.1, over a test database with the
policy packs published, a generated park matched, and one account of each role.

The tests take screenshots of the main pages: into the folder HUIQI_SCREENSHOTS names
(``make screenshots`` renews docs/screenshots/, which the README shows), else into a
temporary folder, so that a test run leaves the checkout as it was. Without Chromium they
are skipped, unless HUIQI_REQUIRE_BROWSER=1 (CI), where they fail and say how to install
it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from huiqi.packs.files import read_folder
from service_fixtures import ROOT, make_settings

PASSWORD = "Browser-Test-Pass-9"
SHOTS = Path(os.environ.get("HUIQI_SCREENSHOTS")
             or Path(tempfile.gettempdir()) / "huiqi-screenshots")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DAY = dt.date(2025, 6, 1)
ENTERPRISES = 300

pytestmark = pytest.mark.slow


def chromium() -> str:
    """Debian's Chromium, or skip (fail under HUIQI_REQUIRE_BROWSER=1) saying how to get it."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                         else None)
    if found is None:
        why = ("Chromium is not installed: `apt-get install -y chromium fonts-wqy-microhei` "
               "(the browser tests drive Debian's Chromium; Playwright downloads none)")
        if os.environ.get("HUIQI_REQUIRE_BROWSER") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _build(url: str) -> dict[str, str]:
    """A database like the demo's, smaller: packs, a park, accounts, stored results; and a
    draft of the language test pack with a mistake in it."""
    from sqlalchemy import func, select

    from huiqi import generator
    from huiqi.facts.catalogue import default_catalogue
    from huiqi.registry.imports import import_enterprises
    from huiqi.service import accounts, matching, policies
    from huiqi.service.context import Platform
    from huiqi.service.permissions import Role
    from huiqi.store.database import Database
    from huiqi.store.models import Entity, MatchResult

    settings = make_settings(database_url=url)
    db = Database.connect(url)
    db.upgrade()
    platform = Platform(db, settings)
    ctx = platform.system()
    for key in ("national", "seed"):
        v = policies.upload(ctx, key, read_folder(ROOT / "policies" / key))
        policies.publish(ctx, key, v.number)
    files = dict(read_folder(ROOT / "tests" / "packs" / "language"))
    files["lang.yaml"] = files["lang.yaml"].replace(b'when: park == "\xe6\xb5\x8b\xe8\xaf\x95\xe5\x8c\xba"',
                                                    b"when: park == \xe6\xb5\x8b\xe8\xaf\x95\xe5\x8c\xba and", 1)
    policies.upload(ctx, "language", sorted(files.items()), "draft with a mistake")
    cat = default_catalogue()
    import_enterprises(db, cat, generator.enterprises(ENTERPRISES, 7, DAY, cat), by="system",
                       at=platform.now(), source="generator", display="browser tests")
    for key in ("national", "seed"):
        matching.run(ctx, key, DAY)
    with db.read() as s:  # the enterprise user: the one that can get the most
        code = s.execute(select(Entity.credit_code).join(MatchResult, MatchResult.entity_id
                                                         == Entity.id)
                         .where(MatchResult.status == "eligible").group_by(Entity.credit_code)
                         .order_by(func.sum(MatchResult.amount).desc()).limit(1)).scalar_one()
        # an enterprise paid an amount the text does not give (marked assumed on its pages)
        seed = policies.pack_of(ctx, "seed")
        assumed = [c.key for c in seed.clauses() if c.benefit is not None and c.benefit.assumed]
        assumed_code = s.execute(select(Entity.credit_code).join(
            MatchResult, MatchResult.entity_id == Entity.id)
            .where(MatchResult.status == "eligible", MatchResult.clause_key.in_(assumed))
            .order_by(Entity.credit_code).limit(1)).scalar_one()
        district = s.scalar(select(Entity.district).where(Entity.credit_code == code))
    for role in Role:  # the case officer of the enterprise user's district
        accounts.create(ctx, f"b_{role.value}", f"测试{role.label.zh}", role, PASSWORD,
                        code if role is Role.ENTERPRISE else None,
                        district=district if role is Role.CASE_OFFICER else None)
    db.dispose()
    return {"code": code, "assumed_code": assumed_code}


def built(tmp_path_factory: pytest.TempPathFactory, name: str) -> tuple[str, dict[str, str]]:
    """A database of :func:`_build` of this module's own (the URL of a file in a new folder
    ``name``), and what ``_build`` returned. The test run builds it once, in whichever process
    asks first (the others wait for it), and each module gets a copy: the modules change
    their databases, and building one takes longer than some modules' tests."""
    import fcntl
    import json
    import sqlite3

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the run's folder, above each worker's own
        shared = shared.parent
    template, about = shared / "browser-template.db", shared / "browser-template.json"
    with open(shared / "browser-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not about.exists():
            making = shared / "browser-template.making.db"
            making.unlink(missing_ok=True)
            info = _build(f"sqlite:///{making}")
            making.rename(template)
            about.write_text(json.dumps(info), encoding="utf-8")
    info = json.loads(about.read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp(name) / "huiqi.db"
    source, copy = sqlite3.connect(template), sqlite3.connect(path)
    try:
        source.backup(copy)  # the whole database, whatever its write-ahead log still held
    finally:
        source.close()
        copy.close()
    return f"sqlite:///{path}", info


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    from huiqi.web import create_app

    chromium()
    url, info = built(tmp_path_factory, "browser")
    with serving(create_app(make_settings(database_url=url), warm=True)) as base:
        yield {**info, "base": base}


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free port of 127.0.0.1: its base URL."""
    import uvicorn

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
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(server: dict[str, str]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: dict[str, str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN",
                                  base_url=server["base"])
    context.set_default_timeout(15_000)
    # every breach of the Content-Security-Policy, whatever page it happens on, is reported
    # on the console (scripts Playwright adds are not subject to the page's policy)
    context.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                            "console.error('CSP violation: ' + e.violatedDirective + ' by ' + "
                            "(e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + "
                            "e.lineNumber));")
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" and (
        "Content Security Policy" in m.text or m.text.startswith("CSP violation")) else None)
    yield p
    context.close()
    assert errors == [], errors


def shot(page: Any, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def sign_in(page: Any, role: str) -> None:
    """Sign in as this module's account of ``role`` (``b_<role>``)."""
    sign_in_as(page, f"b_{role}")


def sign_in_as(page: Any, user: str) -> None:
    """Sign in on the login page as ``user`` (every test account has :data:`PASSWORD`)."""
    page.goto("/login")
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_an_enterprise_user_sees_its_matches_and_one_explanation(page: Any,
                                                                  server: dict[str, str]) -> None:
    sign_in(page, "enterprise")
    assert page.url.endswith(f"/match/{server['code']}")
    rows = page.locator("tr[data-clause]")
    assert rows.count() > 0
    total = page.locator("[data-total]").inner_text()
    assert re.fullmatch(r"¥[1-9][\d,]*(\.\d\d)?", total), total
    shot(page, "enterprise-matches")
    eligible = page.locator("tr[data-clause]:has(.status-eligible) th a").first
    title = eligible.inner_text()
    eligible.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith(title)
    assert page.locator(".cond.met").count() > 0
    assert page.locator("mark").count() > 0  # the cited sentences, highlighted
    shot(page, "clause-explanation")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/match/{server['code']}")
    shot(page, "phone-matches")


def test_an_assumed_amount_is_marked_on_the_page_and_in_the_pdf(page: Any,
                                                              server: dict[str, str]) -> None:
    import io

    from pypdf import PdfReader

    sign_in(page, "policy_officer")
    page.goto(f"/match/{server['assumed_code']}")
    row = page.locator("tr[data-clause]:has(.status-eligible):has([data-assumed])").first
    mark = row.locator("[data-assumed]")
    assert mark.is_visible() and mark.inner_text() == "假定"
    assert "金额为假定" in (mark.get_attribute("title") or "")
    amount = row.locator("td.num strong").inner_text()
    assert re.fullmatch(r"¥[1-9][\d,]*(\.\d\d)?", amount), amount
    total = page.locator("[data-assumed-total]")
    assert total.is_visible() and total.inner_text().startswith("含假定金额 ¥")
    shot(page, "assumed-amount")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 PDF 摘要").click()
    data = Path(info.value.path()).read_bytes()
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert f"{amount}(假定)" in text, text[:400]
    assert "含假定金额" + total.inner_text().removeprefix("含假定金额 ") in text


def _answer(page: Any) -> None:
    """Answer the question on screen as a small industrial enterprise in Xiamen might."""
    form = page.locator("#question")
    figures = form.locator("input[name^='v:']")
    if figures.count():  # a fiscal year's figures, on one screen
        for i in range(figures.count()):
            label = form.locator(f"label[for='{figures.nth(i).get_attribute('id')}']").inner_text()
            figures.nth(i).fill("8%" if "比例" in label or "占比" in label else
                                "30" if "人" in label or "项" in label else "500万")
        form.get_by_role("button", name="下一题").click()
        return
    radios = form.locator("input[name=value]")
    if radios.count() and radios.first.get_attribute("type") in ("radio", "checkbox"):
        values = [radios.nth(i).get_attribute("value") for i in range(radios.count())]
        label = form.locator("legend").inner_text()
        if form.locator("input[name=part]").count():  # boxes to tick: the good ones
            for i in range(radios.count()):
                box = radios.nth(i)
                words = box.locator("xpath=..").inner_text()
                if not any(w in words for w in ("列入", "禁止", "限制", "失信", "异常", "不适用",
                                                 "违法")):
                    box.check()
            form.get_by_role("button", name="下一题").click()
            return
        negative = any(w in label for w in ("列入", "禁止", "失信", "异常", "不适用", "违法"))
        choice = ("false" if negative else "true") if "true" in values else (
            "none" if "none" in values else values[0])
        form.locator(f"input[name=value][value='{choice}']").check()
    else:
        box = form.locator("#q-value")
        kind = box.get_attribute("type")
        hint = form.inner_text()
        if kind == "date":
            value = "2018-03-01"
        elif form.locator("#q-format").count():
            value = "8%" if "比例" in hint else "30" if "数字" in hint else "五百万"
        else:
            options = form.locator("datalist option")
            label = form.locator("#q-label").inner_text()
            value = "厦门市" if "城市" in label else (
                options.first.get_attribute("value") if options.count() else "厦门火炬高新区")
        box.fill(value)
    form.get_by_role("button", name="下一题").click()


def test_a_visitor_answers_the_questionnaire_and_gets_a_result(page: Any) -> None:
    page.goto("/calculator")
    question = page.locator("#q-label")
    assert question.is_visible()
    # the first question has the focus: a manager types at once
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "q-value"
    shot(page, "calculator-question")
    screens = 0
    def answered(page: Any, act: Any) -> None:
        """Act, then wait until htmx has put the answer's page in place."""
        with page.expect_response(lambda r: r.request.method == "POST" and
                                  r.url.endswith("/calculator")):
            act()
        page.wait_for_function("() => !document.querySelector("
                               "'.htmx-request, .htmx-swapping, .htmx-settling')")

    for _ in range(60):
        if page.locator("#result-h").count():
            break
        screens += 1
        answered(page, lambda: _answer(page))
        if page.locator("#q-error").count():
            answered(page, lambda: page.get_by_role("button", name="不清楚,跳过").click())
    assert page.locator("#result-h").is_visible()
    assert page.locator("tr[data-clause]").count() > 0
    assert screens <= 20, screens  # it asked up to 44 single questions before
    shot(page, "calculator-result")


def test_a_policy_officer_sees_a_drafts_error_inline_then_publishes_a_good_one(page: Any) -> None:
    sign_in(page, "policy_officer")
    page.goto("/staff/policies/language/1")
    page.get_by_role("button", name="检查").click()
    alert = page.locator("#check .alert")
    alert.wait_for()
    assert "未通过检查" in alert.inner_text() and "lang.yaml:" in alert.inner_text()
    shot(page, "policy-check-error")
    alert.locator("a").first.click()
    page.wait_for_load_state()
    bad = page.locator(".line.bad")
    assert bad.count() == 1 and "测试区" in bad.inner_text()
    editor = page.get_by_label("lang.yaml")
    editor.fill(editor.input_value().replace("when: park == 测试区 and", 'when: park == "测试区"'))
    page.get_by_role("button", name="另存为新草稿").click()
    page.wait_for_load_state()
    assert page.url.endswith("/staff/policies/language/2")
    page.get_by_role("button", name="检查").click()
    page.locator("#check .notice").wait_for()
    page.get_by_role("link", name="与已发布版本比较并发布").click()  # four eyes: not its author
    page.wait_for_load_state()
    assert "由您上传" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="已核对差异,发布").count() == 0
    sign_in(page, "admin")
    page.goto("/staff/policies/language/2/diff")
    assert "lang.yaml" in page.locator("main").inner_text()
    shot(page, "policy-diff")
    page.get_by_role("button", name="已核对差异,发布").click()
    page.wait_for_load_state()
    assert "已发布" in page.locator(".notice").inner_text()
    shot(page, "policy-published")


def test_an_administrator_creates_an_account_and_reads_the_audit_log_in_chinese(
        page: Any) -> None:
    sign_in(page, "admin")
    page.goto("/staff/accounts")
    page.get_by_label("账号(字母、数字、_.@-)").fill("wang.wu")
    page.get_by_label("姓名").fill("王五")
    page.locator("#new-role").select_option("case_officer")
    page.get_by_role("button", name="创建").click()
    page.wait_for_load_state()
    once = page.locator("[data-shown-once]")
    assert "仅显示这一次" in once.inner_text() and len(once.locator("code").inner_text()) >= 20
    row = page.locator("tr", has_text="wang.wu")
    assert "未开启" in row.inner_text()
    shot(page, "accounts")
    row.get_by_role("button", name="停用").click()
    page.wait_for_load_state()
    assert "已停用" in page.locator(".notice").inner_text()
    page.goto("/staff")
    assert page.locator("[data-todo]").count() >= 3  # the console's to-do counts
    page.goto("/staff/audit")
    page.get_by_label("操作类别").select_option("account")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    log = page.locator("table").inner_text()
    assert "新建账号" in log and "修改账号" in log and "成功" in log and "account.create" not in log
    shot(page, "audit-log")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.startswith("huiqi-audit-")


def test_an_import_with_a_bad_row_shows_the_report(page: Any) -> None:
    from huiqi.facts.credit_code import make

    sign_in(page, "case_officer")
    page.goto("/staff/imports")
    c1, c2 = make("9", "1", "350200", "MA8BRW01"), make("9", "1", "350200", "MA8BRW02")
    csv = f"id,name,revenue@2024,industry\n{c1},一号科技有限公司,100,other\n" \
          f"{c2},二号科技有限公司,abc,造船\n"
    page.set_input_files("#file", files=[{"name": "企业数据.csv", "mimeType": "text/csv",
                                          "buffer": csv.encode()}])
    page.get_by_role("button", name="导入").click()
    page.wait_for_load_state()
    report = page.locator("#report")
    assert "校验报告" in report.inner_text()
    cells = [c.inner_text() for c in report.locator("tbody tr").first.locator("td").all()]
    assert cells[:3] == ["3", "3", "abc"], cells
    shot(page, "import-report")


def test_a_user_without_the_right_is_refused(page: Any) -> None:
    sign_in(page, "reviewer")
    response = page.goto("/staff/audit")
    assert response is not None and response.status == 403
    assert "无权访问" in page.get_by_role("heading", level=1).inner_text()
    shot(page, "refused")


def test_screens_of_the_console_and_the_dashboard(page: Any, server: dict[str, str]) -> None:
    sign_in(page, "leadership")
    assert page.url.endswith("/dashboard")
    page.locator("[data-chart] svg").first.wait_for()
    shot(page, "dashboard", full=True)
    sign_in(page, "policy_officer")
    page.goto("/staff/policies/seed/1/text/xm-torch-voucher")
    shot(page, "policy-text")
    page.goto(f"/staff/enterprises/{server['code']}")
    shot(page, "enterprise-profile")
    page.goto("/staff/simulation")
    assert page.evaluate("() => !window.echarts")  # not loaded until a chart is drawn
    page.locator("select#pack").select_option("seed")  # the sample reform is of the seed pack
    page.locator("input[name=source][value=reform]").check()
    page.get_by_role("button", name="xm-voucher-raise.yaml").click()  # fills the YAML box
    page.get_by_role("button", name="测算").click()
    page.locator("#simulation [data-cost-change]").wait_for(timeout=60_000)
    page.locator("#simulation [data-chart] svg").first.wait_for()
    shot(page, "simulation", full=True)
