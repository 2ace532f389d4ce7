"""Programmes (calls), applications, review panels, decisions, 公示 and payments
(issue 12). Every route declares its permission; the service checks it again, over the
application's enterprise; the public notice (公示) needs no sign-in."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel

from huiqi.programmes import applications as A
from huiqi.programmes import automatic, calls, reviews
from huiqi.programmes.schemas import (
    ApplicationPublic,
    ApplicationStart,
    AssignIn,
    AssignmentPublic,
    AutomaticConfirm,
    BudgetLine,
    ConflictAnswer,
    ConflictDeclaration,
    ConflictPublic,
    DecisionPublic,
    FactsConfirm,
    Key,
    Move,
    NoticeEntry,
    ObjectionAnswer,
    ObjectionIn,
    PaymentIn,
    ProgrammeCreate,
    ProgrammePublic,
    ScoreIn,
)
from huiqi.service.context import Actor
from huiqi.service.permissions import Permission, Role, Scope

from ..access import PUBLIC, rule
from ..deps import ContextDep, PlatformDep
from ..guard import Guarded, client_ip
from ..problems import responses

router = APIRouter(route_class=Guarded, tags=["programmes 项目申报"],
                   responses=responses(401, 403, 404, 409, 413, 422))
#: material uploads, with the larger body limit of uploads (``HUIQI_UPLOAD_MAX_MB``)
uploads = APIRouter(route_class=Guarded, tags=["programmes 项目申报"],
                    responses=responses(401, 403, 404, 409, 413, 422))

ProgrammeKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{1,63}$", description="项目标识 / key")]
AppId = Annotated[int, Path(ge=1, le=2**62, description="申报编号 / application")]
ItemId = Annotated[int, Path(ge=1, le=2**62)]
READ_P, MANAGE = rule(Permission.PROGRAMME_READ), rule(Permission.PROGRAMME_MANAGE)
READ_A, WRITE_A = rule(Permission.APPLICATION_READ), rule(Permission.APPLICATION_WRITE)
PROCESS = rule(Permission.APPLICATION_PROCESS, Scope.ALL)
REVIEW = rule(Permission.REVIEW_SCORE)


class Counts(BaseModel):
    done: dict[str, int]


# ------------------------------------------------------------------ programmes

@router.get("/programmes", openapi_extra=READ_P, response_model=list[ProgrammePublic])
def list_programmes(ctx: ContextDep,
                    year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[ProgrammePublic]:
    """项目(申报批次)/ Programmes (calls)."""
    return calls.list_all(ctx, year)


@router.post("/programmes", openapi_extra=MANAGE, response_model=ProgrammePublic, status_code=201)
def create_programme(body: ProgrammeCreate, ctx: ContextDep) -> ProgrammePublic:
    """在已发布政策包的条款上开设项目 / Open a programme on a clause of a published pack."""
    return calls.create(ctx, body)


@router.get("/programmes/{key}", openapi_extra=READ_P, response_model=ProgrammePublic)
def get_programme(key: ProgrammeKey, ctx: ContextDep) -> ProgrammePublic:
    """一个项目:窗口、预算、名额、已承诺、已拨付 / One programme."""
    return calls.get(ctx, key)


@router.get("/programmes/{key}/applications", openapi_extra=READ_A,
            response_model=list[ApplicationPublic])
def programme_applications(key: ProgrammeKey, ctx: ContextDep,
                           state: Annotated[str | None, Query(pattern=r"^[a-z_]{2,16}$")] = None
                           ) -> list[ApplicationPublic]:
    """项目的申报(经办人的待办队列,按期限排序)/ A programme's applications (the officer's
    queue, by due date); an enterprise user sees its own only."""
    return A.list_for(ctx, programme=key, state=state)


@router.post("/programmes/{key}/decision", openapi_extra=PROCESS, response_model=DecisionPublic)
def decide(key: ProgrammeKey, ctx: ContextDep) -> DecisionPublic:
    """评审完成后统一决定(排名、及格线、名额、预算,可空缺)/ Decide a programme: ranking,
    pass mark, quota, budget; vacancy possible."""
    return reviews.decide(ctx, key)


@router.post("/programmes/{key}/proposals", openapi_extra=PROCESS, response_model=Counts)
def propose(key: ProgrammeKey, ctx: ContextDep) -> Counts:
    """免申即享:由数据列出符合条件的企业 / 免申即享: list the eligible enterprises."""
    return Counts(done={"added": automatic.propose(ctx, key)})


@router.post("/programmes/{key}/confirmation", openapi_extra=PROCESS, response_model=Counts)
def confirm(key: ProgrammeKey, body: AutomaticConfirm, ctx: ContextDep) -> Counts:
    """免申即享:批量确认(排除的须写明理由)/ Confirm in bulk, with exclusions and reasons."""
    return Counts(done=automatic.confirm(ctx, key, body))


@router.post("/programmes/{key}/notice", openapi_extra=PROCESS, response_model=Counts)
def publicise(key: ProgrammeKey, ctx: ContextDep) -> Counts:
    """公示全部拟支持的申报 / Publish the notice of every selected application."""
    return Counts(done={"publicised": automatic.publicise_all(ctx, key)})


@router.post("/programmes/{key}/grants", openapi_extra=PROCESS, response_model=Counts)
def grant_all(key: ProgrammeKey, ctx: ContextDep) -> Counts:
    """公示期满且无未答复异议的,立项 / Grant those whose notice ended without an open
    objection."""
    return Counts(done={"granted": automatic.grant_all(ctx, key)})


@router.get("/budgets", openapi_extra=rule(Permission.RESULT_READ), response_model=list[BudgetLine])
def budgets(ctx: ContextDep) -> list[BudgetLine]:
    """各项目预算:潜在(按规则,受名额限制)、已承诺、已拨付 / Budget lines: potential (capped
    by quotas), committed, paid."""
    return calls.budgets(ctx)


# ------------------------------------------------------------------ applications

@router.get("/applications", openapi_extra=READ_A, response_model=list[ApplicationPublic])
def list_applications(ctx: ContextDep,
                      enterprise: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z]{18}$")] = None,
                      programme: Annotated[Key | None, Query()] = None,
                      state: Annotated[str | None, Query(pattern=r"^[a-z_]{2,16}$")] = None
                      ) -> list[ApplicationPublic]:
    """申报(企业用户只见本企业)/ Applications (an enterprise user sees its own)."""
    return A.list_for(ctx, programme=programme, code=enterprise, state=state)


@router.post("/applications", openapi_extra=WRITE_A, response_model=ApplicationPublic, status_code=201)
def start(body: ApplicationStart, ctx: ContextDep) -> ApplicationPublic:
    """开始申报(条款所需数据自动预填)/ Start an application (the clause's facts pre-filled)."""
    return A.start(ctx, body.programme, body.enterprise)


@router.get("/applications/{app_id}", openapi_extra=READ_A, response_model=ApplicationPublic)
def get_application(app_id: AppId, ctx: ContextDep) -> ApplicationPublic:
    """一份申报:状态、期限(工作日)、材料、评分、决定说明、拨付 / One application."""
    return A.get(ctx, app_id)


@router.put("/applications/{app_id}/facts", openapi_extra=WRITE_A, response_model=ApplicationPublic)
def confirm_facts(app_id: AppId, body: FactsConfirm, ctx: ContextDep) -> ApplicationPublic:
    """确认或补充预填的数据(记为企业自报数据)/ Confirm or complete the pre-filled facts."""
    return A.confirm_facts(ctx, app_id, body)


@uploads.post("/applications/{app_id}/materials", openapi_extra=WRITE_A,
              response_model=ApplicationPublic, status_code=201)
def upload(app_id: AppId, ctx: ContextDep,
           kind: Annotated[str, Form(pattern=r"^[a-z][a-z0-9_-]{1,63}$")],
           file: Annotated[UploadFile, File(description="申报材料 / a material")]) -> ApplicationPublic:
    """上传申报材料(类型、大小、摘要)/ Upload a material (type, size and digest checked)."""
    name = (file.filename or "file").replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "")[:200]
    return A.upload(ctx, app_id, kind, name or "file", file.file.read())


