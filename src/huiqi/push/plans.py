"""一企一策 plans (issue 15, item 5): for staff visiting an enterprise (走访) — what fits it,
what nearly fits with the concrete steps (each gap in plain Chinese), the deadlines, the
responsible officer, the visits and their follow-ups; the enterprises nobody has visited
for N months.

Visits and the responsible officer are domain events of the enterprise (``plan.visit``,
``plan.officer``: append-only, read back when the plan is shown), so a plan is computed
when read and nothing kept beside the events can drift.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import String, cast, func, select

from huiqi.errors import InputError
from huiqi.messages import message
from huiqi.service.audit import record
from huiqi.service.context import Context
from huiqi.service.enterprises import load
from huiqi.service.matching import match_one
from huiqi.service.permissions import Permission
from huiqi.store.models import Entity
from huiqi.workflow.events import Subject, emit, history
from huiqi.workflow.models import DomainEvent

VISIT, OFFICER = "plan.visit", "plan.officer"
UNITS = {"yuan": "元", "ratio": "", "days": "天", "": ""}


@dataclass(frozen=True)
class Line:
    clause: str
    amount: Decimal | None
    assumed: bool
    deadline: dt.date | None
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Visit:
    at: dt.datetime
    by: str
    summary: str
    follow_up: str
    due: dt.date | None


@dataclass
class Plan:
    code: str
    name: str
    as_of: dt.date
    officer: str | None
    fits: list[Line] = field(default_factory=list)
    near: list[Line] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)


def _step(g: object) -> str:
    """One gap in plain Chinese: what to raise, by how much."""
    cond = getattr(g, "condition", "")
    short = getattr(g, "shortfall", Decimal(0))
    unit = getattr(g, "unit", "")
    if unit == "ratio":
        amount = f"{(Decimal(short) * 100).normalize():f} 个百分点"
    else:
        amount = f"{Decimal(short).normalize():f}{UNITS.get(unit, ' ' + unit)}"
    return f"「{cond.rsplit('/', 1)[-1]}」还差 {amount},达到后即可申报"


def _dec(v: object) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def plan(ctx: Context, code: str) -> Plan:
    ctx.require(Permission.ENTERPRISE_READ, code)
    m = match_one(ctx, code, explain=False)
    with ctx.db.read() as s:
        e = load(s, code)
        events = history(s, Subject("enterprise", e.id))
    out = Plan(code=e.credit_code, name=e.name, as_of=m.as_of, officer=None)
    for ev in events:
        if ev.kind == OFFICER:
            out.officer = ev.payload.get("officer")
        elif ev.kind == VISIT:
            p = ev.payload
            out.visits.append(Visit(at=ev.occurred_at, by=ev.actor, summary=p.get("summary", ""),
                                    follow_up=p.get("follow_up", ""),
                                    due=dt.date.fromisoformat(p["due"]) if p.get("due") else None))
    for pm in m.packs:
        for c in pm.clauses:
            deadline = c.window[1] if c.window else None
            if c.status == "eligible":
                out.fits.append(Line(c.key, _dec(c.amount), c.amount_assumed, deadline))
            elif len(c.failed) == 1 and c.gaps:
                out.near.append(Line(c.key, _dec(c.potential_amount), c.amount_assumed, deadline,
                                     tuple(_step(g) for g in c.gaps)))
    return out


def record_visit(ctx: Context, code: str, summary: str, follow_up: str = "",
                 due: dt.date | None = None) -> None:
    ctx.require(Permission.CASE_WORK)
    if not summary.strip():
        raise InputError(message("plan.summary"))
    with ctx.db.write() as s:
        e = load(s, code)
        emit(s, ctx, VISIT, Subject("enterprise", e.id),
             {"summary": summary.strip()[:2000], "follow_up": follow_up.strip()[:2000],
              "due": due.isoformat() if due else None})
        record(s, ctx, VISIT, target=e.credit_code, detail=summary.strip()[:200])


def assign(ctx: Context, code: str, officer: str) -> None:
    ctx.require(Permission.CASE_WORK)
    with ctx.db.write() as s:
        e = load(s, code)
        emit(s, ctx, OFFICER, Subject("enterprise", e.id), {"officer": officer[:64]})
        record(s, ctx, OFFICER, target=e.credit_code, after={"officer": officer[:64]})


def unvisited(ctx: Context, months: int = 6, limit: int = 500
              ) -> list[tuple[str, str, dt.datetime | None]]:
    """Enterprises with no visit in ``months`` months (never visited first)."""
    ctx.require(Permission.ENTERPRISE_READ)
    since = ctx.now() - dt.timedelta(days=30 * months)
    with ctx.db.read() as s:
        last = (select(DomainEvent.subject_id, func.max(DomainEvent.occurred_at).label("at"))
                .where(DomainEvent.kind == VISIT, DomainEvent.subject_type == "enterprise")
                .group_by(DomainEvent.subject_id).subquery())
        rows = s.execute(select(Entity.credit_code, Entity.name, last.c.at).outerjoin(
            last, last.c.subject_id == cast(Entity.id, String(64))).where(
            Entity.kind == "enterprise", (last.c.at.is_(None)) | (last.c.at < since))
            .order_by(last.c.at.is_not(None), last.c.at, Entity.credit_code).limit(limit))
        return [(c, n, a) for c, n, a in rows]


__all__ = ["Plan", "assign", "plan", "record_visit", "unvisited"]
