"""Totals over the stored match results (the latest run of each published version): per
clause the count by status and the money, and what the published policies would pay by
policy, industry and district — for the staff console and the leadership dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.engine.result import Tally, capped_by_quota, near_miss
from huiqi.packs import versions as PV
from huiqi.rules.model import Pack
from huiqi.store.models import Entity, MatchResult, MatchRun, PackVersion

from .context import Context, requires
from .permissions import Permission
from .policies import loaded


@dataclass
class PackTotals:
    pack: str
    number: int
    version_key: str
    as_of: dt.date | None
    clauses: list[Tally]


@dataclass
class Overview:
    """What the published policies would pay, as of each pack's latest run."""

    packs: list[PackTotals]
    by_policy: list[Tally]
    by_industry: list[Tally]
    by_district: list[Tally]
    entities: int

    @property
    def amount(self) -> Decimal:
        return sum((t.amount for t in self.by_policy), Decimal(0))

    @property
    def potential(self) -> Decimal:
        return sum((t.potential for t in self.by_policy), Decimal(0))

    @property
    def assumed(self) -> Decimal:
        """The part of :attr:`amount` whose amounts are assumed."""
        return sum((t.assumed for t in self.by_policy), Decimal(0))

    @property
    def assumed_potential(self) -> Decimal:
        return sum((t.assumed_potential for t in self.by_policy), Decimal(0))

    def count(self, status: str) -> int:
        return sum(t.counts[status] for t in self.by_policy)


def _latest(s: Session, v: PackVersion) -> dt.date | None:
    return s.scalar(select(func.max(MatchRun.as_of)).where(MatchRun.pack_version_id == v.id))


def _assumed(pack: Pack) -> set[str]:
    """The clauses of ``pack`` whose amounts are assumed."""
    return {c.key for c in pack.clauses() if c.benefit is not None and c.benefit.assumed}


def _quotas(pack: Pack) -> dict[str, int]:
    """The clauses of ``pack`` whose program declares a quota (at most k awards a year)."""
    return {c.key: c.program.quota_per_year for c in pack.clauses()
            if c.program is not None and c.program.quota_per_year is not None}


class _Capped:
    """The amounts of clauses with a quota, gathered per (tally, clause), then added to the
    tallies capped by :func:`capped_by_quota` — the k largest amounts, not all of them."""

    def __init__(self, quotas: dict[str, int], assumed: set[str]) -> None:
        self.quotas, self.assumed = quotas, assumed
        self.found: dict[tuple[int, str, str], tuple[Tally, list[Decimal], list[Decimal]]] = {}

    def gather(self, into: Tally, clause: str, status: str, amount: object,
               potential: object) -> None:
        _t, eligible, others = self.found.setdefault((id(into), into.key, clause), (into, [], []))
        if status == "eligible":
            eligible.append(Decimal(str(amount or 0)))
        elif status in ("undetermined", "needs_review"):
            others.append(Decimal(str(potential or 0)))

    def rows(self, s: Session, v: PackVersion, day: dt.date) -> Any:
        """The results of the clauses with a quota, one by one (with the enterprise's
        industry and district)."""
        return s.execute(select(MatchResult.clause_key, Entity.industry, Entity.district,
                                MatchResult.status, MatchResult.amount, MatchResult.potential_amount)
                         .join(Entity, Entity.id == MatchResult.entity_id)
                         .where(MatchResult.pack_version_id == v.id, MatchResult.as_of == day,
                                MatchResult.clause_key.in_(tuple(self.quotas)),
                                MatchResult.status != "not_eligible"))

    def add(self) -> None:
        for (_i, _k, clause), (tally, eligible, others) in self.found.items():
            payable, more = capped_by_quota(eligible, others, self.quotas[clause])
            tally.add_money(payable, more, assumed=clause in self.assumed)


