"""The pages of service cases render every kind of case, for the roles that see them: the
queue (green channel first, overdue marked), one case, "my requests", "my projects" and the
service dashboard."""

from __future__ import annotations

import datetime as dt
import re

from huiqi.cases import agency, moves, requests, service, supervision
from huiqi.cases.service import get_case
from huiqi.service.context import Context

from .conftest import Site, csrf_of


def _cases(site: Site, officer: Context, firm: Context) -> dict[str, int]:
    w = site.world
    out = {"project": agency.create_project(officer, w.own, "新建厂房", template="industrial",
                                            green=True, agents=["u_case_officer"]),
           "measure": supervision.create_measure(officer, "一日办结", area="政务服务",
                                                 department="行政审批局",
                                                 deadline=dt.date(2025, 5, 1)),
           "request": requests.submit(firm, w.own, "policy", "条款咨询", "怎么申请",
                                      clause={"pack": "language", "clause": "rd_subsidy"}),
           "move": moves.request(firm, w.own, "黄岛区", None, "扩大产能")}
    for name, reason in (("acknowledge", None), ("answer", "见第三条"), ("resolve", None)):
        requests.transition(officer, out["request"], name, reason)
    fix = requests.rate(firm, out["request"], 2, "太慢")
    assert fix is not None and fix != out["request"]  # a rectification of its own
    with officer.db.read() as s:
        assert get_case(s, fix, "rectify").parent_id == out["request"]
    out["rectify"] = fix
    service.attach(officer, out["measure"], "evidence", "进展.pdf", "application/pdf", b"%PDF")
    return out


def test_every_kind_of_case_has_its_page(site: Site) -> None:
    officer, firm = site.world.ctx("case_officer"), site.world.ctx("enterprise")
    ids = _cases(site, officer, firm)
    for role in ("case_officer", "leadership", "admin"):
        site.sign_in(role)
        r = site.client.get("/staff/cases")
        assert r.status_code == 200, r.text[:500]
        assert f'class=" green" data-case="{ids["project"]}"' in r.text
        assert f'class="overdue" data-case="{ids["measure"]}"' in r.text
        for kind, cid in ids.items():
            r = site.client.get(f"/staff/cases/{cid}")
            assert r.status_code == 200, (kind, r.text[:500])
        r = site.client.get("/dashboard/cases")
        assert r.status_code == 200 and 'data-rectify="open"' in r.text
    site.sign_in("enterprise")
    for url in ("/my/requests", "/my/projects", f"/staff/cases/{ids['request']}"):
        r = site.client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
    assert site.client.get(f"/staff/cases/{ids['measure']}").status_code == 403


def test_the_workbench_counts_the_officers_cases_and_accounts_carry_a_district(
        site: Site) -> None:
    from huiqi.cases import views

    officer, firm = site.world.ctx("case_officer"), site.world.ctx("enterprise")
    _cases(site, officer, firm)
    c = views.counters(officer)
    assert c.overdue >= 1 and c.green >= 1
    site.sign_in("case_officer")
    r = site.client.get("/staff")
    for key, n in (("cases_overdue", c.overdue), ("cases_week", c.due_this_week),
                   ("cases_green", c.green), ("cases_waiting", c.waiting)):
        m = re.search(rf'data-todo="{key}">.*?data-count>([0-9,]+)<', r.text, re.S)
        assert m is not None and int(m.group(1).replace(",", "")) == n, key
    site.sign_in("admin")
    page = site.client.get("/staff/accounts")
    assert 'data-district="崂山区"' in page.text
    r = site.client.post("/staff/accounts/u_case_officer", data={
        "csrf": csrf_of(page.text), "action": "district", "district": "黄岛区"})
    assert r.status_code == 200 and 'data-district="黄岛区"' in r.text


