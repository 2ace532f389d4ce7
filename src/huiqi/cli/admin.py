"""``huiqi admin``: administrator accounts for the operator who has the server's shell —
the way back in when no administrator can sign in (a forgotten password, a lost phone).

They are registered on the ``huiqi`` app by one line at the end of :mod:`huiqi.cli.app`.
Both commands write the audit log as ``cli:<operator>``. The password is asked twice
without echo, or, with ``--generate``, made at random and shown this once.
"""

from __future__ import annotations

from typing import Annotated

import typer

from huiqi.cli.app import _console, app, handles_errors
from huiqi.cli.service import DatabaseOpt, _operator, _password, _platform

admin = typer.Typer(name="admin", no_args_is_help=True, add_completion=False,
                  help="管理员账号(供有服务器权限的运维人员)/ administrator accounts, for the "
                       "operator with shell access")

UsernameArg = Annotated[str, typer.Argument(help="用户名 / user name")]
GenerateOpt = Annotated[bool, typer.Option(
    "--generate", help="随机生成密码并只显示这一次 / make a random password, shown once")]


def _new_password(generate: bool) -> str:
    if generate:
        return _password()
    return str(typer.prompt("新密码 / new password", hide_input=True,
                            confirmation_prompt="再输入一次 / again"))


def _shown_once(username: str, password: str) -> None:
    _console().print(f"{username} 的密码(只显示这一次)/ password of {username} (shown once): "
                     f"{password}", markup=False)


@admin.command()
@handles_errors
def create(username: UsernameArg,
           name: Annotated[str | None, typer.Option(help="显示名 / display name")] = None,
           generate: GenerateOpt = False, database: DatabaseOpt = None) -> None:
    """新建系统管理员账号。/ Create an administrator account."""
    from huiqi.service import accounts
    from huiqi.service.permissions import Role

    password = _new_password(generate)
    with _platform(database) as platform:
        accounts.create(platform.as_actor(_operator()), username, name or username, Role.ADMIN,
                        password)
    _console().print(f"✓ 已创建管理员 {username} / administrator {username} created",
                     markup=False)
    if generate:
        _shown_once(username, password)


@admin.command()
@handles_errors
def reset(username: UsernameArg, generate: GenerateOpt = False,
          totp_off: Annotated[bool, typer.Option(
              "--totp-off", help="同时关闭动态验证码 / also turn the one-time code off")] = False,
          database: DatabaseOpt = None) -> None:
    """重置账号:新密码、解除锁定、重新启用,其登录全部失效。/ Reset an account.

    A new password; unlocked from every address; enabled again; every session of it ends.
    """
    from huiqi.service import accounts

    password = _new_password(generate)
    with _platform(database) as platform:
        accounts.update(platform.as_actor(_operator()), username, password=password,
                        unlock=True, active=True, totp_off=totp_off)
    _console().print(f"✓ 已重置 {username} / {username} reset", markup=False)
    if generate:
        _shown_once(username, password)


app.add_typer(admin)

__all__ = ["admin", "create", "reset"]
