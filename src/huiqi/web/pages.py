"""What every page shares: who is asking (a signed-in cookie), in which language, the
rule each page declares, and the one place where errors become pages.

A page route is declared with :func:`page` on a :class:`Pages` router::

    @router.page("GET", "/staff/audit", Permission.AUDIT_READ)
    def audit(p: PageDep) -> Response: ...

The rule is both shown to the access-matrix test (``x-permission``, as for the API) and
enforced before the page reads its form, through the service layer
(:meth:`Context.require`, which audits a refusal). Service calls the page then makes check again, over the
enterprise they are about.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from huiqi.api.access import PUBLIC, SELF, Rule, rule, rule_of
from huiqi.api.deps import SESSION_COOKIE
from huiqi.api.guard import client_ip, route_of
from huiqi.errors import (
    AuthenticationError,
    Conflict,
    HuiqiError,
    InputError,
    NotFoundError,
    PermissionDenied,
    Problem,
    RateLimited,
    TooLarge,
)
from huiqi.service import sessions
from huiqi.service.context import Actor, Context, Platform
from huiqi.service.permissions import Permission, Role, Scope
from huiqi.text import Lang, Text

LANG_COOKIE = "huiqi_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
log = logging.getLogger("huiqi.web")


@dataclass
class Page:
    """One request to a page: the platform, the language, and the signed-in actor if any."""

    request: Request
    platform: Platform
    lang: Lang
    actor: Actor | None = None
    token: str | None = None
    set_lang: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ctx(self) -> Context:
        """The service context of the signed-in actor (a page that needs one has it)."""
        if self.actor is None:
            raise AuthenticationError("auth.required")
        return self.platform.as_actor(self.actor, client_ip(self.request))

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def text(self, t: Any) -> str:
        """A bilingual text (``Text``, ``{zh:, en:}`` or an object with ``zh``/``en``)
        in the page's language."""
        if t is None:
            return ""
        if isinstance(t, dict):
            return str(t.get(self.lang) or t.get("zh") or "")
        if isinstance(t, str):
            return t
        return str(getattr(t, self.lang, None) or getattr(t, "zh", ""))

    def may(self, permission: Permission, scope: Scope | None = None) -> bool:
        """Whether the actor holds ``permission`` (over everything, if ``scope`` is ALL)."""
        if self.actor is None:
            return False
        from huiqi.service.permissions import scope_of

        held = scope_of(self.actor.role, permission)
        return held is not None and (scope is None or held is scope)

    @property
    def staff(self) -> bool:
        return self.actor is not None and self.actor.role is not Role.ENTERPRISE

    @property
    def technical(self) -> bool:
        """Whether to show clause ids, pack versions and expressions: staff who asked for
        them (``?tech=1``); an enterprise and a visitor never see them."""
        return self.staff and self.request.query_params.get("tech") == "1"

    @property
    def csrf(self) -> str:
        return csrf_token(self.platform, self.token) if self.token else ""

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        from .templates import render

        body = render(self, template, **values)
        resp = HTMLResponse(body, status_code=status)
        if self.set_lang:
            resp.set_cookie(LANG_COOKIE, self.lang, max_age=365 * 86400, samesite="lax",
                            httponly=True, secure=secure_cookies(self.request))
        if self.extra.get("clear_session"):
            resp.delete_cookie(SESSION_COOKIE, secure=secure_cookies(self.request),
                               httponly=True, samesite="lax")
        return resp


def secure_cookies(request: Request) -> bool:
    """Whether cookies are sent over https only: always in production (behind a proxy that
    ends TLS the request itself may look like http), else when the request came by https."""
    platform = request.app.state.platform
    return bool(platform.settings.env == "production" or request.url.scheme == "https")


def csrf_token(platform: Platform, token: str) -> str:
    """A form token bound to the signed-in session (so another site cannot post forms)."""
    return hmac.new(platform.settings.secret(), b"csrf:" + token.encode(),
                    hashlib.sha256).hexdigest()[:32]


def page_lang(request: Request, default: Lang) -> tuple[Lang, bool]:
    """``?lang=`` (remembered in a cookie), then the cookie, then the settings' default:
    Chinese unless asked otherwise."""
    q = request.query_params.get("lang")
    if q in ("zh", "en"):
        return q, True  # type: ignore[return-value]
    c = request.cookies.get(LANG_COOKIE)
    if c in ("zh", "en"):
        return c, False  # type: ignore[return-value]
    return default, False


