"""What the programme services share: loading rows (or 404), the public shapes, the
working-day calendar, who may see an application."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, NotFoundError
from huiqi.service.context import Context
from huiqi.service.permissions import Permission, Role, Scope
from huiqi.store.models import Entity, PackVersion
from huiqi.text import Text
from huiqi.workflow.calendar import WorkingDays
from huiqi.workflow.events import Subject
from huiqi.workflow.holidays import working_days

from . import flow
from .models import (
    Application,
    ApplicationMaterial,
    Objection,
    Payment,
    Programme,
    ReviewAssignment,
)
from .schemas import (
    ActionPublic,
    ApplicationPublic,
    Durations,
    HonourSpec,
    MaterialPublic,
    MaterialSpec,
    ObjectionPublic,
    PaymentPublic,
    ProgrammePublic,
    RubricSpec,
    ScorePublic,
)

PROGRAMME = Text("项目", "programme")
APPLICATION = Text("申报", "application")
MATERIAL = Text("申报材料", "material")
OBJECTION = Text("异议", "objection")
ZERO = Decimal(0)


def today(ctx: Context) -> dt.date:
    return ctx.platform.today()


def money(v: Decimal | None) -> str | None:
    return None if v is None else format(Decimal(v).quantize(Decimal("0.01")), "f")


def programme_row(s: Session, key: str, *, lock: bool = False) -> Programme:
    stmt = select(Programme).where(Programme.key == key)
    if lock:
        stmt = stmt.with_for_update()
    p = s.scalar(stmt)
    if p is None:
        raise NotFoundError(PROGRAMME, key)
    return p


def application_row(s: Session, app_id: int) -> Application:
    a = s.get(Application, app_id)
    if a is None:
        raise NotFoundError(APPLICATION, str(app_id))
    return a


def entity_row(s: Session, entity_id: int) -> Entity:
    return s.get_one(Entity, entity_id)


def may_see(ctx: Context, s: Session, a: Application) -> bool:
    """Staff and leadership see every application; an enterprise user its own; a reviewer
    only those assigned to it whose conflict question it has answered ("none")."""
    role = ctx.actor.role
    if role is Role.REVIEWER:
        return s.scalar(select(func.count()).select_from(ReviewAssignment).where(
            ReviewAssignment.application_id == a.id, ReviewAssignment.reviewer == ctx.actor.username,
            ReviewAssignment.state.in_(("accepted", "scored")))) == 1
    scope = ctx.scope(Permission.APPLICATION_READ)
    if scope is Scope.ALL:
        return True
    return scope is Scope.OWN and a.entity_id == ctx.actor.entity_id


def subject(app_id: int) -> Subject:
    return Subject(flow.APPLICATION.name, app_id)


def visible(ctx: Context, app_id: int, *, write: bool = False) -> None:
    """Refuse (audited) unless the actor may see the application — and, with ``write``,
    unless an enterprise user acts on its own. Checked in a read of its own, before the
    caller's transaction, so that the refusal's audit entry is not rolled back with it."""
    with ctx.db.read() as s:
        a = application_row(s, app_id)
        ok = may_see(ctx, s, a)
        own = a.entity_id == ctx.actor.entity_id
    if not ok:
        ctx.refuse(Permission.APPLICATION_READ, f"application:{app_id}")
    if write and ctx.scope(Permission.APPLICATION_WRITE) is Scope.OWN and not own:
        ctx.refuse(Permission.APPLICATION_WRITE, f"application:{app_id}")


def calendar(s: Session) -> WorkingDays:
    return working_days(s)


def due(s: Session, start: dt.date, days: int) -> dt.date:
    return calendar(s).add(start, days)


def durations(p: Programme) -> Durations:
    return Durations.model_validate(p.durations or {})


def open_now(p: Programme, day: dt.date) -> bool:
    return p.opens_on <= day <= p.closes_on


def require_open(p: Programme, day: dt.date) -> None:
    if not open_now(p, day):
        raise Conflict("programme.window_closed", programme=p.key, opens=p.opens_on.isoformat(),
                       closes=p.closes_on.isoformat(), today=day.isoformat())


def counts(s: Session, programme_id: int) -> dict[str, int]:
    rows = s.execute(select(Application.state, func.count()).where(
        Application.programme_id == programme_id).group_by(Application.state))
    return {state: n for state, n in rows}


def paid_total(s: Session, programme_id: int) -> Decimal:
    return Decimal(s.scalar(select(func.coalesce(func.sum(Application.paid), 0)).where(
        Application.programme_id == programme_id)) or 0)


def programme_public(s: Session, p: Programme, day: dt.date) -> ProgrammePublic:
    v = s.get(PackVersion, p.pack_version_id)
    return ProgrammePublic(
        key=p.key, title={"zh": p.title_zh, "en": p.title_en}, pack=p.pack_key,
        version_key=v.version_key if v else None, clause=p.clause_key,
        mode=p.mode,  # type: ignore[arg-type]
        mode_label=flow.MODES[p.mode].as_dict(), year=p.year, opens_on=p.opens_on,
        closes_on=p.closes_on, open_now=open_now(p, day), budget=money(p.budget) or "0",
        budget_year=money(p.budget_year), committed=money(p.committed) or "0",
        paid=money(paid_total(s, p.id)) or "0", quota=p.quota, awarded=p.awarded,
        may_be_vacant=p.may_be_vacant,
        materials=[MaterialSpec.model_validate(m) for m in p.materials or []],
        durations=durations(p), rubric=RubricSpec.model_validate(p.rubric) if p.rubric else None,
        reviewers=list(p.reviewers or []), exclusive_group=p.exclusive_group,
        enterprise_year_cap=money(p.enterprise_year_cap),
        honour=HonourSpec.model_validate(p.honour) if p.honour else None,
        counts=counts(s, p.id), decided_at=p.decided_at, decision=p.decision)


def application_public(ctx: Context, s: Session, a: Application) -> ApplicationPublic:
    p = s.get_one(Programme, a.programme_id)
    e = entity_row(s, a.entity_id)
    day = today(ctx)
    left = None
    if a.due_on is not None:
        try:
            left = calendar(s).count(day, a.due_on) if a.due_on >= day else -calendar(s).count(
                a.due_on, day)
        except Conflict:
            left = None
    staff_or_own = ctx.actor.role is not Role.REVIEWER
    reviews = list(s.scalars(select(ReviewAssignment).where(
        ReviewAssignment.application_id == a.id).order_by(ReviewAssignment.id)))
    if ctx.actor.role is Role.REVIEWER:   # a reviewer sees its own review only
        reviews = [r for r in reviews if r.reviewer == ctx.actor.username]
    elif ctx.actor.role is Role.ENTERPRISE:   # the applicant sees scores, not who gave them
        reviews = [r for r in reviews if r.state == "scored"]
    actions = [ActionPublic(name=t.name, label=t.label.as_dict(), reason_required=t.reason_required)
               for t in flow.APPLICATION.allowed(a.state, ctx.actor.role)
               if t.name in MOVES]
    return ApplicationPublic(
        id=a.id, programme=p.key, programme_title={"zh": p.title_zh, "en": p.title_en},
        enterprise=e.credit_code, enterprise_name=e.name,
        origin=a.origin,  # type: ignore[arg-type]
        state=a.state, state_label=flow.STATES[a.state].as_dict(), facts=dict(a.facts or {}),
        precheck=a.precheck, submitted_at=a.submitted_at, due_on=a.due_on,
        working_days_left=left, note=a.note, score=_num(a.score), rank=a.rank,
        amount=money(a.amount), amount_rule=money(a.amount_rule), version_key=a.version_key,
        paid=money(a.paid) or "0", explanation=a.explanation,
        materials=[MaterialPublic(id=m.id, kind=m.kind, file_name=m.file_name,
                                  content_type=m.content_type, size=m.size, sha256=m.sha256,
                                  uploaded_at=m.uploaded_at, uploaded_by=m.uploaded_by)
                   for m in s.scalars(select(ApplicationMaterial).where(
                       ApplicationMaterial.application_id == a.id).order_by(ApplicationMaterial.id))],
        reviews=[ScorePublic(reviewer=r.reviewer if ctx.actor.role is not Role.ENTERPRISE else f"#{i + 1}",
                             state=r.state, scores=r.scores, total=_num(r.total), comment=r.comment)
                 for i, r in enumerate(reviews)],
        objections=[ObjectionPublic(id=o.id, text=o.text, filed_at=o.filed_at, answer=o.answer,
                                    upheld=o.upheld, answered_at=o.answered_at)
                    for o in s.scalars(select(Objection).where(
                        Objection.application_id == a.id).order_by(Objection.id))]
        if staff_or_own else [],
        payments=[PaymentPublic(id=x.id, amount=money(x.amount) or "0", paid_on=x.paid_on,
                                reference=x.reference, recorded_at=x.recorded_at,
                                recorded_by=x.recorded_by)
                  for x in s.scalars(select(Payment).where(Payment.application_id == a.id)
                                     .order_by(Payment.id))],
        actions=actions, created_at=a.created_at, updated_at=a.updated_at)


def _num(v: Decimal | None) -> str | None:
    return None if v is None else format(Decimal(v), "f")


#: the transitions done by :func:`huiqi.programmes.applications.move` (the others have
#: their own service functions: decisions, grants, payments, 免申即享)
MOVES = frozenset({"submit", "resubmit", "return", "reject", "pass", "withdraw", "publicise",
                   "grant", "close"})


def json_of(v: Any) -> Any:
    """A value as JSON stores it (dates as ISO text, Decimals as strings)."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, list | tuple):
        return [json_of(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_of(x) for k, x in v.items()}
    return v
