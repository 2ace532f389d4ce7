"""Questions about the whole park, answered by the population engine (DuckDB):
near-misses of a clause and simulations of a pack version's cost.

The stored entities are turned into the columnar layout (:mod:`huiqi.facts.columnar`),
kept in memory until the registry changes, and matched by :mod:`huiqi.population.duck`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select

from huiqi.engine.result import STATUS_ORDER, Tally, near_miss
from huiqi.errors import NotFoundError
from huiqi.facts.enterprise import Enterprise
from huiqi.packs import versions as PV
from huiqi.registry import entities as E
from huiqi.registry.profile import enterprise_of
from huiqi.rules.model import Pack
from huiqi.store.models import Entity, FactValue
from huiqi.text import Text

from .catalogue import platform_catalogue
from .context import Context, requires
from .enterprises import today
from .permissions import Permission
from .policies import loaded
from .schemas import NearMissPublic, Page, SimulationClause, SimulationPublic

BATCH = 1000


def _table(ctx: Context, day: dt.date) -> tuple[Any, dict[str, str]]:
    """Every stored entity as an Arrow table (as of ``day``), and their names by code."""
    from huiqi.facts.columnar import arrow_schema, enterprises_to_table

    with ctx.db.read() as s:
        stamp = (s.scalar(select(func.max(Entity.updated_at))), s.scalar(select(func.count(
            Entity.id))), s.scalar(select(func.max(FactValue.id))), day)
    cat = platform_catalogue(ctx)
    key = ("population", stamp, tuple(cat.declared))  # a pack published: its facts' columns
    hit = ctx.platform.cache.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    ents: list[Enterprise] = []
    with ctx.db.read() as s:
        last = 0
        while True:
            batch = list(s.scalars(select(Entity).where(Entity.id > last).order_by(Entity.id)
                                   .limit(BATCH)))
            if not batch:
                break
            last = batch[-1].id
            facts = E.latest_values(s, [e.id for e in batch])
            ents.extend(enterprise_of(s, cat, e, day, facts[e.id]) for e in batch)
    years = sorted({y for e in ents for y in e.years})
    table = enterprises_to_table(ents, arrow_schema(cat, years))
    out = (table, {e.id: e.name for e in ents})
    with ctx.platform.lock:   # the park's previous table, and what was kept with it, go
        for k in [k for k in list(ctx.platform.cache)
                  if isinstance(k, tuple) and k[:1] == ("population",)]:
            ctx.platform.cache.pop(k, None)
        ctx.platform.cache[key] = out
    return out


#: the most clause results over the park whose digest is kept between requests
KEPT_RESULTS = 1_000_000
T = TypeVar("T")


def _kept(ctx: Context, table: Any, key: tuple[Any, ...], clauses: int,
          compute: Callable[[], T]) -> T:
    """``compute()``, kept while the park's table is (read-only to callers): the key starts
    with "population", so a new table of the park drops it (:func:`_table`). Kept only when
    it digests at most :data:`KEPT_RESULTS` clause results."""
    full = ("population", id(table), *key)
    hit = ctx.platform.cache.get(full)
    if hit is not None and hit[0] is table:   # the same table, not one at a reused address
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    if table.num_rows * max(1, clauses) <= KEPT_RESULTS:
        with ctx.platform.lock:
            ctx.platform.cache[full] = (table, value)
    return value


def _decided(ctx: Context, pack: str, table: Any) -> tuple[Any, int]:
    """The park's table with the review decisions recorded under ``pack`` (the platform's
    own table of decisions, :mod:`huiqi.service.decisions`), and a stamp of them."""
    from huiqi.facts import decisions as D
    from huiqi.store.models import ReviewDecision

    from .decisions import by_code

    with ctx.db.read() as s:
        stamp = s.scalar(select(func.max(ReviewDecision.id))
                         .where(ReviewDecision.pack == pack)) or 0
        found = by_code(s, pack) if stamp else {}
    if not found:
        return table, stamp
    return D.with_decisions(table, found, D.columns(found)), stamp


def _rows(pack: Pack, day: dt.date, table: Any, clause_keys: list[str] | None = None
          ) -> list[dict[str, Any]]:
    from huiqi.population.duck import connect, match_sql

    con = connect()
    con.register("__input", table)
    try:
        clauses = None if clause_keys is None else [c for c in pack.clauses()
                                                    if c.key in clause_keys]
        cur = con.execute(match_sql(pack, day, con, "__input", clauses))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


@requires(Permission.RESULT_READ)
def near_misses(ctx: Context, pack: str, clause: str, *, as_of: dt.date | None = None,
                offset: int = 0, limit: int = 50) -> Page[NearMissPublic]:
    """Entities that miss ``clause`` by exactly one condition, closest first."""
    day = as_of or today(ctx)
    with ctx.db.read() as s:
        v = PV.published(s, pack)
    p = loaded(ctx, pack, v)
    if p.clause(clause) is None or clause not in {c.key for c in p.clauses()}:
        raise NotFoundError(Text("条款", "clause"), clause)
    park, names = _table(ctx, day)
    table, stamp = _decided(ctx, pack, park)

    def compute() -> list[NearMissPublic]:
        found = []
        for r in _rows(p, day, table, [clause]):
            gaps = {g["condition"]: g["shortfall"] for g in (r["gaps"] or [])}
            condition = near_miss(r["status"], list(r["failed"] or []), gaps)
            if condition is None:
                continue
            found.append(NearMissPublic(
                credit_code=r["enterprise_id"], name=names.get(r["enterprise_id"], ""),
                condition=condition, shortfall=_text(gaps[condition]),
                potential_amount=_text(r["potential_amount"]), version_key=p.version_id,
                as_of=day))
        found.sort(key=lambda n: (n.condition, Decimal(n.shortfall or "0"), n.credit_code))
        return found

    found = _kept(ctx, park, ("near-misses", p.version_id, day, clause, stamp), 1, compute)
    return Page(total=len(found), offset=offset, limit=limit,
                items=found[offset:offset + limit])


@requires(Permission.SIMULATION_RUN)
def simulate(ctx: Context, pack: str, number: int | None = None,
             as_of: dt.date | None = None) -> SimulationPublic:
    """What a version (a draft too) would give the park's entities: per clause, how many
    qualify and the money, before anyone publishes it. Changes nothing."""
    day = as_of or today(ctx)
    with ctx.db.read() as s:
        v = PV.published(s, pack) if number is None else PV.get_version(s, pack, number)
        files = None if v.status == PV.PUBLISHED else PV.files_of(s, v.id)
    p = loaded(ctx, pack, v) if files is None else PV.load(pack, files)
    table, _ = _decided(ctx, pack, _table(ctx, day)[0])
    names = _table(ctx, day)[1]
    per: dict[str, Tally] = {}
    for r in _rows(p, day, table):
        per.setdefault(r["clause"], Tally(r["clause"])).add(r["status"], 1, r["amount"],
                                                             r["potential_amount"])
    clauses = [SimulationClause(clause=t.key, **{s.value: t.counts[s] for s in STATUS_ORDER},
                                amount=_text(t.amount), potential_amount=_text(t.potential))
               for t in per.values()]
    total = sum((Decimal(c.amount or 0) for c in clauses), Decimal(0))
    return SimulationPublic(pack=pack, number=v.number, status=v.status,
                            version_key=p.version_id, as_of=day, entities=len(names),
                            total_amount=_text(total) or "0", clauses=clauses)


def _text(v: Any) -> str | None:
    return None if v is None else format(Decimal(v), "f")