def _clauses(s: Session, v: PackVersion, day: dt.date, assumed: set[str],
             quotas: dict[str, int]) -> dict[str, Tally]:
    out: dict[str, Tally] = {}
    stmt = (select(MatchResult.clause_key, MatchResult.status, func.count(),
                   func.sum(MatchResult.amount), func.sum(MatchResult.potential_amount))
            .where(MatchResult.pack_version_id == v.id, MatchResult.as_of == day)
            .group_by(MatchResult.clause_key, MatchResult.status))
    for key, status, n, amount, potential in s.execute(stmt):
        money = (None, None) if key in quotas else (amount, potential)
        out.setdefault(key, Tally(key)).add(status, n, *money, assumed=key in assumed)
    if quotas:
        capped = _Capped(quotas, assumed)
        for key, _ind, _dis, status, amount, potential in capped.rows(s, v, day):
            capped.gather(out[key], key, status, amount, potential)
        capped.add()
    return out


@requires(Permission.RESULT_READ)
def pack_totals(ctx: Context, pack: str, as_of: dt.date | None = None) -> PackTotals:
    """Per clause of the published version of ``pack``: counts by status and money (kept in
    memory until another run is stored)."""
    with ctx.db.read() as s:
        v = PV.published(s, pack)
        day = as_of or _latest(s, v)
        stamp = ("pack-totals", v.id, day, s.scalar(select(func.max(MatchRun.id))))
        hit = ctx.platform.cache.get(stamp)
        if isinstance(hit, PackTotals):
            return hit
        spec = loaded(ctx, pack, v)
        found = {} if day is None else _clauses(s, v, day, _assumed(spec), _quotas(spec))
    order = [c.key for c in spec.clauses()]
    out = PackTotals(pack=pack, number=v.number, version_key=v.version_key or "", as_of=day,
                     clauses=[found.get(k, Tally(k)) for k in order])
    _forget(ctx, "pack-totals", keep=32)
    ctx.platform.cache[stamp] = out
    return out


@dataclass(frozen=True)
class NearMiss:
    credit_code: str
    name: str
    condition: str
    shortfall: Decimal | None
    potential_amount: Decimal | None
    unit: str = ""
    #: whether the enterprise can act on it (the condition is not on the founding date,
    #: where it is registered … : :mod:`huiqi.rules.fixed`)
    actionable: bool = True


@requires(Permission.RESULT_READ)
def near_misses(ctx: Context, pack: str, clause: str, as_of: dt.date | None = None,
                limit: int = 20) -> tuple[int, list[NearMiss]]:
    """From the stored results of the latest run (or of ``as_of``): the entities that miss
    ``clause`` by exactly one condition with a measurable gap — those that can act on it first
    (not a condition on what cannot change), then the closest; and how many there are. The
    same answer as the population engine's, read instead of recomputed."""
    from huiqi.rules.fixed import fixed_paths

    with ctx.db.read() as s:
        v = PV.published(s, pack)
        spec = loaded(ctx, pack, v).clause(clause)
        fixed = fixed_paths(spec) if spec is not None else set()
        day = as_of or _latest(s, v)
        if day is None:
            return 0, []
        rows = s.execute(select(Entity.credit_code, Entity.name, MatchResult.detail,
                                MatchResult.potential_amount)
                         .join(Entity, Entity.id == MatchResult.entity_id)
                         .where(MatchResult.pack_version_id == v.id, MatchResult.as_of == day,
                                MatchResult.clause_key == clause,
                                MatchResult.status == "not_eligible"))
        found = []
        for code, name, detail, potential in rows:
            gaps = {g["condition"]: g for g in (detail or {}).get("gaps") or []}
            condition = near_miss("not_eligible", (detail or {}).get("failed") or [], gaps)
            if condition is None:
                continue
            gap = gaps[condition]
            found.append(NearMiss(code, name, condition,
                                  Decimal(str(gap["shortfall"])) if gap.get("shortfall")
                                  is not None else None,
                                  Decimal(potential) if potential is not None else None,
                                  str(gap.get("unit") or ""), condition not in fixed))
    found.sort(key=lambda n: (not n.actionable, n.condition, n.shortfall or Decimal(0),
                              n.credit_code))
    return len(found), found[:limit]


