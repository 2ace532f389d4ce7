"""The static files shipped with the package (htmx, ECharts, the style sheet, the script),
served under names that carry a hash of their content, so that a browser may keep them for
a year: ``asset("huiqi.css")`` is ``/static/huiqi.1a2b3c4d5e.css``, and a new release of
the file has a new name. The plain name (``/static/huiqi.css``) is still served, with
``Cache-Control: no-cache`` (the browser asks again, and an unchanged file costs a 304).
A hashed name whose hash is not the file's (an old page asking for last release's file)
is served too, but not kept: the content is today's."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: A year: files under hashed names never change.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")


def folder() -> Path:
    return Path(str(resources.files("huiqi.web") / "static"))


@lru_cache(maxsize=64)
def digest(name: str) -> str:
    """The first 10 hex digits of the SHA-256 of a static file (read once per process)."""
    return hashlib.sha256((folder() / name).read_bytes()).hexdigest()[:10]


def asset(name: str) -> str:
    """The address of a static file under its hashed name (its plain name if missing)."""
    try:
        h = digest(name)
    except OSError:
        return f"/static/{name}"
    p = Path(name)
    return f"/static/{p.parent / p.stem if str(p.parent) != '.' else p.stem}.{h}{p.suffix}"


class Assets(StaticFiles):
    """:class:`StaticFiles` that also answers hashed names, with the caching above."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        m = _HASHED.match(path)
        plain = f"{m['stem']}{m['suffix']}" if m else path
        response = await super().get_response(plain, scope)
        if response.status_code in (200, 304):
            fresh = m is not None and _current(plain, m["hash"])
            response.headers["cache-control"] = IMMUTABLE if fresh else REVALIDATE
        return response


def _current(name: str, h: str) -> bool:
    try:
        return digest(name) == h
    except OSError:
        return False


__all__ = ["IMMUTABLE", "REVALIDATE", "Assets", "asset", "digest", "folder"]
