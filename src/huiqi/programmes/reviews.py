"""Review panels: assignment (refused for a declared conflict of interest), the conflict
question answered before anything non-public is shown (a conflict makes the assignment
*recused* — a state, not a deletion), scoring with the programme's rubric, and decisions:
nobody is selected before every assigned review is done; the amount comes from the
clause at decision time; the budget and the quota are taken by a conditional update."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.messages import message
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.enterprises import load as load_entity
from huiqi.service.permissions import Permission, Role
from huiqi.store.models import Account, Entity
from huiqi.text import Text
from huiqi.workflow import machine as M

from . import core, flow, money
from .models import Application, ApplicationMaterial, Programme, ReviewAssignment, ReviewerConflict
from .panel import Candidate, Rubric, aggregate, choose
from .schemas import (
    ApplicationPublic,
    AssignmentPublic,
    ConflictAnswer,
    ConflictPublic,
    DecisionPublic,
    ScoreIn,
)

PENDING = ("assigned", "accepted")
ASSIGNMENT = Text("评审任务", "review assignment")


def _conflicted(s: Session, reviewer: str, entity_id: int) -> bool:
    return s.scalar(select(ReviewerConflict.id).where(
        ReviewerConflict.reviewer == reviewer, ReviewerConflict.entity_id == entity_id)) is not None


def _assign(ctx: Context, s: Session, a: Application, reviewer: str) -> ReviewAssignment | None:
    if _conflicted(s, reviewer, a.entity_id):
        raise Conflict("programme.reviewer_conflict", reviewer=reviewer, application=a.id)
    acc = s.scalar(select(Account).where(Account.username == reviewer))
    if acc is None or acc.role != Role.REVIEWER.value:
        raise InputError(message("programme.not_a_reviewer", username=reviewer))
    have = s.scalar(select(ReviewAssignment).where(ReviewAssignment.application_id == a.id,
                                                   ReviewAssignment.reviewer == reviewer))
    if have is not None:
        return None
    r = ReviewAssignment(application_id=a.id, reviewer=reviewer, state="assigned",
                         assigned_at=ctx.now())
    s.add(r)
    record(s, ctx, "review.assign", target=f"application:{a.id}", after={"reviewer": reviewer})
    return r


def assign_panel(ctx: Context, s: Session, p: Programme, a: Application) -> None:
    """Assign the programme's panel to an application that passed formal review; a
    reviewer with a declared conflict is left out (and the gap recorded)."""
    skipped = []
    for name in p.reviewers or []:
        if _conflicted(s, name, a.entity_id):
            skipped.append(name)
            continue
        _assign(ctx, s, a, name)
    if skipped:
        record(s, ctx, "review.assign_skipped", target=f"application:{a.id}",
               after={"reviewers": skipped}, detail="declared conflict of interest")
    s.flush()


@requires(Permission.APPLICATION_PROCESS)
def assign(ctx: Context, app_id: int, reviewers: list[str]) -> list[str]:
    """Assign reviewers to one application in review; refused for a declared conflict."""
    with ctx.db.write() as s:
        a = core.application_row(s, app_id)
        if a.state not in flow.IN_REVIEW:
            raise Conflict("programme.not_in_review", application=a.id)
        for name in reviewers:
            _assign(ctx, s, a, name)
        s.flush()
        return [r.reviewer for r in s.scalars(select(ReviewAssignment).where(
            ReviewAssignment.application_id == a.id).order_by(ReviewAssignment.id))]


@requires(Permission.REVIEW_SCORE)
def declare_conflict(ctx: Context, code: str, reason: str) -> ConflictPublic:
    """A reviewer declares an enterprise it may not review (collaborator, family, same
    institution …): it is never assigned to it; an assignment it has becomes recused."""
    with ctx.db.write() as s:
        e = load_entity(s, code)
        c = s.scalar(select(ReviewerConflict).where(ReviewerConflict.reviewer == ctx.actor.username,
                                                    ReviewerConflict.entity_id == e.id))
        if c is None:
            c = ReviewerConflict(reviewer=ctx.actor.username, entity_id=e.id, reason=reason,
                                 declared_at=ctx.now(), declared_by=ctx.actor.username)
            s.add(c)
        _recuse_all(ctx, s, ctx.actor.username, e.id, reason)
        record(s, ctx, "review.conflict", target=e.credit_code, detail=reason)
        s.flush()
        return ConflictPublic(reviewer=c.reviewer, enterprise=e.credit_code, enterprise_name=e.name,
                              reason=c.reason, declared_at=c.declared_at)


def _recuse_all(ctx: Context, s: Session, reviewer: str, entity_id: int, reason: str) -> None:
    for r in s.scalars(select(ReviewAssignment).join(Application).where(
            ReviewAssignment.reviewer == reviewer, Application.entity_id == entity_id,
            ReviewAssignment.state.in_(PENDING))):
        r.state, r.comment, r.done_at = "recused", reason, ctx.now()


@requires(Permission.REVIEW_SCORE)
def answer_conflict(ctx: Context, app_id: int, data: ConflictAnswer) -> AssignmentPublic:
    """The question before the application is shown: a conflict (recused, the enterprise
    declared for good) or none (the application and its materials are then shown)."""
    _check_mine(ctx, app_id)
    with ctx.db.write() as s:
        r = _mine(ctx, s, app_id)
        if r.state != "assigned":
            raise Conflict("programme.conflict_answered", application=app_id)
        a = core.application_row(s, app_id)
        if data.conflict:
            reason = (data.reason or "").strip()
            if not reason:
                raise InputError(message("workflow.reason_required", transition_zh="回避",
                                         transition_en="recusal"))
            if not _conflicted(s, ctx.actor.username, a.entity_id):
                s.add(ReviewerConflict(reviewer=ctx.actor.username, entity_id=a.entity_id,
                                       reason=reason, declared_at=ctx.now(),
                                       declared_by=ctx.actor.username))
            r.state, r.comment, r.done_at = "recused", reason, ctx.now()
            record(s, ctx, "review.recuse", target=f"application:{app_id}", detail=reason)
        else:
            r.state = "accepted"
            record(s, ctx, "review.no_conflict", target=f"application:{app_id}")
        s.flush()
        return _assignment_public(s, r, a)


def _mine(ctx: Context, s: Session, app_id: int) -> ReviewAssignment:
    r = s.scalar(select(ReviewAssignment).where(ReviewAssignment.application_id == app_id,
                                                ReviewAssignment.reviewer == ctx.actor.username))
    assert r is not None, "checked by _check_mine before the transaction"
    return r


def _check_mine(ctx: Context, app_id: int) -> None:
    """Not found unless the application is assigned to this reviewer (whether it exists at
    all is not told)."""
    with ctx.db.read() as s:
        found = s.scalar(select(ReviewAssignment.id).where(
            ReviewAssignment.application_id == app_id,
            ReviewAssignment.reviewer == ctx.actor.username)) is not None
    if not found:
        raise NotFoundError(ASSIGNMENT, str(app_id))


def _assignment_public(s: Session, r: ReviewAssignment, a: Application) -> AssignmentPublic:
    p = s.get_one(Programme, a.programme_id)
    e = s.get_one(Entity, a.entity_id)
    return AssignmentPublic(application=a.id, programme=p.key,
                            programme_title={"zh": p.title_zh, "en": p.title_en},
                            enterprise_name=e.name, state=r.state, due_on=a.due_on,
                            total=None if r.total is None else format(r.total, "f"))


@requires(Permission.REVIEW_SCORE)
def view(ctx: Context, app_id: int) -> ApplicationPublic:
    """The application as its reviewer sees it — only once it has answered that it has no
    conflict of interest (before that, nothing non-public is shown)."""
    _check_mine(ctx, app_id)
    core.visible(ctx, app_id)
    with ctx.db.read() as s:
        return core.application_public(ctx, s, core.application_row(s, app_id))


@requires(Permission.REVIEW_SCORE)
def material(ctx: Context, app_id: int, material_id: int) -> tuple[str, str, bytes]:
    """A material of an application the reviewer reviews (after answering "no conflict")."""
    _check_mine(ctx, app_id)
    core.visible(ctx, app_id)
    with ctx.db.read() as s:
        m = s.get(ApplicationMaterial, material_id)
        if m is None or m.application_id != app_id:
            raise NotFoundError(core.MATERIAL, str(material_id))
        return m.file_name, m.content_type, m.content


@requires(Permission.REVIEW_SCORE)
def mine(ctx: Context) -> list[AssignmentPublic]:
    """The reviewer's own assignments (what is public about each, until it answers)."""
    with ctx.db.read() as s:
        rows = s.execute(select(ReviewAssignment, Application).join(Application).where(
            ReviewAssignment.reviewer == ctx.actor.username).order_by(ReviewAssignment.id))
        return [_assignment_public(s, r, a) for r, a in rows]


