"""The programme journey in a real browser (issue 12): an enterprise applies → formal
review returns it → it resubmits → five reviewers score (one declares a conflict and is not
shown the application) → decision → the 公示 page, visible without sign-in → payment → the
award is the enterprise's honour, and the rule that reads it changes its next match.

The server's clock is one the test moves (the 公示 period passes in working days)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from huiqi.facts.credit_code import make
from huiqi.packs.files import read_folder
from service_fixtures import ROOT, make_settings

from .test_browser import CHROMIUM_ARGS, PASSWORD, _free_port, chromium, shot, sign_in_as
from .test_phone import axe, overflow

pytestmark = pytest.mark.slow
REVIEWERS = [f"p_reviewer{i}" for i in range(1, 6)]
CODE = make("9", "1", "450300", "MA5GL001")


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2025, 6, 3, 2, 0, tzinfo=dt.UTC)   # Tuesday, 10:00 in China

    def __call__(self) -> dt.datetime:
        return self.now


def _build(url: str) -> None:
    from huiqi.programmes import calls
    from huiqi.programmes.panel import GUILIN
    from huiqi.programmes.schemas import HonourSpec, MaterialSpec, ProgrammeCreate, RubricSpec
    from huiqi.service import accounts, enterprises, policies
    from huiqi.service.context import Platform
    from huiqi.service.permissions import Role
    from huiqi.service.schemas import EnterpriseCreate, FactSet, FactsUpdate
    from huiqi.store.database import Database

    db = Database.connect(url)
    db.upgrade()
    platform = Platform(db, make_settings(database_url=url, as_of=None), Clock())
    ctx = platform.system()
    v = policies.upload(ctx, "seed", read_folder(ROOT / "policies" / "seed"))
    policies.publish(ctx, "seed", v.number)
    enterprises.create(ctx, EnterpriseCreate(credit_code=CODE, name="桂林漓江精密制造有限公司",
                                             kind="enterprise", district="七星区", park="桂林高新区",
                                             since=dt.date(2012, 3, 1)))
    enterprises.set_facts(ctx, CODE, FactsUpdate(items=[FactSet(fact="city", value="桂林市")]))
    accounts.create(ctx, "p_enterprise", "企业用户", Role.ENTERPRISE, PASSWORD, CODE)
    for name, role in (("p_officer", Role.CASE_OFFICER), ("p_leader", Role.LEADERSHIP)):
        accounts.create(ctx, name, name, role, PASSWORD)
    for name in REVIEWERS:
        accounts.create(ctx, name, name, Role.REVIEWER, PASSWORD)
    calls.create(ctx, ProgrammeCreate(
        key="gl-2025", title_zh="2025年桂林市市长质量奖", title_en="Guilin Mayor's Quality Award 2025",
        pack="seed", clause="gl-mayor-quality/award", mode="competitive", year=2025,
        opens_on=dt.date(2025, 5, 1), closes_on=dt.date(2025, 6, 30), budget="1000000",
        materials=[MaterialSpec(kind="report", label_zh="自评报告", label_en="Self-assessment")],
        rubric=RubricSpec.model_validate(GUILIN.to_json()), reviewers=REVIEWERS,
        honour=HonourSpec(fact="awards", kind="quality", level="municipal")))
    db.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    from huiqi.web import create_app

    chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('journey') / 'huiqi.db'}"
    _build(url)
    app = create_app(make_settings(database_url=url, as_of=None))
    clock = Clock()
    app.state.platform.clock = clock
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
    yield {"base": f"http://127.0.0.1:{port}", "clock": clock, "platform": app.state.platform}
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(server: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """A fresh browser context per person (each with its own cookie), CSP breaches caught;
    :meth:`check` runs axe-core (WCAG 2.1 AA) on the page shown and, narrowed to a phone's
    width, looks for anything wider than the screen."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser, self.base = browser, base
        self.errors: list[str] = []
        self.a11y: list[str] = []

    def check(self, page: Any) -> None:
        where = page.url.replace(self.base, "")
        self.a11y.extend(f"{where}: axe {v}" for v in axe(page))
        size = page.viewport_size
        page.set_viewport_size({"width": 390, "height": 844})
        wide = overflow(page)
        if wide > 0:
            self.a11y.append(f"{where}: {wide}px wider than a phone")
        page.set_viewport_size(size)

    def as_(self, user: str | None) -> Any:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                           base_url=self.base)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" and
                "Content Security Policy" in m.text else None)
        if user is not None:
            sign_in_as(page, user)
        return page


