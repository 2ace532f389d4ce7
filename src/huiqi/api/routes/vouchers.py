"""Innovation vouchers (issue 13): schemes and their ledger balances, providers
(火炬创新平台) and their items, vouchers, redemption against a service contract, delivery
and confirmation, quarterly claims, settlement runs, expiry. An enterprise user reaches
its own vouchers and, as a provider, its own contracts and claims."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from huiqi.service.permissions import Permission, Scope
from huiqi.vouchers import challenges as C
from huiqi.vouchers import schemas as S
from huiqi.vouchers import service as VS

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses

router = APIRouter(route_class=Guarded, prefix="/vouchers", tags=["vouchers 创新券"],
                   responses=responses(401, 403, 404, 409, 422))
READ = rule(Permission.VOUCHER_READ)
USE = rule(Permission.VOUCHER_USE)
MANAGE = rule(Permission.VOUCHER_MANAGE, Scope.ALL)
Key = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{1,63}$", description="方案 / scheme")]
Id = Annotated[int, Path(ge=1, le=2**53)]
PeriodQ = Annotated[str | None, Query(pattern=r"^\d{4}Q[1-4]$")]


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: S.Period


class Run(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: S.Period
    reference: Annotated[str, Field(min_length=1, max_length=80)]


@router.get("/schemes", openapi_extra=READ, response_model=list[S.SchemePublic])
def schemes(ctx: ContextDep) -> list[S.SchemePublic]:
    """创新券方案及其账户余额 / Voucher schemes and their ledger balances."""
    return VS.schemes(ctx)


@router.post("/schemes", openapi_extra=MANAGE, response_model=S.SchemePublic, status_code=201)
def create_scheme(body: S.SchemeCreate, ctx: ContextDep) -> S.SchemePublic:
    """开设一年的创新券并拨入预算 / Open a year's vouchers, funded with its budget."""
    return VS.create_scheme(ctx, body)


@router.get("/schemes/{key}", openapi_extra=READ, response_model=S.SchemePublic)
def scheme(key: Key, ctx: ContextDep) -> S.SchemePublic:
    """一个方案:参数(注明假定)与各类账户余额 / One scheme: parameters and balances."""
    return VS.scheme(ctx, key)


@router.get("/schemes/{key}/providers", openapi_extra=READ, response_model=list[S.ProviderPublic])
def providers(key: Key, ctx: ContextDep) -> list[S.ProviderPublic]:
    """服务机构(火炬创新平台)及其服务项目与价格 / Providers, their services and prices."""
    return VS.providers(ctx, key)


@router.post("/schemes/{key}/providers", openapi_extra=USE, response_model=S.ProviderPublic,
             status_code=201)
def apply_provider(key: Key, body: S.ProviderApply, ctx: ContextDep) -> S.ProviderPublic:
    """服务机构申请认定 / A provider applies to be recognised."""
    return VS.apply_provider(ctx, key, body)


@router.post("/providers/{provider_id}/evaluation", openapi_extra=MANAGE,
             response_model=S.ProviderPublic)
def evaluate(provider_id: Id, body: S.ProviderEvaluate, ctx: ContextDep) -> S.ProviderPublic:
    """专家评估(加权评分,及格即认定)/ The panel's evaluation."""
    return VS.evaluate_provider(ctx, provider_id, body)


@router.post("/providers/{provider_id}/lapse", openapi_extra=MANAGE, response_model=S.ProviderPublic)
def lapse(provider_id: Id, body: Reason, ctx: ContextDep) -> S.ProviderPublic:
    """撤销或期满失效 / Recognition lapses."""
    return VS.lapse_provider(ctx, provider_id, body.reason)


@router.get("/schemes/{key}/vouchers", openapi_extra=READ, response_model=list[S.VoucherPublic])
def vouchers(key: Key, ctx: ContextDep) -> list[S.VoucherPublic]:
    """已发放的创新券(企业只看到本企业的)/ Vouchers issued (an enterprise: its own)."""
    return VS.vouchers(ctx, key)


@router.post("/schemes/{key}/vouchers", openapi_extra=MANAGE, response_model=S.VoucherPublic,
             status_code=201)
def issue(key: Key, body: S.Issue, ctx: ContextDep) -> S.VoucherPublic:
    """发放年度创新券(额度按政策包条款)/ Issue a year's voucher (the clause's amount)."""
    return VS.issue(ctx, key, body)


@router.get("/vouchers/{voucher_id}", openapi_extra=READ, response_model=S.VoucherPublic)
def voucher(voucher_id: Id, ctx: ContextDep) -> S.VoucherPublic:
    """一张创新券:余额与流水 / One voucher: balance and history."""
    return VS.voucher(ctx, voucher_id)


@router.post("/vouchers/{voucher_id}/contracts", openapi_extra=USE,
             response_model=S.ContractPublic, status_code=201)
def redeem(voucher_id: Id, body: S.Redeem, ctx: ContextDep) -> S.ContractPublic:
    """按服务合同兑付(抵扣比例以内、额度以内;同一合同只兑付一次)/ Redeem against a
    service contract."""
    return VS.redeem(ctx, voucher_id, body)


@router.post("/contracts/{contract_id}/delivery", openapi_extra=USE, response_model=S.ContractPublic)
def deliver(contract_id: Id, ctx: ContextDep) -> S.ContractPublic:
    """服务机构确认已交付 / The provider marks the service delivered."""
    return VS.deliver(ctx, contract_id)


@router.post("/contracts/{contract_id}/confirmation", openapi_extra=USE,
             response_model=S.ContractPublic)
