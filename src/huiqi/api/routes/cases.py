"""Service cases (issue 14): the approval agency, supervision, enterprise requests and
好差评, cross-district moves; the work queue and the dashboards. Each transition is checked
by its workflow (role → 403, state → 409); an enterprise user reaches its own cases only."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from huiqi.cases import agency, moves, public, requests, service, standards, supervision, views
from huiqi.cases import schemas as P
from huiqi.service.permissions import Permission, Scope
from huiqi.text import Lang

from ..access import rule
from ..deps import ContextDep, LangDep
from ..guard import Guarded
from ..problems import responses

router = APIRouter(route_class=Guarded, prefix="/cases", tags=["cases 服务事项"],
                   responses=responses(401, 403, 404, 409, 422))
uploads = APIRouter(route_class=Guarded, prefix="/cases", tags=["cases 服务事项"],
                    responses=responses(401, 403, 404, 413, 422))
READ = rule(Permission.CASE_READ)
WORK = rule(Permission.CASE_WORK, Scope.ALL)
ASK = rule(Permission.CASE_REQUEST)
CaseId = Annotated[int, Path(ge=1, le=2**53, description="事项编号 / case id")]
Kind = Annotated[str | None, Query(pattern=r"^(project|item|measure|request|rectify|move)$")]


def _list(ctx: ContextDep, lg: Lang, kind: str | None, mine: bool = False,
          closed: bool = False) -> list[P.CasePublic]:
    return [public.case(r, lg)
            for r in views.queue(ctx, mine=mine, kind=kind, include_closed=closed)]


@router.get("", openapi_extra=READ, response_model=list[P.CasePublic])
def queue(ctx: ContextDep, lg: LangDep, kind: Kind = None, mine: bool = False,
          closed: bool = False) -> list[P.CasePublic]:
    """待办队列:绿色通道在前,逾期在前,按到期日排序(企业用户只看到本企业的)/ The work
    queue: green channel first, then overdue, then by due day (an enterprise sees its own)."""
    return _list(ctx, lg, kind, mine, closed)


@router.get("/counters", openapi_extra=WORK, response_model=P.CountersPublic)
def counters(ctx: ContextDep, mine: bool = False) -> P.CountersPublic:
    """待办计数:逾期、本周到期、绿色通道、等待企业补充 / The open cases counted: overdue, due
    this week, green channel, waiting for the enterprise."""
    return P.CountersPublic(**views.counters(ctx, mine=mine).__dict__)


# ---------------------------------------------------------------- dashboards and standard

@router.get("/dashboard/agency", openapi_extra=READ, response_model=P.AgencyDashboardPublic)
def agency_dashboard(ctx: ContextDep) -> P.AgencyDashboardPublic:
    """审批代办概况:项目、开工、在办、按时办结的事项 / The approval agency in figures."""
    d = agency.dashboard(ctx)
    return P.AgencyDashboardPublic(**{k: v for k, v in d.__dict__.items() if k != "by_state"})


@router.get("/dashboard/supervision", openapi_extra=READ, response_model=P.SupervisionPublic)
def supervision_dashboard(ctx: ContextDep) -> P.SupervisionPublic:
    """督查督办:各项措施的进度、升级、评估与满意度,按领域和部门的完成情况 / Supervision."""
    return public.board(supervision.board(ctx))


@router.get("/dashboard/oversight", openapi_extra=READ, response_model=P.OversightPublic)
def oversight(ctx: ContextDep, lg: LangDep) -> P.OversightPublic:
    """领导视图:各部门逾期事项、好差评、差评整改 / Leadership: overdue by department,
    ratings, rectifications."""
    overdue = [P.OverduePublic(department=d, counts=dict(c), total=sum(c.values()))
               for d, c in views.overdue_by_department(ctx)]
    fixes = _list(ctx, lg, "rectify", closed=True)
    return P.OversightPublic(overdue=overdue, ratings=views.ratings_summary(ctx),
                             rectifications=fixes)


@router.get("/standards", openapi_extra=READ, response_model=list[P.StandardPublic])
def list_standards(ctx: ContextDep) -> list[P.StandardPublic]:
    """服务标准:代办模板、诉求类别时限、督办升级规则 / The service standard."""
    return [P.StandardPublic(kind=k, code=c, name=n, body=b, changed=ch)
            for k, c, n, b, ch in standards.listing(ctx)]


@router.put("/standards/{kind}/{std}", openapi_extra=rule(Permission.CASE_STANDARD, Scope.ALL),
            response_model=P.StandardPublic)
def put_standard(kind: Annotated[str, Path(pattern=r"^(project_template|request_category|"
                                                   r"escalation)$")],
                 std: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$")],
                 body: P.StandardSet, ctx: ContextDep) -> P.StandardPublic:
    """修改服务标准的一项(新开事项起适用)/ Set one piece of the standard (for new cases)."""
    clean = standards.put(ctx, kind, std, body.name, body.body)
    return P.StandardPublic(kind=kind, code=std, name=body.name, body=clean, changed=True)


# ---------------------------------------------------------------- opening cases

@router.get("/projects", openapi_extra=READ, response_model=list[P.CasePublic])
def list_projects(ctx: ContextDep, lg: LangDep, closed: bool = False) -> list[P.CasePublic]:
    """审批代办项目 / Approval agency projects."""
    return _list(ctx, lg, "project", closed=closed)


@router.post("/projects", openapi_extra=WORK, status_code=201, response_model=P.CreatedPublic)
def create_project(body: P.ProjectCreate, ctx: ContextDep) -> P.CreatedPublic:
    """新建代办项目(按模板生成全部审批事项)/ A project, with every item of its template."""
    return P.CreatedPublic(id=agency.create_project(
        ctx, body.credit_code, body.title, template=body.template, investment=body.investment,
        location=body.location, green=body.green, agents=list(body.agents)))


@router.get("/measures", openapi_extra=READ, response_model=list[P.CasePublic])
def list_measures(ctx: ContextDep, lg: LangDep, closed: bool = False) -> list[P.CasePublic]:
    """督查任务 / Supervised measures."""
    return _list(ctx, lg, "measure", closed=closed)


@router.post("/measures", openapi_extra=WORK, status_code=201, response_model=P.CreatedPublic)
def create_measure(body: P.MeasureCreate, ctx: ContextDep) -> P.CreatedPublic:
    """新建督查任务(逾期升级随之排定)/ A measure (its escalations are scheduled)."""
    return P.CreatedPublic(id=supervision.create_measure(
        ctx, body.title, area=body.area, department=body.department, deadline=body.deadline,
        number=body.number, description=body.description))


@router.get("/requests", openapi_extra=READ, response_model=list[P.CasePublic])
def list_requests(ctx: ContextDep, lg: LangDep, closed: bool = False) -> list[P.CasePublic]:
    """企业诉求(企业用户:我的诉求)/ Enterprise requests (an enterprise: its own)."""
    return _list(ctx, lg, "request", closed=closed)


@router.post("/requests", openapi_extra=ASK, status_code=201, response_model=P.CreatedPublic)
def create_request(body: P.RequestCreate, ctx: ContextDep) -> P.CreatedPublic:
    """提交诉求(可针对某一政策条款)/ Submit a request (about a clause, if named)."""
    clause = {"pack": body.pack, "clause": body.clause} if body.clause else None
    return P.CreatedPublic(id=requests.submit(ctx, body.credit_code, body.category, body.title,
                                              body.description, clause=clause))


@router.get("/moves", openapi_extra=READ, response_model=list[P.CasePublic])
def list_moves(ctx: ContextDep, lg: LangDep, closed: bool = False) -> list[P.CasePublic]:
    """跨区迁移 / Cross-district moves."""
    return _list(ctx, lg, "move", closed=closed)


@router.post("/moves", openapi_extra=ASK, status_code=201, response_model=P.CreatedPublic)
def create_move(body: P.MoveCreate, ctx: ContextDep) -> P.CreatedPublic:
    """申请跨区迁移(两区均同意后才变更注册地)/ Ask for a move (made once both districts
    approve)."""
    return P.CreatedPublic(id=moves.request(ctx, body.credit_code, body.to_district,
                                            body.to_park, body.reason, body.on))


# ---------------------------------------------------------------- one case

@router.get("/{case_id}", openapi_extra=READ, response_model=P.CaseDetailPublic)
def get_case(case_id: CaseId, ctx: ContextDep, lg: LangDep) -> P.CaseDetailPublic:
    """一个事项:状态、由事件推算的各阶段用时与时限、附件、事件 / One case, its times derived
    from its events."""
    return public.detail(views.detail(ctx, case_id), lg)


@router.post("/{case_id}/transitions/{name}", openapi_extra=ASK,
             response_model=P.CaseDetailPublic)
def transition(case_id: CaseId, name: Annotated[str, Path(pattern=r"^[a-z_]{1,32}$")],
               body: P.Step, ctx: ContextDep, lg: LangDep) -> P.CaseDetailPublic:
    """办理一步(受理、补正、答复、办结、同意迁移……)/ Take a step of the case's workflow."""
    if name == "admit":
        moves.admit(ctx, case_id, body.reason)
    else:
        requests.transition(ctx, case_id, name, body.reason)
    return public.detail(views.detail(ctx, case_id), lg)


