"""The programme pages in-process (SQLite and PostgreSQL): the enterprise applies and
submits, the officer passes, selects and publishes the notice, anyone reads 公示 without
signing in, leadership sees the budget line; Chinese first, English on request."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from huiqi.programmes import calls
from huiqi.programmes.schemas import ProgrammeCreate
from huiqi.service import enterprises
from huiqi.service.schemas import FactSet, FactsUpdate

from .conftest import Site


@pytest.fixture
def programme(site: Site) -> str:
    ctx = site.world.ctx("admin")
    enterprises.set_facts(ctx, site.world.own, FactsUpdate(items=[FactSet(fact="honours", value=[
        {"kind": "hnte", "level": "national", "date": "2024-01-01"}])]))
    calls.create(ctx, ProgrammeCreate(
        key="lang-hnte", title_zh="高企奖励2025", title_en="High-tech award 2025", pack="language",
        clause="lang/hnte_award", mode="universal", year=2025, opens_on=dt.date(2025, 5, 1),
        closes_on=dt.date(2025, 6, 30), budget="1000000"))
    return "lang-hnte"


def _post(site: Site, url: str, **data: str) -> str:
    r = site.client.post(url, data={**data, "csrf": site.csrf()}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    return str(r.headers["location"])


def test_apply_review_select_and_publish_through_the_pages(site: Site, programme: str) -> None:
    site.sign_in("enterprise")
    listing = site.client.get("/staff/programmes")
    assert listing.status_code == 200 and "高企奖励2025" in listing.text
    where = _post(site, f"/staff/programmes/{programme}/apply")
    assert re.fullmatch(r"/staff/applications/\d+", where)
    page = site.client.get(where)
    assert "提交申报" in page.text and "资质与称号" in page.text   # the pre-filled facts
    _post(site, f"{where}/move", action="submit")
    page = site.client.get(where)
    assert "已提交" in page.text and "个工作日" in page.text
    english = site.client.get(f"{where}?lang=en")
    assert "submitted (formal review)" in english.text and "working days left" in english.text
    site.client.get(f"{where}?lang=zh")
    site.sign_in("case_officer")
    queue = site.client.get(f"/staff/programmes/{programme}")
    assert where in queue.text and "已提交" in queue.text
    _post(site, f"{where}/move", action="pass")
    _post(site, f"{where}/select")
    _post(site, f"{where}/move", action="publicise")
    version = re.compile(r'<small class="muted">[\w-]+@[^<]+</small>')  # the pack version
    assert version.search(site.client.get(where).text)  # staff see which version decided
    site.sign_in("enterprise")  # the enterprise reads no pack version (issue 16, item 2)
    assert "¥50,000" in (mine := site.client.get(where).text) and not version.search(mine)
    site.sign_in(None)
    notice = site.client.get("/public/notice")
    assert notice.status_code == 200 and "青岛海纳微电子有限公司" in notice.text and "¥50,000" in notice.text
    english = site.client.get("/public/notice?lang=en")
    assert "Public notice of proposed awards" in english.text
    site.sign_in("leadership")
    budgets = site.client.get("/staff/budgets")
    assert budgets.status_code == 200 and "¥50,000" in budgets.text
    site.sign_in("reviewer")
    assert "暂无评审任务" in site.client.get("/staff/reviews").text


def test_a_step_that_is_not_possible_is_a_409_page(site: Site, programme: str) -> None:
    site.sign_in("enterprise")
    where = _post(site, f"/staff/programmes/{programme}/apply")
    site.sign_in("case_officer")
    r = site.client.post(f"{where}/move", data={"action": "pass", "csrf": site.csrf()},
                         follow_redirects=False)
    assert r.status_code == 409 and "不能“形式审查通过”" in r.text
