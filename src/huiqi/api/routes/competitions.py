"""Competitions (炬火种, issue 13): competitions with their stages' rubrics, panels and
prizes; problems (命题) posted by enterprises and moved through their stages; teams
registered; the preliminary's and the final's scores; counts by university and problem."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from huiqi.service.permissions import Permission, Scope
from huiqi.vouchers import competitions as K
from huiqi.vouchers import schemas as S

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses

router = APIRouter(route_class=Guarded, prefix="/competitions", tags=["competitions 竞赛"],
                   responses=responses(401, 403, 404, 409, 422))
READ = rule(Permission.COMPETITION_READ)
POST = rule(Permission.COMPETITION_POST)
ENTER = rule(Permission.COMPETITION_ENTER)
MANAGE = rule(Permission.COMPETITION_MANAGE, Scope.ALL)
Key = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{1,63}$", description="竞赛 / competition")]
Id = Annotated[int, Path(ge=1, le=2**53)]


class Move(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Literal["open", "review", "withdraw"]
    reason: Annotated[str, Field(max_length=2000)] | None = None


@router.get("", openapi_extra=READ, response_model=list[S.CompetitionOut])
def competitions(ctx: ContextDep) -> list[S.CompetitionOut]:
    """竞赛及其命题 / Competitions and their problems (an enterprise: its own problems)."""
    return K.competitions(ctx)


@router.post("", openapi_extra=MANAGE, response_model=S.CompetitionOut, status_code=201)
def create(body: S.CompetitionCreate, ctx: ContextDep) -> S.CompetitionOut:
    """设立竞赛:两个阶段的评审细则与专家组、决赛名额、奖项 / A competition."""
    return K.create(ctx, body)


@router.get("/{key}", openapi_extra=READ, response_model=S.CompetitionOut)
def competition(key: Key, ctx: ContextDep) -> S.CompetitionOut:
    """一项竞赛 / One competition."""
    return K.competition(ctx, key)


@router.get("/{key}/counts", openapi_extra=READ, response_model=S.Counts)
def counts(key: Key, ctx: ContextDep) -> S.Counts:
    """按高校、按命题统计参赛团队与人数 / Teams and entrants by university and by problem."""
    return K.counts(ctx, key)


@router.post("/{key}/problems", openapi_extra=POST, response_model=S.ProblemOut, status_code=201)
def post(key: Key, body: S.ProblemPost, ctx: ContextDep) -> S.ProblemOut:
    """企业发布命题及奖金(企业只能以本企业名义)/ An enterprise posts a problem."""
    return K.post(ctx, key, body)


@router.get("/problems/{problem_id}", openapi_extra=READ, response_model=S.ProblemOut)
def problem(problem_id: Id, ctx: ContextDep) -> S.ProblemOut:
    """一个命题及其参赛团队 / A problem and its teams."""
    return K.problem(ctx, problem_id)


@router.post("/problems/{problem_id}/moves", openapi_extra=POST, response_model=S.ProblemOut)
def move(problem_id: Id, body: Move, ctx: ContextDep) -> S.ProblemOut:
    """开放报名、截止报名进入初赛、撤回 / Open, close for the preliminary, withdraw."""
    return K.move(ctx, problem_id, body.name, body.reason)


@router.post("/problems/{problem_id}/teams", openapi_extra=ENTER, response_model=S.TeamOut,
             status_code=201)
def register(problem_id: Id, body: S.TeamRegister, ctx: ContextDep) -> S.TeamOut:
    """团队报名(队员及其高校、指导老师)/ A team registers."""
    return K.register(ctx, problem_id, body)


@router.post("/problems/{problem_id}/preliminary", openapi_extra=MANAGE,
             response_model=S.ProblemOut)
def preliminary(problem_id: Id, body: S.StageScores, ctx: ContextDep) -> S.ProblemOut:
    """初赛网评评分,确定决赛团队 / The preliminary's scores; the finalists."""
    return K.advance(ctx, problem_id, body)


@router.post("/problems/{problem_id}/final", openapi_extra=MANAGE, response_model=S.ProblemOut)
def final(problem_id: Id, body: S.StageScores, ctx: ContextDep) -> S.ProblemOut:
    """决赛路演评分,排名与奖金 / The final pitch's scores; ranks and prizes."""
    return K.award(ctx, problem_id, body)
