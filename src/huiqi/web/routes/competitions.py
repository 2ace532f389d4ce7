"""The pages of competitions (炬火种, issue 13): the organisers' competitions with their
counts by university and by problem; a competition's problems (an enterprise posts its
own); a problem's page with its teams, its moves (open, close for the preliminary,
withdraw), the stage panel's score sheets on the stage's rubric, the ranking and prizes.
In public (no sign-in): the problems open or past, a team's registration, the results, and
a prize's certificate as PDF."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse

from huiqi.api.access import PUBLIC
from huiqi.errors import InputError
from huiqi.service.context import Actor
from huiqi.service.permissions import Permission, Role, Scope
from huiqi.text import Text
from huiqi.vouchers import competitions as K
from huiqi.vouchers.schemas import (
    CompetitionCreate,
    ProblemPost,
    StageRubric,
    StageScores,
    TeamRegister,
)

from .. import pdf
from ..pages import PageDep, Pages
from .programmes import _valid

router = Pages()
READ, POST = Permission.COMPETITION_READ, Permission.COMPETITION_POST
MANAGE = Permission.COMPETITION_MANAGE
Key = Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_-]{1,63}$")]
Id = Annotated[int, PathParam(ge=1, le=2**53)]
Line = Annotated[str, Form(max_length=200)]
REVIEWERS = 3   # score sheets offered per team


@router.page("GET", "/staff/competitions", READ)
def competitions(p: PageDep) -> Response:
    return p.render("competitions.html", items=K.competitions(p.ctx), manage=p.may(MANAGE))


@router.page("POST", "/staff/competitions", MANAGE)
def create(p: PageDep, key: Annotated[str, Form(pattern=r"^[a-z][a-z0-9_-]{1,63}$")],
           title_zh: Line, title_en: Line, organiser: Line,
           year: Annotated[int, Form(ge=2000, le=2100)],
           finalists: Annotated[int, Form(ge=1, le=50)] = 5) -> Response:
    """A competition with 炬火种's stages, rubrics (assumed weights) and prizes."""
    K.create(p.ctx, _valid(CompetitionCreate, {
        "key": key, "title_zh": title_zh, "title_en": title_en, "organiser": organiser,
        "year": year, "finalists": finalists, "prizes": K.PRIZES,
        "preliminary": StageRubric.model_validate({"criteria": K.PRELIMINARY}),
        "final": StageRubric.model_validate({"criteria": K.FINAL})}))
    return RedirectResponse(f"/staff/competitions/{key}", status_code=303)


@router.page("GET", "/staff/competitions/{key}", READ)
def competition(p: PageDep, key: Key) -> Response:
    c = K.competition(p.ctx, key)
    own = p.ctx.scope(READ) is Scope.OWN
    return p.render("competition.html", c=c, counts=None if own else K.counts(p.ctx, key),
                    may_post=p.may(POST), own=own,
                    me=p.actor.entity_code if p.actor is not None else None)


@router.page("POST", "/staff/competitions/{key}/problems", POST)
def post(p: PageDep, key: Key, code: Annotated[str, Form(pattern=r"^[A-Za-z0-9-]{1,32}$")],
         enterprise: Annotated[str, Form(pattern=r"^[0-9A-Za-z]{18}$")], title_zh: Line,
         title_en: Line, description: Annotated[str, Form(max_length=4000)],
         prize: Annotated[str, Form(pattern=r"^\d+(\.\d{1,2})?$")]) -> Response:
    out = K.post(p.ctx, key, _valid(ProblemPost, {
        "code": code, "enterprise": enterprise, "title_zh": title_zh, "title_en": title_en,
        "description": description, "prize": prize}))
    return RedirectResponse(f"/staff/competition-problems/{out.id}", status_code=303)


@router.page("GET", "/staff/competition-problems/{problem_id}", READ)
def problem(p: PageDep, problem_id: Id) -> Response:
    pr = K.problem(p.ctx, problem_id)
    c = K.competition(p.ctx, pr.competition) if p.may(READ, Scope.ALL) else None
    stage = pr.state if pr.state in ("preliminary", "final") else None
    waiting = {"preliminary": "registered", "final": "finalist"}.get(pr.state)
    return p.render("competition_problem.html", pr=pr, c=c, stage=stage,
                    sheets=[t for t in pr.roster if t.state == waiting],
                    manage=p.may(MANAGE), reviewers=range(REVIEWERS),
                    moves=[a for a in pr.actions if a["name"] in ("open", "review", "withdraw")])


