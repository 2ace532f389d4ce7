"""The pages with a browser-like client: what each area shows and does."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from huiqi.facts.credit_code import make
from huiqi.service import audit
from huiqi.service.context import Platform
from huiqi.web import create_app
from huiqi.web.pages import LANG_COOKIE, SESSION_COOKIE
from service_fixtures import PASSWORD, ROOT, make_settings

from .conftest import Site, csrf_of


def test_front_page_is_chinese_with_an_english_switch(site: Site) -> None:
    r = site.client.get("/")
    assert r.status_code == 200 and '<html lang="zh-CN">' in r.text and "政策计算器" in r.text
    en = site.client.get("/?lang=en")
    assert '<html lang="en">' in en.text and "Policy calculator" in en.text
    assert site.client.cookies.get(LANG_COOKIE) == "en"
    assert "Policy calculator" in site.client.get("/").text  # remembered
    assert "政策计算器" in site.client.get("/?lang=zh").text


def test_an_enterprise_user_signs_in_and_sees_its_matches(site: Site) -> None:
    r = site.client.post("/login", data={"username": "u_enterprise", "password": PASSWORD})
    assert r.status_code == 200 and str(r.url).endswith(f"/match/{site.world.own}")
    assert site.client.cookies.get(SESSION_COOKIE)
    assert "青岛海纳微电子有限公司" in r.text
    row = re.search(r'data-clause="lang/rd_subsidy">(.*?)</tr>', r.text, re.S)
    assert row is not None and "status-eligible" in row.group(1)
    assert "<strong>¥80,000</strong>" in row.group(1)  # 10% of ¥800,000 R&D expense
    ex = site.client.get(f"/match/{site.world.own}/lang/rd_subsidy")
    assert ex.status_code == 200
    assert "<mark id=" in ex.text and "按上年度研发费用的10%给予补助" in ex.text
    assert 'href="#q-' in ex.text  # the conditions link to the marked sentences
    cal = site.client.get(f"/match/{site.world.own}/calendar")
    assert cal.status_code == 200 and "2026-03-01 – 2026-04-30" in cal.text
    pdf = site.client.get(f"/match/{site.world.own}/summary.pdf")
    assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    xlsx = site.client.get(f"/match/{site.world.own}/summary.xlsx")
    assert zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()


def test_an_enterprise_user_is_refused_another_enterprise(site: Site) -> None:
    site.sign_in("enterprise")
    r = site.client.get(f"/match/{site.world.other}")
    assert r.status_code == 403 and "无权访问" in r.text and "审计日志" in r.text
    total, rows = audit.entries(site.platform.system(), audit.AuditQuery(
        actor="u_enterprise", outcome="denied"))
    assert total == 1 and rows[0].target == site.world.other
    found = site.client.get("/staff/enterprises?q=宁波")
    assert found.status_code == 200 and site.world.other not in found.text


def test_a_wrong_password_is_shown_on_the_form(site: Site) -> None:
    r = site.client.post("/login", data={"username": "u_enterprise", "password": "nope"})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    assert site.client.cookies.get(SESSION_COOKIE) is None


@pytest.mark.parametrize("env", ["production", "test"])
def test_cookies_are_secure_in_production_even_behind_a_proxy_that_ends_tls(
        site: Site, env: str) -> None:
    settings = make_settings(env=env)
    platform = Platform(site.platform.db, settings, site.platform.clock)
    with TestClient(create_app(settings, platform=platform)) as client:  # plain http
        r = client.post("/login?lang=en", data={"username": "u_admin", "password": PASSWORD},
                        follow_redirects=False)
    assert r.status_code == 303
    cookies = {c.split("=", 1)[0]: c.lower() for c in r.headers.get_list("set-cookie")}
    assert "httponly" in cookies[SESSION_COOKIE]
    assert ("; secure" in cookies[SESSION_COOKIE]) is (env == "production")


def test_a_visitor_is_sent_to_sign_in_and_back(site: Site) -> None:
    r = site.client.get("/staff/audit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fstaff%2Faudit"
    r = site.client.post("/login", data={"username": "u_admin", "password": PASSWORD,
                                         "next": "/staff/audit"})
    assert str(r.url).endswith("/staff/audit") and "审计日志" in r.text
    r = site.client.post("/login", data={"username": "u_admin", "password": PASSWORD,
                                         "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/staff"


def test_signing_out_ends_the_session(site: Site) -> None:
    site.sign_in("reviewer")
    r = site.client.post("/logout", data={"csrf": site.csrf()}, follow_redirects=False)
    assert r.status_code == 303
    site.client.cookies.set(SESSION_COOKIE, site.world.tokens["reviewer"])
    r = site.client.get("/staff", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def _answer_all(site: Site) -> tuple[str, list[str]]:
    """Answer every question; the last page, and the pages' questions in order."""
    r = site.client.get("/calculator")
    html = r.text
    asked: list[str] = []
    fields: dict[str, str] = {}
    for _ in range(40):
        m = re.search(r'name="q" value="([^"]+)"', html)
        if m is None:
            return html, asked
        q = m.group(1)
        asked.append(q)
        if q == "park":
            assert '<option value="测试区">' in html  # the value the policy names
        fields = dict(re.findall(r'name="(a:[^"]+)" value="([^"]*)"', html))
        parts = re.findall(r'name="part" value="([^"]+)"', html)
        if parts:  # several facts on one screen: figures, or boxes to tick
            data: dict[str, Any] = {**fields, "q": q, "part": parts, "action": "answer"}
            if q.startswith("group:checks"):
                data["value"] = parts
            else:
                data.update({f"v:{k}": "100万" for k in parts})
            html = site.client.post("/calculator", data=data).text
            continue
        value = {"park": "测试区"}.get(q)
        if value is None:
            opts = re.findall(r'name="value" value="([^"]+)"', html)
            value = "true" if "true" in opts else (opts[0] if opts else "1000000")
            if 'type="date"' in html:
                value = "2019-05-01"
        html = site.client.post("/calculator", data={**fields, "q": q, "value": value,
                                                     "action": "answer"}).text
    raise AssertionError(f"the questionnaire did not end: {asked}")


