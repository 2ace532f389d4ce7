"""The access matrix: every route of the app against every role (and no sign-in at all).

The routes come from the app's route table, so a new route without a declared rule, or
without a sample request below, fails this test.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from huiqi.api import create_app
from huiqi.api.access import PUBLIC, SELF, drafts_rule, endpoints, rule_of
from huiqi.facts.credit_code import make
from huiqi.packs.files import read_folder
from huiqi.service.permissions import GRANTS, Permission, Role, Scope
from huiqi.store.database import Database
from service_fixtures import CODE_A, PASSWORD, ROLES, ROOT, World, auth, make_settings

NEW_CODE = make("9", "1", "370212", "MA3NEW01")
LANGUAGE = ROOT / "tests" / "packs" / "language"

#: A request each route accepts when the rights are there (bodies must pass validation).
SAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/auth/login"): {"json": {"username": "u_reviewer", "password": PASSWORD}},
    ("POST", "/auth/password"): {"json": {"current": PASSWORD, "new": "Another-Good-Pass-2"}},
    ("POST", "/auth/totp"): {"json": {"password": PASSWORD}},
    ("POST", "/auth/totp/confirm"): {"json": {"code": "000000"}},
    ("POST", "/auth/totp/disable"): {"json": {"password": PASSWORD, "code": "000000"}},
    ("POST", "/accounts"): {"json": {"username": "new_user", "display_name": "新用户",
                                     "role": "reviewer", "password": PASSWORD}},
    ("PATCH", "/accounts/{username}"): {"json": {"display_name": "改名"}},
    ("POST", "/enterprises"): {"json": {"credit_code": NEW_CODE, "name": "新企业"}},
    ("PATCH", "/enterprises/{code}"): {"json": {"name": "青岛海纳微电子股份有限公司"}},
    ("PATCH", "/enterprises/{code}/facts"): {"json": {"items": [
        {"fact": "revenue", "year": 2024, "value": "1000"}]}},
    ("POST", "/policies/{pack}/versions"): {"json": {"files": [
        {"path": p, "content": c.decode()} for p, c in read_folder(LANGUAGE)]}},
    ("POST", "/policies/{pack}/runs"): {"json": {}},
    ("POST", "/policies/{pack}/enterprises/{code}/decisions"): {"json": {
        "condition": "lang/incubation/core_tech", "verdict": True, "evidence": "专家评审意见"}},
    ("POST", "/imports"): {"files": {"file": ("firms.csv", f"id,name\n{NEW_CODE},新企业\n")}},
    ("POST", "/simulations"): {"json": {"pack": "language"}},
    ("PUT", "/push/enterprises/{code}/subscription"): {"json": {"channels": ["email"],
                                                              "email": "a@b.cn"}},
    ("PUT", "/push/enterprises/{code}/subscription/mine"): {"json": {
        "channels": ["email"], "email": "me@b.cn", "topics": {"programme": ["gl-2025"]}}},
    ("POST", "/push/dead/retry"): {"json": {"ids": [1]}},
    ("PUT", "/calendar/days/{day}"): {"json": {"is_working_day": False, "reason": "元旦"}},
    ("PUT", "/calendar/years/{year}"): {"json": {"source": "国务院办公厅通知"}},
    ("GET", "/calendar/deadline"): {"params": {"start": "2026-02-13", "days": 3}},
    ("POST", "/programmes"): {"json": {
        "key": "gl-2025", "title_zh": "市长质量奖", "title_en": "Quality award", "pack": "language",
        "clause": "lang/rd_subsidy", "mode": "universal", "year": 2025, "opens_on": "2025-05-01",
        "closes_on": "2025-06-30", "budget": "1000000"}},
    ("POST", "/programmes/{key}/confirmation"): {"json": {"exclusions": []}},
    ("POST", "/applications"): {"json": {"programme": "gl-2025", "enterprise": CODE_A}},
    ("PUT", "/applications/{app_id}/facts"): {"json": {"facts": {"revenue@2024": "1000"}}},
    ("POST", "/applications/{app_id}/materials"): {
        "data": {"kind": "report"}, "files": {"file": ("r.pdf", b"%PDF-1.4\n")}},
    ("POST", "/applications/{app_id}/moves"): {"json": {"action": "submit"}},
    ("POST", "/applications/{app_id}/reviewers"): {"json": {"reviewers": ["u_reviewer"]}},
    ("POST", "/applications/{app_id}/payments"): {"json": {
        "amount": "100", "paid_on": "2025-06-10", "reference": "财拨-1"}},
    ("POST", "/applications/{app_id}/objections/{objection_id}/answer"): {"json": {
        "answer": "不成立", "upheld": False}},
    ("POST", "/reviews/conflicts"): {"json": {"enterprise": CODE_A, "reason": "合作者"}},
    ("POST", "/reviews/{app_id}/conflict"): {"json": {"conflict": False}},
    ("PUT", "/reviews/{app_id}/score"): {"json": {"scores": {"quality": "90"}}},
    ("POST", "/notice/{app_id}/objections"): {"json": {"text": "材料不实"}},
    ("PUT", "/cases/standards/{kind}/{std}"): {"json": {"name": "政策咨询", "body": {
        "acknowledge": 1, "answer": 3, "resolve": 10}}},
    ("POST", "/cases/projects"): {"json": {"credit_code": CODE_A, "title": "新建厂房",
                                           "template": "industrial"}},
    ("POST", "/cases/measures"): {"json": {"title": "企业开办一日办结", "area": "政务服务",
                                           "department": "行政审批局", "deadline": "2026-06-30"}},
    ("POST", "/cases/requests"): {"json": {"credit_code": CODE_A, "category": "policy",
                                           "title": "条款咨询", "description": "怎么申请"}},
    ("POST", "/cases/moves"): {"json": {"credit_code": CODE_A, "to_district": "黄岛区",
                                        "reason": "扩大产能"}},
    ("POST", "/cases/{case_id}/transitions/{name}"): {"json": {"reason": "理由"}},
    ("PUT", "/cases/{case_id}/agents"): {"json": {"usernames": ["u_case_officer"]}},
    ("POST", "/cases/{case_id}/contacts"): {"json": {"channel": "call", "summary": "电话"}},
    ("POST", "/cases/{case_id}/progress"): {"json": {"progress": 50, "text": "过半"}},
    ("PUT", "/cases/{case_id}/evaluation"): {"json": {"score": "80", "evaluator": "第三方"}},
    ("POST", "/cases/{case_id}/survey"): {"json": {"score": 5}},
    ("POST", "/cases/{case_id}/rating"): {"json": {"score": 5}},
    ("POST", "/cases/{case_id}/appeal"): {"json": {"reason": "误评"}},
    ("POST", "/cases/{case_id}/appeal/decision"): {"json": {"uphold": True, "reason": "误评"}},
    ("POST", "/cases/{case_id}/files"): {"files": {"file": ("a.pdf", b"%PDF")},
                                         "data": {"purpose": "evidence"}},
    ("POST", "/analytics/statistics"): {"files": {"file": (
        "stats.csv", "park_code,park_name,indicator,year,value,source,note\n"
        "GXQ001,甲高新区,rd_intensity,2025,3.1,统计局,\n")}},
    ("PUT", "/analytics/chain-members/{key}"): {"json": {
        "segment": "cells", "credit_code": CODE_A, "decision": "include", "leader": True}},
    ("POST", "/market/listings"): {"json": {
        "side": "demand", "credit_code": CODE_A, "category": "mcu", "title": "车规 MCU",
        "specs": {"flash_kb": 1024}, "qualifications": ["AEC-Q100-G1"], "contact": "王工"}},
    ("POST", "/market/matches/{match_id}/decline"): {"json": {"reason": "暂不需要"}},
    ("POST", "/market/matches/{match_id}/outcome"): {"json": {"deal": True, "note": "成交"}},
    ("POST", "/vouchers/schemes"): {"json": {
        "key": "xm-2025", "title_zh": "火炬创新券", "title_en": "Vouchers", "year": 2025,
        "budget": "1000000", "valid_until": "2025-12-31"}},
    ("POST", "/vouchers/schemes/{key}/providers"): {"json": {"enterprise": CODE_A, "items": [
        {"code": "cfd", "title_zh": "流体仿真", "title_en": "CFD", "service_class": "technology",
         "price": "80000"}]}},
    ("POST", "/vouchers/providers/{provider_id}/evaluation"): {"json": {"reviews": [
        {"operations": "80", "capability": "90"}]}},
    ("POST", "/vouchers/providers/{provider_id}/lapse"): {"json": {"reason": "认定期满"}},
    ("POST", "/vouchers/schemes/{key}/vouchers"): {"json": {"enterprise": CODE_A,
                                                            "amount": "100000"}},
    ("POST", "/vouchers/vouchers/{voucher_id}/contracts"): {"json": {
        "provider": 1, "number": "HT-1", "amount": "1000"}},
    ("POST", "/vouchers/providers/{provider_id}/claims"): {"json": {"period": "2025Q1"}},
    ("POST", "/vouchers/claims/{claim_id}/settlement"): {"json": {"reference": "PAY-1"}},
    ("POST", "/vouchers/schemes/{key}/settlements"): {"json": {"period": "2025Q1",
                                                               "reference": "PAY"}},
    ("POST", "/vouchers/challenges"): {"json": {
        "key": "bj-chips", "title_zh": "车规级芯片", "title_en": "Chips", "issuer": "北京市经信局",
        "budget": "42000000", "opens_on": "2025-03-01", "closes_on": "2025-06-30",
        "criteria": [{"id": "maturity", "label_zh": "技术成熟度", "label_en": "Maturity",
                      "weight": "1"}]}},
    ("POST", "/vouchers/challenges/{key}/tasks"): {"json": {
        "code": "A1", "group_zh": "控制类", "title_zh": "MCU", "title_en": "MCU", "category": "mcu",
        "period_months": 24, "budget": "1000", "milestones": [
            {"id": "design", "zh": "设计", "en": "Design", "share": "1"}]}},
    ("POST", "/vouchers/tasks/{task_id}/applications"): {"json": {
        "lead_code": CODE_A, "lead_name": "芯片公司", "province": "上海市"}},
    ("POST", "/vouchers/tasks/{task_id}/selection"): {"json": {"reviews": {
        "1": [{"maturity": "90"}]}}},
    ("POST", "/vouchers/challenge-applications/{app_id}/milestones"): {"json": {
        "milestone": "design", "reviewers": ["专家甲"], "reference": "拨-1"}},
    ("POST", "/competitions"): {"json": {
        "key": "jhz", "title_zh": "炬火种", "title_en": "Torch seeds", "organiser": "管委会",
        "year": 2025, "prizes": [{"rank": 1, "zh": "一等奖", "en": "First", "share": "0.5"}],
        "preliminary": {"criteria": [{"id": "fit", "label_zh": "契合", "label_en": "Fit",
                                      "weight": "1"}]},
        "final": {"criteria": [{"id": "pitch", "label_zh": "路演", "label_en": "Pitch",
                                "weight": "1"}]}}},
    ("POST", "/competitions/{key}/problems"): {"json": {
        "code": "P1", "enterprise": CODE_A, "title_zh": "视觉检测", "title_en": "Vision",
        "description": "焊点缺陷", "prize": "100000"}},
    ("POST", "/competitions/problems/{problem_id}/moves"): {"json": {"name": "open"}},
    ("POST", "/competitions/problems/{problem_id}/teams"): {"json": {
        "name": "队伍", "university": "厦门大学", "mentor": "导师", "contact": "139",
        "members": [{"name": "学生", "university": "厦门大学"}]}},
    ("POST", "/competitions/problems/{problem_id}/preliminary"): {"json": {"reviews": {
        "1": [{"fit": "90"}]}}},
    ("POST", "/competitions/problems/{problem_id}/final"): {"json": {"reviews": {
        "1": [{"pitch": "90"}]}}},
}


def _app() -> FastAPI:
    return create_app(make_settings(), database=Database.connect("sqlite://"))


def undeclared(app: FastAPI) -> list[str]:
    return [f"{m} {p}" for m, p, r in endpoints(app) if rule_of(r) is None]


def test_every_route_declares_a_rule() -> None:
    assert undeclared(_app()) == []


def test_a_route_without_a_rule_is_caught() -> None:
    app = _app()

    @app.get("/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    assert undeclared(app) == ["GET /forgotten"]


def expected(role: str | None, permission: str, scope: str | None,
             drafts: str | None = None) -> bool:
    """Whether ``role`` (None: not signed in) may call a route with this rule (``drafts``:
    what it further needs, the version it names being a draft)."""
    if permission == PUBLIC:
        return True
    if role is None:
        return False
    if permission == SELF:
        return True
    held = GRANTS[Role(role)].get(Permission(permission))
    if held is None:
        return False
    if drafts is not None and GRANTS[Role(role)].get(Permission(drafts)) is None:
        return False
    return scope != Scope.ALL.value or held is Scope.ALL


def _path(template: str, code: str) -> str:
    values = {"code": code, "pack": "language", "number": "1", "policy": "lang",
              "clause": "rd_subsidy", "username": "u_reviewer", "batch_id": "1",
              "day": "2027-01-01", "year": "2027", "key": "gl-2025", "app_id": "1",
              "material_id": "1", "objection_id": "1", "case_id": "999999", "file_id": "1",
              "name": "acknowledge", "kind": "request_category", "std": "policy",
              "match_id": "1", "park": "GXQ001", "provider_id": "1", "voucher_id": "1",
              "contract_id": "1", "claim_id": "1", "task_id": "1", "message_id": "1",
              "problem_id": "1"}
    out = template
    for k, v in values.items():
        out = out.replace("{" + k + "}", v)
    return out


ROUTES = [(m, p) for m, p, _ in endpoints(_app())]


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_access_matrix(api: tuple[World, TestClient], method: str, path: str) -> None:
    world, client = api
    app = client.app
    assert isinstance(app, FastAPI)
    route = next(r for m, p, r in endpoints(app) if (m, p) == (method, path))
    declared = rule_of(route)
    assert declared is not None, f"{method} {path} declares no rule"
    permission, scope = declared
    sample = SAMPLES.get((method, path), {})
    if method in ("POST", "PUT", "PATCH") and not sample and _has_body(route):
        pytest.fail(f"add a sample request for {method} {path} to SAMPLES")
    # upload a pack first, so that routes about it reach their service (its version 1
    # stays a draft: routes that name it declare what a draft further needs)
    client.post("/policies/language/versions", headers=auth(world.tokens["admin"]),
                json=SAMPLES[("POST", "/policies/{pack}/versions")]["json"])
    for role in (None, *ROLES):
        headers = auth(world.tokens[role]) if role else {}
        r = client.request(method, _path(path, world.own), headers=headers, **sample)
        allowed = expected(role, permission, scope, drafts_rule(route))
        where = f"{method} {path} as {role or 'anonymous'}: {r.status_code} {r.text[:300]}"
        if allowed:
            assert r.status_code not in (401, 403), where
            assert r.status_code < 500, where
        else:
            assert r.status_code == (401 if role is None else 403), where
            assert r.headers["content-type"].startswith("application/problem+json"), where
        if "{code}" in path and role == "enterprise" and allowed:
            r = client.request(method, _path(path, world.other), headers=headers, **sample)
            assert r.status_code == 403, f"{where} (another enterprise)"
        if not allowed and method in ("POST", "PUT", "PATCH"):
            _refused_before_the_body_is_read(world, client, method, path, role)


#: Bodies no route accepts: not JSON at all, and JSON of the wrong shape.
BAD_BODIES: tuple[dict[str, Any], ...] = (
    {"content": b"{not json", "headers": {"content-type": "application/json"}},
    {"json": {"unexpected": ["x" * 10]}})


def _refused_before_the_body_is_read(world: World, client: TestClient, method: str,
                                     path: str, role: str | None) -> None:
    """A caller without the right is refused (401, or 403 and audited) whatever the body:
    the permission is checked before the body is read, never answered with a 422."""
    for bad in BAD_BODIES:
        headers = {**bad.get("headers", {}), **(auth(world.tokens[role]) if role else {})}
        before = _denials(world, role)
        r = client.request(method, _path(path, world.own), headers=headers,
                           **{k: v for k, v in bad.items() if k != "headers"})
        where = f"{method} {path} as {role or 'anonymous'} with a bad body: {r.status_code}"
        assert r.status_code == (401 if role is None else 403), f"{where} {r.text[:300]}"
        if role is not None:
            assert _denials(world, role) == before + 1, f"{where}: refusal not audited"


def _denials(world: World, role: str | None) -> int:
    from huiqi.service.audit import AuditQuery, entries

    if role is None:
        return 0
    total, _ = entries(world.platform.system(), AuditQuery(actor=f"u_{role}", outcome="denied",
                                                           limit=1))
    return total


PATHS = sorted({p for _, p in ROUTES})
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.mark.parametrize("path", PATHS)
def test_a_method_an_address_does_not_take_is_answered_with_allow(
        api: tuple[World, TestClient], path: str) -> None:
    world, client = api
    served = {m for m, p in ROUTES if p == path}
    wrong = next(m for m in METHODS if m not in served)
    r = client.request(wrong, _path(path, world.own))
    assert r.status_code == 405, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    expected = served | ({"HEAD"} if "GET" in served else set())
    assert set(r.headers["allow"].split(", ")) == expected


def _has_body(route: Any) -> bool:
    dependant = getattr(route, "dependant", None)
    return bool(dependant and dependant.body_params)
