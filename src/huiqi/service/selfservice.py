"""Self-service data (企业自助): an enterprise completes the facts its matches miss and
corrects its own data. A value that can change money (a fact a benefit's amount or a
money-paying clause's conditions read, or any amount of money) waits for a staff member to
confirm it; any other is recorded at once as the enterprise's own (企业自报). Staff see the
pending values, and confirm (then the value is recorded, 企业自报, with who confirmed it)
or reject them with a reason. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from huiqi.errors import DataError, NotFoundError, Problem
from huiqi.facts.catalogue import default_catalogue
from huiqi.messages import message
from huiqi.packs import versions as PV
from huiqi.registry import entities as E
from huiqi.registry.claims import CONFIRMED, PENDING, REJECTED, FactClaim
from huiqi.rules.fixed import facts_read
from huiqi.store.models import Entity
from huiqi.text import Text

from .audit import record
from .catalogue import platform_catalogue
from .context import Context, requires
from .enterprises import SELF_REPORTED, load, set_facts
from .permissions import Permission, Scope
from .policies import loaded
from .schemas import FactChange, FactsUpdate

#: The source of a value an enterprise gave and staff confirmed.
SELF_CONFIRMED = "self_confirmed"


@dataclass
class Claim:
    id: int
    credit_code: str
    name: str
    fact: str
    year: int | None
    value: str
    status: str
    requested_at: dt.datetime
    requested_by: str
    decided_at: dt.datetime | None
    decided_by: str | None
    note: str | None


def money_facts(ctx: Context) -> set[str]:
    """The facts that can change money: read by an amount or a cap, or by a condition of a
    clause that pays money, in a published pack; and every fact that is an amount."""
    key = ("money_facts", _stamp(ctx))
    hit = ctx.platform.cache.get(key)
    if isinstance(hit, set):
        return hit
    out = {f.id for f in platform_catalogue(ctx).facts.values() if f.kind == "money"}
    with ctx.db.read() as s:
        versions = PV.all_published(s)
    for k, v in versions:
        for c in loaded(ctx, k, v).clauses():
            b = c.benefit
            if b is None or b.expr is None:
                continue
            out |= facts_read(b.expr) | facts_read(b.cap)
            for cond in c.all_conditions():
                out |= set(cond.facts) | facts_read(cond.expr)
    ctx.platform.cache[key] = out
    return out


def _stamp(ctx: Context) -> tuple[int, ...]:
    with ctx.db.read() as s:
        return tuple(v.id for _k, v in PV.all_published(s))


@requires(Permission.ENTERPRISE_WRITE, enterprise="code")
def submit(ctx: Context, code: str, data: FactsUpdate) -> tuple[list[FactChange], list[Claim]]:
    """Record what an enterprise says of itself: staff's values at once (as
    :func:`~huiqi.service.enterprises.set_facts`); an enterprise user's at once unless they
    can change money, which wait for a staff member (:func:`decide`)."""
    if ctx.scope(Permission.ENTERPRISE_WRITE) is Scope.ALL:
        return set_facts(ctx, code, data), []
    money = money_facts(ctx)
    now_items = [it for it in data.items if it.fact not in money]
    later = [it for it in data.items if it.fact in money]
    cat = platform_catalogue(ctx)
    problems: list[Problem] = []
    for i, it in enumerate(later):
        f = cat.facts[it.fact]
        if f.yearly != (it.year is not None):
            code_ = "data.yearly_as_static" if f.yearly else "data.static_as_yearly"
            problems.append(Problem(code=code_, path=("items", i, "year"),
                                    message=message(code_, name=it.fact)))
            continue
        try:
            cat.coerce(f, it.value)
        except ValueError as exc:
            reason: Text = exc.args[0]
            problems.append(Problem(code="data.bad_value", path=("items", i, "value"),
                                    snippet=str(it.value)[:100],
                                    message=message("data.bad_value", name=it.fact,
                                                    reason_zh=reason.zh, reason_en=reason.en)))
    if problems:
        raise DataError(problems, code)
    changes = set_facts(ctx, code, FactsUpdate(items=now_items, source=SELF_REPORTED)) \
        if now_items else []
    claims: list[Claim] = []
    if later:
        with ctx.db.write() as s:
            e = load(s, code)
            rows = [FactClaim(entity_id=e.id, fact=it.fact, year=it.year or E.STATIC,
                              value_text=str(it.value), status=PENDING, requested_at=ctx.now(),
                              requested_by=ctx.actor.username) for it in later]
            s.add_all(rows)
            s.flush()
            record(s, ctx, "enterprise.facts_claimed", target=e.credit_code,
                   after={_key(r): r.value_text for r in rows})
            claims = [_claim(r, e) for r in rows]
    return changes, claims


def _key(r: FactClaim) -> str:
    return f"{r.fact}@{r.year}" if r.year else r.fact


def _claim(r: FactClaim, e: Entity) -> Claim:
    return Claim(id=r.id, credit_code=e.credit_code, name=e.name, fact=r.fact,
                 year=r.year or None, value=r.value_text, status=r.status,
                 requested_at=r.requested_at, requested_by=r.requested_by,
                 decided_at=r.decided_at, decided_by=r.decided_by, note=r.note)


@requires(Permission.ENTERPRISE_READ, enterprise="code")
def claims_of(ctx: Context, code: str, pending_only: bool = False) -> list[Claim]:
    """What an enterprise has given that staff confirm (newest first)."""
    with ctx.db.read() as s:
        e = load(s, code)
        q = select(FactClaim).where(FactClaim.entity_id == e.id)
        if pending_only:
            q = q.where(FactClaim.status == PENDING)
        return [_claim(r, e) for r in s.scalars(q.order_by(FactClaim.id.desc()).limit(200))]


@requires(Permission.FACT_CONFIRM)
def pending(ctx: Context, limit: int = 200) -> list[Claim]:
    """Every value waiting for confirmation, oldest first."""
    with ctx.db.read() as s:
        rows = s.execute(select(FactClaim, Entity).join(Entity, Entity.id == FactClaim.entity_id)
                         .where(FactClaim.status == PENDING).order_by(FactClaim.id)
                         .limit(limit)).all()
        return [_claim(r, e) for r, e in rows]


@requires(Permission.FACT_CONFIRM)
def decide(ctx: Context, claim_id: int, confirm: bool, note: str | None = None) -> Claim:
    """Confirm a pending value (it is recorded as the enterprise's own, confirmed by this
    staff member) or reject it; a decided claim is not decided again (409)."""
    from huiqi.errors import Conflict

    cat = platform_catalogue(ctx)
    with ctx.db.write() as s:
        r = s.get(FactClaim, claim_id)
        if r is None:
            raise NotFoundError(Text("待确认的数据", "pending value"), str(claim_id))
        e = s.get(Entity, r.entity_id)
        assert e is not None
        if r.status != PENDING:
            raise Conflict("claim.decided", status=r.status)
        r.status = CONFIRMED if confirm else REJECTED
        r.decided_at, r.decided_by, r.note = ctx.now(), ctx.actor.username, (note or None)
        changes: list[dict[str, Any]] = []
        if confirm:
            f = cat.facts[r.fact]
            prov = E.Provenance(source=SELF_CONFIRMED, by=f"{r.requested_by}/{ctx.actor.username}",
                                at=ctx.now())
            changes = E.set_facts(s, cat, e, [(r.fact, r.year, cat.coerce(f, r.value_text))], prov)
        record(s, ctx, "enterprise.facts_confirmed" if confirm else "enterprise.facts_rejected",
               target=e.credit_code, after={_key(r): r.value_text},
               detail=note[:200] if note else None)
        del changes
        return _claim(r, e)


@requires(Permission.FACT_CONFIRM)
def demo(ctx: Context, code: str, by: str) -> list[Claim]:
    """For the demo: three values ``by`` (an enterprise user of ``code``) gave — one pending,
    one confirmed, one rejected — so that every state shows."""
    cat = default_catalogue()
    with ctx.db.write() as s:
        e = load(s, code)
        year = ctx.platform.today().year - 1
        current = {(r.fact, r.year): r for r in E.latest(s, [e.id]).get(e.id, {}).values()}
        rows = []
        for fact, factor in (("rd_expense", "1.2"), ("revenue", "1.05"), ("staff_total", "1.1")):
            have = current.get((fact, year))
            base = have.value_number if have is not None and have.value_number else 1_000_000
            value = cat.coerce(cat.facts[fact], str(int(base * Decimal(factor))))
            rows.append(FactClaim(entity_id=e.id, fact=fact, year=year, value_text=str(value),
                                  status=PENDING, requested_at=ctx.now(), requested_by=by))
        s.add_all(rows)
        s.flush()
        record(s, ctx, "enterprise.facts_claimed", target=e.credit_code, actor=by,
               after={_key(r): r.value_text for r in rows})
        ids = [r.id for r in rows]
    decide(ctx, ids[1], True)
    decide(ctx, ids[2], False, "与社保缴纳人数不符,请附证明 / does not match the social-insurance count")
    return claims_of(ctx, code)


__all__ = ["SELF_CONFIRMED", "Claim", "claims_of", "decide", "money_facts", "pending", "submit"]