def test_the_questionnaire_asks_what_settles_most_and_reaches_a_result(site: Site) -> None:
    first = site.client.get("/calculator")
    assert first.status_code == 200
    # where the firm is comes first: it decides which policies matter
    assert 'name="q" value="park"' in first.text
    html, asked = _answer_all(site)
    # then the figures of 2024 on one screen, revenue first: it is missing in 4 clauses
    assert asked[:2] == ["park", "group:figures@revenue@2024"] and len(asked) == len(set(asked))
    assert "测算结果" in html and 'data-clause="lang/' in html
    fields = dict(re.findall(r'name="(a:[^"]+)" value="([^"]*)"', html))
    assert fields["a:park"] == "测试区"
    pdf = site.client.post("/calculator/summary.pdf", data={**fields, "name": "测试企业"})
    assert pdf.content.startswith(b"%PDF")
    clause = site.client.post("/calculator/clause", data={**fields, "clause": "lang/rd_subsidy"})
    assert clause.status_code == 200 and "<mark id=" in clause.text


def test_a_bad_answer_is_asked_again_with_the_reason(site: Site) -> None:
    r = site.client.post("/calculator", data={"a:park": "测试区", "q": "rd_expense@2024",
                                              "value": "abc", "action": "answer"})
    assert r.status_code == 200 and "不是数字" in r.text
    assert 'name="q" value="rd_expense@2024"' in r.text


def test_skipping_and_stopping_early(site: Site) -> None:
    r = site.client.post("/calculator", data={"q": "park", "action": "skip"})
    assert 'name="skip" value="park"' in r.text and 'name="q" value="park"' not in r.text
    done = site.client.post("/calculator", data={"a:park": "测试区", "action": "result"})
    assert "测算结果" in done.text