@requires(Permission.REVIEW_SCORE)
def score(ctx: Context, app_id: int, data: ScoreIn) -> AssignmentPublic:
    """Score an application with the programme's rubric (every criterion, 0 … scale), with
    a comment; may be changed until the decision."""
    _check_mine(ctx, app_id)
    with ctx.db.write() as s:
        r = _mine(ctx, s, app_id)
        a = core.application_row(s, app_id)
        if r.state not in ("accepted", "scored"):
            raise Conflict("programme.conflict_first", application=app_id)
        if a.state not in flow.IN_REVIEW:
            raise Conflict("programme.not_in_review", application=app_id)
        p = s.get_one(Programme, a.programme_id)
        if not p.rubric:
            raise Conflict("programme.no_rubric", programme=p.key)
        rubric = Rubric.from_json(p.rubric)
        try:
            values = {k: Decimal(v) for k, v in data.scores.items()}
        except ArithmeticError as exc:
            raise InputError(message("programme.bad_number", name="scores", value="")) from exc
        total = rubric.weighted(values)
        r.scores = {k: format(v, "f") for k, v in values.items()}
        r.total, r.comment, r.state, r.done_at = total, data.comment, "scored", ctx.now()
        record(s, ctx, "review.score", target=f"application:{app_id}",
               after={"scores": r.scores, "total": format(total, "f")})
        s.flush()
        return _assignment_public(s, r, a)