async def current_page(request: Request) -> Page:
    p = getattr(request.state, "page", None)
    if isinstance(p, Page):  # the route's guard has made it
        return p
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    lang, set_lang = page_lang(request, request.app.state.lang)
    p = Page(request=request, platform=platform, lang=lang, set_lang=set_lang)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            p.actor = sessions.authenticate(platform, token, client_ip(request),
                                            route_of(request))
            p.token = token
        except AuthenticationError:
            p.actor = None  # an expired or signed-out cookie: a visitor again
            p.extra["clear_session"] = True
    request.state.page = p
    return p


PageDep = Annotated[Page, Depends(current_page)]


async def _guard(request: Request, r: Rule) -> None:
    """The page's rule, before anything of the request is read: signed in (or sent to sign
    in), the permission (refused and audited), then the form token."""
    if r == PUBLIC:
        return
    p = await current_page(request)
    if p.actor is None:  # the same refusal, audited, as the API's
        sessions.authenticate(p.platform, None, client_ip(request), route_of(request))
    if r != SELF:
        assert isinstance(r, Permission)
        p.ctx.require(r)
    if request.method not in ("GET", "HEAD"):
        await _check_csrf(request, p)


async def _check_csrf(request: Request, p: Page) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, p.csrf):
        from huiqi.errors import UsageError

        raise UsageError(Text("表单已过期,请刷新页面后重试", "The form has expired; reload the "
                              "page and try again"))


def _rule(declared: str) -> Rule:
    return declared if declared in (PUBLIC, SELF) else Permission(declared)


class PageRoute(APIRoute):
    """A route whose rule is enforced before the request is read (:func:`_guard`), and whose
    errors are pages: sign-in, refusal, not found, bad input."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        declared = rule_of(self)
        r: Rule = PUBLIC if declared is None else _rule(declared[0])

        async def page_handler(request: Request) -> Response:
            try:
                await _guard(request, r)
                return await handler(request)
            except HuiqiError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                from huiqi.api.problems import from_validation

                return error_page(request, from_validation(exc))
            except HTTPException as exc:
                if exc.status_code == 404:
                    return error_page(request, NotFoundError(Text("页面", "page"),
                                                             request.url.path))
                if exc.status_code == 413:  # a body past the limit of this address
                    from huiqi.api.problems import too_large

                    return error_page(request, too_large(request))
                raise

        return page_handler


class Pages(APIRouter):
    """A router of pages: each route declares its rule (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__(route_class=PageRoute, include_in_schema=False)

    def page(self, method: str, path: str, r: Rule, drafts: Permission | None = None,
             **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=[method], openapi_extra=rule(r, drafts=drafts),
                              response_class=HTMLResponse, include_in_schema=False, **kwargs)


def _page_of(request: Request) -> Page:
    p = getattr(request.state, "page", None)
    if isinstance(p, Page):
        return p
    platform = request.app.state.platform
    lang, _ = page_lang(request, request.app.state.lang)
    return Page(request=request, platform=platform, lang=lang)


STATUS: tuple[tuple[type[HuiqiError], int], ...] = (
    (PermissionDenied, 403), (NotFoundError, 404), (Conflict, 409), (TooLarge, 413),
    (InputError, 422), (RateLimited, 429))


def error_page(request: Request, exc: HuiqiError) -> Response:
    """The page for an error: a sign-in for the unknown, a refusal for the unentitled."""
    p = _page_of(request)
    if isinstance(exc, AuthenticationError):
        target = "/login?next=" + quote(request.url.path + (
            "?" + request.url.query if request.url.query else ""), safe="")
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    status = next((s for cls, s in STATUS if isinstance(exc, cls)), 500)
    problems: list[Problem] = list(getattr(exc, "problems", []) or [])
    resp = p.render("error.html", status=status, error=exc, status_code=status,
                    problems=problems, denied=isinstance(exc, PermissionDenied))
    if isinstance(exc, RateLimited):
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


def home_of(actor: Actor) -> str:
    """Where a signed-in person starts."""
    if actor.role is Role.ENTERPRISE and actor.entity_code:
        return f"/match/{actor.entity_code}"
    if actor.role is Role.LEADERSHIP:
        return "/dashboard"
    return "/staff"


__all__ = ["CSRF_FIELD", "LANG_COOKIE", "PUBLIC", "SELF", "SESSION_COOKIE", "Page", "PageDep",
           "PageRoute", "Pages", "csrf_token", "error_page", "home_of", "secure_cookies"]