def _forget(ctx: Context, kind: str, keep: int) -> None:
    old = [k for k in ctx.platform.cache if isinstance(k, tuple) and k[:1] == (kind,)]
    for k in old[:max(0, len(old) - keep + 1)]:
        ctx.platform.cache.pop(k, None)


def _pack_overview(ctx: Context, s: Session, key: str, v: PackVersion, day: dt.date | None,
                   by: dict[str, dict[str, Tally]]) -> PackTotals:
    """One pack's latest run, per clause, into the tallies by policy, industry, district.
    A clause with a quota counts its k largest amounts (in each tally), not all."""
    spec = loaded(ctx, key, v)
    assumed, quotas = _assumed(spec), _quotas(spec)
    clauses: dict[str, Tally] = {}
    capped = _Capped(quotas, assumed)

    def tallies(clause: str, industry: str | None, district: str | None) -> list[Tally]:
        return [into.setdefault(k, Tally(k)) for into, k in (
            (clauses, clause), (by["policy"], f"{key}/{clause.partition('/')[0]}"),
            (by["industry"], industry or "unknown"), (by["district"], district or "unknown"))]

    if day is not None:
        stmt = (select(MatchResult.clause_key, Entity.industry, Entity.district,
                       MatchResult.status, func.count(), func.sum(MatchResult.amount),
                       func.sum(MatchResult.potential_amount))
                .join(Entity, Entity.id == MatchResult.entity_id)
                .where(MatchResult.pack_version_id == v.id, MatchResult.as_of == day)
                .group_by(MatchResult.clause_key, Entity.industry, Entity.district,
                          MatchResult.status))
        for clause, industry, district, status, n, amount, potential in s.execute(stmt):
            money = (None, None) if clause in quotas else (amount, potential)
            for t in tallies(clause, industry, district):
                t.add(status, n, *money, assumed=clause in assumed)
        if quotas:
            for clause, industry, district, status, amount, potential in capped.rows(s, v, day):
                for t in tallies(clause, industry, district):
                    capped.gather(t, clause, status, amount, potential)
            capped.add()
    return PackTotals(key, v.number, v.version_key or "", day, list(clauses.values()))


@requires(Permission.RESULT_READ)
def overview(ctx: Context) -> Overview:
    """Every published pack's latest stored run, in total and by policy, industry, district.

    One grouped scan per pack; the answer is kept in memory until a run is stored or a
    version is published (both change the stamp it is kept under)."""
    with ctx.db.read() as s:
        published = PV.all_published(s)
        stamp = ("overview", s.scalar(select(func.max(MatchRun.id))),
                 tuple(v.id for _k, v in published))
        hit = ctx.platform.cache.get(stamp)
        if isinstance(hit, Overview):
            return hit
        entities = s.scalar(select(func.count(Entity.id))) or 0
        by: dict[str, dict[str, Tally]] = {"policy": {}, "industry": {}, "district": {}}
        packs = []
        for key, v in published:
            day = _latest(s, v)
            packs.append(_pack_overview(ctx, s, key, v, day, by))
    def ranked(d: dict[str, Tally]) -> list[Tally]:
        return sorted(d.values(), key=lambda t: (-t.amount, -t.potential, t.key))

    out = Overview(packs=packs, by_policy=ranked(by["policy"]),
                   by_industry=ranked(by["industry"]), by_district=ranked(by["district"]),
                   entities=entities)
    _forget(ctx, "overview", keep=1)
    ctx.platform.cache[stamp] = out
    return out


__all__ = ["NearMiss", "Overview", "PackTotals", "Tally", "near_misses", "overview", "pack_totals"]
