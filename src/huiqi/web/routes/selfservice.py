"""Self-service data (企业自助): the enterprise completes the facts its matches miss and
corrects its data (from the matches and the profile); a value that can change money waits
for staff, who confirm or reject it on /staff/claims."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import Response
from fastapi.responses import RedirectResponse

from huiqi.api.routes.params import CodePath
from huiqi.service import enterprises, selfservice
from huiqi.service.catalogue import platform_catalogue
from huiqi.service.permissions import Permission
from huiqi.service.schemas import FactSet, FactsUpdate

from ..pages import Page, PageDep, Pages
from .matches import _match, summarised

router = Pages()
MAX_FIELDS = 60


def _key(fact: str, year: int | None) -> str:
    return f"{fact}@{year}" if year else fact


def _fields(p: Page, code: str, keys: list[str]) -> list[dict[str, Any]]:
    """One field per fact (of a year): its label, kind, options, value in force and where
    that value came from, and a value waiting for staff, if any."""
    from .. import plain

    cat = platform_catalogue(p.ctx)
    current = {_key(f.fact, f.year): f for f in enterprises.facts(p.ctx, code)}
    waiting = {_key(c.fact, c.year): c for c in selfservice.claims_of(p.ctx, code, True)}
    out = []
    for key in keys[:MAX_FIELDS]:
        fact, _, year = key.partition("@")
        f = cat.facts.get(fact)
        if f is None or f.kind == "records" or fact in ("district", "park") or \
                f.yearly != bool(year) or (year and not year.isdigit()):
            continue
        have = current.get(key)
        label = p.text(f.label) + (f"({year}年度)" if year and p.zh else f" ({year})" if year
                                   else "")
        options: list[tuple[str, str]] = []
        if f.kind == "bool":
            options = [("true", p.t("是", "Yes")), ("false", p.t("否", "No"))]
        elif f.kind == "enum":
            e = cat.enum_of(f)
            options = [(k, p.text(v)) for k, v in (e.values.items() if e else [])]
        out.append({"key": key, "label": label, "kind": f.kind, "options": options,
                    "value": "" if have is None or have.value is None else str(have.value),
                    "source": plain.source_words(have.source, p.lang) if have else "",
                    "by": plain.who_words(have.recorded_by, p.lang) if have else "",
                    "at": have.recorded_at if have else None,
                    "waiting": waiting.get(key)})
    return out


@router.page("GET", "/match/{code}/facts", Permission.ENTERPRISE_WRITE)
def form(p: PageDep, code: CodePath) -> Response:
    """The facts to complete (those the matches miss) or to correct (``?need=`` names them)."""
    need = [k for k in p.request.query_params.getlist("need") if len(k) <= 80][:MAX_FIELDS]
    if not need:
        s = summarised(p, code, _match(p, code))
        need = list(dict.fromkeys(
            m.key for pm in _match(p, code).packs for c in pm.clauses
            if c.key in {r.key for r in s.shown} for m in _missing(c.missing)))
    saved = p.request.query_params.get("saved")
    return p.render("facts.html", code=code.upper(), fields=_fields(p, code, need),
                    name=enterprises.get(p.ctx, code).name, saved=saved,
                    waiting=p.request.query_params.get("waiting"))


class _Miss:
    def __init__(self, key: str) -> None:
        self.key = key


def _missing(keys: list[str]) -> list[_Miss]:
    return [_Miss(k) for k in keys if not k.startswith("choice:")]


@router.page("POST", "/match/{code}/facts", Permission.ENTERPRISE_WRITE)
async def save(p: PageDep, code: CodePath) -> Response:
    form = await p.request.form()
    items: list[FactSet] = []
    current = {_key(f.fact, f.year): f for f in enterprises.facts(p.ctx, code)}
    for k, v in form.multi_items():
        if not k.startswith("f:") or not isinstance(v, str) or not v.strip() or len(items) >= 200:
            continue
        key = k[2:82]
        fact, _, year = key.partition("@")
        value: Any = v.strip()[:200]
        f = platform_catalogue(p.ctx).facts.get(fact)
        if f is not None and f.kind == "money":
            from huiqi.facts.amounts import looks_like_amount, parse_amount

            if looks_like_amount(value):
                with suppress(ValueError):  # else the service says what is wrong with it
                    value = str(parse_amount(value))
        have = current.get(key)
        if have is not None and str(have.value) == value:
            continue
        items.append(FactSet(fact=fact, year=int(year) if year.isdigit() else None, value=value))
    if not items:
        return RedirectResponse(f"/match/{code.upper()}/facts?saved=0", status_code=303)
    changes, claims = selfservice.submit(p.ctx, code, FactsUpdate(items=items))
    return RedirectResponse(f"/match/{code.upper()}/facts?saved={len(changes)}&waiting="
                            f"{len(claims)}&" + "&".join(f"need={i.fact}" + (
                                f"@{i.year}" if i.year else "") for i in items[:MAX_FIELDS]),
                            status_code=303)


@router.page("GET", "/staff/claims", Permission.FACT_CONFIRM)
def claims(p: PageDep) -> Response:
    from .. import plain

    items = selfservice.pending(p.ctx)
    cat = platform_catalogue(p.ctx)

    def label(fact: str, year: int | None) -> str:
        f = cat.facts.get(fact)
        text = p.text(f.label) if f else fact
        return text + (f"({year}年度)" if year and p.zh else f" ({year})" if year else "")

    return p.render("claims.html", items=items, label=label, who=lambda b: plain.who_words(
        b, p.lang), done=p.request.query_params.get("done"))


@router.page("POST", "/staff/claims/{claim_id}", Permission.FACT_CONFIRM)
async def decide(p: PageDep, claim_id: int) -> Response:
    form = await p.request.form()
    confirm = form.get("decision") == "confirm"
    note = form.get("note")
    selfservice.decide(p.ctx, claim_id, confirm, note[:200] if isinstance(note, str) else None)
    return RedirectResponse("/staff/claims?done=" + ("confirmed" if confirm else "rejected"),
                            status_code=303)
