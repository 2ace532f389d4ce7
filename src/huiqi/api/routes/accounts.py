"""Accounts, managed by administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from huiqi.engine.public import LocalText
from huiqi.service import accounts
from huiqi.service.accounts import AccountView
from huiqi.service.permissions import Permission
from huiqi.service.schemas import AccountCreate, AccountPublic, AccountUpdate

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses

router = APIRouter(route_class=Guarded, prefix="/accounts", tags=["accounts 账号"],
                   responses=responses(401, 403, 404, 409, 422))
Username = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.@-]{3,64}$")]
RULE = rule(Permission.ACCOUNT_MANAGE)


def public(v: AccountView) -> AccountPublic:
    return AccountPublic(username=v.username, display_name=v.display_name, role=v.role,
                         role_label=LocalText(**v.role.label.as_dict()), enterprise=v.enterprise,
                         active=v.active, totp_enabled=v.totp_enabled, locked=v.locked,
                         district=v.district)


@router.get("", openapi_extra=RULE, response_model=list[AccountPublic])
def list_accounts(ctx: ContextDep) -> list[AccountPublic]:
    """全部账号 / Every account."""
    return [public(v) for v in accounts.list_accounts(ctx)]


@router.post("", openapi_extra=RULE, status_code=201, response_model=AccountPublic)
def create_account(body: AccountCreate, ctx: ContextDep) -> AccountPublic:
    """新建账号 / Create an account."""
    return public(accounts.create(ctx, body.username, body.display_name, body.role,
                                  body.password, body.enterprise, body.district))


@router.get("/{username}", openapi_extra=RULE, response_model=AccountPublic)
def get_account(username: Username, ctx: ContextDep) -> AccountPublic:
    """一个账号 / One account."""
    return public(accounts.get(ctx, username))


@router.patch("/{username}", openapi_extra=RULE, response_model=AccountPublic)
def update_account(username: Username, body: AccountUpdate, ctx: ContextDep) -> AccountPublic:
    """修改账号:角色、所属区县、停用、解锁、重置密码、关闭动态验证码 / Change role, district,
    disable, unlock, reset password, turn the one-time code off."""
    return public(accounts.update(ctx, username, display_name=body.display_name,
                                  role=body.role, active=body.active, unlock=body.unlock,
                                  enterprise=body.enterprise, password=body.password,
                                  totp_off=body.totp_off, district=body.district))
