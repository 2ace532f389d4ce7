"""The access matrix of the pages: every page route against every role (and a visitor).

The routes come from the application's route table, so a new page without a declared
rule, or without a sample request below, fails this test. A refused role gets the
refusal page (403) and the refusal is in the audit log; a visitor is sent to sign in.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from huiqi.api import create_app as api_app
from huiqi.api.access import PUBLIC, SELF, endpoints, rule_of
from huiqi.packs.files import read_folder
from huiqi.service import audit
from huiqi.service.permissions import GRANTS, Permission, Role
from huiqi.store.database import Database
from huiqi.web import create_app
from service_fixtures import CODE_A, PASSWORD, ROLES, make_settings

from .conftest import LANGUAGE, Site

OWN_PATHS = {"code": None, "pack": "language", "number": "1", "policy": "lang", "path:path": "lang.yaml",
             "clause": "rd_subsidy", "path": "lang.yaml", "batch_id": "1", "key": "gl-2025",
             "app_id": "1", "material_id": "1", "objection_id": "1", "case_id": "999999",
             "file_id": "1", "match_id": "1", "fact_set": "tax", "username": "u_reviewer",
             "claim_id": "1", "kind": "request_category", "std": "policy", "contract_id": "1",
             "message_id": "1", "token": "1.not-a-signature", "task_id": "1",
             "problem_id": "1"}


def _files() -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (f"language/{p}", c)) for p, c in read_folder(LANGUAGE)]


#: A request each page accepts when the rights are there.
SAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/login"): {"data": {"username": "u_reviewer", "password": PASSWORD}},
    ("POST", "/calculator/clause"): {"data": {"clause": "lang/rd_subsidy"}},
    ("POST", "/staff/policies"): {"data": {"pack": "language"}, "files": "pack"},
    ("POST", "/staff/policies/{pack}/{number}/files/{path:path}"): {"data": {"content": "id: x\n"}},
    ("POST", "/staff/simulation"): {"data": {"pack": "language", "source": "draft",
                                             "number": "1"}},
    ("POST", "/staff/imports"): {"files": "csv"},
    ("POST", "/staff/programmes/{key}/step"): {"data": {"step": "notice"}},
    ("POST", "/staff/applications/{app_id}/materials"): {"data": {"kind": "report"},
                                                         "files": "pdf"},
    ("POST", "/staff/applications/{app_id}/move"): {"data": {"action": "submit"}},
    ("POST", "/staff/applications/{app_id}/pay"): {"data": {
        "amount": "100", "paid_on": "2025-06-10", "reference": "财拨-1"}},
    ("POST", "/staff/applications/{app_id}/objections/{objection_id}"): {"data": {"answer": "不成立"}},
    ("POST", "/staff/reviews/{app_id}/conflict"): {"data": {"answer": "none"}},
    ("POST", "/public/notice/{app_id}"): {"data": {"text": "材料不实"}},
    ("POST", "/staff/cases/{case_id}/step"): {"data": {"name": "acknowledge"}},
    ("POST", "/staff/cases/{case_id}/files"): {"files": "evidence"},
    ("POST", "/staff/cases/{case_id}/contact"): {"data": {"channel": "call", "summary": "电话"}},
    ("POST", "/staff/cases/{case_id}/progress"): {"data": {"percent": "50", "text": "过半"}},
    ("POST", "/staff/cases/{case_id}/rating"): {"data": {"score": "5"}},
    ("POST", "/staff/vouchers/{key}/redeem"): {"data": {"voucher": "1", "provider": "1",
                                                         "number": "HT-1", "amount": "1000"}},
    ("POST", "/staff/vouchers/{key}/contracts/{contract_id}"): {"data": {"action": "confirm"}},
    ("POST", "/staff/vouchers/{key}/claim"): {"data": {"provider": "1", "period": "2025Q1"}},
    ("POST", "/staff/vouchers/{key}/settle"): {"data": {"period": "2025Q1", "reference": "PAY"}},
    ("POST", "/staff/challenges"): {"data": {
        "key": "matrix-list", "title_zh": "榜单", "title_en": "List", "issuer": "经信局",
        "budget": "1000", "opens_on": "2025-03-01", "closes_on": "2025-06-30"}},
    ("POST", "/staff/challenges/{key}/tasks"): {"data": {
        "code": "A1", "group_zh": "控制类", "title_zh": "MCU", "title_en": "MCU",
        "category": "mcu", "period_months": "12", "budget": "10", "milestones": "d|设计|Design|1"}},
    ("POST", "/staff/challenges/{key}/publish"): {"data": {}},
    ("POST", "/staff/challenge-tasks/{task_id}/applications"): {"data": {
        "lead_code": CODE_A, "lead_name": "甲", "province": "北京"}},
    ("POST", "/staff/challenge-tasks/{task_id}/selection"): {"data": {"score:1:0:team": "80"}},
    ("POST", "/staff/challenge-applications/{app_id}/milestones"): {"data": {
        "task_id": "1", "milestone": "design", "reviewers": "张", "reference": "拨-1"}},
    ("POST", "/staff/competitions"): {"data": {
        "key": "matrix-jhz", "title_zh": "竞赛", "title_en": "Contest", "organiser": "管委会",
        "year": "2025"}},
    ("POST", "/staff/competitions/{key}/problems"): {"data": {
        "code": "P1", "enterprise": CODE_A, "title_zh": "命题", "title_en": "Problem",
        "description": "说明", "prize": "1000"}},
    ("POST", "/staff/competition-problems/{problem_id}/move"): {"data": {"name": "open"}},
    ("POST", "/staff/competition-problems/{problem_id}/scores"): {"data": {
        "stage": "preliminary", "score:1:0:fit": "80"}},
    ("POST", "/public/competitions/problems/{problem_id}/teams"): {"data": {
        "name": "队伍", "university": "厦门大学", "mentor": "导师", "contact": "139",
        "members": "学生|厦门大学|队长"}},
    ("POST", "/my/requests"): {"data": {"category": "policy", "title": "条款咨询",
                                        "description": "怎么申请", "code": CODE_A}},
    ("POST", "/staff/standards/{kind}/{std}"): {"data": {
        "name": "政策咨询", "body": '{"acknowledge": 1, "answer": 3, "resolve": 10}'}},
    ("POST", "/my/surveys/{case_id}"): {"data": {"score": "4"}},
    ("POST", "/staff/cases/projects"): {"data": {"code": CODE_A, "title": "新建厂房",
                                                 "template": "industrial"}},
    ("POST", "/staff/cases/measures"): {"data": {"title": "一日办结", "area": "政务服务",
                                                 "department": "行政审批局",
                                                 "deadline": "2025-09-30"}},
    ("POST", "/staff/cases/{case_id}/agents"): {"data": {"agents": "u_case_officer"}},
    ("POST", "/staff/cases/{case_id}/evaluation"): {"data": {"score": "80", "evaluator": "第三方"}},
    ("POST", "/staff/cases/{case_id}/appeal"): {"data": {"reason": "误评"}},
    ("POST", "/staff/cases/{case_id}/decision"): {"data": {"uphold": "true", "reason": "误评"}},
    ("POST", "/my/moves"): {"data": {"to_district": "黄岛区", "reason": "扩大产能",
                                     "code": CODE_A}},
    ("POST", "/staff/chains/{key}/members"): {"data": {"segment": "cells", "credit_code": CODE_A,
                                                       "decision": "include"}},
    ("POST", "/staff/market/matches/{match_id}/decline"): {"data": {"reason": "暂不需要"}},
    ("POST", "/staff/evaluation/statistics"): {"files": "stats"},
    ("POST", "/staff/market/listings"): {"data": {
        "side": "demand", "credit_code": CODE_A, "category": "mcu", "title": "车规 MCU",
        "specs": "flash_kb: 1024", "contact": "王工"}},
    ("POST", "/staff/market/matches/{match_id}/outcome"): {"data": {"deal": "true"}},
    ("POST", "/staff/policies/{pack}/{number}/publish"): {"data": {"reviewed": "0"}},
    ("POST", "/staff/accounts"): {"data": {"username": "matrix_user", "display_name": "矩阵",
                                           "role": "reviewer"}},
    ("POST", "/staff/accounts/{username}"): {"data": {"action": "unlock"}},
    ("POST", "/match/{code}/facts"): {"data": {"f:own_brand": "true"}},
    ("POST", "/staff/claims/{claim_id}"): {"data": {"decision": "reject", "note": "x"}},
    ("POST", "/staff/decisions/{pack}/{code}"): {"data": {
        "condition": "lang/incubation/core_tech", "verdict": "true", "evidence": "专家组意见"}},
    ("POST", "/library/{pack}/{policy}/note"): {"data": {"text": "解读"}},
    ("POST", "/inbox/settings"): {"data": {"channels": "email", "email": "a@b.cn",
                                           "code": CODE_A}},
    ("POST", "/inbox/settings/mine"): {"data": {"channels": "email", "email": "me@b.cn",
                                                "programme": "gl-2025", "code": CODE_A}},
    ("POST", "/inbox/{message_id}/archive"): {"data": {"code": CODE_A}},
    ("POST", "/staff/push/dead/retry"): {"data": {"ids": "1"}},
    ("POST", "/staff/plans/{code}/visits"): {"data": {"summary": "走访", "due": "2025-07-01"}},
}


def _apps() -> tuple[FastAPI, FastAPI]:
    settings = make_settings()
    return (create_app(settings, database=Database.connect("sqlite://")),
            api_app(settings, database=Database.connect("sqlite://")))


def pages(app: FastAPI, api: FastAPI) -> list[tuple[str, str, Any]]:
    """The routes the pages add to the API (everything but the API's own)."""
    served = {(m, p) for m, p, _ in endpoints(api)}
    return [(m, p, r) for m, p, r in endpoints(app) if (m, p) not in served]


def test_every_route_of_the_site_declares_a_rule() -> None:
    app, _api = _apps()
    assert [f"{m} {p}" for m, p, r in endpoints(app) if rule_of(r) is None] == []


def test_a_page_without_a_rule_is_caught() -> None:
    app, api = _apps()

    @app.get("/staff/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    assert [f"{m} {p}" for m, p, r in pages(app, api) if rule_of(r) is None] == [
        "GET /staff/forgotten"]


def expected(role: str | None, permission: str) -> bool:
    if permission == PUBLIC:
        return True
    if role is None:
        return False
    return permission == SELF or GRANTS[Role(role)].get(Permission(permission)) is not None


ROUTES = [(m, p) for m, p, _ in pages(*_apps())]


def _request(site: Site, method: str, path: str, code: str) -> Any:
    sample = dict(SAMPLES.get((method, path), {}))
    values = {**OWN_PATHS, "code": code}
    url = path
    for k, v in values.items():
        url = url.replace("{" + k + "}", str(v))
    files = sample.pop("files", None)
    if files == "pack":
        sample["files"] = _files()
    elif files == "evidence":
        sample["files"] = {"file": ("evidence.pdf", b"%PDF-1.4")}
        sample["data"] = {"purpose": "evidence"}
    elif files == "csv":
        sample["files"] = {"file": ("firms.csv", b"id,name\n91370212MA3NEW0100,x\n")}
    elif files == "pdf":
        sample["files"] = {"file": ("r.pdf", b"%PDF-1.4\n")}
    elif files == "stats":
        sample["files"] = {"file": ("stats.csv", "park_code,park_name,indicator,year,value,"
                                    "source,note\nGXQ001,甲,rd_intensity,2025,3,x,\n".encode())}
    if method == "POST":
        sample.setdefault("data", {})
        sample["data"] = {**sample["data"], "csrf": site.csrf()}
    return site.client.request(method, url, follow_redirects=False, **sample)


def _denials(site: Site, username: str) -> int:
    total, _rows = audit.entries(site.platform.system(), audit.AuditQuery(
        actor=username, outcome="denied", limit=1))
    return total


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_page_access_matrix(site: Site, method: str, path: str) -> None:
    route = next(r for m, p, r in endpoints(site.client.app) if (m, p) == (method, path))
    declared = rule_of(route)
    assert declared is not None, f"{method} {path} declares no rule"
    permission, _scope = declared
    if method == "POST" and (method, path) not in SAMPLES and _has_form(route):
        pytest.fail(f"add a sample request for {method} {path} to SAMPLES")
    for role in (None, *ROLES):
        site.sign_in(role)
        before = _denials(site, f"u_{role}") if role else 0
        r = _request(site, method, path, site.world.own)
        where = f"{method} {path} as {role or 'visitor'}: {r.status_code} {r.text[:300]}"
        if expected(role, permission):
            assert r.status_code != 403, where
            assert r.status_code < 500, where
            assert not r.headers.get("location", "").startswith("/login"), where
        elif role is None:
            assert r.status_code == 303, where
            assert r.headers["location"].startswith("/login?next="), where
        else:
            assert r.status_code == 403, where
            assert r.headers["content-type"].startswith("text/html"), where
            assert "无权访问" in r.text, where
            assert _denials(site, f"u_{role}") == before + 1, f"{where}: refusal not audited"
        if "{code}" in path and role == "enterprise" and expected(role, permission):
            r = _request(site, method, path, site.world.other)
            assert r.status_code == 403, f"{where} (another enterprise)"
            assert "无权访问" in r.text
        if role is not None and not expected(role, permission) and method == "POST":
            _refused_whatever_the_form(site, path, role)


def _refused_whatever_the_form(site: Site, path: str, role: str) -> None:
    """A refused role is refused (403, audited) before its form is read: an empty form, a
    form without its token, a body that is no form at all."""
    url = path
    for k, v in {**OWN_PATHS, "code": site.world.own}.items():
        url = url.replace("{" + k + "}", str(v))
    for bad in ({"data": {"csrf": site.csrf()}}, {"data": {"anything": "x"}},
                {"content": b"--x\r\nnot a part", "headers": {
                    "content-type": "multipart/form-data; boundary=x"}}):
        before = _denials(site, f"u_{role}")
        r = site.client.post(url, follow_redirects=False, **bad)  # type: ignore[arg-type]
        where = f"POST {path} as {role} with {bad}: {r.status_code} {r.text[:200]}"
        assert r.status_code == 403 and "无权访问" in r.text, where
        assert _denials(site, f"u_{role}") == before + 1, f"{where}: refusal not audited"


def _has_form(route: Any) -> bool:
    dependant = getattr(route, "dependant", None)
    return bool(dependant and dependant.body_params)


def test_forms_of_a_signed_in_user_need_the_form_token(site: Site) -> None:
    site.sign_in("policy_officer")
    r = site.client.post("/staff/policies/language/1/check", follow_redirects=False)
    assert r.status_code == 422 and "表单已过期" in r.text
    r = site.client.post("/staff/policies/language/1/check", data={"csrf": "0" * 32})
    assert r.status_code == 422
    r = site.client.post("/staff/policies/language/1/check", data={"csrf": site.csrf()})
    assert r.status_code == 200


def test_only_staff_open_the_pages_of_a_draft(site: Site) -> None:
    """Issue 10, item 12: a draft's version page, its files and its texts are staff-only;
    the list shows an enterprise user no drafts."""
    from huiqi.service import policies

    policies.upload(site.world.ctx("admin"), "language", read_folder(LANGUAGE), "未公开的修订")
    pages = ["/staff/policies/language/2", "/staff/policies/language/2/files/lang.yaml",
             "/staff/policies/language/2/text/lang"]
    for role in ROLES:
        site.sign_in(role)
        staff = GRANTS[Role(role)].get(Permission.POLICY_DRAFT_READ) is not None
        listing = site.client.get("/staff/policies")
        assert listing.status_code == 200
        assert ("未公开的修订" in listing.text) == staff, role
        for url in pages:
            r = site.client.get(url, follow_redirects=False)
            assert (r.status_code == 200) == staff, (role, url, r.status_code)
            if not staff:
                assert r.status_code == 403 and "无权访问" in r.text
        assert site.client.get("/staff/policies/language/1").status_code == 200