def confirm(contract_id: Id, ctx: ContextDep) -> S.ContractPublic:
    """企业确认服务完成 / The enterprise confirms delivery."""
    return VS.confirm(ctx, contract_id)


@router.post("/contracts/{contract_id}/cancellation", openapi_extra=USE,
             response_model=S.ContractPublic)
def cancel(contract_id: Id, ctx: ContextDep) -> S.ContractPublic:
    """交付确认前撤销,抵扣额退回 / Cancel before confirmation; the deduction goes back."""
    return VS.cancel(ctx, contract_id)


@router.post("/providers/{provider_id}/claims", openapi_extra=USE, response_model=S.ClaimPublic,
             status_code=201)
def claim(provider_id: Id, body: Claim, ctx: ContextDep) -> S.ClaimPublic:
    """按季度申请兑付 / Claim a quarter that has ended."""
    return VS.claim(ctx, provider_id, body.period)


@router.get("/schemes/{key}/claims", openapi_extra=READ, response_model=list[S.ClaimPublic])
def claims(key: Key, ctx: ContextDep, period: PeriodQ = None) -> list[S.ClaimPublic]:
    """兑付申请(服务机构只看到自己的)/ Claims (a provider: its own)."""
    return VS.claims(ctx, key, period)


@router.post("/claims/{claim_id}/settlement", openapi_extra=MANAGE, response_model=S.ClaimPublic)
def settle(claim_id: Id, body: S.Settle, ctx: ContextDep) -> S.ClaimPublic:
    """支付一项兑付申请并计算奖励(重复支付不生效)/ Pay a claim and its bonus (once)."""
    return VS.settle(ctx, claim_id, body.reference)


@router.post("/schemes/{key}/settlements", openapi_extra=MANAGE, response_model=S.SettlementRun)
def settlement_run(key: Key, body: Run, ctx: ContextDep) -> S.SettlementRun:
    """按季度批量支付 / Settle every claim of a quarter."""
    return VS.settlement_run(ctx, key, body.period, body.reference)


@router.post("/schemes/{key}/expiry", openapi_extra=MANAGE, response_model=dict[str, str | int])
def expire(key: Key, ctx: ContextDep) -> dict[str, str | int]:
    """到期创新券失效,余额退回预算 / Expire vouchers past their day; back to the budget."""
    return VS.expire_due(ctx, key)


# ---------------------------------------------------------------------- 揭榜挂帅

@router.post("/challenges", openapi_extra=MANAGE, response_model=S.ChallengeListOut,
             status_code=201)
def create_challenge(body: S.ChallengeListCreate, ctx: ContextDep) -> S.ChallengeListOut:
    """新建揭榜挂帅榜单(草稿)/ A new challenge list (draft)."""
    return C.create_list(ctx, body)


@router.get("/challenges/{key}", openapi_extra=READ, response_model=S.ChallengeListOut)
def challenge(key: Key, ctx: ContextDep) -> S.ChallengeListOut:
    """一份榜单:任务、预算、已承诺、已拨付 / A list: tasks, budget, committed, paid."""
    return C.get_list(ctx, key)


@router.post("/challenges/{key}/tasks", openapi_extra=MANAGE, response_model=S.TaskOut,
             status_code=201)
def add_task(key: Key, body: S.TaskCreate, ctx: ContextDep) -> S.TaskOut:
    """榜单任务(用供需对接的统一词表描述指标)/ A task, in the market's vocabulary."""
    return C.add_task(ctx, key, body)


@router.post("/challenges/{key}/publication", openapi_extra=MANAGE,
             response_model=S.ChallengeListOut)
def publish_challenge(key: Key, ctx: ContextDep) -> S.ChallengeListOut:
    """发布榜单 / Publish the list."""
    return C.publish(ctx, key)


@router.get("/tasks/{task_id}/applications", openapi_extra=READ,
            response_model=list[S.ApplicationOut])
def task_applications(task_id: Id, ctx: ContextDep) -> list[S.ApplicationOut]:
    """任务的揭榜申请(企业只看到本单位参与的)/ A task's applications (an enterprise: its own)."""
    return C.applications(ctx, task_id)


@router.post("/tasks/{task_id}/applications", openapi_extra=USE, response_model=S.ApplicationOut,
             status_code=201)
def apply_task(task_id: Id, body: S.ChallengeApply, ctx: ContextDep) -> S.ApplicationOut:
    """揭榜(单独或联合体;每个任务每个单位一次)/ Apply, alone or as a consortium."""
    return C.apply(ctx, task_id, body)


@router.post("/tasks/{task_id}/selection", openapi_extra=MANAGE,
             response_model=list[S.ApplicationOut])
def select_task(task_id: Id, body: S.Selection, ctx: ContextDep) -> list[S.ApplicationOut]:
    """专家评审择优(加权指标;赛马可多家;不超过榜单预算)/ The panel's selection."""
    return C.select_winners(ctx, task_id, body)


@router.post("/challenge-applications/{app_id}/milestones", openapi_extra=MANAGE,
             response_model=S.ApplicationOut)
def accept_milestone(app_id: Id, body: S.MilestoneAccept, ctx: ContextDep) -> S.ApplicationOut:
    """里程碑验收与分期拨付 / A milestone accepted, its staged payment."""
    return C.accept_milestone(ctx, app_id, body)


@router.get("/challenge-applications/{app_id}/agreement", openapi_extra=READ,
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def agreement(app_id: Id, ctx: ContextDep) -> Response:
    """联合体协议原件(仅园区工作人员、牵头单位与成员可下载)/ The consortium agreement's
    file (the park's staff, the lead and the members only)."""
    name, ctype, content = C.agreement(ctx, app_id)
    return Response(content, media_type=ctype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
