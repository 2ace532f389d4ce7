"""The Jinja2 environment of the pages (built once per application, not at import time)
and the filters templates use: money as ¥1,234,567, statuses, labels of facts and enums,
times in China's time zone."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from huiqi.clock import shown
from huiqi.engine.format import fmt_money, fmt_shortfall
from huiqi.engine.result import STATUS_TEXT, Status
from huiqi.facts.catalogue import default_catalogue
from huiqi.service.permissions import Permission
from huiqi.text import Text

from .assets import asset

if TYPE_CHECKING:
    from .pages import Page



def environment() -> Environment:
    env = Environment(loader=PackageLoader("huiqi.web", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True, auto_reload=False)
    env.filters.update(money=money, number=number, when=when, tojson_safe=tojson_safe,
                       pct=pct)
    env.globals["asset"] = asset  # /static/<name>.<hash>.<ext>, kept a year by browsers
    return env


def render(p: Page, template: str, **values: Any) -> str:
    env = p.request.app.state.templates
    assert isinstance(env, Environment)
    from .nav import navigation

    return env.get_template(template).render(
        p=p, t=p.t, tx=p.text, lang=p.lang, actor=p.actor, csrf=p.csrf,
        nav=navigation(p), status_text=lambda s: status_text(p, s), fact=lambda f: fact(p, f),
        enum=lambda e, v: enum(p, e, v), perm=Permission,
        gap=lambda v, unit: "—" if v is None else fmt_shortfall(v, unit, p.lang),
        unread=lambda: _unread(p), **values)


def _unread(p: Page) -> int | None:
    """The header's unread count: an enterprise user's inbox (None for others)."""
    if p.actor is None or p.actor.entity_id is None:
        return None
    from huiqi.push.service import unread_of

    return unread_of(p.platform, p.actor.entity_id)


def money(v: Any) -> str:
    """¥1,234,567; a negative amount −¥25,320,994.39 (never ¥-25,…)."""
    if v is None or v == "":
        return "—"
    d = Decimal(str(v))
    return "−" + fmt_money(-d) if d < 0 else fmt_money(d)


def number(v: Any) -> str:
    if v is None:
        return "—"
    return f"{v:,}" if isinstance(v, int) else str(v)


def pct(part: int, whole: int) -> str:
    return "0%" if not whole else f"{100 * part / whole:.1f}%"


def when(v: Any) -> str:
    if isinstance(v, dt.datetime):
        return shown(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return "" if v is None else str(v)


def tojson_safe(v: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block (no ``</script>`` inside)."""
    text = json.dumps(v, ensure_ascii=False, default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def status_text(p: Page, status: str) -> str:
    try:
        return p.text(STATUS_TEXT[Status(status)])
    except ValueError:
        return status


def fact(p: Page, fid: str) -> str:
    f = default_catalogue().facts.get(fid)
    if f is None:  # a fact a published pack declares
        from huiqi.service.catalogue import platform_catalogue

        f = platform_catalogue(p.ctx).facts.get(fid)
    return p.text(f.label) if f else fid


def enum(p: Page, enum_id: str, value: str | None) -> str:
    if value is None:
        return "—"
    e = default_catalogue().enums.get(enum_id)
    label: Text | None = e.values.get(value) if e else None
    return p.text(label) if label else value


__all__ = ["environment", "money", "render"]
