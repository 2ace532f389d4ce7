"""企业难事找我办 (enterprise requests) and 好差评 (ratings, after 国办发〔2019〕51号).

An enterprise submits a problem (category, description, attachments; or a question about a
clause, from the clause and matches pages); staff acknowledge it, may ask the enterprise for
more (the clock stands still meanwhile), answer and resolve it, against the category's
targets in working days. The enterprise then rates the outcome on five levels; the last two
are 差评, and each opens a rectification that is closed only with evidence and is visible
to leadership. Staff may appeal a rating they hold mistaken; an administrator decides, and an
upheld appeal voids the rating and withdraws its rectification.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError
from huiqi.messages import message
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission
from huiqi.text import Text
from huiqi.workflow import machine

from . import flows, moves, sla, standards
from .models import CaseRating, ServiceCase
from .service import (
    act,
    check_entity,
    entity_of,
    files_of,
    get_case,
    note,
    open_case,
    visible,
)

LEVELS = {5: Text("非常满意", "very satisfied"), 4: Text("满意", "satisfied"),
          3: Text("基本满意", "fairly satisfied"), 2: Text("不满意", "dissatisfied"),
          1: Text("非常不满意", "very dissatisfied")}
POOR = 2              # scores up to this are 差评
RECTIFY_DAYS = 10     # working days to rectify


def is_poor(score: int) -> bool:
    return score <= POOR


@requires(Permission.CASE_REQUEST, enterprise="code")
def submit(ctx: Context, code: str, category: str, title: str, description: str, *,
           clause: dict[str, str | None] | None = None, at: dt.datetime | None = None) -> int:
    """A request of the enterprise ``code``; its targets are the category's now. Its id."""
    with ctx.db.write() as s:
        e = entity_of(s, code)
        found = standards.get(s, "request_category", category)
        if found is None:
            known = ", ".join(standards.codes(s, "request_category"))
            raise InputError(message("case.category_unknown", category=category, known=known))
        name, targets = found
        case = open_case(s, ctx, "request", title, entity_id=e.id, category=category,
                         target_days=int(targets["resolve"]), at=at, details={
                             "description": description[:8000], "category_name": name,
                             "targets": targets, "clause": clause})
        sla.schedule(s, case, case.created_at)
        return case.id


def transition(ctx: Context, case_id: int, name: str, reason: str | None = None
               ) -> machine.Change:
    """Any step of a request or a rectification (acknowledge, ask, supply, answer, resolve;
    close — with evidence — or withdraw), or of another case by name: a move's steps are
    taken by the staff of the district deciding it (:mod:`huiqi.cases.moves`)."""
    if name == "admit":
        return moves.admit(ctx, case_id, reason)

    def check(s: Session, case: ServiceCase) -> None:
        if name == "close":
            _evidence(s, case)
        if case.kind == "move" and name in ("release", "refuse"):
            moves.of_deciding_district(s, ctx, case)

    return act(ctx, case_id, name, reason, check=check)


def _evidence(s: Session, case: ServiceCase) -> None:
    if case.kind == "rectify" and not files_of(s, case.id, "evidence"):
        raise Conflict("case.evidence_required")


def rating_of(s: Session, case_id: int) -> CaseRating | None:
    return s.scalar(select(CaseRating).where(CaseRating.case_id == case_id)
                    .order_by(CaseRating.id.desc()).limit(1))


@requires(Permission.CASE_REQUEST)
def rate(ctx: Context, case_id: int, score: int, comment: str | None = None) -> int | None:
    """The enterprise rates its resolved request (1–5); a 差评 opens a rectification, whose
    id is returned."""
    if score not in LEVELS:
        raise InputError(message("case.range", what_zh="评价", what_en="rating", low=1,
                                 high=5))
    with ctx.db.read() as s:
        case = get_case(s, case_id, "request")
    visible(ctx, Permission.CASE_REQUEST, case)
    with ctx.db.write(lock=f"rate:{case_id}") as s:  # one rating, whoever rates at once
        case = get_case(s, case_id, "request")
        if case.state != "resolved":
            raise Conflict("case.rating_closed")
        if rating_of(s, case.id) is not None:
            raise Conflict("case.rated")
        s.add(CaseRating(case_id=case.id, entity_id=case.entity_id, score=score,
                         comment=(comment or None) and comment[:2000], status="valid",
                         rated_at=ctx.now(), rated_by=ctx.actor.username))
        note(s, ctx, case, "rated", {"score": score, "poor": is_poor(score)})
        if not is_poor(score):
            return None
        fix = open_case(s, ctx, "rectify", f"差评整改:{case.title}"[:200],
                        entity_id=case.entity_id, parent_id=case.id, category=case.category,
                        target_days=RECTIFY_DAYS, details={"score": score, "comment": comment})
        sla.schedule(s, fix, fix.created_at)
        return fix.id


@requires(Permission.CASE_WORK)
def appeal(ctx: Context, case_id: int, reason: str) -> None:
    """Staff hold a rating mistaken or malicious: it waits for an administrator's decision."""
    reason = reason.strip()
    if not reason:
        raise InputError(message("workflow.reason_required", transition_zh="申诉",
                                 transition_en="appeal"))
    with ctx.db.write() as s:
        case = get_case(s, case_id, "request")
        rating = rating_of(s, case.id)
        if rating is None:
            raise Conflict("case.no_rating")
        if rating.status != "valid":
            raise Conflict("case.rating_state", state=rating.status)
        rating.status, rating.appeal = "appealed", reason[:2000]
        note(s, ctx, case, "appealed", {"reason": reason[:2000], "score": rating.score})


@requires(Permission.CASE_DECIDE)
def decide(ctx: Context, case_id: int, uphold: bool, reason: str) -> None:
    """Decide an appeal: upheld, the rating is void and its rectification withdrawn;
    rejected, the rating stands."""
    with ctx.db.write() as s:
        case = get_case(s, case_id, "request")
        rating = rating_of(s, case.id)
        if rating is None or rating.status != "appealed":
            raise Conflict("case.rating_state", state=rating.status if rating else "none")
        rating.status = "void" if uphold else "valid"
        note(s, ctx, case, "appeal_decided", {"upheld": uphold, "reason": reason[:2000]})
        if uphold:
            for fix in s.scalars(select(ServiceCase).where(ServiceCase.parent_id == case.id,
                                                           ServiceCase.kind == "rectify",
                                                           ServiceCase.state == "open")):
                machine.apply(s, ctx, flows.RECTIFY, fix,
                              flows.RECTIFY.transition("withdraw"), reason)


@requires(Permission.CASE_READ)
def rectifications(ctx: Context) -> list[ServiceCase]:
    """Every rectification (leadership sees them all)."""
    with ctx.db.read() as s:
        stmt = select(ServiceCase).where(ServiceCase.kind == "rectify")
        if ctx.actor.entity_id is not None and ctx.actor.role not in flows.STAFF:
            stmt = stmt.where(ServiceCase.entity_id == ctx.actor.entity_id)
        return list(s.scalars(stmt.order_by(ServiceCase.id.desc())))


__all__ = ["LEVELS", "POOR", "appeal", "check_entity", "decide", "is_poor", "rate",
           "rating_of", "rectifications", "submit", "transition"]
