"""The application: built by :func:`create_app` from the settings, never at import time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI
from starlette.middleware.gzip import GZipMiddleware

from huiqi.service import refusals
from huiqi.service.context import Platform
from huiqi.settings import Settings
from huiqi.store.database import Database

from . import headers, problems
from .access import PUBLIC, rule
from .deps import reject_nul
from .early import RefusedEarly
from .limits import BodyLimit, Uploads
from .problems import responses
from .routes import (
    accounts,
    analytics,
    audit,
    auth,
    calendar,
    cases,
    competitions,
    enterprises,
    imports,
    market,
    policies,
    programmes,
    push,
    vouchers,
)

DESCRIPTION = """惠企平台接口。出错时一律返回 RFC 9457 `application/problem+json`:
`title`、`detail` 使用请求的语言(`?lang=` 或 `Accept-Language`),`messages` 中同时给出中文和英文。

The huiqi platform API. Every error is RFC 9457 `application/problem+json`: `title` and
`detail` in the request's language (`?lang=` or `Accept-Language`), both languages under
`messages`. Sign in at `/auth/login` and send the token as `Authorization: Bearer …`."""


def create_app(settings: Settings, *, platform: Platform | None = None,
               database: Database | None = None, warm: bool = False) -> FastAPI:
    """The API for ``settings`` (secrets are checked outside development).

    ``platform`` or ``database`` may be given (tests); otherwise the database of
    ``settings.database_url`` is opened (it must already be migrated). With ``warm`` the
    published packs are loaded and compiled when the server starts, not on first use.
    """
    settings.check_secrets()
    if platform is None:
        db = database or Database.connect(settings.database_url)
        platform = Platform(db, settings)
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # the platform the app serves when it starts (tests give one app the platform of
        # each test: FastAPI builds every route's dependencies on an app's first request)
        platform: Platform = _app.state.platform
        if warm:  # load and compile the published packs before the first request
            from huiqi.service.enterprises import today
            from huiqi.service.policies import warm as warm_packs

            ctx = platform.system()
            warm_packs(ctx, today(ctx))
            for warm_up in getattr(_app.state, "warm_ups", ()):  # what the pages add
                warm_up()
            await _route_once(_app)
            _settle_heap()
            if settings.match_precompute:  # fill the response cache in the background
                import threading

                from huiqi.service.matching import precompute

                def fill() -> None:
                    precompute(ctx, today(ctx))
                    _settle_heap()

                threading.Thread(target=fill, daemon=True, name="huiqi-precompute").start()
        worker = _embedded_worker(platform)
        if not platform.db.concurrent:  # tests on one connection: refusals written inline
            try:
                yield
            finally:
                refusals.flush(platform)
            return
        tally = refusals.tally_of(platform)
        tally.writers += 1
        flusher = asyncio.create_task(_flush_refusals(platform))
        try:
            yield
        finally:
            if worker is not None:
                worker.set()
            flusher.cancel()
            tally.writers -= 1
            await anyio.to_thread.run_sync(refusals.flush, platform)

    app = FastAPI(title="huiqi 惠企", version=_version(), description=DESCRIPTION,
                  dependencies=[Depends(reject_nul)], lifespan=lifespan,
                  responses=responses(429), docs_url=None,
                  redoc_url=None)  # the documentation pages come with their own CSP (headers)
    app.state.platform = platform
    app.state.lang = settings.lang
    # every body is counted as it streams in and refused past its address's limit: uploads
    # (each router module's ``uploads``) have their own, larger one
    app.state.uploads = Uploads(settings.upload_max_mb * 1024 * 1024)
    app.add_middleware(BodyLimit, default=settings.request_max_kb * 1024,
                       limit_of=app.state.uploads)
    # every response of 500 bytes or more compressed when the client accepts gzip: the
    # pages shrink about 5×, ECharts from 715 KB to ~240 KB (bench/page_weight.py)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    problems.install(app)
    # the address's rate limits, before routing, before the body is read and outside the
    # gzip and error middlewares (a refusal is a prepared answer); inside only the headers
    app.state.refused_response = problems.problem_response
    app.add_middleware(RefusedEarly)
    headers.install(app, production=settings.env == "production")
    for module in (auth, accounts, enterprises, policies, imports, audit, calendar, programmes,
                   cases, analytics, market, vouchers, competitions, push):
        include(app, module)
    _population(app)
    _document_password_policy(app, settings)

    @app.get("/health", openapi_extra=rule(PUBLIC), tags=["health"])
    def health() -> dict[str, str]:
        """服务是否在运行 / Is the service up."""
        return {"status": "ok"}

    return app


def include(app: FastAPI, module: Any) -> None:
    """The routes of a module: its ``router``, and its ``uploads`` (if any), which take
    bodies up to the limit of uploads."""
    app.include_router(module.router)
    uploads = getattr(module, "uploads", None)
    if uploads is not None:
        app.include_router(uploads)
        app.state.uploads.add(uploads.routes)


def _document_password_policy(app: FastAPI, settings: Settings) -> None:
    """Write the configured password policy into the spec, where a new password is taken
    (``x-password-policy``): its shortest length, and the rules in words."""

    from huiqi.messages import message

    rules = [message("password.too_short", n=settings.password_min_length),
             message("password.classes", n=settings.password_min_classes),
             message("password.has_username")]
    words = ("密码策略:" + ";".join(r.zh for r in rules) + " / Password policy: "
             + "; ".join(r.en for r in rules))
    spec = app.openapi

    def fill(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("x-password-policy") is True:
                node["minLength"] = max(node.get("minLength", 0), settings.password_min_length)
                node["description"] = words
            for value in node.values():
                fill(value)
        elif isinstance(node, list):
            for value in node:
                fill(value)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            fill(spec())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _flush_refusals(platform: Platform) -> None:
    """Write refusals in a worker thread, never on the event loop: the first of each kind
    at once, the counts of each minute once it is over (:mod:`huiqi.service.refusals`)."""
    tally = refusals.tally_of(platform)
    while True:
        await asyncio.sleep(refusals.FLUSH_EVERY_S)
        if not (tally.fresh or tally.seen):
            continue
        minute = platform.now().replace(second=0, microsecond=0)
        try:
            await anyio.to_thread.run_sync(refusals.flush, platform, minute)
        except Exception:  # the next round tries again; the server goes on
            logging.getLogger("huiqi.api").exception("writing counted refusals failed")


def _embedded_worker(platform: Platform) -> Any:
    """The timer worker inside the server (``HUIQI_WORKER_EMBEDDED``, on a database that
    several sessions may use at once): a thread; its stop event returned."""
    if not (platform.settings.worker_embedded and platform.db.concurrent):
        return None
    import os
    import socket

    from huiqi.workflow.timers import Worker

    from .timers import load_handlers

    load_handlers()
    w = Worker(platform, f"{socket.gethostname()}:{os.getpid()}:serve"[:64],
               platform.settings.worker_poll_seconds)
    w.start()
    return w.stop


async def _route_once(app: FastAPI) -> None:
    """Send one request for an address no route takes through the router (not through the
    middlewares: nothing is counted or audited), so that FastAPI builds what it builds on
    a router's first use — each route's dependencies and schemas, 0.1 to 0.7 s of CPU per
    group of routes (measured in process) — now, before the heap is set aside, and not
    while the first requests of each server process wait."""
    scope: dict[str, Any] = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": "/.warm-up", "raw_path": b"/.warm-up",
             "root_path": "", "query_string": b"", "headers": [], "client": None,
             "server": None, "state": {}}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: object) -> None:
        return None

    await app.router(scope, receive, send)


def _settle_heap() -> None:
    """Set aside what is alive once the server has warmed up (the compiled packs, the
    remembered responses, the modules) so that the garbage collector's full passes no
    longer walk it: they took up to ~90 ms each, which every request waiting on the event
    loop then waited too (measured: bench/RESULTS.md, API load). Only what is in memory at
    that moment is set aside; what is freed later by reference counting is still freed."""
    import gc

    gc.collect()
    gc.freeze()


def _population(app: FastAPI) -> None:
    """Near-misses and simulations, when the population engine is installed."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("huiqi.population") is None or \
            importlib.util.find_spec("huiqi.api.routes.population") is None:
        return
    app.include_router(importlib.import_module("huiqi.api.routes.population").router)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("huiqi")
    except PackageNotFoundError:
        return "0"
