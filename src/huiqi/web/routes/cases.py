"""Service cases in the pages (issue 14): the case officer's queue sorted by due day (green
channel on top, overdue in red); one case with its times derived from its events, its steps,
files, contacts, progress and rating; an enterprise's "my requests" (with the form that asks
about a clause) and "my projects"; leadership's view of overdue cases by department,
satisfaction by measure and 差评 under rectification."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import File, Form, Query, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse

from huiqi.cases import agency, moves, requests, service, standards, supervision, views
from huiqi.service.library import clause_title
from huiqi.service.permissions import Permission

from ..pages import PageDep, Pages

router = Pages()
uploads = Pages()  # included with the body limit of uploads (HUIQI_UPLOAD_MAX_MB)
READ, WORK, ASK = Permission.CASE_READ, Permission.CASE_WORK, Permission.CASE_REQUEST
CaseId = Annotated[int, PathParam(ge=1, le=2**53)]
Text_ = Annotated[str, Form(max_length=4000)]
Kind = Annotated[str | None, Query(pattern=r"^(project|item|measure|request|rectify|move)$")]
Slug = Annotated[str, Form(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


def _go(case_id: int, anchor: str = "") -> Response:
    return RedirectResponse(f"/staff/cases/{case_id}{anchor}", status_code=303)


@router.page("GET", "/staff/cases", READ)
def queue(p: PageDep, kind: Kind = None, mine: bool = False, closed: bool = False) -> Response:
    rows = views.queue(p.ctx, mine=mine, kind=kind, include_closed=closed)
    with p.ctx.db.read() as s:
        templates = standards.codes(s, "project_template")
    return p.render("cases.html", rows=rows, kind=kind, mine=mine, closed=closed,
                    templates=templates)


@router.page("POST", "/staff/cases/projects", WORK)
def new_project(p: PageDep, code: Annotated[str, Form(pattern=r"^[0-9A-Za-z]{18}$")],
                title: Annotated[str, Form(min_length=1, max_length=200)], template: Slug,
                green: Annotated[bool, Form()] = False,
                agents: Annotated[str, Form(max_length=400)] = "") -> Response:
    names = [a for a in agents.replace("、", ",").replace(" ", ",").split(",") if a]
    pid = agency.create_project(p.ctx, code, title, template=template, green=green,
                                agents=names or [p.ctx.actor.username])
    return _go(pid)


@router.page("POST", "/staff/cases/measures", WORK)
def new_measure(p: PageDep, title: Annotated[str, Form(min_length=1, max_length=200)],
                area: Annotated[str, Form(min_length=1, max_length=64)],
                department: Annotated[str, Form(min_length=1, max_length=64)],
                deadline: Annotated[dt.date, Form()],
                number: Annotated[str, Form(max_length=20)] = "") -> Response:
    mid = supervision.create_measure(p.ctx, title, area=area, department=department,
                                     deadline=deadline, number=number or None)
    return _go(mid)


@router.page("GET", "/staff/cases/{case_id}", READ)
def case(p: PageDep, case_id: CaseId) -> Response:
    d = views.detail(p.ctx, case_id)
    from huiqi.cases.flows import FLOWS

    ref = d.row.case.details.get("clause") or {}
    about = _about(p, ref.get("clause"), ref.get("pack"))
    return p.render("case.html", d=d, c=d.row.case, levels=requests.LEVELS,
                    states=FLOWS[d.row.case.kind].states, about=about)


def _about(p: PageDep, clause: str | None, pack: str | None) -> str:
    """The clause a request asks about, by its title, as the enterprise reads it (its id
    only if no published pack has it)."""
    if not clause:
        return ""
    title = clause_title(p.platform, clause, pack or None)
    return clause if title is None else p.text(title)


@router.page("POST", "/staff/cases/{case_id}/step", ASK)
def step(p: PageDep, case_id: CaseId, name: Annotated[str, Form(pattern=r"^[a-z_]{1,32}$")],
         reason: Text_ = "") -> Response:
    if name == "admit":
        moves.admit(p.ctx, case_id, reason or None)
    else:
        requests.transition(p.ctx, case_id, name, reason or None)
    return _go(case_id)


@uploads.page("POST", "/staff/cases/{case_id}/files", ASK)
def upload(p: PageDep, case_id: CaseId, file: Annotated[UploadFile, File()],
           purpose: Annotated[str, Form(pattern=r"^(attachment|evidence)$")] = "attachment"
           ) -> Response:
    content = file.file.read(service.FILE_MAX + 1)
    service.attach(p.ctx, case_id, purpose, (file.filename or "file").replace("\x00", ""),
                   file.content_type or "application/octet-stream", content)
    return _go(case_id, "#files")


@router.page("GET", "/staff/cases/{case_id}/files/{file_id}", READ)
def download(p: PageDep, case_id: CaseId, file_id: CaseId) -> Response:
    from urllib.parse import quote

    f = service.file(p.ctx, case_id, file_id)
    return Response(f.content, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.name)}"})


@router.page("POST", "/staff/cases/{case_id}/contact", WORK)
def contact(p: PageDep, case_id: CaseId,
            channel: Annotated[str, Form(pattern=r"^(visit|call|meeting|message|other)$")],
            summary: Text_) -> Response:
    agency.log_contact(p.ctx, case_id, channel, summary)
    return _go(case_id)


@router.page("POST", "/staff/cases/{case_id}/progress", WORK)
def progress(p: PageDep, case_id: CaseId, percent: Annotated[int, Form(ge=0, le=100)],
             text: Text_) -> Response:
    supervision.report(p.ctx, case_id, percent, text)
    return _go(case_id)


@router.page("POST", "/staff/cases/{case_id}/agents", WORK)
def set_agents(p: PageDep, case_id: CaseId,
               agents: Annotated[str, Form(min_length=1, max_length=400)]) -> Response:
    names = [a for a in agents.replace("、", ",").replace(" ", ",").split(",") if a]
    service.assign(p.ctx, case_id, names)
    return _go(case_id)


@router.page("POST", "/staff/cases/{case_id}/evaluation", WORK)
def evaluation(p: PageDep, case_id: CaseId,
               score: Annotated[Decimal, Form(ge=0, le=100, max_digits=5, decimal_places=2)],
               evaluator: Annotated[str, Form(min_length=1, max_length=64)]) -> Response:
    supervision.evaluate(p.ctx, case_id, score, evaluator)
    return _go(case_id)


@router.page("POST", "/staff/cases/{case_id}/appeal", WORK)
def appeal(p: PageDep, case_id: CaseId, reason: Text_) -> Response:
    requests.appeal(p.ctx, case_id, reason)
    return _go(case_id)


@router.page("POST", "/staff/cases/{case_id}/decision", Permission.CASE_DECIDE)
def decide(p: PageDep, case_id: CaseId, uphold: Annotated[bool, Form()], reason: Text_
           ) -> Response:
    requests.decide(p.ctx, case_id, uphold, reason)
    return _go(case_id)


@router.page("POST", "/staff/cases/{case_id}/rating", ASK)
def rate(p: PageDep, case_id: CaseId, score: Annotated[int, Form(ge=1, le=5)],
         comment: Text_ = "") -> Response:
    requests.rate(p.ctx, case_id, score, comment or None)
    return _go(case_id)


@router.page("GET", "/my/requests", READ)
def my_requests(p: PageDep, pack: Annotated[str | None, Query(max_length=64)] = None,
                clause: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    rows = views.queue(p.ctx, kind="request", include_closed=True)
    moving = views.queue(p.ctx, kind="move", include_closed=True)
    with p.ctx.db.read() as s:
        categories = standards.codes(s, "request_category")
    return p.render("my_requests.html", rows=rows, moves=moving, categories=categories,
                    pack=pack or "", clause=clause or "", about=_about(p, clause, pack))


@router.page("POST", "/my/requests", ASK)
def submit(p: PageDep, category: Slug, title: Annotated[str, Form(min_length=1, max_length=200)],
           description: Text_, pack: Annotated[str, Form(max_length=64)] = "",
           clause: Annotated[str, Form(max_length=200)] = "",
           code: Annotated[str, Form(max_length=18)] = "") -> Response:
    who = code or p.ctx.actor.entity_code or ""
    ref = {"pack": pack or None, "clause": clause} if clause else None
    rid = requests.submit(p.ctx, who, category, title, description, clause=ref)
    return _go(rid)


@router.page("POST", "/my/moves", ASK)
def move(p: PageDep, to_district: Annotated[str, Form(min_length=1, max_length=64)],
         reason: Text_, to_park: Annotated[str, Form(max_length=64)] = "",
         code: Annotated[str, Form(max_length=18)] = "") -> Response:
    who = code or p.ctx.actor.entity_code or ""
    mid = moves.request(p.ctx, who, to_district, to_park or None, reason)
    return _go(mid)


@router.page("GET", "/my/projects", READ)
def my_projects(p: PageDep) -> Response:
    rows = views.queue(p.ctx, kind="project", include_closed=True)
    items = {r.case.id: views.detail(p.ctx, r.case.id).children for r in rows}
    return p.render("my_projects.html", rows=rows, items=items)


@router.page("GET", "/my/surveys", READ)
def surveys(p: PageDep) -> Response:
    from sqlalchemy import select

    from huiqi.cases.models import CaseRating

    with p.ctx.db.read() as s:
        mine = {r.case_id: r.score for r in s.scalars(select(CaseRating).where(
            CaseRating.rated_by == p.ctx.actor.username))}
    return p.render("surveys.html", board=supervision.board(p.ctx), mine=mine,
                    levels=requests.LEVELS)


@router.page("POST", "/my/surveys/{case_id}", ASK)
def survey(p: PageDep, case_id: CaseId, score: Annotated[int, Form(ge=1, le=5)]) -> Response:
    supervision.survey(p.ctx, case_id, score)
    return RedirectResponse(f"/my/surveys#m{case_id}", status_code=303)


@router.page("GET", "/staff/standards", READ)
def service_standard(p: PageDep, saved: str | None = Query(default=None, max_length=100)
                     ) -> Response:
    return p.render("standards.html", items=standards.listing(p.ctx), saved=saved,
                    dumps=_dumps)


@router.page("POST", "/staff/standards/{kind}/{std}", Permission.CASE_STANDARD)
def set_standard(p: PageDep,
                 kind: Annotated[str, PathParam(pattern=r"^(project_template|request_category|"
                                                        r"escalation)$")],
                 std: Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_]{0,63}$")],
                 name: Annotated[str, Form(min_length=1, max_length=200)],
                 body: Annotated[str, Form(max_length=20000)]) -> Response:
    import json

    from huiqi.errors import InputError
    from huiqi.messages import message

    try:
        data = json.loads(body)
    except ValueError as exc:
        raise InputError(message("case.standard_body", detail=str(exc))) from None
    standards.put(p.ctx, kind, std, name, data)
    return RedirectResponse(f"/staff/standards?saved={kind}:{std}", status_code=303)


def _dumps(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=1)


@router.page("GET", "/dashboard/cases", READ)
def oversight(p: PageDep) -> Response:
    return p.render("cases_dashboard.html", agency=agency.dashboard(p.ctx),
                    board=supervision.board(p.ctx),
                    overdue=views.overdue_by_department(p.ctx),
                    ratings=views.ratings_summary(p.ctx),
                    fixes=views.queue(p.ctx, kind="rectify", include_closed=True),
                    levels=requests.LEVELS)
