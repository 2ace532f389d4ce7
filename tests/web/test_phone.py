"""The pages on a phone (390 × 844, as most managers read them, inside WeChat), and for
everyone, axe-core (WCAG 2.1 AA) on every page.

- no page is wider than the screen (the document's scrollWidth ≤ the viewport; a wide table
  scrolls inside its own box, or becomes cards);
- on the enterprise's pages every tap target is at least 44 × 44 px;
- axe-core finds no violation of WCAG 2.0/2.1 A and AA on any page, on a phone and on a
  desktop.

axe-core's script (MPL-2.0, from the npm package ``axe-core``) is kept in
``tests/web/fixtures`` for the tests only; the site never ships it. The screenshots of the
phone pages go where the other browser tests put theirs (``make screenshots``: the README).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .test_browser import browser, server, shot, sign_in  # noqa: F401  (fixtures)

PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).with_name("fixtures") / "axe.min.js"

pytestmark = pytest.mark.slow


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def phone(browser: Any, server: dict[str, str]) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", base_url=server["base"])
    context.set_default_timeout(15_000)
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    context.close()
    assert errors == [], errors


def overflow(page: Any) -> int:
    """How many pixels the page is wider than the screen (0: none)."""
    return int(page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"))


SMALL_TARGETS = """() => {
  const out = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    let box = el;
    if (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) {
      box = el.closest('label');
    }
    if (seen.has(box)) continue;
    seen.add(box);
    const r = box.getBoundingClientRect();
    const style = getComputedStyle(box);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    if (r.right <= 0 || r.left >= window.innerWidth) continue;  // off screen (the skip link)
    if (r.width < 43.5 || r.height < 43.5) {
      out.push(`${el.tagName.toLowerCase()} “${(el.innerText || el.value || el.name || '')
        .trim().slice(0, 30)}” ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return out;
}"""


def small_targets(page: Any) -> list[str]:
    return list(page.evaluate(SMALL_TARGETS))


def axe(page: Any) -> list[str]:
    """The violations axe-core finds (WCAG 2.0 and 2.1, levels A and AA), as lines."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(axe_source())
    found = page.evaluate("""async () => {
      const r = await window.axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
      return r.violations.map(v => v.id + ': ' + v.help + ' — ' +
        v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return list(found)


def on_a_phone(page: Any) -> list[str]:
    """axe-core on the page shown, then, narrowed to a phone's width, how much wider than the
    screen it is — for the browser tests of other areas, whose pages need their own data."""
    where = re.sub(r"^https?://[^/]+", "", page.url)
    found = [f"{where}: axe {v}" for v in axe(page)]
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    wide = overflow(page)
    if wide > 0:
        found.append(f"{where}: {wide}px wider than a phone")
    page.set_viewport_size(size)
    return found


def enterprise_pages(code: str) -> list[str]:
    return [f"/match/{code}", f"/match/{code}?all=1", f"/match/{code}/calendar",
            f"/match/{code}/facts", f"/staff/enterprises/{code}", "/library", "/inbox",
            "/inbox/settings", "/my/requests",
            "/my/requests?pack=seed&clause=xm-torch-voucher/voucher", "/my/applications",
            "/my/projects", "/my/surveys", "/inbox/settings/mine"]


VISITOR_PAGES = ["/", "/login", "/calculator", "/library", "/library/seed/xm-torch-voucher",
                 "/library?kind=title", "/library?state=expired&q=没有这样的政策",
                 "/public/notice", "/public/challenges", "/public/competitions",
                 "/unsubscribe/1.bm90LWEtcmVhbC10b2tlbg", "/no-such-page"]
#: every staff page of this area (the analytics pages and the reviews' pages are checked by
#: their own areas' browser tests)
STAFF_PAGES = ["/staff", "/staff/policies", "/staff/policies/seed/1",
               "/staff/policies/seed/1/text/xm-torch-voucher",
               "/staff/policies/seed/1/files/pack.yaml", "/staff/policies/language/1",
               "/staff/policies/language/1/diff", "/staff/enterprises",
               "/staff/enterprises?q=科技", "/staff/results",
               "/staff/results/seed/xm-torch-voucher/voucher", "/staff/simulation",
               "/staff/imports", "/staff/audit", "/staff/audit?kind=account&outcome=ok",
               "/staff/audit/verify",
               "/staff/claims", "/staff/accounts", "/dashboard", "/dashboard/cases",
               "/staff/cases", "/staff/plans", "/staff/standards", "/staff/push/dead",
               "/staff/programmes", "/staff/budgets", "/staff/vouchers", "/staff/challenges",
               "/staff/competitions", "/inbox"]


def _clause_page(page: Any, code: str) -> str:
    page.goto(f"/match/{code}")
    href = page.locator("tr[data-clause] th a").first.get_attribute("href")
    assert href
    return str(href)


def check(page: Any, path: str, targets: bool, failures: list[str]) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    wide = overflow(page)
    if wide > 0:
        failures.append(f"{path}: {wide}px wider than the screen")
    if targets:
        failures.extend(f"{path}: small tap target {t}" for t in small_targets(page))
    failures.extend(f"{path}: axe {v}" for v in axe(page))


def test_a_visitor_on_a_phone(phone: Any) -> None:
    failures: list[str] = []
    for path in VISITOR_PAGES:
        check(phone, path, True, failures)
    # the calculator's result: its tables become cards, nothing wider than the screen
    phone.goto("/calculator")
    phone.get_by_role("button", name="直接看结果").click()
    phone.locator("#result-h").wait_for()
    phone.wait_for_load_state("networkidle")
    wide = overflow(phone)
    if wide > 0:
        failures.append(f"calculator result: {wide}px wider than the screen")
    failures.extend(f"calculator result: small tap target {t}" for t in small_targets(phone))
    failures.extend(f"calculator result: axe {v}" for v in axe(phone))
    phone.goto("/calculator")
    shot(phone, "phone-calculator")
    phone.goto("/library")
    shot(phone, "phone-library")
    phone.goto("/library/seed/xm-torch-voucher")
    shot(phone, "phone-library-policy")
    assert failures == [], "\n".join(failures)


def test_an_enterprise_user_on_a_phone(phone: Any, server: dict[str, str]) -> None:  # noqa: F811
    sign_in(phone, "enterprise")
    code = server["code"]
    failures: list[str] = []
    pages = [*enterprise_pages(code), _clause_page(phone, code)]
    for path in pages:
        check(phone, path, True, failures)
    assert failures == [], "\n".join(failures)
    phone.goto(f"/match/{code}")
    # the header is one line: the name and a menu button that opens the sections
    header = phone.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 64, header
    menu = phone.get_by_role("button", name="菜单")
    nav_link = phone.locator("header.top").get_by_role("link", name="申报日历")
    assert menu.is_visible() and not nav_link.is_visible()
    shot(phone, "phone-matches")
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav_link.is_visible()
    shot(phone, "phone-menu")
    phone.goto(pages[-1])
    shot(phone, "phone-clause")
    phone.goto(f"/match/{code}/facts")
    shot(phone, "phone-facts")


def test_staff_pages_on_a_phone_are_not_wider_than_the_screen(
        phone: Any, server: dict[str, str]) -> None:  # noqa: F811
    from huiqi.facts.credit_code import make

    sign_in(phone, "admin")
    failures: list[str] = []
    for path in [*STAFF_PAGES, f"/staff/plans/{server['code']}"]:
        check(phone, path, False, failures)
    # an import's report, with a row refused
    phone.goto("/staff/imports")
    csv = f"id,name,revenue@2024\n{make('9', '1', '350200', 'MA8PHN01')},手机导入科技有限公司,abc\n"
    phone.set_input_files("#file", files=[{"name": "企业数据.csv", "mimeType": "text/csv",
                                           "buffer": csv.encode()}])
    phone.get_by_role("button", name="导入").click()
    phone.locator("#report").wait_for()
    wide = overflow(phone)
    if wide > 0:
        failures.append(f"the import's report: {wide}px wider than the screen")
    failures.extend(f"the import's report: axe {v}" for v in axe(phone))
    phone.goto("/staff/imports")  # a batch's own page
    href = phone.locator("td a[href^='/staff/imports/']").first.get_attribute("href")
    assert href and re.fullmatch(r"/staff/imports/\d+", href), href
    check(phone, href, False, failures)
    assert failures == [], "\n".join(failures)


#: The pages the tests above do not visit, and where each is looked at on a phone and by
#: axe-core instead — or why not. A new page must be added to a list above or here.
ELSEWHERE = {
    "/staff/applications/{app_id}": "test_browser_programmes.py",
    "/staff/programmes/{key}": "test_browser_programmes.py",
    "/staff/reviews": "test_browser_programmes.py",
    "/staff/reviews/{app_id}": "test_browser_programmes.py",
    "/staff/cases/{case_id}": "test_browser_cases.py",
    "/staff/challenges/{key}": "test_browser_challenges.py",
    "/staff/challenge-tasks/{task_id}": "test_browser_challenges.py",
    "/public/challenges/{key}": "test_browser_challenges.py",
    "/staff/competitions/{key}": "test_browser_competitions.py",
    "/staff/competition-problems/{problem_id}": "test_browser_competitions.py",
    "/public/competitions/problems/{problem_id}": "test_browser_competitions.py",
    "/staff/vouchers/{key}": "test_browser_vouchers.py",
    "/staff/decisions": "test_browser_decisions.py",
    "/staff/decisions/{pack}": "test_browser_decisions.py",
    "/staff/decisions/{pack}/{code}": "test_browser_decisions.py",
    "/my": "not a page: sends each person to their own start page",
    "/staff/evaluation": "test_browser_analytics.py",
    "/staff/chains/{key}": "test_browser_analytics.py",
    "/staff/market": "test_browser_analytics.py",
    "/inbox/{message_id}": "not a page: marks the message read and goes to what it is about",
}
#: downloads: files, not pages
DOWNLOAD = re.compile(r"\.(pdf|xlsx|csv)$|/pdf$|/export$|/template/|/files/|/materials/|"
                      r"/agreement$|^/public/certificates/")


def _route(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")


def test_every_page_is_looked_at_on_a_phone() -> None:
    """Every page (GET) of the site is visited by the phone and axe-core tests — here, or
    by its area's browser test (:data:`ELSEWHERE`) — so a new page cannot be missed."""
    import importlib
    import pkgutil

    from huiqi.web import routes

    visited = [*VISITOR_PAGES, *enterprise_pages("91350200MA8PHONE00"), *STAFF_PAGES,
               "/match/{code}/{policy}/{clause}", "/staff/plans/{code}", "/staff/imports/1"]
    visited = [v.split("?", 1)[0] for v in visited]
    missed = []
    for info in pkgutil.iter_modules(routes.__path__):
        for r in importlib.import_module(f"{routes.__name__}.{info.name}").router.routes:
            path = getattr(r, "path", "")
            if "GET" not in getattr(r, "methods", ()) or DOWNLOAD.search(path):
                continue
            if path in ELSEWHERE or any(_route(path).match(v) or v == path for v in visited):
                continue
            missed.append(path)
    assert missed == []


def test_every_page_on_a_desktop_has_no_axe_violation(browser: Any,  # noqa: F811
                                                      server: dict[str, str]) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN",
                                  base_url=server["base"])
    page = context.new_page()
    failures: list[str] = []
    try:
        for path in VISITOR_PAGES:
            page.goto(path)
            failures.extend(f"{path}: axe {v}" for v in axe(page))
        sign_in(page, "enterprise")
        for path in [*enterprise_pages(server["code"]), _clause_page(page, server["code"])]:
            page.goto(path)
            failures.extend(f"{path}: axe {v}" for v in axe(page))
        sign_in(page, "admin")
        for path in STAFF_PAGES:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            failures.extend(f"{path}: axe {v}" for v in axe(page))
    finally:
        context.close()
    assert failures == [], "\n".join(failures)
