"""The analytics pages in-process: the evaluation, the chain map, the market, the exports."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

from huiqi.analytics import evaluation as E
from huiqi.analytics import framework as F
from huiqi.analytics import market as M
from huiqi.analytics import sample
from huiqi.analytics.schemas import ListingCreate
from service_fixtures import CODE_A, CODE_B

from .conftest import Site


def test_evaluation_page_and_export(site: Site) -> None:
    fw = F.get("gxq-2021")
    p = sample.generate(fw, n=25, years=(2024, 2025), seed=9, home_rank=4)
    E.store_generated(site.platform.system(), p.codes, p.names, p.values, fw, sample.HOME, "t")
    site.sign_in("leadership")
    r = site.client.get("/staff/evaluation")
    assert r.status_code == 200, r.text[:500]
    assert sample.HOME in r.text and 'data-kpi="rank"' in r.text
    assert re.search(r"/static/echarts\.common\.min\.[0-9a-f]{10}\.js", r.text)  # hashed, kept a year
    assert "未核实" in r.text  # the four unconfirmed group weights are marked
    assert r.text.count("<tr><td>") >= 40 and "全部 40 项二级指标" in r.text  # the framework
    assert "已录入 1 个一级指标(共 6 个)、4 个二级指标(共 43 个)" in r.text  # the 2024 revision
    en = site.client.get("/staff/evaluation?lang=en")
    assert "Park evaluation" in en.text and "unconfirmed" in en.text and "园区评价" not in en.text
    x = site.client.get("/staff/evaluation/export.xlsx?year=2025")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws is not None and ws.max_row == 2 + 25
    assert "echarts" not in site.client.get("/staff/market").text


def test_the_first_visit_after_an_import_computes_nothing(site: Site,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's round computed the evaluation when the statistics came in: the page's
    first visit reads it (no Monte Carlo) and shows what a direct computation gives."""
    calls: list[int] = []
    real = E.monte_carlo

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(E, "monte_carlo", counted)
    fw = F.get("gxq-2021")
    p = sample.generate(fw, n=25, years=(2024, 2025), seed=9, home_rank=4)
    E.store_generated(site.platform.system(), p.codes, p.names, p.values, fw, sample.HOME, "t")
    assert E.refresh_round(site.platform, "test") == 2 and len(calls) == 2
    site.platform.cache.clear()  # as after a restart: only the stored results
    site.sign_in("leadership")
    r = site.client.get("/staff/evaluation")
    assert r.status_code == 200 and len(calls) == 2 and "data-computing" not in r.text
    home = next(x for x in E.evaluate(site.platform.system(), 2025).parks if x.home)
    assert len(calls) == 2 and home.rank == 4 and home.interval is not None
    kpi = re.search(r'data-kpi="interval">(\d+)–(\d+)<', r.text)
    assert kpi is not None and (int(kpi[1]), int(kpi[2])) == home.interval


def test_while_the_worker_computes_the_page_shows_the_previous_result(tmp_path: Any) -> None:
    """On a database threads share (as served), the page never waits for the Monte Carlo:
    after a new import it shows the previous result and says a new one is being computed."""
    from fastapi.testclient import TestClient

    from huiqi.service import accounts
    from huiqi.service.permissions import Role
    from huiqi.web import create_app
    from service_fixtures import shared_platform

    with shared_platform("sqlite", tmp_path, "evaluation-page") as platform:
        settings = platform.settings
        ctx = platform.system()
        accounts.create(ctx, "leader", "领导", Role.LEADERSHIP, "Quiet-river-2026-9a", None)
        fw = F.get("gxq-2021")
        p = sample.generate(fw, n=12, years=(2025,), seed=9, home_rank=4)
        E.store_generated(ctx, p.codes, p.names, p.values, fw, sample.HOME, "t")
        client = TestClient(create_app(settings, platform=platform))  # no worker started
        client.post("/login", data={"username": "leader", "password": "Quiet-river-2026-9a"})
        first = client.get("/staff/evaluation")
        assert first.status_code == 200 and "正在计算" in first.text  # nothing computed yet
        assert 'data-kpi="rank"' not in first.text and "data-empty" not in first.text
        E.refresh_round(platform, "test")
        done = client.get("/staff/evaluation")
        assert "data-computing" not in done.text and 'data-kpi="rank">第4 名' in done.text
        q = sample.generate(fw, n=12, years=(2025,), seed=10, home_rank=4)
        E.store_generated(ctx, q.codes, q.names, q.values, fw, sample.HOME, "t")
        meanwhile = client.get("/staff/evaluation?lang=en")
        assert "Being computed" in meanwhile.text and "previous result" in meanwhile.text
        assert 'data-kpi="rank"' in meanwhile.text


def test_evaluation_page_without_statistics(site: Site) -> None:
    site.sign_in("leadership")
    r = site.client.get("/staff/evaluation")
    assert r.status_code == 200 and "data-empty" in r.text


