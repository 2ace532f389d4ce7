"""Dependencies of the routes, as ``Annotated`` aliases: the platform, the signed-in actor
and its service context, the response language.

Those that do no I/O are ``async`` so that they run on the event loop, not each in a
worker thread (a thread hop per dependency costs more than the dependency itself)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from huiqi.errors import InputError, InvalidRequest, Problem
from huiqi.messages import message
from huiqi.service.context import Actor, Context, Platform
from huiqi.text import Lang

from .guard import client_ip, route_of, signed_in  # noqa: F401 - route_of: used by the pages
from .language import request_lang

#: The pages' sign-in cookie (a request carrying it, or a bearer token, is not anonymous).
SESSION_COOKIE = "huiqi_session"
SIGN_IN_PATHS = ("/auth/login", "/login")
bearer = HTTPBearer(auto_error=False, description="登录后得到的令牌 / the token from /auth/login")


async def get_platform(request: Request) -> Platform:
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def current_actor(request: Request, _creds: Credentials) -> Actor:
    # one indexed lookup, well under a millisecond: cheaper on the event loop than a hop to
    # a worker thread and back (measured: bench/RESULTS.md, API load); a guarded route has
    # made it already (huiqi.api.guard)
    return signed_in(request)


CurrentUser = Annotated[Actor, Depends(current_actor)]


async def context(request: Request, platform: PlatformDep, actor: CurrentUser) -> Context:
    return platform.as_actor(actor, client_ip(request))


ContextDep = Annotated[Context, Depends(context)]


async def language(request: Request) -> Lang:
    return request_lang(request, request.app.state.lang)


LangDep = Annotated[Lang, Depends(language)]


async def reject_nul(request: Request) -> None:
    """A NUL character can reach no database (PostgreSQL refuses it in text, SQLite would
    store it): refuse it in the address, and in every string of a JSON body or a form (its
    field names, values and file names), whatever the route does with them, on every
    engine alike. The body is the one the route reads (it is read once and kept)."""
    if "%00" in request.url.path or "\x00" in request.url.path or \
            "%00" in request.url.query or "\x00" in request.url.query:
        raise InputError(message("request.nul"))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    where: tuple[str | int, ...] | None = None
    if kind == "application/json" or kind.endswith("+json"):
        try:
            where = _nul_in(await request.json())
        except ValueError:  # not JSON at all: the route says so
            return
    elif kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form()  # parsed once: the route's own form, or refused (400)
        for key, value in form.multi_items():
            texts = [key, value] if isinstance(value, str) else [key, value.filename or ""]
            if any("\x00" in t for t in texts):
                where = (key.replace("\x00", "\\0"),)
                break
    if where is not None:
        field = ".".join(str(x) for x in ("body", *where))
        raise InvalidRequest([Problem(code="request.nul", path=("body", *where),
                                      message=message("request.nul_field", field=field))])


def _nul_in(value: Any) -> tuple[str | int, ...] | None:
    """The path of the first string (or key) of a JSON value holding a NUL, if any (walked
    without recursion: the nesting is the client's)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, str):
            if "\x00" in v:
                return path
        elif isinstance(v, dict):
            for k, item in v.items():
                if "\x00" in k:
                    return (*path, k.replace("\x00", "\\0"))
                stack.append(((*path, k), item))
        elif isinstance(v, list):
            stack.extend(((*path, i), item) for i, item in enumerate(v))
    return None
