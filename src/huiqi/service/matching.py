"""Matching: one enterprise against the published packs (live, with explanations), a
stored run over every entity, and the stored results of one clause.

Every stored result records the pack version (``Pack.version_id``) and the as-of date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic_core import to_json
from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from huiqi.engine.public import GapPublic
from huiqi.engine.serialize import clause_dict, pack_match_dict
from huiqi.errors import NotFoundError
from huiqi.facts.decisions import merged
from huiqi.packs import versions as PV
from huiqi.registry import entities as E
from huiqi.registry.profile import enterprise_of
from huiqi.store.models import Entity, MatchResult, MatchRun, PackVersion
from huiqi.text import Lang, Text

from . import decisions
from .audit import record
from .catalogue import platform_catalogue
from .context import Context, requires
from .enterprises import load, today
from .memo import Memo
from .permissions import Permission
from .policies import loaded, matcher
from .schemas import MatchPublic, Page, ResultPublic, RunPublic

RUN_BATCH = 500

#: The two reads behind the response cache's key, built once (they run on every request)
_PUBLISHED = (select(PackVersion.id).where(PackVersion.status == PV.PUBLISHED)
              .order_by(PackVersion.id))
_REVISION = select(Entity.id, Entity.revision).where(Entity.credit_code == bindparam("code"))


def _versions(ctx: Context, pack: str | None) -> list[tuple[str, PackVersion]]:
    with ctx.db.read() as s:
        if pack is not None:
            return [(pack, PV.published(s, pack))]
        return PV.all_published(s)


@requires(Permission.ENTERPRISE_READ, enterprise="code")
def match_one(ctx: Context, code: str, as_of: dt.date | None = None, pack: str | None = None,
              explain: bool = True, lang: Lang | None = None) -> MatchPublic:
    """Match one enterprise against each published pack (or one), explained."""
    day = as_of or today(ctx)
    versions = _versions(ctx, pack)
    with ctx.db.read() as s:
        e = load(s, code)
        return MatchPublic.model_validate(_compute(ctx, s, e, versions, day, explain, lang))


@requires(Permission.ENTERPRISE_READ, enterprise="code")
def remembered(ctx: Context, code: str, as_of: dt.date | None = None,
               pack: str | None = None, explain: bool = True, lang: Lang | None = None
               ) -> bytes | None:
    """The response of :func:`match_one_json` if it is in memory, else ``None`` (nothing is
    computed): two indexed reads, so the server answers it at once and leaves the
    computing, when needed, to a worker thread."""
    return _remembered(ctx, code, as_of or today(ctx), pack, explain, lang)


def _remembered(ctx: Context, code: str, day: dt.date, pack: str | None, explain: bool,
                lang: Lang | None) -> bytes | None:
    memo = _memo(ctx)
    if memo is None or pack is not None:
        return None
    # the cache's key, read as two plain rows (this runs on every request)
    with ctx.db.rows() as conn:
        stamp = tuple(conn.execute(_PUBLISHED).scalars())
        row = conn.execute(_REVISION, {"code": code.strip().upper()}).first()
    return None if row is None else memo.get((row[0], row[1], stamp, day, explain, lang, pack))


@requires(Permission.ENTERPRISE_READ, enterprise="code")
def match_one_json(ctx: Context, code: str, as_of: dt.date | None = None,
                   pack: str | None = None, explain: bool = True, lang: Lang | None = None
                   ) -> bytes:
    """:func:`match_one` as JSON, computed once per entity revision, pack versions, date
    and language, then served from memory (``match_cache_mb`` per process)."""
    day = as_of or today(ctx)
    hit = _remembered(ctx, code, day, pack, explain, lang)
    if hit is not None:
        return hit
    memo = _memo(ctx)
    with ctx.db.read() as s:
        # the published versions, read without building objects
        stamp = tuple(s.execute(_PUBLISHED).scalars()) if pack is None else \
            (PV.published(s, pack).id,)
        row = s.execute(_REVISION, {"code": code.strip().upper()}).first()
        if row is None:
            load(s, code)  # raises NotFoundError
        key = (row[0] if row else 0, row[1] if row else 0, stamp, day, explain, lang, pack)
        hit = memo.get(key) if memo is not None else None
        if hit is not None:
            return hit
        versions = [(k, v) for k, v in (PV.all_published(s) if pack is None
                                        else [(pack, PV.published(s, pack))])
                    if v.id in stamp]
        out = _compute(ctx, s, load(s, code), versions, day, explain, lang)
    data = to_json(out)
    if memo is not None:
        memo.put(key, data)
    return data


def precompute(ctx: Context, day: dt.date | None = None, batch: int = 500) -> int:
    """Compute every entity's match (without explanations) into the response cache, as the
    server starts: the enterprise pages and ``GET /enterprises/{code}/match`` are then
    served from memory. Entries are keyed by the entity's revision and the published
    versions, so a change to either makes them unreachable rather than stale. Returns
    how many were computed; stops when the cache is full."""
    memo = _memo(ctx)
    if memo is None:
        return 0
    day = day or today(ctx)
    done = 0
    last = 0
    while True:
        with ctx.db.read() as s:
            stamp = tuple(s.execute(_PUBLISHED).scalars())
            versions = [(k, v) for k, v in PV.all_published(s) if v.id in stamp]
            ents = list(s.scalars(select(Entity).where(Entity.id > last).order_by(Entity.id)
                                  .limit(batch)))
            if not ents or not versions:
                return done
            for e in ents:
                key = (e.id, e.revision, stamp, day, False, None, None)
                if memo.get(key) is None:
                    memo.put(key, to_json(_compute(ctx, s, e, versions, day, False, None)))
                    done += 1
                    if memo.size > 0.9 * memo.max_bytes:
                        return done
            last = ents[-1].id


def _memo(ctx: Context) -> Memo | None:
    size = ctx.settings.match_cache_mb * 1024 * 1024
    if size <= 0:
        return None
    memo = ctx.platform.cache.get("match-memo")
    if memo is None:
        with ctx.platform.lock:
            memo = ctx.platform.cache.setdefault("match-memo", Memo(size))
    assert isinstance(memo, Memo)
    return memo


def _compute(ctx: Context, s: Session, e: Entity, versions: list[tuple[str, PackVersion]],
             day: dt.date, explain: bool, lang: Lang | None) -> dict[str, Any]:
    """The match as plain data shaped as :class:`MatchPublic` (turned into JSON at once on the
    hot path; building the model objects would double an explained match's time)."""
    ent = enterprise_of(s, platform_catalogue(ctx), e, day)
    out = []
    for key, v in versions:
        m = matcher(ctx, key, v, day)
        decided = decisions.current(s, key, [e.id]).get(e.id)
        mine = merged(ent, {ent.id: decided}) if decided else ent
        # without explanations, the straight-line path: the same results, nothing recorded
        res = m.match(mine) if explain else m.decide(mine)
        out.append(pack_match_dict(res, key, m if explain else None, lang))
    return {"enterprise": e.credit_code, "name": e.name, "as_of": day.isoformat(), "packs": out}


@requires(Permission.RESULT_RUN)
def run(ctx: Context, pack: str, as_of: dt.date | None = None) -> RunPublic:
    """Match every entity against the published version of ``pack`` and store the results
    (replacing those of the same version and date)."""
    day = as_of or today(ctx)
    [(key, v)] = _versions(ctx, pack)
    m = matcher(ctx, key, v, day)
    cat = platform_catalogue(ctx)
    started = ctx.now()
    entities = results = 0
    with ctx.db.write() as s:
        s.execute(delete(MatchResult).where(MatchResult.pack_version_id == v.id,
                                            MatchResult.as_of == day))
        r = MatchRun(pack_version_id=v.id, version_key=v.version_key or "", as_of=day,
                     entities=0, results=0, started_at=started, finished_at=started,
                     run_by=ctx.actor.username)
        s.add(r)
        s.flush()
        last = 0
        while True:
            batch = list(s.scalars(select(Entity).where(Entity.id > last)
                                   .order_by(Entity.id).limit(RUN_BATCH)))
            if not batch:
                break
            last = batch[-1].id
            facts = E.latest_values(s, [e.id for e in batch])
            decided = decisions.current(s, key, [e.id for e in batch])
            rows: list[dict[str, Any]] = []
            for e in batch:
                ent = enterprise_of(s, cat, e, day, facts[e.id])
                if e.id in decided:
                    ent = merged(ent, {ent.id: decided[e.id]})
                res = m.decide(ent)  # stored without explanations
                for c in res.clauses:
                    d = clause_dict(c)
                    rows.append({"entity_id": e.id, "pack_version_id": v.id,
                                 "version_key": res.pack_version, "as_of": day,
                                 "clause_key": c.key, "status": c.status.value,
                                 "amount": c.amount, "potential_amount": c.potential,
                                 "detail": {k: d[k] for k in ("failed", "gaps", "missing",
                                                              "needs_review")},
                                 "run_id": r.id, "computed_at": started})
            if rows:
                s.execute(insert(MatchResult), rows)
            entities += len(batch)
            results += len(rows)
            s.expunge_all()
        r = s.get_one(MatchRun, r.id)
        r.entities, r.results, r.finished_at = entities, results, ctx.now()
        record(s, ctx, "result.run", target=f"{key} #{v.number}",
               after={"as_of": day.isoformat(), "entities": entities, "results": results})
        return RunPublic(id=r.id, pack=key, version_key=r.version_key, as_of=day,
                         entities=entities, results=results, started_at=r.started_at,
                         finished_at=r.finished_at, run_by=r.run_by)


@requires(Permission.RESULT_READ)
def clause_results(ctx: Context, pack: str, clause: str, *, as_of: dt.date | None = None,
                   status: str | None = None, industry: str | None = None,
                   district: str | None = None, offset: int = 0, limit: int = 50
                   ) -> Page[ResultPublic]:
    """Stored results of one clause (``policy/clause``) of the published version, from the
    latest run (or the run of ``as_of``), filtered and paginated."""
    with ctx.db.read() as s:
        v = PV.published(s, pack)
        spec = loaded(ctx, pack, v).clause(clause)
        if spec is None or spec.key != clause:
            raise NotFoundError(Text("条款", "clause"), clause)
        assumed = spec.benefit is not None and spec.benefit.assumed
        day = as_of or s.scalar(select(func.max(MatchRun.as_of)).where(
            MatchRun.pack_version_id == v.id))
        if day is None:
            return Page(total=0, offset=offset, limit=limit, items=[])
        stmt = (select(MatchResult, Entity).join(Entity, Entity.id == MatchResult.entity_id)
                .where(MatchResult.pack_version_id == v.id, MatchResult.as_of == day,
                       MatchResult.clause_key == clause))
        if status:
            stmt = stmt.where(MatchResult.status == status)
        if industry:
            stmt = stmt.where(Entity.industry == industry)
        if district:
            stmt = stmt.where(Entity.district == district)
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(stmt.order_by(Entity.credit_code).offset(offset).limit(limit))
        items = [ResultPublic(
            credit_code=e.credit_code, name=e.name, district=e.district, industry=e.industry,
            clause=r.clause_key, status=r.status,  # type: ignore[arg-type]
            amount=_money(r.amount), potential_amount=_money(r.potential_amount),
            amount_assumed=assumed, failed=r.detail.get("failed", []),
            gaps=[GapPublic.model_validate(g) for g in r.detail.get("gaps", [])],
            missing=r.detail.get("missing", []), version_key=r.version_key, as_of=r.as_of)
            for r, e in rows]
        return Page(total=total, offset=offset, limit=limit, items=items)


def _money(v: Any) -> str | None:
    return None if v is None else format(v, "f")
