"""Weight (issue 16, item 8): every response compressed, static files under hashed names kept
a year, ECharts loaded only where a chart is drawn."""

from __future__ import annotations

import re

from huiqi.web.assets import IMMUTABLE, REVALIDATE, asset, digest

from .conftest import Site


def test_pages_and_api_are_compressed(site: Site) -> None:
    site.sign_in("policy_officer")
    for path in ("/calculator", "/staff/policies", "/staff", "/openapi.json"):
        r = site.client.get(path, headers={"accept-encoding": "gzip"})
        assert r.status_code == 200, path
        assert r.headers.get("content-encoding") == "gzip", path
        assert "content-security-policy" in r.headers  # the security headers stay


def test_static_files_under_hashed_names_are_kept_a_year(site: Site) -> None:
    hashed = asset("echarts.common.min.js")
    assert re.fullmatch(r"/static/echarts\.common\.min\.[0-9a-f]{10}\.js", hashed)
    assert digest("echarts.common.min.js") in hashed
    r = site.client.get(hashed, headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["cache-control"] == IMMUTABLE
    assert r.headers["content-encoding"] == "gzip"
    plain = site.client.get("/static/huiqi.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == REVALIDATE
    stale = site.client.get("/static/huiqi.0123456789.css")  # last release's name
    assert stale.status_code == 200 and stale.headers["cache-control"] == REVALIDATE
    assert site.client.get("/static/missing.0123456789.css").status_code == 404


def test_echarts_only_where_a_chart_is_drawn(site: Site) -> None:
    site.sign_in("policy_officer")
    form = site.client.get("/staff/simulation").text
    assert "echarts" not in re.sub(r'data-echarts="[^"]*"', "", form)  # named, not loaded
    assert '<script src="/static/echarts' not in form
    site.sign_in("leadership")
    assert "echarts.common.min." in site.client.get("/dashboard").text


def test_summaries_number_their_pages_carry_a_disclaimer_and_keep_amounts_numbers(
        site: Site, monkeypatch: object) -> None:
    """Item 8: PDFs with page numbers, a disclaimer and the park's contact; an Excel summary
    whose amount columns hold numbers only (a possible amount in a column of its own)."""
    import io

    import pytest
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from pypdf import PdfReader

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("HUIQI_PARK_CONTACT", "测试区企业服务中心 0532-12345678")
    site.sign_in("enterprise")
    pdf = site.client.get(f"/match/{site.world.own}/summary.pdf")
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    texts = ["".join(p.extract_text().split()) for p in pages]
    for n, text in enumerate(texts, start=1):
        assert f"第{n}页/共{len(texts)}页" in text and "测试区企业服务中心0532-12345678" in text
    assert "仅供参考" in "".join(texts) and "以主管部门审核为准" in "".join(texts)
    xlsx = site.client.get(f"/match/{site.world.own}/summary.xlsx")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()]
    header = next(r for r in rows if r[0] == "条款")
    amount, possible = header.index("金额"), header.index("可能金额(补全信息后)")
    body = rows[rows.index(header) + 1:]
    assert body and all(r[amount] is None or isinstance(r[amount], int | float) for r in body)
    assert all(r[possible] is None or isinstance(r[possible], int | float) for r in body)
    assert not any("可能" in str(r[amount]) for r in body)
