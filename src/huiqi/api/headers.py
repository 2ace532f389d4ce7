"""The security headers every response carries, API and pages alike.

- ``Content-Security-Policy``: scripts, styles, images and connections from this site
  only; no inline script (the pages have none: their scripts are files under
  ``/static``, their data ``application/json`` blocks); no plugins; no framing
  (``frame-ancestors 'none'``). The API's documentation pages serve Swagger UI and ReDoc
  from the package (``fastapi-offline``'s copies, under ``/docs/static``: no CDN, so they
  work on an intranet without the internet) and carry their own policy: this site only,
  the hash of the one inline script each page has, and the inline styles ReDoc writes.
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (for browsers that know
  no ``frame-ancestors``), ``Referrer-Policy: same-origin`` (addresses hold credit codes:
  none is sent to another site), ``Cross-Origin-Opener-Policy: same-origin``.
- ``Strict-Transport-Security`` when ``HUIQI_ENV=production`` and the request came over
  https (behind a proxy, as the proxy tells uvicorn with ``X-Forwarded-Proto``).

A pure ASGI middleware: it adds headers to the start of each response and reads no body.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
COMMON = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
          (b"referrer-policy", b"same-origin"), (b"cross-origin-opener-policy", b"same-origin"))
#: Where the documentation pages load Swagger UI and ReDoc from (this site).
DOCS_STATIC = "/docs/static"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


class SecurityHeaders:
    """Adds the headers above to every HTTP response of ``app`` (a response that set its
    own ``Content-Security-Policy`` keeps it)."""

    def __init__(self, app: ASGIApp, production: bool = False) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hsts = self.production and scope.get("scheme") == "https"

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(k, v) for k, v in COMMON if k not in names]
                if hsts:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, sending)


def with_own_policy(page: HTMLResponse) -> HTMLResponse:
    """A documentation page with its own policy: scripts from this site and the hashes of
    its inline scripts, inline styles (ReDoc writes its own), workers from ``blob:``."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(bytes(page.body)))
    page.headers["content-security-policy"] = (
        f"default-src 'self'; script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'")
    return page


def _docs_assets() -> Path:
    """Swagger UI's and ReDoc's files as the ``fastapi-offline`` package ships them."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def install(app: FastAPI, production: bool) -> None:
    """The documentation pages (with their own policy) and the headers on every response.
    ``app`` is built with ``docs_url=None, redoc_url=None``."""
    from fastapi.openapi.docs import (
        get_redoc_html,
        get_swagger_ui_html,
        get_swagger_ui_oauth2_redirect_html,
    )

    from .access import PUBLIC, rule

    title, spec = f"{app.title} - API", app.openapi_url or "/openapi.json"
    app.mount(DOCS_STATIC, StaticFiles(directory=str(_docs_assets())), name="docs-static")

    @app.get("/docs", include_in_schema=False, openapi_extra=rule(PUBLIC))
    async def swagger() -> Response:
        return with_own_policy(get_swagger_ui_html(
            openapi_url=spec, title=title, oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg"))

    @app.get("/docs/oauth2-redirect", include_in_schema=False, openapi_extra=rule(PUBLIC))
    async def swagger_redirect() -> Response:
        return with_own_policy(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False, openapi_extra=rule(PUBLIC))
    async def redoc() -> Response:
        return with_own_policy(get_redoc_html(
            openapi_url=spec, title=title, redoc_js_url=f"{DOCS_STATIC}/redoc.standalone.js",
            redoc_favicon_url="/static/favicon.svg", with_google_fonts=False))

    app.add_middleware(SecurityHeaders, production=production)


__all__ = ["CSP", "DOCS_STATIC", "HSTS", "SecurityHeaders", "install", "with_own_policy"]
