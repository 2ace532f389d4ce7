"""Rate limits per client address (:mod:`huiqi.service.limiter`), applied before routing:
the calculator, attempts to sign in, and every request without a sign-in are counted, and
one over its limit is answered 429 before its route is found, its body read, its caller
signed in or its dependencies solved. An address the process has refused already is
answered from memory: a flood of refused requests costs a fraction of what answering them
through the whole stack did (bench/RESULTS.md, anonymous load). The refusal is audited in
counted entries (:mod:`huiqi.service.refusals`) under a coarse route (``GET
/enterprises/…``), so that varying the path adds no entries. Refused sign-ins with a token
are counted where the token is checked (:func:`huiqi.service.sessions.authenticate`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from huiqi.errors import HuiqiError, RateLimited
from huiqi.service import limiter, refusals

from .access import endpoints
from .deps import SESSION_COOKIE, SIGN_IN_PATHS

Answer = Callable[[Request, HuiqiError], Response]


class RefusedEarly:
    """ASGI middleware; the response is made by ``app.state.refused_response`` (problem+json
    for the API; the pages put a page there for a browser)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            retry = _over(scope)
            if retry is not None:
                request = Request(scope)
                platform = request.app.state.platform
                refusals.refused(platform, ip=_ip(scope), route=_route(request),
                                 outcome="rate_limited", reason="rate.limited")
                answer: Answer = request.app.state.refused_response
                await answer(request, RateLimited(retry))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "-"


def _over(scope: Scope) -> int | None:
    """Count the request under the address's rules; the seconds to wait if one refuses it."""
    path, method = scope["path"], scope["method"]
    if path == "/health" or path.startswith("/static/"):
        return None
    rules = limiter.of(scope["app"].state.platform)
    ip = _ip(scope)
    applies = []
    if path.startswith("/calculator"):
        applies.append("calculator")
    if method == "POST" and path in SIGN_IN_PATHS:
        applies.append("login")
    if not _signed_in(scope):
        applies.append("anonymous")
    for rule in applies:
        try:
            rules.hit(rule, ip)
        except RateLimited as exc:
            return exc.retry_after
    return None


def _signed_in(scope: Scope) -> bool:
    """Whether the request carries a sign-in at all (a token or the pages' cookie)."""
    cookie = SESSION_COOKIE.encode() + b"="
    return any((name == b"authorization" and value[:7].lower() == b"bearer ")
               or (name == b"cookie" and cookie in value) for name, value in scope["headers"])


def _route(request: Request) -> str:
    """What was asked for, coarsely (``GET /enterprises/…``): the audit entries of a flood
    are not multiplied by the paths it varies."""
    known: Any = getattr(request.app.state, "first_segments", None)
    if known is None:
        known = {(path + "//").split("/")[1] for _m, path, _r in endpoints(request.app)}
        request.app.state.first_segments = known
    parts = request.url.path.split("/")
    first = parts[1] if len(parts) > 1 and parts[1] in known else "*"
    return f"{request.method} /{first}" + ("/…" if len(parts) > 2 else "")
