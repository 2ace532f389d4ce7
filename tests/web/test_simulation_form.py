"""The simulation form for common reforms (issue 16, item 7): a parameter from a date, a
clause switched off, a cap changed — no YAML; and every error in Chinese (an empty reform
gets no Pydantic message)."""

from __future__ import annotations

import datetime as dt
import re

import yaml

from .conftest import Site

# the test pack's rd_subsidy: 10% of ¥800,000 (the enterprise of the fixture) = ¥80,000


def _post(site: Site, **data: str) -> tuple[int, str]:
    r = site.client.post("/staff/simulation", data={"csrf": site.csrf(), "pack": "language",
                                                    "source": "form", **data})
    return r.status_code, r.text


def _cost_change(html: str) -> str:
    m = re.search(r"data-cost-change>([^<]+)<", html)
    assert m is not None, html[html.find("alert"):][:1500]
    return m.group(1)


def test_a_parameter_a_cap_and_a_clause_switched_off_without_yaml(site: Site) -> None:
    site.sign_in("policy_officer")
    form = site.client.get("/staff/simulation").text
    assert 'value="lang/rd_share"' in form and "研发补助比例(现为 10%)" in form
    status, html = _post(site, kind="parameter", parameter="lang/rd_share", value="15%",
                         start="2024-01-01")
    assert status == 200 and _cost_change(html) == "¥40,000"
    generated = re.search(r'<textarea id="reform"[^>]*>([^<]*)</textarea>', html)
    assert generated is not None and "lang/rd_share" in generated.group(1)
    doc = yaml.safe_load(generated.group(1).replace("&#39;", "'").replace("&#34;", '"'))
    assert doc["changes"] == [{"parameter": "lang/rd_share",
                               "values": {dt.date(2024, 1, 1): "15%"}}]
    status, html = _post(site, kind="cap", capped="lang/rd_subsidy", value="6万元",
                         start="2024-01-01")
    assert status == 200, html[:3000]
    assert _cost_change(html) == "−¥20,000"  # capped at ¥60,000 instead of ¥80,000
    status, html = _post(site, kind="switch_off", clause="lang/rd_subsidy")
    assert status == 200 and "停止执行" in html and "80,000" in _cost_change(html)


def test_errors_are_in_chinese(site: Site) -> None:
    site.sign_in("policy_officer")
    status, html = _post(site, kind="parameter", parameter="lang/rd_share", value="")
    assert status == 422 and "请填写新的数值" in html
    status, html = _post(site, kind="switch_off", clause="")
    assert status == 422 and "请选择条款" in html
    status, html = _post(site, kind="parameter", parameter="lang/rd_share", value="很多")
    assert status == 422 and "改革方案未通过检查" in html
    for empty in ("", "   \n", "# 只有注释\n", "id: x\ntitle: 空\n"):
        r = site.client.post("/staff/simulation", data={"csrf": site.csrf(), "pack": "language",
                                                        "source": "reform", "reform": empty})
        assert r.status_code == 422 and "改革方案是空的" in r.text, empty
        assert "Input should be" not in r.text and "None" not in r.text
    r = site.client.post("/staff/simulation", data={"csrf": site.csrf(), "pack": "language",
                                                    "source": "reform", "reform": "- a\n- b\n"})
    assert r.status_code == 422 and "改革方案应以" in r.text
    r = site.client.post("/staff/simulation", data={"csrf": site.csrf(), "pack": "language",
                                                    "source": "draft"})
    assert r.status_code == 422 and "请选择要模拟的草稿版本" in r.text