@requires(Permission.REVIEW_SCORE)
def conflicts(ctx: Context) -> list[ConflictPublic]:
    with ctx.db.read() as s:
        rows = s.execute(select(ReviewerConflict, Entity).join(Entity).where(
            ReviewerConflict.reviewer == ctx.actor.username).order_by(ReviewerConflict.id))
        return [ConflictPublic(reviewer=c.reviewer, enterprise=e.credit_code, enterprise_name=e.name,
                               reason=c.reason, declared_at=c.declared_at) for c, e in rows]


# ------------------------------------------------------------------ decisions

def _select(ctx: Context, s: Session, p: Programme, a: Application, amount: Decimal,
            t: M.Transition, explanation: dict[str, Any]) -> bool:
    """Take the money and a place for ``a`` and move it to selected; False if the budget or
    the quota is used up (nothing changed)."""
    if not money.commit(s, p, amount):
        return False
    a.amount = amount
    a.explanation = explanation
    a.due_on = None
    M.apply(s, ctx, flow.APPLICATION, a, t, payload={"amount": core.money(amount)})
    return True


@requires(Permission.APPLICATION_PROCESS)
def select_one(ctx: Context, app_id: int) -> ApplicationPublic:
    """Decide one application of a 普惠 programme: the amount from the clause now (the pack
    version recorded), taken from the budget and the quota atomically — refused (409) when
    either is used up, also when many decisions run at once."""
    t = M.check_role(ctx, flow.APPLICATION, "select", core.subject(app_id))
    with ctx.db.write() as s:
        a = core.application_row(s, app_id)
        p = s.get_one(Programme, a.programme_id)
        if p.mode == "competitive":
            raise Conflict("programme.panel_decides", programme=p.key)
        got = money.assess(ctx, s, p, core.entity_row(s, a.entity_id), core.today(ctx))
        if got.status == "not_eligible" or got.amount is None:
            raise Conflict("programme.not_eligible", failed="、".join(got.failed) or "—")
        a.amount_rule, a.version_key = got.amount, got.version_key
        expl = {"amount": core.json_of(got.amount), "version_key": got.version_key,
                "status": got.status, "as_of": core.today(ctx).isoformat()}
        if not _select(ctx, s, p, a, got.amount, t, expl):
            raise Conflict("programme.budget_exhausted", programme=p.key,
                           amount=core.money(got.amount))
        s.refresh(a)
        return core.application_public(ctx, s, a)


