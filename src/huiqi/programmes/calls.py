"""Programmes (calls): opened on a clause of a published pack version, whose ``program:``
section (quota, vacancy, validity) they enforce; read by everyone signed in; their budget
lines for leadership (potential by the rules capped by the quota, committed, paid)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.engine.result import capped_by_quota
from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.messages import message
from huiqi.packs import versions as PV
from huiqi.rules.model import ProgramSpec
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission, Role
from huiqi.service.policies import loaded
from huiqi.store.models import Account, MatchResult, MatchRun
from huiqi.text import Text

from . import core
from .models import Programme
from .panel import Rubric
from .schemas import BudgetLine, ProgrammeCreate, ProgrammePublic


def _decimal(v: str | None, name: str) -> Decimal | None:
    if v is None:
        return None
    try:
        d = Decimal(v)
    except InvalidOperation as exc:
        raise InputError(message("programme.bad_number", name=name, value=v)) from exc
    if d < 0:
        raise InputError(message("programme.bad_number", name=name, value=v))
    return d


def _within_rule(prog: ProgramSpec, data: ProgrammeCreate, clause: str) -> None:
    """A programme stays within what its clause declares: a budget no larger than the
    clause's total budget; a window inside one of the clause's yearly windows (MM-DD; a
    window given as dates is one known round only, so other years' programmes may set
    their own)."""
    budget = _decimal(data.budget, "budget")
    if prog.budget_total is not None and budget is not None and budget > prog.budget_total:
        raise InputError(message("programme.budget_above_rule", budget=data.budget,
                                 rule=format(prog.budget_total, "f"), clause=clause))
    yearly = [(a, b) for a, b in prog.windows if len(a) == 5]
    if yearly:
        inside = prog.window_at(data.opens_on)
        if inside is None or not (inside[0] <= data.opens_on and data.closes_on <= inside[1]):
            raise InputError(message("programme.window_outside_rule", clause=clause,
                                     windows="、".join(f"{a}–{b}" for a, b in yearly)))


def _year_line(s: Session, data: ProgrammeCreate, clause: str) -> None:
    """A call's budget fits in the year's line, and the calls on one clause in one year
    share one line (the same ``budget_year``), which their decisions never overrun
    together (:func:`huiqi.programmes.money.commit`)."""
    line = _decimal(data.budget_year, "budget_year")
    budget = _decimal(data.budget, "budget")
    if line is not None and budget is not None and budget > line:
        raise InputError(message("programme.budget_above_year", budget=data.budget,
                                 year=data.budget_year))
    other = s.execute(select(Programme.key, Programme.budget_year).where(
        Programme.pack_key == data.pack, Programme.clause_key == clause,
        Programme.year == data.year).order_by(Programme.id)).first()
    theirs = None if other is None or other[1] is None else Decimal(other[1])
    if other is not None and theirs != line:
        raise InputError(message("programme.year_line_differs", clause=clause, year=data.year,
                                 other=other[0], line=core.money(theirs) or "—"))


@requires(Permission.PROGRAMME_MANAGE)
def create(ctx: Context, data: ProgrammeCreate) -> ProgrammePublic:
    """Open a programme on a clause of the published version of a pack. What the clause's
    ``program:`` section declares is enforced: its quota per year (a smaller one may be
    set, never a larger one), whether the award may stay vacant, the honour's validity."""
    if data.closes_on < data.opens_on:
        raise InputError(message("programme.window_order", opens=data.opens_on.isoformat(),
                                 closes=data.closes_on.isoformat()))
    if data.mode == "competitive" and data.rubric is None:
        raise InputError(message("programme.rubric_needed"))
    if data.rubric is not None:
        Rubric.from_json(data.rubric.model_dump())   # the numbers parse
    with ctx.db.write() as s:
        v = PV.published(s, data.pack)
        spec = loaded(ctx, data.pack, v).clause(data.clause)
        if spec is None or spec.key != data.clause:
            raise NotFoundError(Text("条款", "clause"), data.clause)
        prog = spec.program
        quota = data.quota
        if prog is not None and prog.quota_per_year is not None:
            if quota is not None and quota > prog.quota_per_year:
                raise InputError(message("programme.quota_above_rule", quota=quota,
                                         rule=prog.quota_per_year, clause=spec.key))
            quota = quota or prog.quota_per_year
        if prog is not None:
            _within_rule(prog, data, spec.key)
        may_be_vacant = data.may_be_vacant if data.may_be_vacant is not None else bool(
            prog and prog.may_be_vacant)
        honour = data.honour.model_dump() if data.honour else None
        if honour is not None and honour.get("validity_months") is None and prog is not None \
                and prog.validity_months:
            honour["validity_months"] = prog.validity_months
        for name in data.reviewers:
            acc = s.scalar(select(Account).where(Account.username == name))
            if acc is None or acc.role != Role.REVIEWER.value:
                raise InputError(message("programme.not_a_reviewer", username=name))
        if s.scalar(select(Programme.id).where(Programme.key == data.key)) is not None:
            raise Conflict("programme.exists", key=data.key)
        _year_line(s, data, spec.key)
        p = Programme(
            key=data.key, title_zh=data.title_zh, title_en=data.title_en, pack_key=data.pack,
            pack_version_id=v.id, clause_key=spec.key, mode=data.mode, year=data.year,
            opens_on=data.opens_on, closes_on=data.closes_on,
            budget=_decimal(data.budget, "budget"), budget_year=_decimal(data.budget_year, "budget_year"),
            quota=quota, may_be_vacant=may_be_vacant, committed=Decimal(0), awarded=0,
            materials=[m.model_dump() for m in data.materials],
            durations=data.durations.model_dump(),
            rubric=data.rubric.model_dump() if data.rubric else None,
            exclusive_group=data.exclusive_group,
            enterprise_year_cap=_decimal(data.enterprise_year_cap, "enterprise_year_cap"),
            honour=honour, reviewers=list(data.reviewers), created_at=ctx.now(),
            created_by=ctx.actor.username)
        s.add(p)
        s.flush()
        record(s, ctx, "programme.create", target=f"programme:{p.key}",
               after={"clause": p.clause_key, "version": v.version_key, "mode": p.mode,
                      "budget": core.money(p.budget), "quota": p.quota})
        return core.programme_public(s, p, core.today(ctx))


