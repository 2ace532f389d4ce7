"""Money: the amount from the clause (the engine, at decision time, with the pack version
recorded), the budget and the quota held under concurrent decisions, the per-enterprise
yearly cap and 就高不重复 at grant time, and the honour a grant records as a fact.

The budget and the quota are held by one conditional UPDATE of the programme's running
totals — ``… SET committed = committed + :x, awarded = awarded + 1 WHERE id = :id AND
committed + :x <= budget AND (quota IS NULL OR awarded < quota)`` — and its row count:
PostgreSQL re-checks the condition on the row after waiting for a concurrent writer, SQLite
writes one transaction at a time, so two decisions can never both take the last place or
the last yuan. A yearly budget line (``budget_year``, shared by the calls on the same
clause in the same year) is held the same way: the year's rows are locked in id order, their
sum checked, then the call's row updated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.orm import Session

from huiqi.engine.result import ClauseResult
from huiqi.errors import Conflict
from huiqi.facts.catalogue import default_catalogue
from huiqi.registry import entities as E
from huiqi.registry import values as V
from huiqi.registry.profile import enterprise_of
from huiqi.service.context import Context
from huiqi.service.policies import matcher
from huiqi.store.models import Entity, PackVersion

from . import flow
from .core import ZERO, json_of
from .models import Application, Programme

#: where the facts a grant records come from
SOURCE = "programme"


@dataclass(frozen=True)
class Assessed:
    """The clause's answer for one enterprise on one day."""

    status: str
    amount: Decimal | None
    version_key: str
    failed: tuple[str, ...]
    missing: tuple[str, ...]
    result: ClauseResult


def assess(ctx: Context, s: Session, p: Programme, e: Entity, day: dt.date) -> Assessed:
    """Match the enterprise against the programme's clause in the programme's pack version.
    The amount is the clause's amount, or, while human review conditions are open, the
    amount the clause would give (its potential)."""
    v = s.get_one(PackVersion, p.pack_version_id)
    m = matcher(ctx, p.pack_key, v, day)
    res = m.match(enterprise_of(s, default_catalogue(), e, day))
    c = next(c for c in res.clauses if c.key == p.clause_key)
    amount = c.amount if c.amount is not None else c.potential
    return Assessed(c.status.value, None if amount is None else Decimal(amount), res.pack_version,
                    tuple(c.failed), tuple(x.key for x in c.missing), c)


def year_line(p: Programme) -> Select[Decimal]:
    """The running totals of the calls that share ``p``'s yearly budget line: the
    programmes on the same clause of the same pack in the same year."""
    return select(Programme.committed).where(
        Programme.pack_key == p.pack_key, Programme.clause_key == p.clause_key,
        Programme.year == p.year)


def year_left(s: Session, p: Programme) -> Decimal | None:
    """What is left of the year's budget line over its calls; None without one."""
    if p.budget_year is None:
        return None
    used = sum((Decimal(x) for x in s.scalars(year_line(p))), ZERO)
    return Decimal(p.budget_year) - used


def budget_left(s: Session, p: Programme) -> Decimal:
    """What a decision of ``p`` may still take: the call's budget left, and no more than
    the year's line left."""
    left = Decimal(p.budget) - Decimal(p.committed)
    year = year_left(s, p)
    return left if year is None else min(left, year)


def commit(s: Session, p: Programme, amount: Decimal) -> bool:
    """Take ``amount`` and one place of the quota, if both are left (one conditional
    UPDATE) and, with a yearly budget line, if the year's calls together stay within it
    (their rows locked in id order first: a concurrent decision on any call of the year
    waits, then sees the sum this one leaves); False if not — nothing changed."""
    if p.budget_year is not None:
        used = sum((Decimal(x) for x in s.scalars(
            year_line(p).order_by(Programme.id).with_for_update())), ZERO)
        if used + amount > Decimal(p.budget_year):
            return False
    moved = s.execute(update(Programme).where(
        Programme.id == p.id, Programme.committed + amount <= Programme.budget,
        or_(Programme.quota.is_(None), Programme.awarded < Programme.quota))
        .values(committed=Programme.committed + amount, awarded=Programme.awarded + 1)
        .execution_options(synchronize_session=False))
    return getattr(moved, "rowcount", 0) == 1