def test_a_policy_officer_checks_a_draft_sees_the_error_and_publishes_a_fix(site: Site) -> None:
    site.sign_in("policy_officer")
    page = site.client.get("/staff/policies/language/1/files/lang.yaml")
    text = page.text
    assert page.status_code == 200 and "另存为新草稿" in text
    from huiqi.packs.files import read_folder

    from .conftest import LANGUAGE

    good = dict(read_folder(LANGUAGE))["lang.yaml"].decode()
    bad = good.replace('when: park == "测试区"', 'when: park == 测试区 and', 1)
    r = site.client.post("/staff/policies/language/1/files/lang.yaml",
                         data={"content": bad, "csrf": csrf_of(text)})
    assert r.status_code == 200 and str(r.url).endswith("/staff/policies/language/2")
    checked = site.client.post("/staff/policies/language/2/check", data={"csrf": site.csrf()})
    assert checked.status_code == 422 and "未通过检查" in checked.text
    line = re.search(r"lang\.yaml:(\d+):\d+", checked.text)
    assert line is not None and line.group(1) == str(bad[:bad.index("测试区 and")].count("\n") + 1)
    shown = site.client.get(f"/staff/policies/language/2/files/lang.yaml#L{line.group(1)}")
    assert f'<div class="line bad" id="L{line.group(1)}">' in shown.text
    own = site.client.post("/staff/policies/language/2/publish", data={"csrf": site.csrf()})
    assert own.status_code == 409 and "另一位" in own.text  # four eyes: not by its author
    r = site.client.post("/staff/policies/language/2/files/lang.yaml",
                         data={"content": good, "csrf": site.csrf()})
    assert str(r.url).endswith("/staff/policies/language/3")
    ok = site.client.post("/staff/policies/language/3/check", data={"csrf": site.csrf()})
    assert ok.status_code == 200 and "检查通过" in ok.text
    mine = site.client.get("/staff/policies/language/3/diff")
    assert "由您上传" in mine.text and 'name="reviewed"' not in mine.text
    site.sign_in("admin")  # another person reviews the differences, then publishes
    broken = site.client.get("/staff/policies/language/2/diff")
    assert broken.status_code == 200 and "<del>" in broken.text and "<ins>" in broken.text
    refused = site.client.post("/staff/policies/language/2/publish", data={
        "csrf": site.csrf(), "reviewed": field_of(broken.text, "reviewed")})
    assert refused.status_code == 422 and "未通过检查" in refused.text
    same = site.client.get("/staff/policies/language/3/diff")
    assert "完全相同" in same.text
    unseen = site.client.post("/staff/policies/language/3/publish", data={"csrf": site.csrf()})
    assert unseen.status_code == 409 and "差异" in unseen.text
    done = site.client.post("/staff/policies/language/3/publish", data={
        "csrf": site.csrf(), "reviewed": field_of(same.text, "reviewed")})
    assert done.status_code == 200 and "已发布" in done.text
    listed = site.client.get("/staff/policies")
    assert listed.text.count("已发布") >= 1 and "已被取代" in listed.text


def test_a_policy_text_links_its_rules_to_the_sentences(site: Site) -> None:
    site.sign_in("reviewer")
    r = site.client.get("/staff/policies/language/1/text/lang")
    assert r.status_code == 200
    anchors = set(re.findall(r'<mark id="(q-[0-9]+-[0-9]+)"', r.text))
    links = set(re.findall(r'href="#(q-[0-9]+-[0-9]+)"', r.text))
    assert anchors and links and links <= anchors


def test_an_import_with_a_bad_row_shows_the_report(site: Site) -> None:
    site.sign_in("case_officer")
    c1, c2 = make("9", "1", "370212", "MA3LMP01"), make("9", "1", "370212", "MA3LMP02")
    bad = f"id,name,revenue@2024\n{c1},一号公司,100\n{c2},二号公司,abc\n".encode()
    r = site.client.post("/staff/imports", data={"csrf": site.csrf()},
                         files={"file": ("一批.csv", bad)})
    assert r.status_code == 422 and "校验报告" in r.text
    assert re.search(r'<td class="num">3</td><td class="num">3</td><td><code>abc</code>', r.text)
    assert re.search(r"/staff/imports/\d", site.client.get("/staff/imports").text) is None
    good = bad.replace(b"abc", b"200")
    ok = site.client.post("/staff/imports", data={"csrf": site.csrf()},
                          files={"file": ("一批.csv", good)})
    assert ok.status_code == 200 and "已导入" in ok.text and "一批.csv" in ok.text


