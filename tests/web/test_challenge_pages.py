"""The staff's and applicants' pages of 揭榜挂帅: the officer creates a list, adds a task
and publishes it; an enterprise applies as the lead of a consortium with its agreement
uploaded (kept with its SHA-256; downloadable by the lead and the members, by nobody
else); one application per task per applicant; the officer scores on the rubric, selects
and accepts a milestone, and the list's budget used and left follow."""

from __future__ import annotations

import hashlib

import pytest

from huiqi.errors import NotFoundError
from huiqi.service.context import Actor
from huiqi.service.permissions import Role
from huiqi.vouchers import challenges as C
from service_fixtures import CODE_A, CODE_B

from .conftest import Site

AGREEMENT = b"%PDF-1.4\n% consortium agreement\n"


def _list(site: Site) -> int:
    site.sign_in("case_officer")
    post = site.client.post
    r = post("/staff/challenges", data={
        "csrf": site.csrf(), "key": "bj-chips", "title_zh": "车规级芯片榜单",
        "title_en": "Automotive chips", "issuer": "北京市经济和信息化局", "budget": "42000000",
        "opens_on": "2025-01-01", "closes_on": "2099-12-31"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    r = post("/staff/challenges/bj-chips/tasks", data={
        "csrf": site.csrf(), "code": "A1", "group_zh": "控制类", "title_zh": "车规级 MCU",
        "title_en": "Automotive MCU", "category": "mcu", "indicators": "frequency_mhz = 200",
        "qualifications": "AEC-Q100-G1", "packaging": "LQFP-144", "deliverables": "样片\n测试报告",
        "period_months": "24", "budget": "6000000", "winners": "2",
        "milestones": "design|设计|Design|0.3\ntapeout|流片|Tape-out|0.7"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    page = site.client.get("/staff/challenges/bj-chips").text
    assert "车规级 MCU" in page and "¥6,000,000" in page and "¥42,000,000" in page
    r = post("/staff/challenges/bj-chips/publish", data={"csrf": site.csrf()},
             follow_redirects=False)
    assert r.status_code == 303
    return C.get_list(site.world.ctx("admin"), "bj-chips").tasks[0].id


def test_a_consortium_applies_is_selected_and_paid_on_the_pages(site: Site) -> None:
    task = _list(site)
    site.sign_in("enterprise")
    page = site.client.get(f"/staff/challenge-tasks/{task}").text
    assert "联合体协议" in page and 'enctype="multipart/form-data"' in page
    data = {"csrf": site.csrf(), "lead_code": CODE_A, "lead_name": "青岛海纳微电子",
            "province": "山东", "members": f"{CODE_B}|宁波甬新材料|封装测试",
            "proposal": "基于 RISC-V 的车规 MCU"}
    r = site.client.post(f"/staff/challenge-tasks/{task}/applications", data=data,
                         follow_redirects=False)
    assert r.status_code == 422 and "联合体协议" in r.text      # a consortium needs it
    files = {"agreement": ("联合体协议.pdf", AGREEMENT, "application/pdf")}
    r = site.client.post(f"/staff/challenge-tasks/{task}/applications", data=data, files=files,
                         follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    r = site.client.post(f"/staff/challenge-tasks/{task}/applications", data=data, files=files,
                         follow_redirects=False)
    assert r.status_code == 409 and "只能申请一次" in r.text
    (app,) = C.applications(site.world.ctx("admin"), task)
    assert app.agreement_sha256 == hashlib.sha256(AGREEMENT).hexdigest() and app.agreement_file
    r = site.client.get(f"/staff/challenge-applications/{app.id}/agreement")
    assert r.status_code == 200 and r.content == AGREEMENT
    # a member sees it; an enterprise outside the consortium does not
    member = site.platform.as_actor(Actor(username="m", role=Role.ENTERPRISE, entity_code=CODE_B))
    assert C.agreement(member, app.id)[2] == AGREEMENT
    stranger = site.platform.as_actor(Actor(username="s", role=Role.ENTERPRISE,
                                            entity_code="91110108MA01XYZ12K"))
    assert C.applications(stranger, task) == []
    with pytest.raises(NotFoundError):
        C.agreement(stranger, app.id)
    # the officer scores on the rubric and selects; then a milestone is accepted and paid
    site.sign_in("case_officer")
    page = site.client.get(f"/staff/challenge-tasks/{task}").text
    assert "技术成熟度" in page and f'name="score:{app.id}:0:maturity"' in page
    scores = {f"score:{app.id}:{r}:{c}": v for r, v in ((0, "80"), (1, "90"))
              for c in ("maturity", "mass_production", "team", "indicators")}
    r = site.client.post(f"/staff/challenge-tasks/{task}/selection",
                         data={"csrf": site.csrf(), **scores}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    (app,) = C.applications(site.world.ctx("admin"), task)
    assert (app.state, app.score, app.award) == ("selected", "85.00", "3000000.00")
    r = site.client.post(f"/staff/challenge-applications/{app.id}/milestones", data={
        "csrf": site.csrf(), "task_id": str(task), "milestone": "design",
        "reviewers": "张工, 李工", "reference": "京经信拨-1"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    page = site.client.get("/staff/challenges/bj-chips").text
    assert "¥3,000,000" in page and "¥39,000,000" in page and "¥900,000" in page
    page = site.client.get(f"/staff/challenge-tasks/{task}").text
    assert "京经信拨-1" in page and "¥900,000" in page


def test_an_agreement_of_the_wrong_type_is_refused(site: Site) -> None:
    task = _list(site)
    site.sign_in("enterprise")
    r = site.client.post(f"/staff/challenge-tasks/{task}/applications", data={
        "csrf": site.csrf(), "lead_code": CODE_A, "lead_name": "青岛海纳微电子", "province": "山东",
        "members": f"{CODE_B}|宁波甬新材料|封装测试"},
        files={"agreement": ("协议.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        follow_redirects=False)
    assert r.status_code == 422 and "pdf" in r.text
    assert C.applications(site.world.ctx("admin"), task) == []


def test_a_selection_past_the_lists_budget_is_refused_on_the_page(site: Site) -> None:
    """An award that would take the list past its ¥42 million: refused, nothing changed."""
    from huiqi.vouchers.schemas import ChallengeApply

    task = _list(site)
    app = C.apply(site.world.ctx("enterprise"), task, ChallengeApply(
        lead_code=CODE_A, lead_name="青岛海纳微电子", province="山东"))
    site.sign_in("case_officer")
    scores = {f"score:{app.id}:0:{c}": "90"
              for c in ("maturity", "mass_production", "team", "indicators")}
    r = site.client.post(f"/staff/challenge-tasks/{task}/selection", data={
        "csrf": site.csrf(), **scores, f"award:{app.id}": "42000000.01"}, follow_redirects=False)
    assert r.status_code == 409 and "超出预算" in r.text
    (again,) = C.applications(site.world.ctx("admin"), task)
    assert (again.state, again.award) == ("submitted", None)
    assert C.get_list(site.world.ctx("admin"), "bj-chips").committed == "0.00"