def test_the_programme_journey(browser: Any, server: dict[str, Any]) -> None:
    v = Visit(browser, server["base"])
    # the enterprise applies: the clause's facts pre-filled, confirmed, a material uploaded
    firm = v.as_("p_enterprise")
    firm.goto(f"/match/{CODE}/calendar")   # the programme's window is in the calendar
    assert firm.locator("[data-programme='gl-2025']").count() >= 1
    firm.goto(f"/match/{CODE}")   # from the matched clause to its programme
    firm.locator("tr[data-clause='gl-mayor-quality/award'] th a").click()
    firm.locator("#apply-programmes").click()
    firm.get_by_role("link", name="2025年桂林市市长质量奖").click()
    firm.locator("#apply").click()
    firm.wait_for_url("**/staff/applications/*")
    app_url = firm.url.replace(server["base"], "")
    assert firm.locator("input[name='fact:city']").input_value() == "桂林市"
    v.check(firm)   # the draft: the facts form and the upload form
    firm.locator("input[name='fact:awards']").fill("[]")
    firm.locator("#confirm-facts").click()
    firm.locator("#file").set_input_files(files=[{"name": "自评报告.pdf", "mimeType": "application/pdf",
                                                  "buffer": b"%PDF-1.4\n% self-assessment\n"}])
    firm.locator("#upload").click()
    assert "自评报告.pdf" in firm.locator("body").inner_text()
    firm.locator("#do-submit").click()
    assert "已提交" in firm.locator("#state").inner_text()
    assert "个工作日" in firm.locator("#state").inner_text()
    shot(firm, "programme-application-submitted")
    v.check(firm)
    # formal review returns it with a reason; the enterprise resubmits
    officer = v.as_("p_officer")
    officer.goto(app_url)
    officer.locator("#reason-return").fill("自评报告缺少盖章页")
    officer.locator("#do-return").click()
    assert "退回补正" in officer.locator("#state").inner_text()
    firm.goto(app_url)
    assert "自评报告缺少盖章页" in firm.locator("#note").inner_text()
    firm.locator("#do-resubmit").click()
    assert "已提交" in firm.locator("#state").inner_text()
    officer.goto(app_url)
    officer.locator("#do-pass").click()
    assert "评审中" in officer.locator("#state").inner_text()
    app_id = app_url.rsplit("/", 1)[-1]
    # five reviewers: the fifth declares a conflict and is never shown the application
    for i, name in enumerate(REVIEWERS):
        r = v.as_(name)
        r.goto(f"/staff/reviews/{app_id}")
        if i == 4:
            r.locator("#has-conflict").check()
            r.locator("#reason").fill("近4年曾为该企业提供咨询")
            r.locator("#declare").click()
            assert "已回避" in r.locator("body").inner_text()
            r.goto(f"/staff/reviews/{app_id}")
            assert "您已回避" in r.locator("body").inner_text()
            assert "自评报告.pdf" not in r.locator("body").inner_text()
            resp = r.goto(app_url)
            assert resp is not None and resp.status == 403
            continue
        r.locator("#no-conflict").check()
        r.locator("#declare").click()
        assert "自评报告.pdf" in r.locator("body").inner_text()
        for field in r.locator("input[type=number]").all():
            field.fill(str(90 - i))
        if i == 0:
            shot(r, "programme-review-rubric")
            v.check(r)
        r.locator("#submit-score").click()
        assert "已评分" in r.locator("body").inner_text()
    # the decision, then 公示
    officer.goto("/staff/programmes/gl-2025")
    officer.get_by_role("button", name="评审完成,统一决定").click()
    assert "入选" in officer.locator("body").inner_text()
    officer.get_by_role("button", name="公示拟支持名单").click()
    shot(officer, "programme-decision", full=True)
    v.check(officer)
    public = v.as_(None)
    public.goto("/public/notice")
    assert "桂林漓江精密制造有限公司" in public.locator("#notice").inner_text()
    assert "¥500,000" in public.locator("#notice").inner_text()
    shot(public, "programme-public-notice")
    v.check(public)
    # before the grant the award is still open to it (needs review)
    firm.goto(f"/match/{CODE}")
    row = firm.locator("tr[data-clause='gl-mayor-quality/award']")
    assert row.count() == 1 and "不符合" not in row.inner_text()
    # the notice period passes; the grant and the payment
    server["clock"].now += dt.timedelta(days=10)
    officer = v.as_("p_officer")
    officer.goto("/staff/programmes/gl-2025")
    officer.get_by_role("button", name="公示期满立项").click()
    officer.goto(app_url)
    assert "已立项" in officer.locator("#state").inner_text()
    v.check(officer)   # the payment form
    officer.locator("#paid_on").fill("2025-06-16")
    officer.locator("#reference").fill("桂财拨〔2025〕18号")
    officer.locator("#do-pay").click()
    assert "已拨付" in officer.locator("#state").inner_text()
    # the award is the enterprise's honour, and the rule reading it changes the next match
    firm = v.as_("p_enterprise")
    firm.goto(f"/staff/enterprises/{CODE}")
    awards = firm.locator("tr", has_text="获奖情况").inner_text()
    assert "申报项目授予" in awards and "p_officer" in awards   # recorded by the grant, with provenance
    firm.goto(f"/match/{CODE}")
    row = firm.locator("tr[data-clause='gl-mayor-quality/award']")
    assert row.count() == 0 or "不符合" in row.inner_text()
    leader = v.as_("p_leader")
    leader.goto("/staff/budgets")
    assert "¥500,000" in leader.locator("body").inner_text()
    shot(leader, "programme-budgets")
    v.check(leader)
    for path in ("/staff/programmes", "/my/applications"):
        firm.goto(path)
        v.check(firm)
    r = v.as_(REVIEWERS[0])
    r.goto("/staff/reviews")
    v.check(r)
    assert v.errors == []
    assert v.a11y == [], "\n".join(v.a11y)