def test_staff_search_profile_results_and_exports(site: Site) -> None:
    site.sign_in("policy_officer")
    found = site.client.get("/staff/enterprises?q=海纳")
    assert site.world.own in found.text and site.world.other not in found.text
    prof = site.client.get(f"/staff/enterprises/{site.world.own}")
    assert prof.status_code == 200 and "¥800,000" in prof.text and "工作人员录入" in prof.text
    hist = site.client.get(f"/staff/enterprises/{site.world.own}?history=1")
    assert "u_admin" in hist.text
    res = site.client.get("/staff/results")
    assert res.status_code == 200 and "/staff/results/language/lang/rd_subsidy" in res.text
    one = site.client.get("/staff/results/language/lang/rd_subsidy")
    assert one.status_code == 200 and "青岛海纳微电子有限公司" in one.text
    csv = site.client.get("/staff/results/language/lang/rd_subsidy/export.csv")
    assert csv.content.startswith("\ufeffcredit_code".encode()) and site.world.own in csv.text
    xlsx = site.client.get("/staff/results/language/lang/rd_subsidy/export.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_a_simulation_shows_cost_and_who_gains(site: Site) -> None:
    site.sign_in("policy_officer")
    form = site.client.get("/staff/simulation")
    assert form.status_code == 200
    reform = ("id: more\ntitle: {zh: 提高研发补助比例, en: Higher R&D share}\nchanges:\n"
              "  - parameter: lang/rd_share\n    values: {2024-01-01: 20%}\n")
    r = site.client.post("/staff/simulation", data={"csrf": site.csrf(), "pack": "language",
                                                    "source": "reform", "reform": reform})
    assert r.status_code == 200 and "提高研发补助比例" in r.text
    assert re.search(r"data-cost-change>¥80,000<", r.text)
    assert 'data-chart="sim-industry-data"' in r.text
    broken = reform.replace("lang/rd_share", "lang/nope")
    r = site.client.post("/staff/simulation", data={"csrf": site.csrf(), "pack": "language",
                                                    "source": "reform", "reform": broken})
    assert r.status_code == 422 and "reform.yaml" in r.text


def test_the_dashboard_and_the_audit_log(site: Site) -> None:
    site.sign_in("leadership")
    r = site.client.get("/dashboard")
    assert r.status_code == 200 and 'data-kpi="amount">¥80,000<' in r.text
    assert re.search(r"/static/echarts\.common\.min\.[0-9a-f]{10}\.js", r.text)
    site.sign_in("admin")
    log = site.client.get("/staff/audit?action=policy")
    assert log.status_code == 200 and "policy.publish" in log.text


def test_administrators_verify_the_audit_chain_on_a_page(site: Site) -> None:
    """Issue 10, item 11: the page says the chain is intact, or names the first entry
    changed behind the service's back (here edited directly in the database)."""
    from sqlalchemy import text

    site.sign_in("admin")
    r = site.client.get("/staff/audit/verify")
    assert r.status_code == 200 and "审计日志完整" in r.text, r.text[:500]
    db = site.platform.db
    with db.write() as s:
        victim = s.execute(text("SELECT min(id) FROM audit_log WHERE action = 'policy.publish'")
                           ).scalar()
        if db.dialect == "postgresql":
            s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            s.execute(text("DROP TRIGGER audit_log_no_update"))
        s.execute(text("UPDATE audit_log SET actor = 'someone_else' WHERE id = :i"), {"i": victim})
    r = site.client.get("/staff/audit/verify")
    assert r.status_code == 409
    assert f"第 #{victim} 条记录的内容或哈希与写入时不符" in r.text
    r = site.client.get("/staff/audit/verify?lang=en")
    assert f"entry #{victim} is not what was written" in r.text


def test_an_unknown_page_is_a_page(site: Site) -> None:
    r = site.client.get("/staff/nothing-here")
    assert r.status_code == 404 and "未找到" in r.text
    api = site.client.get("/no-such-api", headers={"accept": "application/json"})
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem")


def test_static_files_are_shipped(site: Site) -> None:
    for name in ("htmx.min.js", "echarts.common.min.js", "huiqi.css", "huiqi.js", "NOTICE"):
        assert site.client.get(f"/static/{name}").status_code == 200, name


def test_the_calculator_reads_chinese_amounts_and_refuses_a_number_for_a_city(site: Site) -> None:
    r = site.client.post("/calculator", data={"a:park": "测试区", "q": "revenue@2024",
                                              "value": "五千万", "action": "answer"})
    assert r.status_code == 200 and 'name="a:revenue@2024" value="五千万"' in r.text
    assert 'id="q-error"' not in r.text
    r = site.client.post("/calculator", data={"q": "city", "value": "1000000", "action": "answer"})
    assert "不是城市名" in r.text and 'name="q" value="city"' in r.text
    assert "关系到 0 个" not in r.text
    # units in Chinese, never their codes
    assert "(person)" not in r.text and "(item)" not in r.text
def field_of(html: str, name: str) -> str:
    """The value of the hidden field ``name`` of a page."""
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m is not None, name
    return m.group(1)


def test_the_match_page_shows_the_values_a_pack_reports(site: Site) -> None:
    """Reported values (issue 11): the R&D intensity with its grade, a growth rate whose
    facts are missing said so."""
    from huiqi.packs.files import read_folder

    site.world.publish("reported", read_folder(ROOT / "tests" / "packs" / "reported"))
    site.sign_in("enterprise")
    page = site.client.get(f"/match/{site.world.own}").text
    table = page.split("data-values>")[1].split("</table>")[0]
    intensity = table.split('data-value="rep:intensity"')[1].split("</tr>")[0]
    assert "研发强度" in intensity and "0.08" in intensity and ">B<" in intensity
    growth = table.split('data-value="rep:growth"')[1].split("</tr>")[0]
    assert "营业收入增长率" in growth and "缺少数据" in growth
