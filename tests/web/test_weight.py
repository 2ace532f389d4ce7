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
