"""Policy packs: versions, publishing, clauses, stored results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from huiqi.service import decisions, matching, policies
from huiqi.service.permissions import Permission
from huiqi.service.schemas import (
    CheckPublic,
    ClausePublic,
    DecisionCreate,
    DecisionPublic,
    DeclaredFactPublic,
    DiffPublic,
    PackPublic,
    PackUpload,
    Page,
    ResultPublic,
    RunPublic,
    VersionPublic,
)

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses
from .params import CodePath, Day, Filter, IdPath, Limit, NumberPath, Offset, PackPath

router = APIRouter(route_class=Guarded, prefix="/policies", tags=["policies 政策"],
                   responses=responses(401, 403, 404, 409, 422))
#: the upload of a version, included with the larger body limit of uploads
uploads = APIRouter(route_class=Guarded, prefix="/policies", tags=["policies 政策"],
                    responses=responses(401, 403, 404, 409, 413, 422))
READ = rule(Permission.POLICY_READ)
#: a version that is still a draft is shown to staff roles only
READ_VERSION = rule(Permission.POLICY_READ, drafts=Permission.POLICY_DRAFT_READ)
Status = Annotated[str | None, Query(pattern="^(eligible|not_eligible|undetermined|needs_review)$")]


class RunRequest(BaseModel):
    as_of: Day = None


@router.get("", openapi_extra=READ, response_model=list[PackPublic])
def list_packs(ctx: ContextDep) -> list[PackPublic]:
    """全部政策包及其版本(企业用户看不到草稿)/ Every pack with its versions (no drafts for
    enterprise users)."""
    return policies.list_packs(ctx)


@router.get("/{pack}", openapi_extra=READ, response_model=PackPublic)
def get_pack(pack: PackPath, ctx: ContextDep) -> PackPublic:
    """一个政策包 / One pack."""
    return policies.get_pack(ctx, pack)


@uploads.post("/{pack}/versions", openapi_extra=rule(Permission.POLICY_WRITE), status_code=201,
              response_model=VersionPublic)
def upload(pack: PackPath, body: PackUpload, ctx: ContextDep) -> VersionPublic:
    """上传新版本(草稿)/ Upload a new draft version (policy YAML and texts)."""
    return policies.upload(ctx, pack, [(f.path, f.content.encode("utf-8")) for f in body.files],
                           body.note)


@router.get("/{pack}/versions/{number}", openapi_extra=READ_VERSION,
            response_model=VersionPublic)
def get_version(pack: PackPath, number: NumberPath, ctx: ContextDep) -> VersionPublic:
    """一个版本(草稿仅工作人员可见)/ One version (a draft only for staff roles)."""
    return policies.get_version(ctx, pack, number)


@router.post("/{pack}/versions/{number}/check", openapi_extra=rule(Permission.POLICY_WRITE),
             response_model=CheckPublic)
def check(pack: PackPath, number: NumberPath, ctx: ContextDep) -> CheckPublic:
    """检查版本(不改变任何状态)/ Check a version (changes nothing)."""
    return policies.check(ctx, pack, number)


@router.get("/{pack}/versions/{number}/diff", openapi_extra=READ_VERSION,
            response_model=DiffPublic)
def diff(pack: PackPath, number: NumberPath, ctx: ContextDep) -> DiffPublic:
    """与已发布版本的差异(规则与原文,逐行)/ The version against the published one, line by
    line (rules and texts); publish it with ``reviewed`` = its ``digest``."""
    return policies.diff(ctx, pack, number)


Reviewed = Annotated[str | None, Query(max_length=64, pattern="^[0-9a-f]+$")]


@router.post("/{pack}/versions/{number}/publish", openapi_extra=rule(Permission.POLICY_PUBLISH),
             response_model=VersionPublic)
def publish(pack: PackPath, number: NumberPath, ctx: ContextDep,
            reviewed: Reviewed = None) -> VersionPublic:
    """发布草稿(有任何问题则拒绝,返回问题)。双人复核:须由上传者以外的人发布,并带上所查看差异的
    ``digest``(``reviewed``)/ Publish a draft (any problem rejects it). Four eyes: not by
    its uploader, and with ``reviewed`` = the ``digest`` of the differences looked at."""
    return policies.publish(ctx, pack, number, reviewed)


@router.post("/{pack}/versions/{number}/retire", openapi_extra=rule(Permission.POLICY_PUBLISH),
             response_model=VersionPublic)
def retire(pack: PackPath, number: NumberPath, ctx: ContextDep) -> VersionPublic:
    """废止已发布的版本 / Retire the published version."""
    return policies.retire(ctx, pack, number)


@router.get("/{pack}/clauses", openapi_extra=READ, response_model=list[ClausePublic])
def clauses(pack: PackPath, ctx: ContextDep) -> list[ClausePublic]:
    """已发布版本的条款 / Clauses of the published version."""
    return policies.clauses(ctx, pack)


@router.get("/{pack}/facts", openapi_extra=READ, response_model=list[DeclaredFactPublic])
def declared_facts(pack: PackPath, ctx: ContextDep) -> list[DeclaredFactPublic]:
    """已发布版本在 facts.yaml 中声明的事实 / The facts the published version declares."""
    return policies.declared_facts(ctx, pack)


@router.post("/{pack}/runs", openapi_extra=rule(Permission.RESULT_RUN), status_code=201,
             response_model=RunPublic)
def run(pack: PackPath, body: RunRequest, ctx: ContextDep) -> RunPublic:
    """对全部主体匹配并保存结果 / Match every entity and store the results."""
    return matching.run(ctx, pack, body.as_of)


@router.get("/{pack}/clauses/{policy}/{clause}/results", openapi_extra=rule(Permission.RESULT_READ),
            response_model=Page[ResultPublic])
def results(pack: PackPath, policy: IdPath, clause: IdPath, ctx: ContextDep, as_of: Day = None,
            status: Status = None, industry: Filter = None, district: Filter = None,
            offset: Offset = 0, limit: Limit = 50) -> Page[ResultPublic]:
    """一个条款的匹配结果(分页,可按状态、行业、区县筛选)/ Stored results of one clause."""
    return matching.clause_results(ctx, pack, f"{policy}/{clause}", as_of=as_of, status=status,
                                   industry=industry, district=district, offset=offset,
                                   limit=limit)


@router.post("/{pack}/enterprises/{code}/decisions", openapi_extra=rule(Permission.REVIEW_DECIDE),
             status_code=201, response_model=DecisionPublic)
def decide(pack: PackPath, code: CodePath, body: DecisionCreate, ctx: ContextDep) -> DecisionPublic:
    """记录对须人工判断的条件的决定:是否判断,或评分 / Record a decision on a condition a
    person judges: a verdict, or scores."""
    return decisions.decide(ctx, pack, code, body)


@router.get("/{pack}/enterprises/{code}/decisions", openapi_extra=rule(Permission.ENTERPRISE_READ),
            response_model=Page[DecisionPublic])
def decided(pack: PackPath, code: CodePath, ctx: ContextDep, offset: Offset = 0,
            limit: Limit = 50) -> Page[DecisionPublic]:
    """一家企业的人工判断记录(最新在前)/ The decisions recorded for an enterprise, latest first."""
    return decisions.history(ctx, pack, code, offset=offset, limit=limit)
