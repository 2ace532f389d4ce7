"""Review decisions and declared facts in a real browser (Debian's Chromium driven by
Playwright; issue 11): the review panel's officer finds an enterprise waiting on a scored
condition, records the score with its evidence and sees the enterprise's status change; an
enterprise completes a fact the declared-facts example pack declares, by its label, on the
self-service page, staff confirm it, and the enterprise sees its result change. No page
breaches the Content-Security-Policy."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service_fixtures import ROOT, make_settings

from .test_browser import DAY, PASSWORD, browser, chromium, page, serving, shot, sign_in

__all__ = ["browser", "page"]  # the fixtures, used by name

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "examples" / "packs" / "declared-facts"
FIRM = "9133020170000001X7"  # the example's eligible firm, its doctorates not given


def _firm(cat: Any) -> list[Any]:
    """The example's first firm as of the test's day (its product line's revenue of the year
    before), without its count of doctorates."""
    from huiqi.facts.io import load_enterprises

    text = (EXAMPLE / "enterprises.yaml").read_text(encoding="utf-8")
    first = "- id: " + text.split("\n- id: ")[1].replace("    phd_staff: 5\n", "").replace(
        "2025: {product_line_revenue", "2024: {product_line_revenue")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "firm.yaml"
        path.write_text(first, encoding="utf-8")
        return load_enterprises(path, cat)


def _build(url: str) -> dict[str, str]:
    """The reviews test pack and the declared-facts example published, the example's firm,
    a run of the reviews pack, and an account of each role that takes part."""
    from huiqi.packs.files import read_folder
    from huiqi.registry.imports import import_enterprises
    from huiqi.service import accounts, matching, policies
    from huiqi.service.catalogue import platform_catalogue
    from huiqi.service.context import Platform
    from huiqi.service.permissions import Role
    from huiqi.store.database import Database

    db = Database.connect(url)
    db.upgrade()
    platform = Platform(db, make_settings(database_url=url))
    ctx = platform.system()
    for key, folder in (("reviews", ROOT / "tests" / "packs" / "reviews"),
                        ("declared-facts", EXAMPLE)):
        v = policies.upload(ctx, key, [(p, c) for p, c in read_folder(folder)
                                       if p != "enterprises.yaml"])
        policies.publish(ctx, key, v.number)
    cat = platform_catalogue(ctx)
    import_enterprises(db, cat, _firm(cat), by="system", at=platform.now(), source="generator",
                       display="browser tests")
    matching.run(ctx, "reviews", DAY)
    for role in (Role.REVIEWER, Role.CASE_OFFICER, Role.ENTERPRISE):
        accounts.create(ctx, f"b_{role.value}", f"测试{role.label.zh}", role, PASSWORD,
                        FIRM if role is Role.ENTERPRISE else None)
    db.dispose()
    return {"code": FIRM}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    from huiqi.web import create_app

    chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-decisions') / 'huiqi.db'}"
    info = _build(url)
    with serving(create_app(make_settings(database_url=url))) as base:
        yield {**info, "base": base}


def _status(page: Any, code: str, clause: str) -> str:
    page.goto(f"/match/{code}?all=1")
    row = page.locator(f'tr[data-clause="{clause}"]')
    cls = row.locator(".status").first.get_attribute("class") or ""
    return next(c[len("status-"):] for c in cls.split() if c.startswith("status-"))


def test_an_officer_records_a_score_and_the_status_changes(page: Any,
                                                           server: dict[str, str]) -> None:
    code = server["code"]
    sign_in(page, "reviewer")
    assert _status(page, code, "panel/project") == "needs_review"
    page.goto("/staff/decisions")
    page.get_by_role("link", name="专家评审").click()
    page.wait_for_load_state()
    section = page.locator('section[data-condition="panel/project/panel"]')
    assert section.locator(f'tr[data-waiting="{code}"]').count() == 1
    assert "待审核" in section.locator(f'tr[data-waiting="{code}"]').inner_text()
    section.locator(f'tr[data-waiting="{code}"] a').click()
    page.wait_for_load_state()
    form = page.locator('section[data-condition="panel/project/panel"] form')
    form.locator('input[name="score:score"]').fill("80")
    form.get_by_label("依据(评审意见、材料或会议纪要)").fill("评审会纪要:得分80分")
    shot(page, "review-decision-form")
    form.get_by_role("button", name="记录决定").click()
    page.wait_for_load_state()
    assert "决定已记录" in page.locator(".notice").inner_text()
    history = page.locator("tr[data-decision]")
    assert history.count() == 1 and "评审会纪要:得分80分" in history.first.inner_text()
    assert _status(page, code, "panel/project") == "eligible"
    page.goto("/staff/decisions/reviews")
    section = page.locator('section[data-condition="panel/project/panel"]')
    assert section.locator(f'tr[data-waiting="{code}"]').count() == 0


def test_an_enterprise_completes_a_declared_fact_and_its_result_changes(
        page: Any, server: dict[str, str]) -> None:
    code = server["code"]
    sign_in(page, "enterprise")
    assert _status(page, code, "product-line/award") == "undetermined"
    row = page.locator('tr[data-clause="product-line/award"]')
    assert "博士人数" in row.inner_text()  # what is missing, by its declared label
    row.locator("a.complete").click()
    page.wait_for_load_state()
    field = page.get_by_label("博士人数")
    field.fill("5")
    shot(page, "declared-fact-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已提交工作人员确认" in page.content()  # it waits for staff: it can change money
    sign_in(page, "case_officer")
    page.goto("/staff/claims")
    claim = page.locator("tr[data-claim]", has_text="博士人数")
    claim.get_by_role("button", name="确认").click()
    page.wait_for_load_state()
    sign_in(page, "enterprise")
    assert _status(page, code, "product-line/award") == "eligible"
    assert "430,000" in page.locator('tr[data-clause="product-line/award"]').inner_text()


def test_the_decisions_pages_fit_a_phone_and_pass_axe(page: Any, server: dict[str, str]
                                                      ) -> None:
    """The three decisions pages: no axe-core violation (WCAG 2.1 AA) on a desktop; on a
    phone no wider than the screen, and none either."""
    from .test_phone import PHONE, axe, check

    paths = ["/staff/decisions", "/staff/decisions/reviews",
             f"/staff/decisions/reviews/{server['code']}"]
    sign_in(page, "reviewer")
    failures: list[str] = []
    for path in paths:
        page.goto(path)
        failures.extend(f"{path}: axe {v}" for v in axe(page))
    page.set_viewport_size(PHONE)
    for path in paths:
        check(page, path, False, failures)
    shot(page, "phone-decision")
    assert failures == [], "\n".join(failures)
