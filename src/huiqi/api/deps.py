"""Dependencies of the routes, as ``Annotated`` aliases: the platform, the signed-in actor
and its service context, the response language.

Those that do no I/O are ``async`` so that they run on the event loop, not each in a
worker thread (a thread hop per dependency costs more than the dependency itself)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from huiqi.errors import InputError
from huiqi.messages import message
from huiqi.service import sessions
from huiqi.service.context import Actor, Context, Platform
from huiqi.text import Lang

from .language import request_lang

bearer = HTTPBearer(auto_error=False, description="登录后得到的令牌 / the token from /auth/login")


async def get_platform(request: Request) -> Platform:
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def current_actor(request: Request, platform: PlatformDep, creds: Credentials) -> Actor:
    # one indexed lookup, well under a millisecond: cheaper on the event loop than a hop to
    # a worker thread and back (measured: bench/RESULTS.md, API load)
    return sessions.authenticate(platform, creds.credentials if creds else None,
                                 client_ip(request))


CurrentUser = Annotated[Actor, Depends(current_actor)]


async def context(request: Request, platform: PlatformDep, actor: CurrentUser) -> Context:
    return platform.as_actor(actor, client_ip(request))


ContextDep = Annotated[Context, Depends(context)]


async def language(request: Request) -> Lang:
    return request_lang(request, request.app.state.lang)


LangDep = Annotated[Lang, Depends(language)]


async def reject_nul(request: Request) -> None:
    """A NUL character can reach no database: refuse it in the address at once."""
    if "%00" in request.url.path or "\x00" in request.url.path or \
            "%00" in request.url.query or "\x00" in request.url.query:
        raise InputError(message("request.nul"))
