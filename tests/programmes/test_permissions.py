"""Every public service function of programmes declares its permission, except the public
notice (公示) and objections to it, which need no sign-in, and helpers that take a session."""

from __future__ import annotations

import inspect

from huiqi.programmes import applications, automatic, calls, reviews
from huiqi.service.permissions import GRANTS, Permission, Role, Scope

PUBLIC = {"notice", "object_to"}


def test_every_public_programme_function_declares_a_permission() -> None:
    undeclared = []
    for module in (applications, automatic, calls, reviews):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:1] == ["ctx"] and params[1:2] != ["s"] and not hasattr(fn, "permission") \
                    and name not in PUBLIC:
                undeclared.append(f"{module.__name__}.{name}")
    assert undeclared == []


def test_who_holds_what() -> None:
    assert GRANTS[Role.ENTERPRISE][Permission.APPLICATION_WRITE] is Scope.OWN
    assert GRANTS[Role.ENTERPRISE][Permission.APPLICATION_READ] is Scope.OWN
    assert Permission.APPLICATION_PROCESS not in GRANTS[Role.ENTERPRISE]
    assert Permission.APPLICATION_READ not in GRANTS[Role.REVIEWER]   # only its assignments
    writes = {Permission.PROGRAMME_MANAGE, Permission.APPLICATION_WRITE,
              Permission.APPLICATION_PROCESS, Permission.REVIEW_SCORE}
    assert not writes & set(GRANTS[Role.LEADERSHIP])
