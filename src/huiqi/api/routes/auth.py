"""Signing in and out, and the signed-in account's own settings."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from huiqi.service import accounts, limiter, sessions
from huiqi.service.schemas import (
    AccountPublic,
    LoginRequest,
    PasswordChange,
    TokenPublic,
    TotpBegin,
    TotpConfirm,
    TotpOff,
    TotpStart,
)

from ..access import PUBLIC, SELF, rule
from ..deps import ContextDep, Credentials, PlatformDep
from ..guard import Guarded, client_ip, route_of
from ..problems import responses
from .accounts import public

router = APIRouter(route_class=Guarded, prefix="/auth", tags=["auth 登录"], responses=responses(401, 422))


@router.post("/login", openapi_extra=rule(PUBLIC), response_model=TokenPublic,
             responses=responses(429))
def login(body: LoginRequest, request: Request, platform: PlatformDep) -> TokenPublic:
    """登录:用户名、密码(及动态验证码),返回有时效的令牌;每个地址、每个账号的尝试次数有限
    / Sign in; returns an expiring token. Attempts are limited per address and per account."""
    ip = client_ip(request)
    with limiter.sign_in(platform, body.username, ip, route_of(request)):
        si = sessions.login(platform, body.username, body.password, body.totp, ip)
    return TokenPublic(access_token=si.token, expires_at=si.expires_at,
                       username=si.actor.username, role=si.actor.role)


@router.post("/logout", openapi_extra=rule(SELF), status_code=204, response_class=Response)
def logout(ctx: ContextDep, creds: Credentials) -> Response:
    """注销当前令牌 / Sign out (the token stops working)."""
    assert isinstance(creds, HTTPAuthorizationCredentials)
    sessions.logout(ctx, creds.credentials)
    return Response(status_code=204)


@router.get("/me", openapi_extra=rule(SELF), response_model=AccountPublic)
def me(ctx: ContextDep) -> AccountPublic:
    """当前账号 / The signed-in account."""
    return public(accounts.me(ctx))


@router.post("/password", openapi_extra=rule(SELF), status_code=204, response_class=Response)
def change_password(body: PasswordChange, ctx: ContextDep, creds: Credentials) -> Response:
    """修改密码(须符合密码策略;本账号的其他登录随即失效)/ Change the password (the policy
    applies; every other session of the account ends)."""
    sessions.change_password(ctx, body.current, body.new,
                             creds.credentials if creds else None)
    return Response(status_code=204)


@router.post("/totp", openapi_extra=rule(SELF), response_model=TotpBegin)
def totp_begin(body: TotpStart, ctx: ContextDep) -> TotpBegin:
    """开始绑定动态验证码(须输入密码;已启用时还须当前验证码,确认前旧的仍有效)/ Start binding a
    TOTP authenticator (the password; if one is on, a current code too; it stays on until the
    new one is confirmed)."""
    secret, uri = sessions.totp_begin(ctx, body.password, body.code)
    return TotpBegin(secret=secret, uri=uri)


@router.post("/totp/confirm", openapi_extra=rule(SELF), status_code=204,
             response_class=Response)
def totp_confirm(body: TotpConfirm, ctx: ContextDep) -> Response:
    """输入验证码以启用第二因素 / Turn the second factor on with a code from the app."""
    sessions.totp_confirm(ctx, body.code)
    return Response(status_code=204)


@router.post("/totp/disable", openapi_extra=rule(SELF), status_code=204,
             response_class=Response)
def totp_disable(body: TotpOff, ctx: ContextDep) -> Response:
    """关闭动态验证码(须输入密码和当前验证码)/ Turn the second factor off (the password and a
    current code)."""
    sessions.totp_disable(ctx, body.password, body.code)
    return Response(status_code=204)