@router.page("POST", "/staff/competition-problems/{problem_id}/move", POST)
def move(p: PageDep, problem_id: Id,
         name: Annotated[str, Form(pattern=r"^(open|review|withdraw)$")],
         reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    K.move(p.ctx, problem_id, name, reason or None)
    return RedirectResponse(f"/staff/competition-problems/{problem_id}", status_code=303)


@router.page("POST", "/staff/competition-problems/{problem_id}/scores", MANAGE)
async def scores(p: PageDep, request: Request, problem_id: Id) -> Response:
    """The stage panel's sheets (``score:<team>:<reviewer>:<criterion>``; an empty sheet is
    no review): the preliminary's choose the finalists, the final's the places."""
    form = await request.form()
    stage = form.get("stage")
    if stage not in ("preliminary", "final"):
        raise InputError(Text("评审阶段应为初赛或决赛", "The stage is the preliminary or the final"))
    reviews: dict[str, dict[str, dict[str, str]]] = {}
    for k, v in form.items():
        parts = k.split(":")
        if not isinstance(v, str) or not v.strip() or parts[0] != "score" or len(parts) != 4:
            continue
        try:
            Decimal(v.strip())
        except InvalidOperation:
            raise InputError(Text(f"评分“{v[:20]}”不是数字",
                                  f"The score “{v[:20]}” is not a number")) from None
        reviews.setdefault(parts[1], {}).setdefault(parts[2], {})[parts[3]] = v.strip()
    data = _valid(StageScores, {"reviews": {t: list(s.values()) for t, s in reviews.items()}})
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(K.advance if stage == "preliminary" else K.award, p.ctx,
                            problem_id, data)
    return RedirectResponse(f"/staff/competition-problems/{problem_id}", status_code=303)


# ---------------------------------------------------------------------- public

@router.page("GET", "/public/competitions", PUBLIC)
def public_competitions(p: PageDep) -> Response:
    return p.render("competitions_public.html", items=K.public_competitions(p.platform.db))


@router.page("GET", "/public/competitions/problems/{problem_id}", PUBLIC)
def public_problem(p: PageDep, problem_id: Id, registered: int = 0) -> Response:
    return p.render("competition_public_problem.html",
                    pr=K.public_problem(p.platform.db, problem_id), registered=registered)


@router.page("POST", "/public/competitions/problems/{problem_id}/teams", PUBLIC)
def register(p: PageDep, request: Request, problem_id: Id, name: Line, university: Line,
             mentor: Line, contact: Line,
             members: Annotated[str, Form(max_length=4000)]) -> Response:
    """A team's registration (no sign-in; recorded as the visitor ``public``): one member a
    line, ``name|university|role``."""
    from huiqi.api.guard import client_ip

    rows = []
    for line in (x.strip() for x in members.splitlines()):
        if not line:
            continue
        parts = [x.strip() for x in line.split("|")]
        if not 2 <= len(parts) <= 3 or not all(parts):
            raise InputError(Text(f"队员“{line[:60]}”应写作“姓名|高校|分工”",
                                  f"“{line[:60]}”: write a member as name|university|role"))
        rows.append({"name": parts[0], "university": parts[1],
                     **({"role": parts[2]} if len(parts) == 3 else {})})
    ctx = p.platform.as_actor(Actor(username="public", role=Role.ENTERPRISE), client_ip(request))
    t = K.register(ctx, problem_id, _valid(TeamRegister, {
        "name": name, "university": university, "mentor": mentor, "contact": contact,
        "members": rows}))
    return RedirectResponse(f"/public/competitions/problems/{problem_id}?registered={t.id}",
                            status_code=303)


@router.page("GET", "/public/certificates/{number}", PUBLIC)
def certificate(p: PageDep, number: Annotated[str, PathParam(pattern=r"^\d{4}-\d{6}-\d{2}$")]
                ) -> Response:
    """A prize's certificate (PDF, the CJK font embedded where installed)."""
    c = K.certificate(p.platform.db, number)
    zh = p.zh
    lines = [p.t(f"{c['university']} “{c['team']}” 团队", f"The team “{c['team']}”, {c['university']}"),
             p.t(f"在{c['competition']['zh']}命题“{c['problem']['zh']}”({c['enterprise']}出题)中",
                 f"in {c['competition']['en']}, on the problem “{c['problem']['en']}” posted "
                 f"by {c['enterprise']},"),
             p.t(f"荣获{c['award']['zh']}(第 {c['rank']} 名),奖金 ¥{Decimal(c['prize']):,.2f}。",
                 f"won the {c['award']['en']} (rank {c['rank']}), prize money "
                 f"¥{Decimal(c['prize']):,.2f}."),
             p.t(f"指导老师:{c['mentor']}", f"Mentor: {c['mentor']}"),
             c["organiser"]]
    body = pdf.certificate(p.t("荣誉证书", "Certificate"), lines,
                           [p.t("姓名", "Name"), p.t("高校", "University"), p.t("分工", "Role")],
                           [[m["name"], m["university"], m.get("role", "")] for m in c["members"]],
                           p.t(f"证书编号 {number}", f"Certificate No. {number}"),
                           p.t("可在惠企平台 /public/certificates/ 按编号查验",
                               "Verify by its number at /public/certificates/ on huiqi"))
    name = f"certificate-{number}.pdf" if not zh else f"荣誉证书-{number}.pdf"
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
