"""Accounts in the staff console (administrators): create one (a random first password,
shown once), change its role or its district (staff), reset its password (a new random one, shown once; its
sessions end), turn its second factor off, unlock it, deactivate or reactivate it. The
service keeps the rules: an administrator resets others only, and the last active
administrator stays one."""

from __future__ import annotations

import secrets
import string
from typing import Annotated, Any

from fastapi import Form, Response

from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.service import accounts
from huiqi.service.permissions import ROLE_LABELS, Permission, Role

from ..pages import Page, PageDep, Pages

router = Pages()
MANAGE = Permission.ACCOUNT_MANAGE
Username = Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]


def new_password() -> str:
    """A random password that meets any policy huiqi allows (20 characters, 4 classes)."""
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "-_.!@#%")
    chars = [secrets.choice(p) for p in pools]
    chars += [secrets.choice("".join(pools)) for _ in range(16)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _page(p: Page, status: int = 200, **values: Any) -> Response:
    values.setdefault("error", None)
    values.setdefault("shown_once", None)
    values.setdefault("notice", None)
    values.setdefault("form", {})
    return p.render("accounts.html", status=status, accounts=accounts.list_accounts(p.ctx),
                    roles=[(r.value, p.text(ROLE_LABELS[r])) for r in Role],
                    role_text={r.value: p.text(ROLE_LABELS[r]) for r in Role},
                    me=p.actor.username if p.actor else "", **values)


@router.page("GET", "/staff/accounts", MANAGE)
def listing(p: PageDep) -> Response:
    return _page(p)


@router.page("POST", "/staff/accounts", MANAGE)
def create(p: PageDep, username: Username,
           display_name: Annotated[str, Form(min_length=1, max_length=100)],
           role: Annotated[Role, Form()],
           enterprise: Annotated[str, Form(max_length=18)] = "",
           district: Annotated[str, Form(max_length=64)] = "") -> Response:
    password = new_password()
    form = {"username": username, "display_name": display_name, "role": role.value,
            "enterprise": enterprise, "district": district}
    try:
        accounts.create(p.ctx, username, display_name.strip(), role, password,
                        enterprise.strip() or None, district)
    except (InputError, Conflict, NotFoundError) as exc:
        return _page(p, status=409 if isinstance(exc, Conflict) else 422, error=exc, form=form)
    return _page(p, status=201, shown_once=(username, password),
                 notice=p.t(f"已创建账号 {username}。", f"Account {username} created."))


ACTIONS = ("role", "district", "reset", "totp_off", "unlock", "deactivate", "activate")


@router.page("POST", "/staff/accounts/{username}", MANAGE)
def change(p: PageDep, username: str,
           action: Annotated[str, Form(pattern="^(" + "|".join(ACTIONS) + ")$")],
           role: Annotated[Role | None, Form()] = None,
           district: Annotated[str, Form(max_length=64)] = "") -> Response:
    password = new_password() if action == "reset" else None
    try:
        if action == "role":
            if role is None:
                raise InputError(_no_role())
            accounts.update(p.ctx, username, role=role)
        elif action == "district":
            accounts.update(p.ctx, username, district=district)
        elif action == "reset":
            accounts.update(p.ctx, username, password=password, unlock=True)
        elif action == "totp_off":
            accounts.update(p.ctx, username, totp_off=True)
        elif action == "unlock":
            accounts.update(p.ctx, username, unlock=True)
        else:
            accounts.update(p.ctx, username, active=action == "activate")
    except (InputError, Conflict) as exc:
        return _page(p, status=409 if isinstance(exc, Conflict) else 422, error=exc)
    done = {"role": ("已更改角色", "Role changed"),
            "district": ("已更改所属区县", "District changed"),
            "reset": ("已重置密码,该账号的所有登录已失效", "Password reset; its sessions ended"),
            "totp_off": ("已关闭动态验证码", "Second factor turned off"),
            "unlock": ("已解除锁定", "Unlocked"), "deactivate": ("已停用", "Deactivated"),
            "activate": ("已重新启用", "Reactivated")}[action]
    return _page(p, notice=p.t(f"{username}:{done[0]}。", f"{username}: {done[1]}."),
                 shown_once=(username, password) if password else None)


def _no_role() -> Any:
    from huiqi.text import Text

    return Text("请选择角色", "Choose a role")