@router.put("/{case_id}/agents", openapi_extra=WORK, response_model=list[str])
def set_agents(case_id: CaseId, body: P.AgentsSet, ctx: ContextDep) -> list[str]:
    """指定代办员(一对一或多对一)/ Set the agents (one, or several)."""
    return [a.username for a in service.assign(ctx, case_id, list(body.usernames), body.lead)]


@router.post("/{case_id}/contacts", openapi_extra=WORK, status_code=201,
             response_model=P.CreatedPublic)
def contact(case_id: CaseId, body: P.ContactCreate, ctx: ContextDep) -> P.CreatedPublic:
    """记录一次与企业的联系 / Log a contact with the enterprise."""
    return P.CreatedPublic(id=agency.log_contact(ctx, case_id, body.channel, body.summary))


@router.post("/{case_id}/progress", openapi_extra=WORK, status_code=201,
             response_model=P.CreatedPublic)
def progress(case_id: CaseId, body: P.ProgressCreate, ctx: ContextDep) -> P.CreatedPublic:
    """报送进展(证明材料作为附件上传)/ Report progress (evidence uploaded as files)."""
    return P.CreatedPublic(id=supervision.report(ctx, case_id, body.progress, body.text))


@router.put("/{case_id}/evaluation", openapi_extra=WORK, status_code=204)
def evaluation(case_id: CaseId, body: P.EvaluationSet, ctx: ContextDep) -> Response:
    """第三方评估得分 / The third party's score."""
    supervision.evaluate(ctx, case_id, body.score, body.evaluator)
    return Response(status_code=204)


