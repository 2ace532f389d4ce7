"""Who is acting, on which platform: the first argument of every service function.

    platform = Platform(db, settings)             # one per process
    ctx = platform.as_actor(actor, ip="…")         # one per request or command
    enterprises.get(ctx, "91330201MA2GQ1XK38")     # checks ctx.actor's permission first

:func:`requires` declares a service function's permission and enforces it before the
function runs; a refusal is written to the audit log (in its own transaction, so that it
stays even though the call fails) and raised as :class:`~huiqi.errors.PermissionDenied`.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar

from huiqi.clock import utc_now
from huiqi.errors import PermissionDenied
from huiqi.settings import Settings
from huiqi.store.database import Database

from .permissions import Permission, Role, Scope, scope_of

Clock = Callable[[], dt.datetime]
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Actor:
    """The acting account, as far as permissions need it."""

    username: str
    role: Role
    account_id: int | None = None
    entity_id: int | None = None
    entity_code: str | None = None


#: The platform acting on its own (migrations, ``huiqi init-demo``, imports run by an operator).
SYSTEM = Actor(username="system", role=Role.ADMIN)


@dataclass
class Platform:
    """What every service call shares: the database, the settings, the clock, caches."""

    db: Database
    settings: Settings
    clock: Clock = utc_now
    cache: dict[Any, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    #: The audit log's clock; None: :attr:`clock`. A replay of the past on a moved clock (the
    #: demo's programmes) still writes its audit entries when they are really written: the
    #: log's hash chain refuses an entry dated before the one it follows.
    audit_clock: Clock | None = None

    def now(self) -> dt.datetime:
        return self.clock()

    def audit_now(self) -> dt.datetime:
        return (self.audit_clock or self.clock)()

    def today(self) -> dt.date:
        """China's date by this platform's clock (or the ``as_of`` setting)."""
        return self.settings.today(self.clock())

    def as_actor(self, actor: Actor, ip: str | None = None) -> Context:
        return Context(self, actor, ip)

    def system(self) -> Context:
        return Context(self, SYSTEM, None)


@dataclass(frozen=True)
class Context:
    platform: Platform
    actor: Actor
    ip: str | None = None

    @property
    def db(self) -> Database:
        return self.platform.db

    @property
    def settings(self) -> Settings:
        return self.platform.settings

    def now(self) -> dt.datetime:
        return self.platform.now()

    def scope(self, permission: Permission) -> Scope | None:
        return scope_of(self.actor.role, permission)

    def require(self, permission: Permission, enterprise: str | None = None,
                target: str | None = None) -> Scope:
        """Check ``permission`` (over ``enterprise``, a credit code, if given) or refuse."""
        scope = self.scope(permission)
        if scope is Scope.ALL:
            return scope
        if scope is Scope.OWN and (enterprise is None or enterprise == self.actor.entity_code):
            return scope
        self.refuse(permission, target or enterprise)

    def refuse(self, permission: Permission, target: str | None) -> NoReturn:
        from .audit import record

        with self.db.write() as s:
            record(s, self, f"{permission.value}", target=target, outcome="denied",
                   detail=f"role {self.actor.role.value} lacks {permission.value}")
        raise PermissionDenied(permission.value, target)


def requires(permission: Permission, enterprise: str | None = None
             ) -> Callable[[Callable[Concatenate[Context, P], R]],
                           Callable[Concatenate[Context, P], R]]:
    """Declare and enforce the permission a service function needs.

    ``enterprise`` names the argument holding the credit code the call is about; a role
    that holds the permission only over its own enterprise is let through only for it.
    A function about many enterprises and held with ``OWN`` scope filters by itself.
    """

    def wrap(fn: Callable[Concatenate[Context, P], R]) -> Callable[Concatenate[Context, P], R]:
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def inner(ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
            code = None
            if enterprise is not None:
                bound = sig.bind_partial(ctx, *args, **kwargs)
                code = bound.arguments.get(enterprise)
                code = str(code).strip().upper() if code is not None else None
                ctx.require(permission, enterprise=code)
            else:
                ctx.require(permission, enterprise=None)
            return fn(ctx, *args, **kwargs)

        inner.permission = permission  # type: ignore[attr-defined]
        return inner

    return wrap