@requires(Permission.APPLICATION_PROCESS)
def decide(ctx: Context, programme: str) -> DecisionPublic:
    """Decide every application in review of a programme: for a competitive one, only once
    every assigned review is done (scored or recused); the panel's aggregate, the ranking
    with the declared tie-break, the pass mark, the quota and the budget; vacancy when
    nobody reaches the pass mark. Each decision's explanation shows every score, the
    aggregate, the rank and the cut-off."""
    t_sel = M.check_role(ctx, flow.APPLICATION, "select", core.subject(0))
    t_dec = M.check_role(ctx, flow.APPLICATION, "decline", core.subject(0))
    day = core.today(ctx)
    with ctx.db.write() as s:
        p = core.programme_row(s, programme)
        apps = list(s.scalars(select(Application).where(
            Application.programme_id == p.id, Application.state == "review").order_by(Application.id)))
        if not apps:
            raise Conflict("programme.nothing_to_decide", programme=p.key)
        rubric = Rubric.from_json(p.rubric) if p.rubric else None
        order = sorted(apps, key=lambda a: (a.submitted_at or a.created_at, a.id))
        position = {a.id: i for i, a in enumerate(order)}
        cands: list[Candidate] = []
        detail: dict[int, dict[str, Any]] = {}
        ineligible: list[Application] = []
        for a in apps:
            got = money.assess(ctx, s, p, core.entity_row(s, a.entity_id), day)
            if got.status == "not_eligible" or got.amount is None:
                ineligible.append(a)
                detail[a.id] = {"status": got.status, "failed": list(got.failed)}
                continue
            a.amount_rule, a.version_key = got.amount, got.version_key
            sc, crit, totals = Decimal(0), {}, []
            if p.mode == "competitive" and rubric is not None:
                # by reviewer: the explanation lists the scores in one order on every engine
                reviews = list(s.scalars(select(ReviewAssignment).where(
                    ReviewAssignment.application_id == a.id).order_by(
                        ReviewAssignment.reviewer, ReviewAssignment.id)))
                pending = [r.reviewer for r in reviews if r.state in PENDING]
                scored = [r for r in reviews if r.state == "scored"]
                if pending or not scored:
                    raise Conflict("programme.reviews_pending", application=a.id,
                                   pending=len(pending) if pending else 0)
                totals = [Decimal(r.total or 0) for r in scored]
                sc = aggregate(totals, rubric.aggregation)
                crit = {c.id: aggregate([Decimal(r.scores[c.id]) for r in scored], "mean")
                        for c in rubric.criteria}
            cands.append(Candidate(a.id, a.entity_id, sc, crit, position[a.id], got.amount))
            detail[a.id] = {"totals": [format(x, "f") for x in totals], "aggregate": format(sc, "f"),
                            "criteria": {k: format(v, "f") for k, v in crit.items()},
                            "amount": core.json_of(got.amount), "version_key": got.version_key,
                            "status": got.status}
        pass_mark = rubric.pass_mark if (rubric is not None and p.mode == "competitive") else None
        quota_left = None if p.quota is None else max(0, p.quota - p.awarded)
        outcome = choose(cands, pass_mark, quota_left, money.budget_left(s, p),
                         rubric.tie_break if rubric else ())
        ranks = {c.id: i + 1 for i, c in enumerate(outcome.ranked)}
        by_id = {a.id: a for a in apps}
        chosen: list[int] = []
        left_out = dict(outcome.left_out)
        common: dict[str, Any] = {"pass_mark": None if pass_mark is None else format(pass_mark, "f"),
                  "quota": p.quota, "aggregation": rubric.aggregation if rubric else None,
                  "cut_off": None if outcome.cut_off is None else format(outcome.cut_off, "f"),
                  "vacant": outcome.vacant and p.mode == "competitive", "as_of": day.isoformat()}
        for c in outcome.ranked:
            a = by_id[c.id]
            a.rank = ranks[c.id] if p.mode == "competitive" else None
            a.score = c.score if p.mode == "competitive" else None
            expl = {**detail[c.id], **common, "rank": a.rank}
            if c.id in outcome.chosen and _select(ctx, s, p, a, c.amount, t_sel, expl):
                chosen.append(c.id)
                continue
            why = left_out.get(c.id) or ("below_pass_mark" if c.id not in outcome.passing else "budget")
            left_out[c.id] = why
            a.explanation = {**expl, "not_selected": why}
            a.due_on = None
            M.apply(s, ctx, flow.APPLICATION, a, t_dec, reason=_why(why))
        for a in ineligible:
            a.explanation = {**detail[a.id], **common, "not_selected": "not_eligible"}
            a.due_on = None
            M.apply(s, ctx, flow.APPLICATION, a, t_dec, reason=_why("not_eligible"))
        s.flush()
        s.refresh(p)
        ranked = [{"application": c.id, "enterprise": core.entity_row(s, c.entity_id).credit_code,
                   "name": core.entity_row(s, c.entity_id).name, "rank": ranks[c.id],
                   "score": format(c.score, "f"), "amount": core.json_of(c.amount),
                   "chosen": c.id in chosen, "why_not": left_out.get(c.id), **detail[c.id]}
                  for c in outcome.ranked]
        summary = {**common, "ranked": ranked, "chosen": chosen,
                   "vacant": p.mode == "competitive" and outcome.vacant}
        p.decision, p.decided_at = summary, ctx.now()
        record(s, ctx, "programme.decide", target=f"programme:{p.key}",
               after={"chosen": chosen, "vacant": summary["vacant"],
                      "committed": core.money(p.committed)})
        return DecisionPublic(
            programme=p.key, vacant=bool(summary["vacant"]), cut_off=common["cut_off"],
            pass_mark=common["pass_mark"], quota=p.quota, ranked=ranked,
            chosen=[core.entity_row(s, by_id[i].entity_id).credit_code for i in chosen],
            committed=core.money(p.committed) or "0", budget=core.money(p.budget) or "0")


def _why(code: str) -> str:
    return {"below_pass_mark": "未达评审标准(及格线) below the pass mark",
            "quota": "名额已满 the quota is filled",
            "budget": "预算不足 the budget is used up",
            "not_eligible": "决定时不再符合条款条件 no longer eligible at decision time"}.get(code, code)