@router.post("/{case_id}/survey", openapi_extra=ASK, status_code=204)
def survey(case_id: CaseId, body: P.RatingCreate, ctx: ContextDep) -> Response:
    """对督查措施的满意度 / Satisfaction with a measure."""
    supervision.survey(ctx, case_id, body.score, body.comment)
    return Response(status_code=204)


@router.post("/{case_id}/rating", openapi_extra=ASK, status_code=201,
             response_model=P.CreatedPublic)
def rate(case_id: CaseId, body: P.RatingCreate, ctx: ContextDep) -> P.CreatedPublic:
    """好差评(1、2 分为差评,自动生成整改)/ Rate a resolved request (1–2: a rectification
    opens)."""
    return P.CreatedPublic(id=case_id, rectification_id=requests.rate(
        ctx, case_id, body.score, body.comment))


@router.post("/{case_id}/appeal", openapi_extra=WORK, status_code=204)
def appeal(case_id: CaseId, body: P.AppealCreate, ctx: ContextDep) -> Response:
    """对评价提出申诉(误评、恶意评价)/ Appeal a mistaken rating."""
    requests.appeal(ctx, case_id, body.reason)
    return Response(status_code=204)


@router.post("/{case_id}/appeal/decision", openapi_extra=rule(Permission.CASE_DECIDE, Scope.ALL),
             status_code=204)
def decide(case_id: CaseId, body: P.AppealDecision, ctx: ContextDep) -> Response:
    """裁定申诉:成立则评价作废、整改撤销 / Decide an appeal."""
    requests.decide(ctx, case_id, body.uphold, body.reason)
    return Response(status_code=204)


@router.get("/{case_id}/files/{file_id}", openapi_extra=READ,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download(case_id: CaseId, file_id: Annotated[int, Path(ge=1, le=2**53)],
             ctx: ContextDep) -> Response:
    """下载附件 / Download a file."""
    f = service.file(ctx, case_id, file_id)
    return Response(f.content, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.name)}"})


@uploads.post("/{case_id}/files", openapi_extra=ASK, status_code=201,
              response_model=P.FilePublic)
def upload(case_id: CaseId, ctx: ContextDep,
           file: Annotated[UploadFile, File(description="附件 / the file")],
           purpose: Annotated[str, Form(pattern=r"^(attachment|evidence)$")] = "attachment"
           ) -> P.FilePublic:
    """上传附件或证明材料 / Upload an attachment or evidence."""
    content = file.file.read(service.FILE_MAX + 1)
    f = service.attach(ctx, case_id, purpose, (file.filename or "file").replace("\x00", ""),
                       file.content_type or "application/octet-stream", content)
    return P.FilePublic(id=f.id, purpose=f.purpose, name=f.name, content_type=f.content_type,
                        size=f.size, sha256=f.sha256, uploaded_at=f.uploaded_at,
                        uploaded_by=f.uploaded_by)