def release(s: Session, p: Programme, amount: Decimal, places: int = 1) -> None:
    """Give back money (and places) taken by :func:`commit` (a revocation, a cap)."""
    s.execute(update(Programme).where(Programme.id == p.id)
              .values(committed=Programme.committed - amount, awarded=Programme.awarded - places)
              .execution_options(synchronize_session=False))


def granted_in_group(s: Session, p: Programme, entity_id: int, *, exclude: int) -> Decimal:
    """What the enterprise was granted this year in programmes of ``p``'s group (or in
    ``p`` itself without a group), other than the application ``exclude``."""
    same = (Programme.exclusive_group == p.exclusive_group if p.exclusive_group
            else Programme.id == p.id)
    total = s.scalar(select(func.coalesce(func.sum(Application.amount), 0))
                     .join(Programme, Programme.id == Application.programme_id)
                     .where(and_(same, Programme.year == p.year, Application.entity_id == entity_id,
                                 Application.id != exclude,
                                 Application.state.in_(("granted", "paid", "closed")))))
    return Decimal(total or 0)


def capped(s: Session, p: Programme, a: Application) -> tuple[Decimal, list[dict[str, Any]]]:
    """The amount to grant after 就高不重复 (in an exclusive group the enterprise gets the
    highest amount once: a later, higher one is topped up by the difference, a lower one
    gives nothing) and the enterprise's yearly cap in the group; with the steps taken."""
    amount = Decimal(a.amount or 0)
    steps: list[dict[str, Any]] = []
    before = granted_in_group(s, p, a.entity_id, exclude=a.id)
    if p.exclusive_group and before > 0:
        topped = max(ZERO, amount - before)
        steps.append({"rule": "highest_not_repeated", "group": p.exclusive_group,
                      "already": json_of(before), "from": json_of(amount), "to": json_of(topped)})
        amount = topped
    if p.enterprise_year_cap is not None:
        room = max(ZERO, Decimal(p.enterprise_year_cap) - before)
        if amount > room:
            steps.append({"rule": "enterprise_year_cap", "cap": json_of(p.enterprise_year_cap),
                          "already": json_of(before), "from": json_of(amount), "to": json_of(room)})
            amount = room
    return amount, steps


def record_honour(s: Session, ctx: Context, p: Programme, a: Application, day: dt.date) -> None:
    """The award as a dated fact of the enterprise (``awards`` or ``honours`` records), so
    that rules read it ("not a winner within the last 4 years")."""
    if not p.honour:
        return
    h = p.honour
    fact = str(h["fact"])
    cat = default_catalogue()
    e = s.get_one(Entity, a.entity_id)
    current = E.latest_values(s, [e.id])[e.id]
    stored = current.get((fact, E.STATIC))
    records = list(V.plain(cat.facts[fact], *stored) or []) if stored else []
    rec: dict[str, Any] = {"kind": h["kind"], "level": h["level"], "date": day.isoformat()}
    if fact == "awards":
        rec["rank"] = 1
    elif h.get("validity_months"):
        rec["expiry"] = add_months(day, int(h["validity_months"])).isoformat()
    records.append(rec)
    value = cat.coerce(cat.facts[fact], records)
    E.set_facts(s, cat, e, [(fact, E.STATIC, value)],
                E.Provenance(source=SOURCE, by=ctx.actor.username, at=ctx.now()), current)


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    try:
        return day.replace(year=day.year + y, month=m + 1)
    except ValueError:
        return day.replace(year=day.year + y, month=m + 1, day=28)


def assert_committed_state(a: Application) -> None:
    if a.state not in flow.COMMITTED:
        raise Conflict("programme.not_committed", application=a.id)
