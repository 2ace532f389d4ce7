"""Rate limits per client address (:mod:`huiqi.service.limiter`), applied before routing:
the calculator, attempts to sign in, and every request without a sign-in are counted, and
one over its limit is answered 429 before its route is found, its body read, its caller
signed in or its dependencies solved. An address the process has refused already is
answered from memory, with a response prepared once per kind of request (the same bytes for
the same path, language and wait): a flood of refused requests costs a fraction of what
answering them through the whole stack did (bench/RESULTS.md, anonymous load). A token
from such an address is looked up here, before routing: one that would not be let in is
refused as the anonymous requests are, without the route's dependencies. The refusal is audited in
counted entries (:mod:`huiqi.service.refusals`) under a coarse route (``GET
/enterprises/…``), so that varying the path adds no entries. Refused sign-ins with a token
are counted where the token is checked (:func:`huiqi.service.sessions.authenticate`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from huiqi.errors import HuiqiError, RateLimited
from huiqi.service import limiter, refusals, sessions

from .access import endpoints
from .deps import SESSION_COOKIE, SIGN_IN_PATHS

Answer = Callable[[Request, HuiqiError], Response]
Prepared = tuple[int, list[tuple[bytes, bytes]], bytes]   # status, headers, body
_PREPARED = 1024   # prepared responses kept (the least recently used go first)
_VARIES = (b"host", b"accept", b"accept-language", b"cookie")   # what an answer may depend on


class RefusedEarly:
    """ASGI middleware; the response is made by ``app.state.refused_response`` (problem+json
    for the API; the pages put a page there for a browser) the first time a kind of request
    is refused, then sent again as it was made."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._prepared: OrderedDict[tuple[Any, ...], Prepared] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            retry = _over(scope)
            if retry is not None:
                refusals.refused(scope["app"].state.platform, ip=_ip(scope), route=_route(scope),
                                 outcome="rate_limited", reason="rate.limited")
                status, headers, body = self._answer(scope, retry)
                await send({"type": "http.response.start", "status": status,
                            "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope, retry: int) -> Prepared:
        """The refusal of this kind of request: prepared the first time, then remembered."""
        varies = dict.fromkeys(_VARIES, b"")
        for name, value in scope["headers"]:
            if name in varies:
                varies[name] = value
        key = (retry, scope["method"], scope["path"], scope["query_string"],
               scope.get("scheme"), *varies.values())
        found = self._prepared.get(key)
        if found is not None:
            self._prepared.move_to_end(key)
            return found
        request = Request(scope)
        answer: Answer = request.app.state.refused_response
        response = answer(request, RateLimited(retry))
        made: Prepared = (response.status_code, list(response.raw_headers), bytes(response.body))
        self._prepared[key] = made
        if len(self._prepared) > _PREPARED:
            self._prepared.popitem(last=False)
        return made


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
    token = _token(scope)
    if token is None:
        applies.append("anonymous")
    for rule in applies:
        try:
            rules.hit(rule, ip)
        except RateLimited as exc:
            return exc.retry_after
    if token is not None:   # from an address over its anonymous limit: a token no good is refused here
        wait = rules.remembered("anonymous", ip)
        if wait is not None and not sessions.valid(scope["app"].state.platform, token):
            return wait
    return None


def _token(scope: Scope) -> str | None:
    """The sign-in the request carries (a bearer token or the pages' cookie), if any."""
    cookie = SESSION_COOKIE.encode() + b"="
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for name, value in headers:
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return value[7:].decode("latin-1").strip()
        if name == b"cookie" and cookie in value:
            for part in value.split(b";"):
                pair = part.strip()
                if pair.startswith(cookie):
                    return pair[len(cookie):].decode("latin-1").strip('"')
    return None


def _route(scope: Scope) -> str:
    """What was asked for, coarsely (``GET /enterprises/…``): the audit entries of a flood
    are not multiplied by the paths it varies."""
    app = scope["app"]
    known: Any = getattr(app.state, "first_segments", None)
    if known is None:
        known = {(path + "//").split("/")[1] for _m, path, _r in endpoints(app)}
        app.state.first_segments = known
    parts = scope["path"].split("/")
    first = parts[1] if len(parts) > 1 and parts[1] in known else "*"
    return f"{scope['method']} /{first}" + ("/…" if len(parts) > 2 else "")
