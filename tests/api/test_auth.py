"""Signing in through the API."""

from __future__ import annotations

import pyotp
from fastapi.testclient import TestClient

from service_fixtures import PASSWORD, Clock, World, auth


def test_login_me_logout(api: tuple[World, TestClient]) -> None:
    _, client = api
    r = client.post("/auth/login", json={"username": "u_leadership", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["role"] == "leadership"
    h = auth(r.json()["access_token"])
    me = client.get("/auth/me", headers=h).json()
    assert me["role_label"] == {"zh": "领导(只读)", "en": "Leadership (read-only)"}
    assert client.post("/auth/logout", headers=h).status_code == 204
    assert client.get("/auth/me", headers=h).status_code == 401


BAD = "用户名或密码错误(连续多次失败后,需等待一段时间才能再次登录)"


def test_lockout_through_the_api(api: tuple[World, TestClient]) -> None:
    world, client = api
    for _ in range(world.platform.settings.login_max_failures):
        r = client.post("/auth/login", json={"username": "u_reviewer", "password": "x"})
        assert r.status_code == 401 and r.json()["detail"] == BAD
    r = client.post("/auth/login", json={"username": "u_reviewer", "password": PASSWORD},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 401 and "Wrong user name or password" in r.json()["detail"]
    r = client.get("/accounts/u_reviewer", headers=auth(world.tokens["admin"]))
    assert r.json()["locked"] is True
    r = client.patch("/accounts/u_reviewer", headers=auth(world.tokens["admin"]),
                     json={"unlock": True})
    assert r.status_code == 200 and r.json()["locked"] is False
    assert client.post("/auth/login", json={"username": "u_reviewer",
                                            "password": PASSWORD}).status_code == 200


def test_expired_tokens_are_refused(api: tuple[World, TestClient], clock: Clock) -> None:
    world, client = api
    h = auth(world.tokens["reviewer"])
    assert client.get("/auth/me", headers=h).status_code == 200
    clock.advance(minutes=world.platform.settings.session_ttl_minutes + 1)
    r = client.get("/auth/me", headers=h)
    assert r.status_code == 401 and r.json()["detail"] == "登录已过期,请重新登录"


def test_totp_through_the_api(api: tuple[World, TestClient], clock: Clock) -> None:
    world, client = api
    h = auth(world.tokens["admin"])
    assert client.post("/auth/totp", headers=h).status_code == 422  # the password is asked
    r = client.post("/auth/totp", headers=h, json={"password": "wrong"})
    assert r.status_code == 422 and r.json()["detail"] == "当前密码错误"
    secret = client.post("/auth/totp", headers=h, json={"password": PASSWORD}).json()["secret"]
    totp = pyotp.TOTP(secret)
    assert client.post("/auth/totp/confirm", headers=h,
                       json={"code": totp.at(clock.now)}).status_code == 204
    clock.advance(seconds=30)
    r = client.post("/auth/login", json={"username": "u_admin", "password": PASSWORD})
    assert r.status_code == 401 and "验证码" in r.json()["detail"]
    login = {"username": "u_admin", "password": PASSWORD, "totp": totp.at(clock.now)}
    assert client.post("/auth/login", json=login).status_code == 200
    r = client.post("/auth/login", json=login)  # the same code again
    assert r.status_code == 401 and r.json()["detail"] == "动态验证码错误或已过期"
    # a second factor on: neither a new one nor turning it off without a current code
    for path in ("/auth/totp", "/auth/totp/disable"):
        r = client.post(path, headers=h, json={"password": PASSWORD})
        assert r.status_code == 422 and "验证码" in r.json()["detail"], path
    me = client.get("/auth/me", headers=h).json()
    assert me["totp_enabled"] is True
    clock.advance(seconds=30)
    assert client.post("/auth/totp/disable", headers=h, json={
        "password": PASSWORD, "code": totp.at(clock.now)}).status_code == 204
    assert client.get("/auth/me", headers=h).json()["totp_enabled"] is False


def test_changing_the_password_through_the_api_keeps_only_this_session(
        api: tuple[World, TestClient]) -> None:
    world, client = api
    other = client.post("/auth/login", json={"username": "u_reviewer",
                                             "password": PASSWORD}).json()["access_token"]
    h = auth(world.tokens["reviewer"])
    assert client.post("/auth/password", headers=h, json={
        "current": PASSWORD, "new": "Another-Good-Pass-2"}).status_code == 204
    assert client.get("/auth/me", headers=h).status_code == 200
    assert client.get("/auth/me", headers=auth(other)).status_code == 401


def test_password_policy_through_the_api(api: tuple[World, TestClient]) -> None:
    world, client = api
    r = client.post("/accounts", headers=auth(world.tokens["admin"]), json={
        "username": "bob", "display_name": "Bob", "role": "reviewer", "password": "short"})
    assert r.status_code == 422 and "至少 12 个字符" in r.json()["detail"]
    r = client.post("/accounts", headers=auth(world.tokens["admin"]), json={
        "username": "bob", "display_name": "Bob", "role": "enterprise", "password": PASSWORD})
    assert r.status_code == 422 and "绑定" in r.json()["detail"]


def test_the_last_administrator_cannot_be_demoted_through_the_api(
        api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["admin"])
    for change in ({"role": "reviewer"}, {"active": False}):
        r = client.patch("/accounts/u_admin", headers=h, json=change)
        assert r.status_code == 409, r.text
        assert "最后一个启用的系统管理员" in r.json()["detail"]
    assert client.get("/auth/me", headers=h).json()["role"] == "admin"


def test_a_staff_account_carries_a_district(api: tuple[World, TestClient]) -> None:
    """Issue 14: administrators set a staff account's district (an enterprise user has
    none); the case officer's counters are there for the workbench."""
    world, client = api
    h = auth(world.tokens["admin"])
    assert client.get("/accounts/u_case_officer", headers=h).json()["district"] == "崂山区"
    r = client.patch("/accounts/u_reviewer", headers=h, json={"district": "黄岛区"})
    assert r.status_code == 200 and r.json()["district"] == "黄岛区"
    r = client.patch("/accounts/u_reviewer", headers=h, json={"district": ""})
    assert r.json()["district"] is None
    r = client.patch("/accounts/u_enterprise", headers=h, json={"district": "黄岛区"})
    assert r.status_code == 200 and r.json()["district"] is None
    r = client.get("/cases/counters", headers=auth(world.tokens["case_officer"]))
    assert r.status_code == 200 and r.json() == {"open": 0, "overdue": 0, "due_this_week": 0,
                                                 "green": 0, "waiting": 0}