def test_an_enterprise_asks_about_a_clause(site: Site) -> None:
    site.sign_in("enterprise")
    r = site.client.get("/my/requests?pack=language&clause=lang/rd_subsidy")
    assert 'name="clause" value="lang/rd_subsidy"' in r.text
    # the enterprise reads the clause's title, never its id (issue 16, item 2)
    assert "所问条款:研发费用补助" in r.text and "lang/rd_subsidy</small>" not in r.text
    assert 'value="咨询:研发费用补助"' in r.text
    r = site.client.post("/my/requests", data={
        "csrf": csrf_of(r.text), "category": "policy", "title": "咨询:研发费用补助",
        "description": "研发费用如何归集", "pack": "language", "clause": "lang/rd_subsidy"},
        follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    page = site.client.get(r.headers["location"])
    assert "所问条款: 研发费用补助" in page.text and "研发费用如何归集" in page.text
    assert "language/lang/rd_subsidy" not in page.text
    site.sign_in("case_officer")  # staff see the id when they ask for the technical details
    assert "language/lang/rd_subsidy" in site.client.get(
        r.headers["location"] + "?tech=1").text


def test_the_matches_and_clause_pages_link_to_asking(site: Site) -> None:
    site.sign_in("enterprise")
    r = site.client.get(f"/match/{site.world.own}")
    assert r.status_code == 200
    links = re.findall(r'data-ask href="([^"]+)"', r.text)
    assert links and all(x.startswith("/my/requests?pack=") and "&amp;clause=" in x
                         for x in links)


def test_staff_edit_the_service_standard_as_data(site: Site) -> None:
    site.sign_in("case_officer")
    r = site.client.get("/staff/standards")
    assert r.status_code == 200 and "施工许可" in r.text
    body = '{"items": [{"name": "施工许可", "agency": "住房和城乡建设局", "days": 4, "green_days": 2}]}'
    r = site.client.post("/staff/standards/project_template/simple", data={
        "csrf": csrf_of(r.text), "name": "简易项目", "body": body}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    officer = site.world.ctx("case_officer")
    pid = agency.create_project(officer, site.world.own, "简易改造", template="simple")
    from huiqi.cases import views

    [item] = views.detail(officer, pid).children
    assert (item.case.title, item.case.target_days) == ("施工许可", 4)
    r = site.client.post("/staff/standards/project_template/simple", data={
        "csrf": csrf_of(site.client.get("/staff/standards").text), "name": "x",
        "body": '{"items": []}'})
    assert r.status_code == 422
    site.sign_in("leadership")
    assert 'data-standard="project_template:simple"' in site.client.get("/staff/standards").text


def test_an_enterprise_rates_its_satisfaction_with_a_measure(site: Site) -> None:
    officer = site.world.ctx("case_officer")
    mid = supervision.create_measure(officer, "企业开办一日办结", area="政务服务",
                                     department="行政审批局", deadline=dt.date(2025, 9, 30))
    site.sign_in("enterprise")
    r = site.client.get("/my/surveys")
    assert f'data-measure="{mid}"' in r.text
    r = site.client.post(f"/my/surveys/{mid}", data={"csrf": csrf_of(r.text), "score": "4"},
                         follow_redirects=False)
    assert r.status_code == 303
    [row] = [m for m in supervision.board(officer).measures if m.id == mid]
    assert (row.satisfaction, row.surveys) == (4, 1)


def test_staff_open_cases_and_an_administrator_decides_an_appeal(site: Site) -> None:
    site.sign_in("case_officer")
    page = site.client.get("/staff/cases")
    r = site.client.post("/staff/cases/projects", data={
        "csrf": csrf_of(page.text), "code": site.world.own, "title": "页面新建项目",
        "template": "industrial", "green": "true", "agents": "u_case_officer,u_admin"},
        follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    project = site.client.get(r.headers["location"]).text
    assert "多对一" in project and "绿色通道" in project
    r = site.client.post("/staff/cases/measures", data={
        "csrf": csrf_of(page.text), "title": "页面新建措施", "area": "政务服务",
        "department": "行政审批局", "deadline": "2025-09-30"}, follow_redirects=False)
    assert r.status_code == 303
    mid = int(r.headers["location"].rsplit("/", 1)[1])
    r = site.client.post(f"/staff/cases/{mid}/evaluation", data={
        "csrf": csrf_of(page.text), "score": "88.5", "evaluator": "第三方评估机构"},
        follow_redirects=False)
    assert r.status_code == 303
    officer, firm = site.world.ctx("case_officer"), site.world.ctx("enterprise")
    rid = requests.submit(firm, site.world.own, "policy", "咨询", "问题")
    for name, reason in (("acknowledge", None), ("answer", "答复"), ("resolve", None)):
        requests.transition(officer, rid, name, reason)
    fix = requests.rate(firm, rid, 1, "误点")
    r = site.client.post(f"/staff/cases/{rid}/appeal", data={
        "csrf": csrf_of(page.text), "reason": "企业来电说明误点"}, follow_redirects=False)
    assert r.status_code == 303
    site.sign_in("admin")
    detail = site.client.get(f"/staff/cases/{rid}").text
    assert "申诉成立" in detail
    r = site.client.post(f"/staff/cases/{rid}/decision", data={
        "csrf": csrf_of(detail), "uphold": "true", "reason": "核实为误评"}, follow_redirects=False)
    assert r.status_code == 303
    assert 'data-state="withdrawn"' in site.client.get(f"/staff/cases/{fix}").text
