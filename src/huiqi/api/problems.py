"""The one place where errors become responses: RFC 9457 ``application/problem+json``.

Every error the API reports is a :class:`~huiqi.errors.HuiqiError` (framework errors are
turned into one first). ``title`` and ``detail`` are in the request's language; both
languages are under ``messages``; a rejected file or request lists its ``problems``.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huiqi.engine.public import LocalText
from huiqi.errors import (
    AuthenticationError,
    Conflict,
    HuiqiError,
    InputError,
    InvalidRequest,
    NotFoundError,
    PermissionDenied,
    Problem,
    RateLimited,
    TooLarge,
    UsageError,
)
from huiqi.messages import MESSAGES, message
from huiqi.service.schemas import ProblemItem
from huiqi.store.database import describe_error
from huiqi.text import Text

from .language import request_lang

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("huiqi.api")

STATUS: tuple[tuple[type[HuiqiError], int], ...] = (
    (AuthenticationError, 401), (PermissionDenied, 403), (NotFoundError, 404),
    (Conflict, 409), (TooLarge, 413), (InputError, 422), (RateLimited, 429))


class ProblemMessages(BaseModel):
    title: str
    detail: str


class ProblemPublic(BaseModel):
    """An error, as RFC 9457 describes it, with huiqi's extension members."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    lang: str
    messages: dict[str, ProblemMessages]
    problems: list[ProblemItem] | None = None


def status_of(exc: HuiqiError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 500)


def problem_response(request: Request, exc: HuiqiError, status: int | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    status = status or status_of(exc)
    lang = request_lang(request, getattr(request.app.state, "lang", "zh"))
    title_code = f"problem.{exc.code}"
    title = message(title_code if title_code in MESSAGES else "problem.error")
    detail: Text = exc.text
    body: dict[str, Any] = {
        "type": f"/problems/{exc.code}", "title": title.get(lang), "status": status,
        "detail": detail.get(lang), "instance": request.url.path, "code": exc.code,
        "lang": lang,
        "messages": {lg: {"title": title.get(lg), "detail": detail.get(lg)}
                     for lg in ("zh", "en")},
    }
    problems: list[Problem] | None = getattr(exc, "problems", None)
    if problems is not None:
        body["problems"] = [p.as_dict() for p in problems]
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="huiqi"'
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


# ---------------------------------------------------------------- framework errors

_ZH = {"missing": "缺少必填项", "string_pattern_mismatch": "格式不对", "string_too_long": "太长",
       "string_too_short": "太短", "int_parsing": "须为整数", "int_type": "须为整数",
       "less_than_equal": "太大", "greater_than_equal": "太小", "date_from_datetime_parsing":
       "须为日期 YYYY-MM-DD", "date_parsing": "须为日期 YYYY-MM-DD", "date_type":
       "须为日期 YYYY-MM-DD", "bool_parsing": "须为 true 或 false", "enum": "不是允许的取值",
       "literal_error": "不是允许的取值", "json_invalid": "不是有效的 JSON",
       "extra_forbidden": "不认识的项", "list_type": "须为列表", "model_attributes_type":
       "须为对象", "dict_type": "须为对象", "string_type": "须为文字", "too_short": "项数太少",
       "too_long": "项数太多", "value_error": "取值无效"}


def from_validation(exc: RequestValidationError) -> InvalidRequest:
    problems = []
    for err in exc.errors():
        loc = [x for x in err.get("loc", ()) if isinstance(x, str | int)]
        field = ".".join(str(x) for x in loc) or "-"
        en = str(err.get("msg", "invalid"))
        zh = _ZH.get(str(err.get("type")), en)
        problems.append(Problem(code=f"request.{err.get('type', 'invalid')}", path=tuple(loc),
                                message=Text(f"“{field}”:{zh}", f"“{field}”: {en}")))
    return InvalidRequest(problems)


def from_http(request: Request, exc: HTTPException) -> tuple[HuiqiError, int]:
    if exc.status_code == 404:
        return NotFoundError(Text("地址", "address"), request.url.path), 404
    if exc.status_code == 405:
        return UsageError(message("request.method", method=request.method)), 405
    if exc.status_code == 413:
        return too_large(request), 413
    if exc.status_code == 400:  # a body that cannot be parsed at all
        return InvalidRequest([Problem(code="request.body", path=("body",),
                                       message=message("request.body"))]), 422
    detail = str(exc.detail)
    return UsageError(Text(detail, detail)), exc.status_code


def too_large(request: Request) -> TooLarge:
    """The refusal of a body past the limit of its address (counted as it streamed in, or
    told by its Content-Length before any of it was read)."""
    from .limits import SCOPE_KEY

    limit = request.scope.get(SCOPE_KEY)
    platform = getattr(request.app.state, "platform", None)
    upload = platform.settings.upload_max_mb if platform is not None else None
    if upload is not None and limit == upload * 1024 * 1024:
        return TooLarge("limit.body", limit=f"{upload} MB", setting="HUIQI_UPLOAD_MAX_MB")
    size = f"{limit // 1024} KB" if isinstance(limit, int) else "-"
    return TooLarge("limit.body", limit=size, setting="HUIQI_REQUEST_MAX_KB")


def allowed(request: Request) -> str:
    """The methods the request's address accepts, from every route at that address (the
    framework names only those of the first route it met)."""
    from .access import endpoints

    path = request.scope["path"]
    methods = {m for m, template, _ in endpoints(request.app)
               if compile_path(template)[0].match(path)}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def install(app: Any) -> None:
    """Route every error of ``app`` through :func:`problem_response`."""

    async def huiqi_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HuiqiError)
        return problem_response(request, exc)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(request, from_validation(exc))

    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        err, status = from_http(request, exc)
        headers = {"Allow": allowed(request)} if status == 405 else None
        return problem_response(request, err, status, headers)

    app.add_exception_handler(HuiqiError, huiqi_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_middleware(Unexpected)


class Unexpected:
    """The last catch of an error no handler knows: a 500 problem, and one line in the log
    that carries no data — for a database error, only what :func:`describe_error` keeps.
    The error goes no further, so that the server does not log it again in full."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # the one place every other error ends
            request = Request(scope)
            where = f"{request.method} {request.url.path}"
            safe = describe_error(exc)
            if safe is None:
                log.error("unexpected error on %s", where, exc_info=exc)
            else:  # where it happened, and what kind of database error: no values
                frames = "".join(traceback.format_tb(exc.__traceback__))
                log.error("unexpected database error on %s: %s\n%s", where, safe, frames)
            if not started:
                err = HuiqiError(message("problem.internal"))
                await problem_response(request, err, 500)(scope, receive, send)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of a route (all with the problem schema)."""
    titles = {400: "请求有误 / Bad request", 401: "未登录 / Not signed in",
              403: "无权访问 / Permission denied", 404: "未找到 / Not found",
              409: "状态冲突 / Conflict", 413: "内容过大 / Content too large",
              422: "输入有误 / Invalid input", 429: "请求过于频繁 / Too many requests"}
    out: dict[int | str, dict[str, Any]] = {
        c: {"model": ProblemPublic, "description": titles[c],
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemPublic"}}}}
        for c in codes}
    if 429 in out:
        out[429]["headers"] = {"Retry-After": {
            "description": "再过几秒可再请求 / seconds until a request is let through again",
            "schema": {"type": "integer"}}}
    return out


__all__ = ["MEDIA_TYPE", "LocalText", "ProblemPublic", "Unexpected", "install",
           "problem_response", "responses"]