@router.get("/applications/{app_id}/materials/{material_id}", openapi_extra=READ_A,
            response_class=Response)
def download(app_id: AppId, material_id: ItemId, ctx: ContextDep) -> Response:
    """下载申报材料(仅能查看该申报者)/ Download a material (only those who may see the
    application)."""
    name, ctype, content = A.material(ctx, app_id, material_id)
    return _file(name, ctype, content)


def _file(name: str, ctype: str, content: bytes) -> Response:
    """A stored material as a download (never shown inline)."""
    return Response(content, media_type=ctype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff"})


@router.post("/applications/{app_id}/moves", openapi_extra=READ_A, response_model=ApplicationPublic)
def move(app_id: AppId, body: Move, ctx: ContextDep) -> ApplicationPublic:
    """办理一步(提交、退回补正、形式审查通过、撤回、公示、立项、办结……),按角色与状态检查
    / Do one step of the workflow, checked by role and state (409 when not possible now)."""
    return A.move(ctx, app_id, body.action, body.reason)


@router.post("/applications/{app_id}/selection", openapi_extra=PROCESS, response_model=ApplicationPublic)
def select(app_id: AppId, ctx: ContextDep) -> ApplicationPublic:
    """普惠项目:决定支持(金额按条款计算,预算与名额原子扣减)/ Decide one application of a
    universal programme (the budget and the quota taken atomically)."""
    return reviews.select_one(ctx, app_id)


@router.post("/applications/{app_id}/reviewers", openapi_extra=PROCESS, response_model=list[str])
def assign(app_id: AppId, body: AssignIn, ctx: ContextDep) -> list[str]:
    """分配评审专家(已声明利益冲突的拒绝)/ Assign reviewers (a declared conflict is refused)."""
    return reviews.assign(ctx, app_id, body.reviewers)


@router.post("/applications/{app_id}/payments", openapi_extra=PROCESS, response_model=ApplicationPublic)
def pay(app_id: AppId, body: PaymentIn, ctx: ContextDep) -> ApplicationPublic:
    """拨付(合计不超过立项金额)/ Record a payment (never above the grant)."""
    return A.pay(ctx, app_id, body)


@router.post("/applications/{app_id}/objections/{objection_id}/answer", openapi_extra=PROCESS,
             response_model=ApplicationPublic)
def answer(app_id: AppId, objection_id: ItemId, body: ObjectionAnswer, ctx: ContextDep
           ) -> ApplicationPublic:
    """答复公示异议(异议成立则撤销)/ Answer an objection (upheld: the selection is revoked)."""
    return A.answer(ctx, app_id, objection_id, body)


# ------------------------------------------------------------------ reviewers

@router.get("/reviews", openapi_extra=REVIEW, response_model=list[AssignmentPublic])
def my_reviews(ctx: ContextDep) -> list[AssignmentPublic]:
    """我的评审任务 / My assignments."""
    return reviews.mine(ctx)


@router.get("/reviews/conflicts", openapi_extra=REVIEW, response_model=list[ConflictPublic])
def my_conflicts(ctx: ContextDep) -> list[ConflictPublic]:
    """我声明的利益冲突 / The conflicts I declared."""
    return reviews.conflicts(ctx)


@router.post("/reviews/conflicts", openapi_extra=REVIEW, response_model=ConflictPublic, status_code=201)
def declare(body: ConflictDeclaration, ctx: ContextDep) -> ConflictPublic:
    """声明与某企业存在利益冲突(此后不分配、不显示)/ Declare a conflict with an enterprise."""
    return reviews.declare_conflict(ctx, body.enterprise, body.reason)


@router.get("/reviews/{app_id}", openapi_extra=REVIEW, response_model=ApplicationPublic)
def review_view(app_id: AppId, ctx: ContextDep) -> ApplicationPublic:
    """评审查看申报(须先声明无利益冲突)/ The application, once no conflict is declared."""
    return reviews.view(ctx, app_id)


@router.get("/reviews/{app_id}/materials/{material_id}", openapi_extra=REVIEW, response_class=Response)
def review_material(app_id: AppId, material_id: ItemId, ctx: ContextDep) -> Response:
    """评审下载申报材料(须先声明无利益冲突)/ A material, for its reviewer."""
    name, ctype, content = reviews.material(ctx, app_id, material_id)
    return _file(name, ctype, content)


@router.post("/reviews/{app_id}/conflict", openapi_extra=REVIEW, response_model=AssignmentPublic)
def conflict(app_id: AppId, body: ConflictAnswer, ctx: ContextDep) -> AssignmentPublic:
    """回答利益冲突问题(有冲突则回避)/ Answer the conflict question (a conflict: recused)."""
    return reviews.answer_conflict(ctx, app_id, body)


@router.put("/reviews/{app_id}/score", openapi_extra=REVIEW, response_model=AssignmentPublic)
def score(app_id: AppId, body: ScoreIn, ctx: ContextDep) -> AssignmentPublic:
    """按评分细则打分 / Score with the rubric."""
    return reviews.score(ctx, app_id, body)


# ------------------------------------------------------------------ 公示 (public)

@router.get("/notice", openapi_extra=rule(PUBLIC), response_model=list[NoticeEntry])
def notice(platform: PlatformDep) -> list[NoticeEntry]:
    """公示(无需登录)/ The public notice (no sign-in)."""
    return A.notice(platform.system())


@router.post("/notice/{app_id}/objections", openapi_extra=rule(PUBLIC), status_code=201,
             response_model=dict[str, int])
def object_to(app_id: AppId, body: ObjectionIn, request: Request, platform: PlatformDep
              ) -> dict[str, int]:
    """对公示提出异议(程序或事实问题)/ Object to an application in public notice."""
    ctx = platform.as_actor(Actor(username="public", role=Role.ENTERPRISE), client_ip(request))
    return {"objection": A.object_to(ctx, app_id, body)}
