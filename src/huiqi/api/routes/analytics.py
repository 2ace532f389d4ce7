"""The park evaluation, industry-chain maps and the 招商 list (leadership, staff)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile

from huiqi.analytics import chain, evaluation
from huiqi.analytics.schemas import (
    ChainMap,
    Evaluation,
    FrameworkPublic,
    MemberDecision,
    ParkDetail,
    RegistryIndicator,
    StatisticsImport,
    Target,
)
from huiqi.service.permissions import Permission, Scope

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses

router = APIRouter(route_class=Guarded, prefix="/analytics", tags=["analytics 园区评价与招商"],
                   responses=responses(401, 403, 404, 422))
uploads = APIRouter(route_class=Guarded, prefix="/analytics", tags=["analytics 园区评价与招商"],
                    responses=responses(401, 403, 413, 422))
READ = rule(Permission.ANALYTICS_READ, Scope.ALL)
EDIT = rule(Permission.ANALYTICS_EDIT, Scope.ALL)
Year = Annotated[int, Path(ge=1990, le=2100, description="年度 / year")]
Key = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$", description="产业链 / chain")]
ParkCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="园区代码 / park")]
ParkName = Annotated[str | None, Query(max_length=100, description="园区 / park (默认本园区)")]


@router.get("/frameworks", openapi_extra=READ, response_model=list[FrameworkPublic])
def frameworks(ctx: ContextDep) -> list[FrameworkPublic]:
    """评价指标体系(权重及其核实状态)/ The evaluation frameworks, weights and their status."""
    return evaluation.frameworks(ctx)


@router.get("/years", openapi_extra=READ, response_model=list[int])
def years(ctx: ContextDep) -> list[int]:
    """有园区统计数据的年度 / Years with park statistics."""
    return evaluation.years(ctx)


@router.get("/evaluation/{year}", openapi_extra=READ, response_model=Evaluation)
def evaluate(year: Year, ctx: ContextDep) -> Evaluation:
    """各园区得分、排名与排名区间 / Every park's score, rank and rank interval."""
    return evaluation.evaluate(ctx, year)


@router.get("/evaluation/{year}/parks/{park}", openapi_extra=READ, response_model=ParkDetail)
def park(year: Year, park: ParkCode, ctx: ContextDep) -> ParkDetail:
    """一个园区:分组得分、优势与短板指标、敏感性、提升路径、趋势 / One park in detail."""
    return evaluation.park(ctx, year, park)


@router.get("/indicators/{year}", openapi_extra=READ, response_model=list[RegistryIndicator])
def indicators(year: Year, ctx: ContextDep, park: ParkName = None) -> list[RegistryIndicator]:
    """由企业库计算的园区指标 / The park's indicators computed from the registry."""
    return evaluation.registry_indicators(ctx, year, park)


@uploads.post("/statistics", openapi_extra=EDIT, response_model=StatisticsImport,
              status_code=201)
def import_statistics(file: Annotated[UploadFile, File(description="CSV 或 .xlsx")],
                      ctx: ContextDep) -> StatisticsImport:
    """导入园区统计数据(全部或全不)/ Import park-level statistics, all or nothing. Columns:
    park_code, park_name, indicator, year, value, source, note."""
    name = PurePath((file.filename or "upload").replace("\\", "/")).name[:200] or "upload"
    name = name.replace("\x00", "")
    with tempfile.TemporaryDirectory(prefix="huiqi-stats-") as tmp:
        path = FilePath(tmp) / ("upload" + PurePath(name).suffix.lower())
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        return evaluation.import_statistics(ctx, path, display=name)


@router.get("/chains/{key}/{year}", openapi_extra=READ, response_model=ChainMap)
def chain_map(key: Key, year: Year, ctx: ContextDep, park: ParkName = None) -> ChainMap:
    """产业链图谱 / The chain map: segments, firms, leaders, revenue, growth."""
    return chain.chain_map(ctx, key, year, park)


@router.get("/chains/{key}/{year}/targets", openapi_extra=READ, response_model=list[Target])
def targets(key: Key, year: Year, ctx: ContextDep, park: ParkName = None) -> list[Target]:
    """招商目标清单 / The chain's gaps and the kinds of firms to attract."""
    return chain.targets(ctx, key, year, park)


@router.put("/chain-members/{key}", openapi_extra=EDIT, status_code=204)
def decide(key: Key, body: MemberDecision, ctx: ContextDep) -> Response:
    """认定企业所属环节与链主 / Decide an enterprise's segment, or that it is a chain leader."""
    chain.decide(ctx, key, body)
    return Response(status_code=204)
