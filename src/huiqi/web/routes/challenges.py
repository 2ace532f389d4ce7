"""The staff's and applicants' pages of 揭榜挂帅 challenge lists (issue 13): the lists with
their budget used and left; a list's tasks (added to a draft, then published); a task's
applications with the panel's score sheets on the list's rubric and the selection (one
winner, or several for 赛马); the winners' milestones accepted and their staged payments.
An enterprise applies alone or as a consortium (lead + members with roles, the agreement
uploaded within the limits of uploads and kept with its SHA-256, downloadable only by
those who may see the application)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import File, Form, Request, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse

from huiqi.analytics.market import vocabulary
from huiqi.errors import InputError
from huiqi.service.permissions import Permission, Role, Scope
from huiqi.text import Text
from huiqi.vouchers import challenges as C
from huiqi.vouchers.schemas import (
    ChallengeApply,
    ChallengeListCreate,
    CriterionIn,
    MilestoneAccept,
    Selection,
    TaskCreate,
)

from ..pages import PageDep, Pages
from .programmes import _valid

router = Pages()
uploads = Pages()  # the application with its agreement: the body limit of uploads
READ, USE, MANAGE = Permission.VOUCHER_READ, Permission.VOUCHER_USE, Permission.VOUCHER_MANAGE
Key = Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_-]{1,63}$")]
Id = Annotated[int, PathParam(ge=1, le=2**53)]
Line = Annotated[str, Form(max_length=200)]
Lines = Annotated[str, Form(max_length=4000)]
REVIEWERS = 3   # score sheets offered per application on the task's page


def _bad(zh: str, en: str) -> InputError:
    return InputError(Text(zh, en))


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.splitlines() if x.strip()]


def _pairs(text: str) -> dict[str, Any]:
    """``spec = value`` lines: numbers as numbers, the rest as text."""
    out: dict[str, Any] = {}
    for line in _lines(text):
        k, sep, v = line.partition("=")
        if not sep:
            raise _bad(f"指标“{line[:50]}”应写作“名称 = 值”", f"“{line[:50]}”: write it as “name = value”")
        v = v.strip()
        try:
            out[k.strip()] = int(v) if v.lstrip("-").isdigit() else float(v) if "." in v and \
                v.replace(".", "", 1).lstrip("-").isdigit() else v
        except ValueError:
            out[k.strip()] = v
    return out


def _fields(line: str, n: int, what: Text) -> list[str]:
    parts = [x.strip() for x in line.split("|")]
    if len(parts) != n or not all(parts):
        raise _bad(f"“{line[:60]}”应有 {n} 项,以 | 分隔({what.zh})",
                   f"“{line[:60]}” needs {n} parts separated by | ({what.en})")
    return parts


@router.page("GET", "/staff/challenges", READ)
def lists(p: PageDep) -> Response:
    return p.render("challenge_lists.html", lists=C.lists(p.ctx), manage=p.may(MANAGE),
                    criteria=C.BEIJING_CRITERIA)


@router.page("POST", "/staff/challenges", MANAGE)
def create(p: PageDep, key: Annotated[str, Form(pattern=r"^[a-z][a-z0-9_-]{1,63}$")],
           title_zh: Line, title_en: Line, issuer: Line,
           budget: Annotated[str, Form(pattern=r"^\d+(\.\d{1,2})?$")],
           opens_on: Annotated[str, Form(max_length=10)],
           closes_on: Annotated[str, Form(max_length=10)]) -> Response:
    C.create_list(p.ctx, _valid(ChallengeListCreate, {
        "key": key, "title_zh": title_zh, "title_en": title_en, "issuer": issuer,
        "budget": budget, "opens_on": opens_on, "closes_on": closes_on,
        "criteria": [CriterionIn.model_validate(c) for c in C.BEIJING_CRITERIA]}))
    return RedirectResponse(f"/staff/challenges/{key}", status_code=303)


@router.page("GET", "/staff/challenges/{key}", READ)
def one(p: PageDep, key: Key) -> Response:
    cl = C.get_list(p.ctx, key)
    if cl.state == "draft" and p.ctx.scope(READ) is Scope.OWN:
        cl = C.public(p.platform.db, key)   # an enterprise: a draft is not found
    planned = sum((Decimal(t.budget) for t in cl.tasks), Decimal(0))
    return p.render("challenge_list.html", cl=cl, left=cl.left, planned=str(planned),
                    manage=p.may(MANAGE), categories=vocabulary()["categories"])


@router.page("POST", "/staff/challenges/{key}/tasks", MANAGE)
def add_task(p: PageDep, key: Key, code: Annotated[str, Form(pattern=r"^[A-Za-z0-9-]{1,32}$")],
             group_zh: Line, title_zh: Line, title_en: Line,
             category: Annotated[str, Form(pattern=r"^[a-z][a-z0-9_-]{1,63}$")],
             period_months: Annotated[int, Form(ge=1, le=120)],
             budget: Annotated[str, Form(pattern=r"^\d+(\.\d{1,2})?$")],
             milestones: Lines, indicators: Lines = "", qualifications: Lines = "",
             packaging: Line = "", deliverables: Lines = "",
             winners: Annotated[int, Form(ge=1, le=5)] = 1) -> Response:
    what = Text("里程碑:编号|中文|英文|比例", "milestone: id|zh|en|share")
    ms = [dict(zip(("id", "zh", "en", "share"), _fields(x, 4, what), strict=True))
          for x in _lines(milestones)]
    C.add_task(p.ctx, key, _valid(TaskCreate, {
        "code": code, "group_zh": group_zh, "title_zh": title_zh, "title_en": title_en,
        "category": category, "indicators": _pairs(indicators),
        "qualifications": _lines(qualifications), "packaging": packaging,
        "deliverables": _lines(deliverables), "period_months": period_months, "budget": budget,
        "winners": winners, "milestones": ms}))
    return RedirectResponse(f"/staff/challenges/{key}", status_code=303)


@router.page("POST", "/staff/challenges/{key}/publish", MANAGE)
def publish(p: PageDep, key: Key) -> Response:
    C.publish(p.ctx, key)
    return RedirectResponse(f"/staff/challenges/{key}", status_code=303)


@router.page("GET", "/staff/challenge-tasks/{task_id}", READ)
def task(p: PageDep, task_id: Id) -> Response:
    cl, t = C.task(p.ctx, task_id)
    apps = C.applications(p.ctx, task_id)
    me = p.actor.entity_code if p.actor is not None else None
    mine = any(a.lead_code == me or any(m["code"] == me for m in a.members) for a in apps)
    return p.render("challenge_task.html", cl=cl, task=t, apps=apps, manage=p.may(MANAGE),
                    reviewers=range(REVIEWERS),
                    enterprise=p.actor is not None and p.actor.role is Role.ENTERPRISE,
                    may_apply=p.may(USE) and not mine and cl.state == "published",
                    me=me, submitted=[a for a in apps if a.state == "submitted"])


@uploads.page("POST", "/staff/challenge-tasks/{task_id}/applications", USE)
def apply(p: PageDep, task_id: Id, lead_code: Annotated[str, Form(pattern=r"^[0-9A-Za-z]{18}$")],
          lead_name: Line, province: Line, proposal: Annotated[str, Form(max_length=2000)] = "",
          members: Lines = "", agreement: Annotated[UploadFile | None, File()] = None) -> Response:
    what = Text("成员:统一社会信用代码|名称|分工", "member: credit code|name|role")
    ms = [dict(zip(("code", "name", "role"), _fields(x, 3, what), strict=True))
          for x in _lines(members)]
    upload = None
    if agreement is not None and agreement.filename:
        name = agreement.filename.replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "")[:200]
        upload = (name or "agreement", agreement.file.read())
    C.apply(p.ctx, task_id, _valid(ChallengeApply, {
        "lead_code": lead_code, "lead_name": lead_name, "province": province, "members": ms,
        "proposal": proposal}), upload)
    return RedirectResponse(f"/staff/challenge-tasks/{task_id}", status_code=303)


@router.page("GET", "/staff/challenge-applications/{app_id}/agreement", READ)
def agreement(p: PageDep, app_id: Id) -> Response:
    name, ctype, content = C.agreement(p.ctx, app_id)
    return Response(content, media_type=ctype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.page("POST", "/staff/challenge-tasks/{task_id}/selection", MANAGE)
async def select(p: PageDep, request: Request, task_id: Id) -> Response:
    """The panel's score sheets (``score:<application>:<reviewer>:<criterion>``; a sheet
    left empty is no review) and the optional awards (``award:<application>``)."""
    form = await request.form()
    reviews: dict[str, dict[str, dict[str, str]]] = {}
    awards: dict[str, str] = {}
    for k, v in form.items():
        if not isinstance(v, str) or not v.strip():
            continue
        parts = k.split(":")
        if parts[0] == "score" and len(parts) == 4:
            try:
                Decimal(v.strip())
            except InvalidOperation:
                raise _bad(f"评分“{v[:20]}”不是数字", f"The score “{v[:20]}” is not a number") from None
            reviews.setdefault(parts[1], {}).setdefault(parts[2], {})[parts[3]] = v.strip()
        elif parts[0] == "award" and len(parts) == 2:
            awards[parts[1]] = v.strip()
    data = _valid(Selection, {"reviews": {a: list(sheets.values()) for a, sheets in reviews.items()},
                              "awards": awards})
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(C.select_winners, p.ctx, task_id, data)
    return RedirectResponse(f"/staff/challenge-tasks/{task_id}", status_code=303)


@router.page("POST", "/staff/challenge-applications/{app_id}/milestones", MANAGE)
def milestone(p: PageDep, app_id: Id, task_id: Annotated[int, Form(ge=1, le=2**53)],
              milestone: Annotated[str, Form(pattern=r"^[a-z][a-z0-9_-]{1,63}$")],
              reviewers: Line, reference: Annotated[str, Form(min_length=1, max_length=100)]
              ) -> Response:
    names = [x.strip() for x in reviewers.replace(",", ",").replace("、", ",").split(",")
             if x.strip()]
    C.accept_milestone(p.ctx, app_id, _valid(MilestoneAccept, {
        "milestone": milestone, "reviewers": names, "reference": reference}))
    return RedirectResponse(f"/staff/challenge-tasks/{task_id}", status_code=303)
