"""Adds the pages to an application built by :func:`huiqi.api.create_app`: the templates,
the static files shipped with the package (htmx, ECharts, the style sheet), the routers
of each area, and an HTML page for an unknown address asked for by a browser."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib import resources

from fastapi import FastAPI
from jinja2 import Environment
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from huiqi.errors import HuiqiError, NotFoundError
from huiqi.text import Text

from .assets import Assets
from .templates import environment

#: Where page routes live; everything else is the API's (problem+json errors).
PAGE_PREFIXES = ("/calculator", "/match", "/staff", "/dashboard", "/login", "/logout", "/my",
                 "/static", "/library", "/public")


def install(app: FastAPI) -> None:
    from .routes import (
        accounts,
        analytics,
        audit,
        calculator,
        cases,
        challenges,
        competitions,
        dashboard,
        decisions,
        enterprises,
        home,
        imports,
        library,
        market,
        matches,
        policies,
        programmes,
        push,
        results,
        selfservice,
        simulation,
        vouchers,
    )

    app.state.templates = environment()
    # a server that warms up compiles every template at start-up (69 in ~0.8 s), not on the
    # first view of each page in each server process
    app.state.warm_ups = [*getattr(app.state, "warm_ups", ()), _compile(app.state.templates)]
    static = resources.files("huiqi.web") / "static"
    # hashed names kept a year, plain names revalidated (huiqi.web.assets)
    app.mount("/static", Assets(directory=str(static)), name="static")
    from huiqi.api.app import include

    for module in (home, calculator, library, selfservice, matches, policies, enterprises,
                   results, simulation, imports, audit, accounts, dashboard, programmes, cases, decisions,
                   analytics, market, vouchers, challenges, competitions, push):
        include(app, module)
    api_http_error = app.exception_handlers.get(HTTPException)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404 and _wants_page(request):
            from .pages import error_page

            return error_page(request, NotFoundError(Text("页面", "page"), request.url.path))
        assert api_http_error is not None
        result = api_http_error(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(HTTPException, not_found)
    api_refused = app.state.refused_response

    def refused(request: Request, exc: HuiqiError) -> Response:
        """A rate-limit refusal answered before routing: a page for a browser."""
        if _wants_page(request):
            from .pages import error_page

            return error_page(request, exc)
        response = api_refused(request, exc)
        assert isinstance(response, Response)
        return response

    app.state.refused_response = refused


def _compile(env: Environment) -> Callable[[], None]:
    def compile_all() -> None:
        for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
            env.get_template(name)
    return compile_all


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return path == "/" or path.startswith(PAGE_PREFIXES) or (
        "text/html" in request.headers.get("accept", ""))
