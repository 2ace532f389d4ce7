"""Which permission each route needs, declared beside the route and shown in the OpenAPI
spec as ``x-permission``. The service enforces the same permission; the access-matrix
test checks every route of the app against every role, so that a route without a
declared rule fails it.

``public``: anyone, signed in or not. ``self``: anyone signed in, about themselves.
"""

from __future__ import annotations

from typing import Any

from huiqi.service.permissions import Permission, Scope

PUBLIC, SELF = "public", "self"
Rule = Permission | str

#: Routes the framework adds (the spec and its viewers).
FRAMEWORK = {"/openapi.json": PUBLIC, "/docs": PUBLIC, "/docs/oauth2-redirect": PUBLIC,
             "/redoc": PUBLIC}


def rule(r: Rule, scope: Scope | None = None, drafts: Permission | None = None
         ) -> dict[str, Any]:
    """``openapi_extra`` of a route that needs ``r`` (held over everything if ``scope`` is
    ``Scope.ALL``; otherwise a role holding it over its own enterprise is let through).
    ``drafts``: the further permission the route needs when the version it names is an
    unpublished draft."""
    out = {"x-permission": str(r.value if isinstance(r, Permission) else r)}
    if scope is not None:
        out["x-scope"] = scope.value
    if drafts is not None:
        out["x-drafts"] = drafts.value
    return out


def drafts_rule(route: Any) -> str | None:
    """The permission a route further needs about a draft, if it declares one."""
    extra = getattr(route, "openapi_extra", None) or {}
    found = extra.get("x-drafts")
    return None if found is None else str(found)


def rule_of(route: Any) -> tuple[str, str | None] | None:
    """The declared (permission, scope) of a route, or None if it declares none."""
    extra = getattr(route, "openapi_extra", None) or {}
    found = extra.get("x-permission")
    if found is None:
        fw = FRAMEWORK.get(getattr(route, "path", ""))
        return None if fw is None else (fw, None)
    return str(found), extra.get("x-scope")


def endpoints(app: Any) -> list[tuple[str, str, Any]]:
    """Every (method, path, route) the app serves, routers included, HEAD/OPTIONS aside."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: included routes are flat in app.routes
        routes: list[Any] = list(app.routes)
    else:
        routes = list(iter_route_contexts(app.routes))
    out = []
    for route in routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            if method not in ("HEAD", "OPTIONS"):
                out.append((method, str(route.path), route))
    return out