def test_chain_page_and_market_page(site: Site) -> None:
    site.sign_in("case_officer")
    r = site.client.get("/staff/chains/battery?year=2025")
    assert r.status_code == 200 and "chain-flow" in r.text and "招商" in r.text
    # the full ECharts build (it has the graph series), only here, under its hashed name
    assert re.search(r"/static/echarts\.min\.[0-9a-f]{10}\.js", r.text)
    spec = json.loads(re.search(r'id="c-chain">(.*?)</script>', r.text, re.S)[1])  # type: ignore[index]
    segments = [n for n in spec["nodes"] if n["kind"] == "segment"]
    assert [n["id"] for n in segments] == ["materials", "cells", "storage", "applications"]
    assert all("营收" in n["label"] and "增长" in n["label"] for n in segments)
    assert {"source": "cells", "target": "storage", "kind": "flow"} in spec["links"]
    for name in ("targets", "export"):
        x = site.client.get(f"/staff/chains/battery/{name}.xlsx?year=2025")
        assert x.status_code == 200 and x.content[:2] == b"PK"
    M.create_listing(site.world.ctx("case_officer"), ListingCreate(
        side="demand", credit_code=CODE_A, category="mcu", title="门控 MCU",
        specs={"flash_kb": 512}, contact="王工"))
    M.create_listing(site.world.ctx("case_officer"), ListingCreate(
        side="offer", credit_code=CODE_B, category="mcu", title="M4 MCU",
        specs={"flash_kb": 1024}, contact="李经理"))
    site.sign_in("enterprise")
    r = site.client.get("/staff/market")
    assert r.status_code == 200 and "门控 MCU" in r.text and 'data-action="interest"' in r.text
    assert "王工" not in r.text and "李经理" not in r.text  # no contacts before both consent


def test_an_enterprise_posts_a_demand_from_the_page(site: Site) -> None:
    from huiqi.web.routes.market import parse_specs

    from .conftest import csrf_of

    assert parse_specs("flash_kb: 4096\ntemperature_c: -40~125\ncore: Cortex-M7/Cortex-R5") == {
        "flash_kb": 4096, "temperature_c": [-40, 125], "core": ["Cortex-M7", "Cortex-R5"]}
    site.sign_in("enterprise")
    page = site.client.get("/staff/market")
    assert 'id="new-listing"' in page.text and 'name="credit_code"' not in page.text
    r = site.client.post("/staff/market/listings", follow_redirects=False, data={
        "csrf": csrf_of(page.text), "side": "demand", "category": "mcu", "title": "座椅控制 MCU",
        "specs": "flash_kb: 512\ntemperature_c: -40~105", "qualifications": ["AEC-Q100-G2"],
        "contact": "采购 赵工"})
    assert r.status_code == 303, r.text[:300]
    mine = [ls for ls in M.listings(site.world.ctx("enterprise")) if ls.mine]
    assert mine and mine[0].specs == {"flash_kb": 512, "temperature_c": [-40, 105]}
    r = site.client.post("/staff/market/listings", data={
        "csrf": csrf_of(page.text), "side": "demand", "category": "mcu", "title": "x",
        "specs": "no colon here", "contact": "y"})
    assert r.status_code == 422


def test_statistics_upload_from_the_page(site: Site) -> None:
    from .conftest import csrf_of

    site.sign_in("case_officer")
    page = site.client.get("/staff/evaluation")
    assert 'action="/staff/evaluation/statistics"' in page.text
    head = "park_code,park_name,indicator,year,value,source,note\n"
    bad = head + "GXQ1,甲高新区,rd_intensity,2025,abc,统计局,\n"
    r = site.client.post("/staff/evaluation/statistics", data={"csrf": csrf_of(page.text)},
                         files={"file": ("s.csv", bad.encode())})
    assert r.status_code == 422 and "abc" in r.text
    good = head + "".join(f"GXQ{i},高新区{i},rd_intensity,2025,{i},统计局,\n" for i in range(1, 6))
    r = site.client.post("/staff/evaluation/statistics", data={"csrf": csrf_of(page.text)},
                         files={"file": ("s.csv", good.encode())}, follow_redirects=True)
    assert r.status_code == 200 and "高新区3" in r.text
    site.sign_in("leadership")
    assert 'action="/staff/evaluation/statistics"' not in site.client.get("/staff/evaluation").text


def test_every_analytics_export_keeps_a_hostile_name_as_text(site: Site) -> None:
    import datetime as dt

    import numpy as np
    from openpyxl import load_workbook

    from huiqi.analytics import chain
    from huiqi.analytics.schemas import MemberDecision
    from huiqi.service import enterprises
    from huiqi.service.schemas import EnterpriseUpdate

    from .test_exports import ANALYTICS_EXPORTS, HOSTILE

    system = site.platform.system()
    fw = F.get("gxq-2021")
    p = sample.generate(fw, n=12, years=(2025,), seed=1, home_rank=2)
    p.names[0] = HOSTILE
    p.values[2025][0, :] = np.where(np.isnan(p.values[2025][0, :]), 1.0, p.values[2025][0, :])
    E.store_generated(system, p.codes, p.names, p.values, fw, sample.HOME, "t")
    admin = site.world.ctx("admin")
    enterprises.update(admin, site.world.own, EnterpriseUpdate(
        name=HOSTILE, park=sample.HOME, moved_on=dt.date(2025, 7, 1)))
    chain.decide(admin, "battery", MemberDecision(segment="cells", credit_code=site.world.own,
                                                  decision="include", leader=True))
    M.create_listing(admin, ListingCreate(side="demand", credit_code=CODE_A, category="mcu",
                                          title=HOSTILE, specs={"flash_kb": 512}, contact="x"))
    M.create_listing(admin, ListingCreate(side="offer", credit_code=CODE_B, category="mcu",
                                          title="M4", specs={"flash_kb": 512}, contact="y"))
    site.sign_in("admin")
    for path in sorted(ANALYTICS_EXPORTS):
        url = path.replace("{key}", "battery") + "?year=2025"
        r = site.client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        wb = load_workbook(io.BytesIO(r.content))
        cells = [(c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows()
                 for c in row if c.value is not None]
        assert not [v for v, t in cells if t == "f"], url  # no formula anywhere
        if "targets" not in url:  # the targets list names no enterprise or park
            assert any(t == "s" and str(v).startswith(HOSTILE) for v, t in cells), url
