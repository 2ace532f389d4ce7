"""Enterprises and other entities: identity, location history, facts, matching."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from huiqi.service import enterprises, matching
from huiqi.service.permissions import Permission, Scope
from huiqi.service.schemas import (
    EnterpriseCreate,
    EnterprisePublic,
    EnterpriseUpdate,
    FactChange,
    FactPublic,
    FactsUpdate,
    LocationPublic,
    MatchPublic,
    Page,
)

from ..access import rule
from ..computing import computed
from ..deps import ContextDep, LangDep
from ..guard import Guarded
from ..problems import responses
from .params import CodePath, Day, Filter, Lang, Limit, Offset, PackPath

router = APIRouter(route_class=Guarded, prefix="/enterprises", tags=["enterprises 企业"],
                   responses=responses(401, 403, 404, 422))
READ, WRITE = rule(Permission.ENTERPRISE_READ), rule(Permission.ENTERPRISE_WRITE)


@router.get("", openapi_extra=READ, response_model=Page[EnterprisePublic])
def search(ctx: ContextDep, q: Filter = None, kind: Filter = None, district: Filter = None,
           industry: Filter = None, offset: Offset = 0, limit: Limit = 50
           ) -> Page[EnterprisePublic]:
    """查找企业(企业用户只看到本企业)/ Find entities (an enterprise user sees only its own)."""
    return enterprises.search(ctx, q=q, kind=kind, district=district, industry=industry,
                              offset=offset, limit=limit)


@router.post("", openapi_extra=rule(Permission.ENTERPRISE_WRITE, Scope.ALL), status_code=201,
             response_model=EnterprisePublic, responses=responses(409))
def create(body: EnterpriseCreate, ctx: ContextDep) -> EnterprisePublic:
    """登记新主体 / Register a new entity."""
    return enterprises.create(ctx, body)


@router.get("/{code}", openapi_extra=READ, response_model=EnterprisePublic)
def get(code: CodePath, ctx: ContextDep) -> EnterprisePublic:
    """一家企业 / One entity."""
    return enterprises.get(ctx, code)


@router.patch("/{code}", openapi_extra=WRITE, response_model=EnterprisePublic)
def update(code: CodePath, body: EnterpriseUpdate, ctx: ContextDep) -> EnterprisePublic:
    """改名或迁移(保留身份与历史)/ Rename or move (identity and history are kept)."""
    return enterprises.update(ctx, code, body)


@router.get("/{code}/locations", openapi_extra=READ, response_model=list[LocationPublic])
def locations(code: CodePath, ctx: ContextDep) -> list[LocationPublic]:
    """注册地(区县、园区)的历史 / Where it was registered, by date."""
    return enterprises.locations(ctx, code)


@router.get("/{code}/facts", openapi_extra=READ, response_model=list[FactPublic])
def facts(code: CodePath, ctx: ContextDep, history: bool = False) -> list[FactPublic]:
    """各项数据的现值(或全部历史及来源)/ Facts in force (or every value, with provenance)."""
    return enterprises.facts(ctx, code, history)


@router.patch("/{code}/facts", openapi_extra=WRITE, response_model=list[FactChange])
def set_facts(code: CodePath, body: FactsUpdate, ctx: ContextDep) -> list[FactChange]:
    """填报数据(逐项校验)/ Record facts (each is checked against the catalogue)."""
    return enterprises.set_facts(ctx, code, body)


@router.get("/{code}/match", openapi_extra=READ, response_model=MatchPublic)
async def match(code: CodePath, ctx: ContextDep, lg: LangDep, as_of: Day = None,
                pack: Annotated[str | None, Query(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")] = None,
                explain: bool = True, lang: Lang = None) -> Response:
    """匹配全部已发布政策并解释 / Match every published pack, with explanations."""
    language = lg if lang or explain else None
    # a remembered response is answered on the event loop (a thread hop would cost more
    # than the answer); computing one takes 5-15 ms of CPU, so it waits its turn in the
    # computing thread while the loop goes on serving the others
    data = matching.remembered(ctx, code, as_of, pack, explain, language)
    if data is None:
        data = await computed(matching.match_one_json, ctx, code, as_of, pack, explain,
                              language)
    return Response(data, media_type="application/json")


__all__ = ["PackPath", "router"]
