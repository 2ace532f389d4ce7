"""免申即享 (no application): the population engine lists the enterprises the clause
finds eligible from the data; staff confirm them in bulk, excluding some with reasons;
then 公示 and grants as for any programme — and the enterprise sees it in its account.

Also the bulk steps every programme uses after a decision: 公示 of everything selected,
and the grants of everything whose notice period has ended without an open objection.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from huiqi.errors import Conflict
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission
from huiqi.service.policies import loaded
from huiqi.service.population import _rows, _table
from huiqi.store.models import Entity, PackVersion
from huiqi.workflow import machine as M

from . import applications, core, flow, money
from .models import Application, Objection
from .schemas import AutomaticConfirm


@requires(Permission.APPLICATION_PROCESS)
def propose(ctx: Context, programme: str) -> int:
    """List the eligible enterprises (the population engine over every stored entity, as of
    today) as proposed records of a 免申即享 programme; returns how many were added (those
    already listed are kept as they are)."""
    day = core.today(ctx)
    with ctx.db.read() as s:
        p = core.programme_row(s, programme)
        if p.mode != "automatic":
            raise Conflict("programme.not_automatic", programme=p.key)
        v = s.get_one(PackVersion, p.pack_version_id)
        pack_key, clause = p.pack_key, p.clause_key
    pack = loaded(ctx, pack_key, v)
    table, _names = _table(ctx, day)
    found = {r["enterprise_id"]: r for r in _rows(pack, day, table, [clause])
             if r["status"] == "eligible"}
    added = 0
    with ctx.db.write() as s:
        p = core.programme_row(s, programme)
        ids: dict[str, int] = {c: i for c, i in s.execute(select(Entity.credit_code, Entity.id).where(
            Entity.credit_code.in_(list(found))))} if found else {}
        have = set(s.scalars(select(Application.entity_id).where(Application.programme_id == p.id)))
        now = ctx.now()
        for code in sorted(found):
            eid = ids.get(code)
            if eid is None or eid in have:
                continue
            r = found[code]
            amt = r.get("amount")
            s.add(Application(programme_id=p.id, entity_id=eid, origin="automatic", state="proposed",
                              facts={}, precheck={"status": "eligible", "amount": core.json_of(amt),
                                                  "as_of": day.isoformat(), "engine": "population"},
                              amount_rule=None if amt is None else Decimal(str(amt)),
                              version_key=pack.version_id, paid=Decimal(0), created_at=now,
                              updated_at=now))
            added += 1
        record(s, ctx, "programme.propose", target=f"programme:{p.key}",
               after={"eligible": len(found), "added": added, "as_of": day.isoformat()})
    return added


@requires(Permission.APPLICATION_PROCESS)
def confirm(ctx: Context, programme: str, data: AutomaticConfirm) -> dict[str, int]:
    """Confirm every proposed record but the excluded ones (each excluded with its reason):
    the amount from the clause now, taken from the budget and the quota atomically (those
    the budget cannot pay stay proposed). Returns the counts."""
    t_conf = M.check_role(ctx, flow.APPLICATION, "confirm", core.subject(0))
    t_excl = M.check_role(ctx, flow.APPLICATION, "exclude", core.subject(0))
    out = {"confirmed": 0, "excluded": 0, "over_budget": 0}
    day = core.today(ctx)
    with ctx.db.write() as s:
        p = core.programme_row(s, programme)
        excluded = {x.enterprise.upper(): x.reason for x in data.exclusions}
        rows = s.execute(select(Application, Entity).join(Entity).where(
            Application.programme_id == p.id, Application.state == "proposed")
            .order_by(Application.id)).all()
        for a, e in rows:
            if e.credit_code in excluded:
                a.note = excluded[e.credit_code]
                M.apply(s, ctx, flow.APPLICATION, a, t_excl, reason=excluded[e.credit_code])
                out["excluded"] += 1
                continue
            got = money.assess(ctx, s, p, e, day)
            if got.status != "eligible" or got.amount is None:
                a.note = "不再符合 no longer eligible"
                M.apply(s, ctx, flow.APPLICATION, a, t_excl, reason="决定时不再符合条款条件 no longer eligible")
                out["excluded"] += 1
                continue
            if not money.commit(s, p, got.amount):
                out["over_budget"] += 1
                continue
            a.amount, a.amount_rule, a.version_key = got.amount, got.amount, got.version_key
            a.explanation = {"amount": core.json_of(got.amount), "version_key": got.version_key,
                             "as_of": day.isoformat(), "origin": "automatic"}
            M.apply(s, ctx, flow.APPLICATION, a, t_conf, payload={"amount": core.money(got.amount)})
            out["confirmed"] += 1
        record(s, ctx, "programme.confirm", target=f"programme:{p.key}", after=out)
    return out


@requires(Permission.APPLICATION_PROCESS)
def publicise_all(ctx: Context, programme: str) -> int:
    """公示 of every selected application of a programme (the notice's end in working days)."""
    t = M.check_role(ctx, flow.APPLICATION, "publicise", core.subject(0))
    n = 0
    with ctx.db.write() as s:
        p = core.programme_row(s, programme)
        end = core.due(s, core.today(ctx), core.durations(p).objection)
        for a in s.scalars(select(Application).where(Application.programme_id == p.id,
                                                     Application.state == "selected")):
            a.due_on = end
            M.apply(s, ctx, flow.APPLICATION, a, t)
            n += 1
    return n


@requires(Permission.APPLICATION_PROCESS)
def grant_all(ctx: Context, programme: str) -> int:
    """Grant every application whose 公示 has ended without an open objection."""
    day = core.today(ctx)
    with ctx.db.read() as s:
        p = core.programme_row(s, programme)
        ids = [a.id for a in s.scalars(select(Application).where(
            Application.programme_id == p.id, Application.state == "publicised",
            Application.due_on < day))
            if s.scalar(select(Objection.id).where(Objection.application_id == a.id,
                                                   Objection.answered_at.is_(None))) is None]
    for i in ids:
        applications.move(ctx, i, "grant")
    return len(ids)


