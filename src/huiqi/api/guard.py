"""A route's rule (:mod:`huiqi.api.access`) checked before anything of the request is read.

FastAPI reads and validates a body before the route's code, and so before the service
checks the permission: someone without the right would be told their body is wrong (422)
instead of refused (403), and the refusal would not be audited. A :class:`Guarded` route
signs the caller in and checks the permission its rule declares first; the service
checks it again, over the enterprise the call is about.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from starlette.requests import Request
from starlette.responses import Response

from huiqi.service import sessions
from huiqi.service.context import Actor, Platform
from huiqi.service.permissions import Permission, Scope

from .access import PUBLIC, SELF, rule_of


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def route_of(request: Request) -> str:
    """What a request asks for, as the audit log names it: ``GET /enterprises/{code}``."""
    route = request.scope.get("route")
    path = getattr(route, "path", None) or request.url.path[:200]
    return f"{request.method} {path}"


def bearer_token(request: Request) -> str | None:
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    return token if scheme.lower() == "bearer" and token else None


def signed_in(request: Request) -> Actor:
    """The caller's actor, checked once per request (kept on ``request.state``)."""
    actor = getattr(request.state, "actor", None)
    if isinstance(actor, Actor):
        return actor
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    actor = sessions.authenticate(platform, bearer_token(request), client_ip(request),
                                  route_of(request))
    request.state.actor = actor
    return actor


def check(request: Request, actor: Actor, permission: str, scope: str | None) -> None:
    """Refuse (audited) an actor whose role does not hold ``permission`` as far as the rule
    asks: over everything for a rule of scope ``all``, at least over its own enterprise
    otherwise."""
    if permission in (PUBLIC, SELF):
        return
    platform = request.app.state.platform
    ctx = platform.as_actor(actor, client_ip(request))
    p = Permission(permission)
    if scope == Scope.ALL.value and ctx.scope(p) is not Scope.ALL:
        ctx.refuse(p, None)
    ctx.require(p)


class Guarded(APIRoute):
    """An API route whose rule is enforced before its body is read."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        declared = rule_of(self)
        if declared is None or declared[0] == PUBLIC:
            return handler
        permission, scope = declared

        async def guarded(request: Request) -> Response:
            check(request, signed_in(request), permission, scope)
            return await handler(request)

        return guarded


__all__ = ["Guarded", "bearer_token", "check", "client_ip", "route_of", "signed_in"]
