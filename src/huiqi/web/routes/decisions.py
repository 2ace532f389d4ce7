"""Review decisions on the pages (issue 11): the review panel's officer sees, per pack and
condition a person judges, the enterprises waiting (not reviewed yet, or reviewed with a
score missing), records a verdict or the scores with the evidence, and reads the history.
Recording goes through :func:`huiqi.service.decisions.decide` (permission review.decide,
audited); the enterprise's results change with it."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from fastapi.responses import RedirectResponse

from huiqi.api.routes.params import CodePath, IdPath
from huiqi.errors import InputError
from huiqi.service import decisions, enterprises, policies
from huiqi.service.permissions import Permission
from huiqi.service.schemas import DecisionCreate
from huiqi.text import Text

from ..pages import PageDep, Pages
from .programmes import _valid

router = Pages()
DECIDE = Permission.REVIEW_DECIDE


@router.page("GET", "/staff/decisions", DECIDE)
def index(p: PageDep) -> Response:
    return p.render("decisions.html", packs=decisions.packs(p.ctx))


@router.page("GET", "/staff/decisions/{pack}", DECIDE)
def pack_page(p: PageDep, pack: IdPath) -> Response:
    pk = policies.pack_of(p.ctx, pack)
    day, items = decisions.waiting(p.ctx, pack)
    by_condition: dict[str, list[decisions.Waiting]] = {}
    for w in items:
        by_condition.setdefault(w.condition, []).append(w)
    conditions = [{"key": f"{c.key}/{k.path}", "clause": c, "cond": k,
                   "waiting": by_condition.get(f"{c.key}/{k.path}", [])}
                  for c, k in decisions.review_conditions(pk)]
    return p.render("decisions_pack.html", pack=pack, pk=pk, day=day, conditions=conditions)


@router.page("GET", "/staff/decisions/{pack}/{code}", DECIDE)
def enterprise_page(p: PageDep, pack: IdPath, code: CodePath) -> Response:
    pk = policies.pack_of(p.ctx, pack)
    e = enterprises.get(p.ctx, code)
    history = decisions.history(p.ctx, pack, code, limit=200).items
    latest: dict[str, Any] = {}
    for d in reversed(history):  # oldest first: the latest stays
        latest[d.condition] = d
    found = decisions.review_conditions(pk)
    conditions = [{"key": f"{c.key}/{k.path}", "clause": c, "cond": k,
                   "latest": latest.get(f"{c.key}/{k.path}")} for c, k in found]
    labels = {f"{c.key}/{k.path}": p.text(k.label) for c, k in found}
    parts = {f"{c.key}/{k.path}": {n: p.text(x.label) for n, x in k.score.parts.items()}
             for c, k in found if k.score is not None}
    return p.render("decision.html", pack=pack, pk=pk, e=e, conditions=conditions,
                    history=history, labels=labels, parts=parts,
                    done=p.request.query_params.get("done"))


@router.page("POST", "/staff/decisions/{pack}/{code}", DECIDE)
async def record(p: PageDep, pack: IdPath, code: CodePath) -> Response:
    form = await p.request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    verdict = fields.get("verdict")
    scores = {k[6:]: (v.strip() or None) for k, v in fields.items() if k.startswith("score:")}
    evidence = fields.get("evidence", "").strip()
    if not evidence:
        raise InputError(Text("请写明依据(评审意见、材料或会议纪要)",
                              "give the evidence (the panel's opinion, materials or minutes)"))
    body = _valid(DecisionCreate, {
        "condition": fields.get("condition", ""),
        "verdict": None if verdict in (None, "") else verdict == "true",
        "scores": scores or None, "evidence": evidence})
    decisions.decide(p.ctx, pack, code, body)
    return RedirectResponse(f"/staff/decisions/{pack}/{code.upper()}?done=1", status_code=303)
