"""The front page, signing in and out, and where each role starts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response
from fastapi.responses import RedirectResponse

from huiqi.api.guard import client_ip, route_of
from huiqi.errors import AuthenticationError
from huiqi.service import limiter, sessions
from huiqi.service.permissions import Role

from ..pages import PUBLIC, SELF, SESSION_COOKIE, PageDep, Pages, home_of, secure_cookies

router = Pages()
Field = Annotated[str, Form(max_length=256)]


@router.page("GET", "/", PUBLIC)
def front(p: PageDep) -> Response:
    return p.render("home.html")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never another host) may follow signing in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.page("GET", "/login", PUBLIC)
def login_form(p: PageDep, next: str | None = None) -> Response:
    return p.render("login.html", next=_safe_next(next), error=None, username="")


@router.page("POST", "/login", PUBLIC)
def login(p: PageDep, username: Field, password: Field,
          totp: Annotated[str, Form(max_length=10)] = "",
          next: Annotated[str, Form(max_length=500)] = "") -> Response:
    ip = client_ip(p.request)
    try:
        with limiter.sign_in(p.platform, username, ip, route_of(p.request)):
            si = sessions.login(p.platform, username, password, totp or None, ip)
    except AuthenticationError as exc:
        return p.render("login.html", status=401, next=_safe_next(next), error=exc,
                        username=username)
    target = _safe_next(next) or home_of(si.actor)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(SESSION_COOKIE, si.token, httponly=True, samesite="lax",
                    secure=secure_cookies(p.request),
                    max_age=p.platform.settings.session_ttl_minutes * 60)
    return resp


@router.page("POST", "/logout", SELF)
def logout(p: PageDep) -> Response:
    assert p.token is not None
    sessions.logout(p.ctx, p.token)
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, secure=secure_cookies(p.request), httponly=True,
                       samesite="lax")
    return resp


@router.page("GET", "/my", SELF)
def mine(p: PageDep) -> Response:
    """The signed-in person's own start page."""
    assert p.actor is not None
    return RedirectResponse(home_of(p.actor), status_code=303)


@router.page("GET", "/staff", SELF)
def staff(p: PageDep) -> Response:
    """The console's start: the sections this role may open."""
    assert p.actor is not None
    if p.actor.role is Role.ENTERPRISE:
        return RedirectResponse(home_of(p.actor), status_code=303)
    from ..workbench import todos

    return p.render("staff.html", todos=todos(p))
