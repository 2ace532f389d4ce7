"""A competition in a real browser (Debian's Chromium driven by Playwright), from a posted
problem to a prize: the enterprise posts its problem, the officer opens it, two teams
register on the public page without signing in, the officer closes registration and
scores the preliminary and the final pitch, and a visitor downloads the winner's
certificate (a PDF). No page breaches the Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .test_browser import browser, page, shot, sign_in
from .test_browser_challenges import server
from .test_phone import on_a_phone

__all__ = ["browser", "page", "server"]  # the fixtures, used by name

pytestmark = pytest.mark.slow


def _fill(form: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)


def _score(page: Any, values: list[str]) -> None:
    sheets = page.locator("fieldset.sheet")
    assert sheets.count() == len(values)
    for i, v in enumerate(values):
        for box in sheets.nth(i).locator("tbody tr").first.locator("input").all():
            box.fill(v)


def test_a_posted_problem_to_a_prize(page: Any) -> None:
    sign_in(page, "case_officer")
    page.goto("/staff/competitions")
    _fill(page.locator("form.new-competition"), {
        "key": "jhz-2025", "title_zh": "2025年“炬火种”创新创业大赛", "title_en": "Torch Seeds 2025",
        "organiser": "厦门火炬高新区管委会", "year": "2025", "finalists": "2"})
    page.locator("form.new-competition button").click()
    page.wait_for_load_state()
    # the enterprise posts its problem
    sign_in(page, "enterprise")
    page.get_by_role("link", name="竞赛命题").first.click()
    page.get_by_role("link", name="2025年“炬火种”创新创业大赛").click()
    form = page.locator("form.post-problem")
    _fill(form, {"code": "P1", "title_zh": "产线视觉缺陷检测", "title_en": "Vision inspection",
                 "description": "在 0.5 秒内识别焊点缺陷", "prize": "100000"})
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator(".problem-state").inner_text() == "已提交待审核"
    # the officer opens it
    sign_in(page, "case_officer")
    page.goto("/staff/competitions/jhz-2025")
    page.get_by_role("link", name="产线视觉缺陷检测").click()
    page.locator("form.move-open button").click()
    page.wait_for_load_state()
    problem_url = page.url
    # two teams register on the public page (signed out)
    page.context.clear_cookies()
    page.goto("/public/competitions")
    page.get_by_role("link", name="产线视觉缺陷检测").click()
    for name, uni in (("鹭岛视觉队", "厦门大学"), ("闽江智检队", "福州大学")):
        form = page.locator("form.register")
        _fill(form, {"name": name, "university": uni, "mentor": "王老师", "contact": "13800000000",
                     "members": f"张三|{uni}|队长\n李四|{uni}|算法\n王五|集美大学|硬件"})
        form.locator("button").click()
        page.wait_for_load_state()
        assert "报名成功" in page.content()
    # the officer closes registration, scores the preliminary, then the final pitch
    sign_in(page, "case_officer")
    page.goto(problem_url)
    page.locator("form.move-review button").click()
    page.wait_for_load_state()
    _score(page, ["85", "75"])
    page.get_by_role("button", name="提交评分,确定决赛团队").click()
    page.wait_for_load_state()
    assert page.locator(".problem-state").inner_text() == "决赛路演"
    _score(page, ["70", "90"])
    page.get_by_role("button", name="提交评分,排名颁奖").click()
    page.wait_for_load_state()
    assert page.locator(".problem-state").inner_text() == "已颁奖"
    shot(page, "competition-officer", full=True)
    failures = on_a_phone(page)  # the problem's page, scored (issue 16, item 1)
    page.goto("/staff/competitions/jhz-2025")
    failures += on_a_phone(page)
    # a visitor downloads the winner's certificate
    page.context.clear_cookies()
    page.goto("/public/competitions")
    page.get_by_role("link", name="产线视觉缺陷检测").click()
    first = page.locator("#teams tbody tr").first
    assert "闽江智检队" in first.inner_text() and "¥50,000" in first.inner_text()
    with page.expect_download() as got:
        first.locator("a.certificate").click()
    body = Path(got.value.path()).read_bytes()
    assert body.startswith(b"%PDF") and got.value.suggested_filename.endswith(".pdf")
    shot(page, "competition-public", full=True)
    failures += on_a_phone(page)
    assert failures == [], "\n".join(failures)