@requires(Permission.PROGRAMME_READ)
def list_all(ctx: Context, year: int | None = None) -> list[ProgrammePublic]:
    with ctx.db.read() as s:
        stmt = select(Programme).order_by(Programme.year.desc(), Programme.key)
        if year is not None:
            stmt = stmt.where(Programme.year == year)
        day = core.today(ctx)
        return [core.programme_public(s, p, day) for p in s.scalars(stmt)]


@requires(Permission.PROGRAMME_READ)
def get(ctx: Context, key: str) -> ProgrammePublic:
    with ctx.db.read() as s:
        return core.programme_public(s, core.programme_row(s, key), core.today(ctx))


@requires(Permission.PROGRAMME_READ)
def for_clause(ctx: Context, clause: str) -> list[ProgrammePublic]:
    """The programmes open on a clause (the apply button beside a matched clause)."""
    with ctx.db.read() as s:
        day = core.today(ctx)
        return [core.programme_public(s, p, day) for p in s.scalars(
            select(Programme).where(Programme.clause_key == clause).order_by(Programme.year.desc()))]


@requires(Permission.RESULT_READ)
def budgets(ctx: Context) -> list[BudgetLine]:
    """Per programme: the budget, committed (decided and granted), paid, and the potential
    by the rules from the latest stored run (eligible or awaiting review) — capped by the
    quota: with a quota of k only the k largest amounts can be paid."""
    out = []
    with ctx.db.read() as s:
        for p in s.scalars(select(Programme).order_by(Programme.year.desc(), Programme.key)):
            day = s.scalar(select(func.max(MatchRun.as_of)).where(
                MatchRun.pack_version_id == p.pack_version_id))
            potential = capped = None
            n = None
            if day is not None:
                by: dict[str, list[Decimal]] = {"eligible": [], "needs_review": []}
                for status, x in s.execute(
                        select(MatchResult.status,
                               func.coalesce(MatchResult.amount, MatchResult.potential_amount))
                        .where(MatchResult.pack_version_id == p.pack_version_id,
                               MatchResult.as_of == day, MatchResult.clause_key == p.clause_key,
                               MatchResult.status.in_(tuple(by)))):
                    by[status].append(Decimal(x or 0))
                n = len(by["eligible"]) + len(by["needs_review"])
                potential = sum(by["eligible"] + by["needs_review"], Decimal(0))
                payable, more = capped_by_quota(by["eligible"], by["needs_review"], p.quota)
                capped = min(payable + more, Decimal(p.budget))
            out.append(BudgetLine(
                programme=p.key, title={"zh": p.title_zh, "en": p.title_en},
                mode=p.mode,  # type: ignore[arg-type]
                year=p.year, budget=core.money(p.budget) or "0",
                committed=core.money(p.committed) or "0",
                paid=core.money(core.paid_total(s, p.id)) or "0", quota=p.quota,
                awarded=p.awarded, potential=core.money(potential), potential_count=n,
                potential_capped=core.money(capped)))
    return out
