"""The matching market: open demands and offers, the matches of one's own listings with
the explanation of each score, and the buttons to say yes, decline or record the outcome.
Contacts appear only once both sides have said yes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Form, Path, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from huiqi.analytics import market
from huiqi.analytics.schemas import ListingCreate
from huiqi.errors import InputError
from huiqi.service.permissions import Permission
from huiqi.text import Text

from .. import sheets
from ..pages import PageDep, Pages
from .matches import XLSX, _download

router = Pages()
MatchId = Annotated[int, Path(ge=1, le=2**53)]


@router.page("GET", "/staff/market", Permission.MARKET_READ)
def market_page(p: PageDep) -> Response:
    return p.render("market.html", demands=market.listings(p.ctx, "demand"),
                    offers=market.listings(p.ctx, "offer"), matches=market.matches(p.ctx),
                    vocabulary=market.vocabulary())


def parse_specs(text: str) -> dict[str, Any]:
    """Specifications typed one a line, ``key: value``: a number, an interval ``-40~125``, or
    acceptable choices ``Cortex-M7/Cortex-R5``."""
    out: dict[str, Any] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, raw = line.partition(":") if ":" in line else line.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or not raw:
            raise InputError(Text(f"规格第 {n} 行应为“名称: 值”", f"Specification line {n} should be "
                                  "\"key: value\""))
        out[key] = _value(raw)
    return out


def _value(raw: str) -> Any:
    if "~" in raw:
        lo, _, hi = raw.partition("~")
        return [_number(lo), _number(hi)]
    if "/" in raw:
        return [x.strip() for x in raw.split("/") if x.strip()]
    return _number(raw)


def _number(raw: str) -> Any:
    try:
        v = float(raw.strip())
    except ValueError:
        return raw.strip()
    return int(v) if v.is_integer() else v


@router.page("POST", "/staff/market/listings", Permission.MARKET_WRITE)
def post_listing(p: PageDep, side: Annotated[str, Form(pattern="^(demand|offer)$")],
                 category: Annotated[str, Form(max_length=64)],
                 title: Annotated[str, Form(min_length=1, max_length=200)],
                 contact: Annotated[str, Form(min_length=1, max_length=200)],
                 specs: Annotated[str, Form(max_length=4000)] = "",
                 qualifications: Annotated[list[str] | None, Form()] = None,
                 volume: Annotated[int | None, Form(ge=0, le=10**12)] = None,
                 needed_by: Annotated[dt.date | None, Form()] = None,
                 credit_code: Annotated[str | None, Form(max_length=18)] = None) -> Response:
    code = credit_code or p.ctx.actor.entity_code or ""
    try:
        body = ListingCreate(side=side, credit_code=code,  # type: ignore[arg-type]
                             kind="need" if side == "demand" else "product", category=category,
                             title=title, specs=parse_specs(specs),
                             qualifications=qualifications or [], volume=volume,
                             needed_by=needed_by, contact=contact)
    except ValidationError as exc:
        raise InputError(Text("发布内容有误:" + "; ".join(str(e["msg"]) for e in exc.errors()),
                              "The listing is wrong: " + "; ".join(str(e["msg"])
                                                                    for e in exc.errors()))) from None
    market.create_listing(p.ctx, body)
    return RedirectResponse("/staff/market", status_code=303)


@router.page("POST", "/staff/market/matches/{match_id}/interest", Permission.MARKET_CONSENT)
def interest(p: PageDep, match_id: MatchId) -> Response:
    market.interest(p.ctx, match_id)
    return RedirectResponse(f"/staff/market#m-{match_id}", status_code=303)


@router.page("POST", "/staff/market/matches/{match_id}/decline", Permission.MARKET_CONSENT)
def decline(p: PageDep, match_id: MatchId,
            reason: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    market.decline(p.ctx, match_id, reason)
    return RedirectResponse(f"/staff/market#m-{match_id}", status_code=303)


@router.page("POST", "/staff/market/matches/{match_id}/outcome", Permission.MARKET_WRITE)
def outcome(p: PageDep, match_id: MatchId, deal: Annotated[bool, Form()],
            note: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    market.outcome(p.ctx, match_id, deal, note)
    return RedirectResponse(f"/staff/market#m-{match_id}", status_code=303)


@router.page("GET", "/staff/market/matches.xlsx", Permission.MARKET_READ)
def matches_xlsx(p: PageDep) -> Response:
    found = market.matches(p.ctx)
    header = [p.t("编号", "No."), p.t("需求", "Demand"), p.t("需求方", "Demand side"),
              p.t("供给", "Offer"), p.t("供给方", "Offer side"), p.t("得分", "Score"),
              p.t("状态", "State"), p.t("评分说明", "Why this score")]
    rows = [[m.id, m.demand.title, m.demand.enterprise, m.offer.title, m.offer.enterprise,
             m.score, p.t(m.state_label.zh, m.state_label.en),
             [f"{p.t(c.label.zh, c.label.en)}: {p.t(c.note.zh, c.note.en)} ({c.points:g})"
              for c in m.explanation]] for m in found]
    return _download(sheets.xlsx("matches", header, rows), XLSX, "market-matches.xlsx")
