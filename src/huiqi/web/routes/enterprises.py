"""Enterprises in the staff console: search by name or credit code; a profile with its
locations, its yearly facts and where each value came from, and a link to its matches.
An enterprise user finds only its own."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from huiqi.api.routes.params import CodePath, Filter, Offset
from huiqi.service import enterprises, selfservice
from huiqi.service.catalogue import platform_catalogue
from huiqi.service.permissions import Permission

from .. import plain
from ..pages import PageDep, Pages

router = Pages()
READ = Permission.ENTERPRISE_READ
PAGE = 25


@router.page("GET", "/staff/enterprises", READ)
def search(p: PageDep, q: Filter = None, offset: Offset = 0) -> Response:
    found = enterprises.search(p.ctx, q=q.strip() if q else None, offset=offset, limit=PAGE)
    return p.render("enterprises.html", found=found, q=q or "", page=PAGE)


@router.page("GET", "/staff/enterprises/{code}", READ)
def profile(p: PageDep, code: CodePath, history: bool = False) -> Response:
    e = enterprises.get(p.ctx, code)
    facts = enterprises.facts(p.ctx, code, history)
    cat = platform_catalogue(p.ctx)
    static: list[Any] = []
    yearly: dict[str, dict[int, Any]] = {}
    years: set[int] = set()
    for f in facts:
        if f.year is None:
            static.append(f)
        else:
            yearly.setdefault(f.fact, {})[f.year] = f
            years.add(f.year)
    order = list(cat.facts)
    static.sort(key=lambda f: (order.index(f.fact) if f.fact in order else 999, f.recorded_at))
    return p.render("enterprise.html", e=e, facts=facts, static=static,
                    yearly=sorted(yearly.items(), key=lambda kv: order.index(kv[0])
                                  if kv[0] in order else 999),
                    years=sorted(years), history=history,
                    locations=enterprises.locations(p.ctx, code), shown=_shown,
                    claims=selfservice.claims_of(p.ctx, code, True),
                    src=lambda x: plain.source_words(x, p.lang),
                    who=lambda x: plain.who_words(x, p.lang))


def _shown(p: Any, fact: str, value: Any) -> str:
    """A stored value as a person reads it (money with ¥, ratios as %, enum labels)."""
    from huiqi.engine.format import describe_value

    cat = platform_catalogue(p.ctx)
    f = cat.facts.get(fact)
    if f is None or value is None:
        return "—" if value is None else str(value)
    if f.kind == "records":
        n = len(value) if isinstance(value, list) else 0
        return f"{n} 条记录" if p.lang == "zh" else f"{n} record(s)"
    try:
        v = cat.coerce(f, value)
    except ValueError:
        return str(value)
    return describe_value(cat, f, v, p.lang)
