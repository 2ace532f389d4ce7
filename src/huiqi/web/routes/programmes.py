"""The pages of programmes (issue 12): programmes and their queues; an application (the
enterprise fills the pre-filled form, uploads, submits and follows its deadlines in working
days; the officer does formal review, decisions, 公示, grants and payments); the reviewer's
list, conflict question and rubric; leadership's budget lines; the public notice (公示),
without sign-in."""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import File, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError

from huiqi.api.access import PUBLIC
from huiqi.programmes import applications as A
from huiqi.programmes import automatic, calls, flow, reviews
from huiqi.programmes.panel import Rubric
from huiqi.programmes.schemas import (
    AutomaticConfirm,
    ConflictAnswer,
    FactsConfirm,
    ObjectionAnswer,
    ObjectionIn,
    PaymentIn,
    ScoreIn,
)
from huiqi.service.context import Actor
from huiqi.service.permissions import Permission, Role

from ..pages import PageDep, Pages

router = Pages()
uploads = Pages()  # material uploads, with the body limit of uploads

Key = Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_-]{1,63}$")]
AppId = Annotated[int, PathParam(ge=1, le=2**53)]
Text_ = Annotated[str, Form(max_length=2000)]


M = TypeVar("M", bound=BaseModel)


def _valid(model: type[M], data: dict[str, Any]) -> M:
    """A form's values as the service's input model; what does not fit is a bad request
    (422, the page says why), not a server error."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


def _back(app_id: int, note: str = "") -> Response:
    return RedirectResponse(f"/staff/applications/{app_id}{note}", status_code=303)


# ------------------------------------------------------------------ programmes

@router.page("GET", "/staff/programmes", Permission.PROGRAMME_READ)
def programmes(p: PageDep, clause: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Every programme, or (from a matched clause's page) those on one clause."""
    items = calls.for_clause(p.ctx, clause) if clause else calls.list_all(p.ctx)
    return p.render("programmes.html", items=items, clause=clause)


@router.page("GET", "/staff/programmes/{key}", Permission.PROGRAMME_READ)
def programme(p: PageDep, key: Key) -> Response:
    prog = calls.get(p.ctx, key)
    queue = A.list_for(p.ctx, programme=key) if p.may(Permission.APPLICATION_READ) else []
    return p.render("programme.html", prog=prog, queue=queue, states=flow.STATES,
                    staff=p.may(Permission.APPLICATION_PROCESS))


@router.page("POST", "/staff/programmes/{key}/apply", Permission.APPLICATION_WRITE)
def apply(p: PageDep, key: Key) -> Response:
    """Start (or open) the enterprise's application to the programme."""
    code = p.ctx.actor.entity_code or ""
    app = A.start(p.ctx, key, code)
    return _back(app.id)


@router.page("POST", "/staff/programmes/{key}/step", Permission.APPLICATION_PROCESS)
def programme_step(p: PageDep, key: Key, step: Annotated[str, Form(pattern=r"^[a-z]{2,16}$")],
                   exclusions: Annotated[str, Form(max_length=100_000)] = "") -> Response:
    """A programme's bulk steps: decide, 公示, grant; 免申即享's listing and confirmation
    (exclusions one a line: credit code, a space, the reason)."""
    if step == "decide":
        reviews.decide(p.ctx, key)
    elif step == "notice":
        automatic.publicise_all(p.ctx, key)
    elif step == "grant":
        automatic.grant_all(p.ctx, key)
    elif step == "propose":
        automatic.propose(p.ctx, key)
    elif step == "confirm":
        rows = [line.strip().split(None, 1) for line in exclusions.splitlines() if line.strip()]
        automatic.confirm(p.ctx, key, _valid(AutomaticConfirm, {"exclusions": [
            {"enterprise": r[0], "reason": r[1] if len(r) > 1 else "—"} for r in rows]}))
    return RedirectResponse(f"/staff/programmes/{key}", status_code=303)


@router.page("GET", "/staff/budgets", Permission.RESULT_READ)
def budgets(p: PageDep) -> Response:
    return p.render("budgets.html", lines=calls.budgets(p.ctx))


# ------------------------------------------------------------------ applications

@router.page("GET", "/my/applications", Permission.APPLICATION_READ)
def my_applications(p: PageDep) -> Response:
    return p.render("applications.html", items=A.list_for(p.ctx),
                    open_programmes=[x for x in calls.list_all(p.ctx) if x.open_now and x.mode != "automatic"])


@router.page("GET", "/staff/applications/{app_id}", Permission.APPLICATION_READ)
def application(p: PageDep, app_id: AppId) -> Response:
    app = A.get(p.ctx, app_id)
    prog = calls.get(p.ctx, app.programme)
    rubric = Rubric.from_json(prog.rubric.model_dump()) if prog.rubric else None
    return p.render("application.html", app=app, prog=prog, rubric=rubric,
                    own=p.actor is not None and p.actor.role is Role.ENTERPRISE,
                    staff=p.may(Permission.APPLICATION_PROCESS),
                    facts_json={k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else
                                ("" if v is None else str(v)) for k, v in app.facts.items()})


@router.page("POST", "/staff/applications/{app_id}/facts", Permission.APPLICATION_WRITE)
async def facts(p: PageDep, request: Request, app_id: AppId) -> Response:
    form = await request.form()
    values: dict[str, Any] = {}
    for k, v in form.items():
        if not k.startswith("fact:") or not isinstance(v, str):
            continue
        text = v.strip()
        try:
            values[k[5:]] = json.loads(text) if text[:1] in ("[", "{") else text
        except ValueError:
            values[k[5:]] = text  # not JSON after all: the catalogue's check will say why
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(A.confirm_facts, p.ctx, app_id, _valid(FactsConfirm, {"facts": values}))
    return _back(app_id)


