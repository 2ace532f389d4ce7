"""Request bodies: counted as they stream in, refused past the limit of their address.

Every address takes a body of at most ``HUIQI_REQUEST_MAX_KB``; the uploads (each router
module's ``uploads``) at most ``HUIQI_UPLOAD_MAX_MB``. A body that declares a larger
``Content-Length`` is refused at its first read, before any of it is read; one without a
length (chunked) is refused at the read that passes the limit. Nothing is held beyond
what the route itself keeps (uploads are spooled to disk by the form parser).

The refusal is an HTTP 413 raised inside the route, so that the application's one place
for errors renders it: a problem (``too_large``) for the API, an error page for the pages.
FastAPI's own ``max_body_size`` is not used: when the ``Content-Length`` is past the limit
it replaces any response with a plain-text "Content Too Large", never the bilingual
message the platform owes every refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: the limit that applied, for the message (in the request's scope)
SCOPE_KEY = "huiqi.body_limit"


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than {limit} bytes")
        self.limit = limit


class BodyLimit:
    """ASGI middleware: the body of each request counted against the limit of its route
    (``limit_of(route)``, or ``default`` outside any route)."""

    def __init__(self, app: ASGIApp, default: int, limit_of: Callable[[Any], int | None]
                 ) -> None:
        self.app = app
        self.default = default
        self.limit_of = limit_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        total = 0

        async def limited() -> Message:
            nonlocal total
            # read once the route is known (the body is read by the route, after routing)
            limit = self.limit_of(scope.get("route")) or self.default
            scope[SCOPE_KEY] = limit
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class Uploads:
    """The routes that take uploads, and their limit; every other route has the default."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.endpoints: set[Callable[..., Any]] = set()

    def add(self, routes: Iterable[Any]) -> None:
        self.endpoints.update(r.endpoint for r in routes if hasattr(r, "endpoint"))

    def __call__(self, route: Any) -> int | None:
        return self.limit if getattr(route, "endpoint", None) in self.endpoints else None
