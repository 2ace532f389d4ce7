"""The analytics pages in a real browser (Debian's Chromium driven by Playwright): the
leadership evaluation page, the chain map and the market, with the demo's analytics data;
no page breaches the Content-Security-Policy (the ``page`` fixture fails the test if one
does)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service_fixtures import make_settings

from .test_browser import DAY, _free_port, browser, built, chromium, page, shot, sign_in
from .test_phone import on_a_phone

__all__ = ["browser", "page"]  # the fixtures, used by name


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    import uvicorn

    from huiqi.analytics import demo
    from huiqi.service.context import Platform
    from huiqi.store.database import Database
    from huiqi.web import create_app

    chromium()
    url, info = built(tmp_path_factory, "browser-analytics")
    db = Database.connect(url)
    made = demo.populate(Platform(db, make_settings(database_url=url)).system(), DAY,
                         info["code"])
    db.dispose()
    app = create_app(make_settings(database_url=url))
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
    yield {**info, "base": f"http://127.0.0.1:{port}", "matches": str(made.matches)}
    srv.should_exit = True
    thread.join(timeout=10)


def test_leadership_sees_the_rank_its_interval_and_the_charts(page: Any) -> None:
    sign_in(page, "leadership")
    # init-demo computed every year's evaluation (the Monte Carlo, the what-if) and kept it:
    # the page reads it, within the default timeout
    page.goto("/staff/evaluation")
    assert "第11 名 / 169" in page.locator('[data-kpi="rank"]').inner_text().replace(" ", " ")
    lo, hi = page.locator('[data-kpi="interval"]').inner_text().split("–")
    assert int(lo) <= 11 <= int(hi)
    page.locator('[data-achart="interval"] svg').first.wait_for()
    page.locator('[data-achart="trend"] svg').first.wait_for()
    assert page.locator("#t-parks tbody tr").count() == 169
    assert page.locator("#t-parks tr.home").inner_text().startswith("11")
    assert on_a_phone(page) == []  # axe-core, and no wider than a phone (issue 16)
    shot(page, "evaluation", full=True)
    with page.expect_download() as d:
        page.get_by_role("link", name="导出 Excel").click()
    assert d.value.suggested_filename.endswith(".xlsx")


def test_the_chain_map_is_drawn_with_its_targets(page: Any) -> None:
    sign_in(page, "case_officer")
    page.goto("/staff/chains/battery")
    chart = page.locator('[data-achart="chain"]')
    chart.locator("svg").first.wait_for()
    # an ECharts graph: four segments joined upstream to downstream, the leaders beside them
    drawn = page.evaluate("""() => {
        const o = echarts.getInstanceByDom(document.querySelector('[data-achart="chain"]'))
            .getOption();
        return {types: o.series.map(s => s.type),
                nodes: o.series[0].data.map(n => [n.kind, n.text]),
                links: o.series[0].links.map(l => [l.source, l.target])};
    }""")
    assert drawn["types"] == ["graph"]
    segments = [text for kind, text in drawn["nodes"] if kind == "segment"]
    assert len(segments) == 4 and any(kind == "leader" for kind, _ in drawn["nodes"])
    assert all("家" in t and "营收" in t and "增长" in t for t in segments)
    assert ["materials", "cells"] in drawn["links"] and ["storage", "applications"] in drawn["links"]
    labels = chart.locator("svg").first.text_content() or ""
    assert "营收" in labels and "增长" in labels  # drawn, not only in the tooltip
    assert page.locator("#chain-flow .segment").count() == 4
    assert page.locator("#t-targets tbody tr").count() >= 1
    assert page.get_by_text("链主").first.is_visible()
    assert on_a_phone(page) == []
    shot(page, "chain", full=True)
    # the toolbox's "save as SVG" (its icon: the top-most small drawing in the chart) saves
    # the drawing as an SVG file
    icon = page.evaluate("""() => {
        const el = document.querySelector('[data-achart="chain"]');
        const r = Array.from(el.querySelectorAll('svg path'))
            .map(p => p.getBoundingClientRect())
            .filter(b => b.width > 4 && b.width < 30 && b.height > 4 && b.height < 30)
            .sort((a, b) => a.top - b.top || b.right - a.right)[0];
        return {x: r.left + r.width / 2, y: r.top + r.height / 2};
    }""")
    with page.expect_download() as d:
        page.mouse.click(icon["x"], icon["y"])
    assert d.value.suggested_filename.endswith(".svg")
    svg = Path(d.value.path()).read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "营收" in svg


def test_the_market_shares_contacts_only_once_both_sides_said_yes(page: Any,
                                                                  server: dict[str, str]) -> None:
    if server["matches"] == "0":
        pytest.skip("the generated park has too few chip firms for the market demo")
    sign_in(page, "enterprise")
    page.goto("/staff/market")
    assert on_a_phone(page) == []
    waiting = page.locator('article.match[data-state="offer_yes"]').first
    assert waiting.locator("[data-contacts]").count() == 0
    match_id = waiting.get_attribute("id")
    waiting.locator('button[data-action="interest"]').click()
    page.wait_for_load_state()
    done = page.locator(f"article#{match_id}")
    assert done.get_attribute("data-state") == "connected"
    assert done.locator("[data-contacts]").is_visible()
    page.locator(f"article#{match_id} summary").click()
    assert done.locator("table.explain tbody tr").count() >= 5
    shot(page, "market", full=True)