@uploads.page("POST", "/staff/applications/{app_id}/materials", Permission.APPLICATION_WRITE)
def material(p: PageDep, app_id: AppId, kind: Annotated[str, Form(pattern=r"^[a-z][a-z0-9_-]{1,63}$")],
             file: Annotated[UploadFile, File()]) -> Response:
    name = (file.filename or "file").replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "")[:200]
    A.upload(p.ctx, app_id, kind, name or "file", file.file.read())
    return _back(app_id)


@router.page("GET", "/staff/applications/{app_id}/materials/{material_id}", Permission.APPLICATION_READ)
def download(p: PageDep, app_id: AppId, material_id: AppId) -> Response:
    from urllib.parse import quote

    name, ctype, content = A.material(p.ctx, app_id, material_id)
    return Response(content, media_type=ctype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.page("POST", "/staff/applications/{app_id}/move", Permission.APPLICATION_READ)
def move(p: PageDep, app_id: AppId, action: Annotated[str, Form(pattern=r"^[a-z_]{2,32}$")],
         reason: Text_ = "") -> Response:
    A.move(p.ctx, app_id, action, reason or None)
    return _back(app_id)


@router.page("POST", "/staff/applications/{app_id}/select", Permission.APPLICATION_PROCESS)
def select(p: PageDep, app_id: AppId) -> Response:
    reviews.select_one(p.ctx, app_id)
    return _back(app_id)


@router.page("POST", "/staff/applications/{app_id}/pay", Permission.APPLICATION_PROCESS)
def pay(p: PageDep, app_id: AppId, amount: Annotated[str, Form(max_length=30)],
        paid_on: Annotated[str, Form(max_length=10)], reference: Annotated[str, Form(max_length=100)]
        ) -> Response:
    A.pay(p.ctx, app_id, _valid(PaymentIn, {"amount": amount, "paid_on": paid_on,
                                            "reference": reference}))
    return _back(app_id)


@router.page("POST", "/staff/applications/{app_id}/objections/{objection_id}", Permission.APPLICATION_PROCESS)
def answer(p: PageDep, app_id: AppId, objection_id: AppId, answer: Text_,
           upheld: Annotated[str, Form(pattern=r"^(yes|no)$")] = "no") -> Response:
    A.answer(p.ctx, app_id, objection_id, _valid(ObjectionAnswer, {"answer": answer,
                                                                   "upheld": upheld == "yes"}))
    return _back(app_id)


# ------------------------------------------------------------------ reviewers

@router.page("GET", "/staff/reviews", Permission.REVIEW_SCORE)
def my_reviews(p: PageDep) -> Response:
    return p.render("reviews.html", items=reviews.mine(p.ctx), conflicts=reviews.conflicts(p.ctx))


@router.page("GET", "/staff/reviews/{app_id}", Permission.REVIEW_SCORE)
def review(p: PageDep, app_id: AppId) -> Response:
    mine = next((x for x in reviews.mine(p.ctx) if x.application == app_id), None)
    if mine is None or mine.state in ("assigned", "recused"):
        return p.render("review.html", item=mine, app=None, rubric=None, app_id=app_id)
    app = reviews.view(p.ctx, app_id)
    prog = calls.get(p.ctx, app.programme)
    rubric = Rubric.from_json(prog.rubric.model_dump()) if prog.rubric else None
    return p.render("review.html", item=mine, app=app, rubric=rubric, app_id=app_id)


@router.page("GET", "/staff/reviews/{app_id}/materials/{material_id}", Permission.REVIEW_SCORE)
def review_material(p: PageDep, app_id: AppId, material_id: AppId) -> Response:
    from urllib.parse import quote

    name, ctype, content = reviews.material(p.ctx, app_id, material_id)
    return Response(content, media_type=ctype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.page("POST", "/staff/reviews/{app_id}/conflict", Permission.REVIEW_SCORE)
def conflict(p: PageDep, app_id: AppId, answer: Annotated[str, Form(pattern=r"^(none|conflict)$")],
             reason: Text_ = "") -> Response:
    reviews.answer_conflict(p.ctx, app_id, _valid(ConflictAnswer, {"conflict": answer == "conflict",
                                                                   "reason": reason or None}))
    return RedirectResponse(f"/staff/reviews/{app_id}" if answer == "none" else "/staff/reviews",
                            status_code=303)


@router.page("POST", "/staff/reviews/{app_id}/score", Permission.REVIEW_SCORE)
async def score(p: PageDep, request: Request, app_id: AppId) -> Response:
    form = await request.form()
    scores = {k[6:]: str(v).strip() for k, v in form.items() if k.startswith("score:")}
    comment = str(form.get("comment") or "")[:2000] or None
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(reviews.score, p.ctx, app_id, _valid(ScoreIn, {"scores": scores, "comment": comment}))
    return RedirectResponse("/staff/reviews", status_code=303)


# ------------------------------------------------------------------ 公示 (public)

@router.page("GET", "/public/notice", PUBLIC)
def notice(p: PageDep, filed: int = 0) -> Response:
    return p.render("notice.html", items=A.notice(p.platform.system()), filed=filed)


@router.page("POST", "/public/notice/{app_id}", PUBLIC)
def object_to(p: PageDep, request: Request, app_id: AppId, text: Text_,
              contact: Annotated[str, Form(max_length=200)] = "") -> Response:
    from huiqi.api.guard import client_ip

    ctx = p.platform.as_actor(Actor(username="public", role=Role.ENTERPRISE), client_ip(request))
    n = A.object_to(ctx, app_id, _valid(ObjectionIn, {"text": text, "contact": contact or None}))
    return RedirectResponse(f"/public/notice?filed={n}", status_code=303)
