"""The matching market: open demands and offers, the matches of one's own listings with
the explanation of each score, and the buttons to say yes, decline or record the outcome.
Contacts appear only once both sides have said yes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Response
from fastapi.responses import RedirectResponse

from huiqi.analytics import market
from huiqi.service.permissions import Permission

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
