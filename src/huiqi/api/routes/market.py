"""The supply-demand market: listings, matches, consent and outcomes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from huiqi.analytics import market
from huiqi.analytics.schemas import ListingCreate, ListingPublic, MatchPublic, Outcome, Reason
from huiqi.service.permissions import Permission, Scope

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses

router = APIRouter(route_class=Guarded, prefix="/market", tags=["market 供需对接"],
                   responses=responses(401, 403, 404, 409, 422))
READ = rule(Permission.MARKET_READ, Scope.OWN)
WRITE = rule(Permission.MARKET_WRITE, Scope.OWN)
CONSENT = rule(Permission.MARKET_CONSENT, Scope.OWN)
MatchId = Annotated[int, Path(ge=1, le=2**53, description="撮合 / match")]


@router.get("/listings", openapi_extra=READ, response_model=list[ListingPublic])
def listings(ctx: ContextDep,
             side: Annotated[Literal["demand", "offer"] | None, Query()] = None,
             category: Annotated[str | None, Query(max_length=64)] = None) -> list[ListingPublic]:
    """公开的需求与供给(不含联系方式)/ Open demands and offers (no contacts)."""
    return market.listings(ctx, side, category)


@router.post("/listings", openapi_extra=WRITE, response_model=ListingPublic, status_code=201)
def create_listing(body: ListingCreate, ctx: ContextDep) -> ListingPublic:
    """发布需求或供给 / Post a demand or an offer (an enterprise for itself)."""
    return market.create_listing(ctx, body)


@router.get("/matches", openapi_extra=READ, response_model=list[MatchPublic])
def matches(ctx: ContextDep, state: Annotated[str | None, Query(max_length=16)] = None
            ) -> list[MatchPublic]:
    """撮合结果(企业只见本企业的)/ Matches (an enterprise sees its own)."""
    return market.matches(ctx, state)


@router.get("/matches/{match_id}", openapi_extra=READ, response_model=MatchPublic)
def get_match(match_id: MatchId, ctx: ContextDep) -> MatchPublic:
    """一条撮合及其评分说明 / A match and the explanation of its score."""
    return market.match(ctx, match_id)


@router.post("/matches/{match_id}/interest", openapi_extra=CONSENT, response_model=MatchPublic)
def interest(match_id: MatchId, ctx: ContextDep) -> MatchPublic:
    """本方表示有意向(双方都同意后交换联系方式)/ Say yes; contacts are shared once both do."""
    return market.interest(ctx, match_id)


@router.post("/matches/{match_id}/decline", openapi_extra=CONSENT, response_model=MatchPublic)
def decline(match_id: MatchId, body: Reason, ctx: ContextDep) -> MatchPublic:
    """谢绝 / Decline."""
    return market.decline(ctx, match_id, body.reason)


@router.post("/matches/{match_id}/outcome", openapi_extra=WRITE, response_model=MatchPublic)
def outcome(match_id: MatchId, body: Outcome, ctx: ContextDep) -> MatchPublic:
    """记录对接结果 / Record how a connected match ended."""
    return market.outcome(ctx, match_id, body.deal, body.note)
