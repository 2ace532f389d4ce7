"""Review decisions (issue 11, items 2–3): the platform records what a person decided on a
condition only a person can judge — a yes/no verdict, or the scores of a scored review —
with who, when, the evidence, the enterprise, the condition and the pack version.

The latest decision per entity, pack and condition counts; earlier ones are kept. Matching
one enterprise (:mod:`huiqi.service.matching`) and the park (:mod:`huiqi.service.population`)
read the same decisions (:func:`current`), so an enterprise gets the same status from both.
Recording a decision touches the entity, so that what was computed from its former
revision is not served again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.errors import InputError, NotFoundError
from huiqi.facts.enterprise import Decision
from huiqi.facts.io import score_of
from huiqi.packs import versions as PV
from huiqi.registry import entities as E
from huiqi.rules.model import ClauseSpec, ConditionSpec, Pack
from huiqi.store.models import Entity, MatchResult, MatchRun, ReviewDecision, ReviewScore
from huiqi.text import Text

from .audit import record
from .context import Context, requires
from .enterprises import load
from .permissions import Permission
from .policies import loaded
from .schemas import DecisionCreate, DecisionPublic, Page

CONDITION = Text("须人工判断的条件", "condition a person judges")


def review_condition(pack: Pack, key: str) -> ConditionSpec:
    """The condition ``policy/clause/condition`` of the pack, if a person judges it."""
    pol, _, rest = key.partition("/")
    clause, _, path = rest.partition("/")
    spec = pack.clause(f"{pol}/{clause}")
    cond = next((c for c in spec.all_conditions() if c.path == path), None) if spec else None
    if cond is None or cond.kind != "review":
        raise NotFoundError(CONDITION, key)
    return cond


def review_conditions(pack: Pack) -> list[tuple[ClauseSpec, ConditionSpec]]:
    """The conditions of a pack a person judges, with their clauses, in the pack's order."""
    return [(c, k) for c in pack.clauses() for k in c.all_conditions() if k.kind == "review"]


@requires(Permission.REVIEW_DECIDE)
def packs(ctx: Context) -> list[tuple[str, Text, int]]:
    """The published packs with conditions a person judges: key, title, how many."""
    with ctx.db.read() as s:
        published = PV.all_published(s)
    out = []
    for key, v in published:
        p = loaded(ctx, key, v)
        n = len(review_conditions(p))
        if n:
            out.append((key, p.title, n))
    return out


@dataclass(frozen=True)
class Waiting:
    """An enterprise waiting for a decision on a condition: not reviewed yet, or reviewed
    with a score the condition needs missing."""

    credit_code: str
    name: str
    condition: str  # policy/clause/condition
    state: str      # "not_reviewed" | "score_missing"


def _candidates(s: Session, version_id: int, day: dt.date, conds: dict[str, ConditionSpec]
                ) -> dict[tuple[int, str], tuple[str, str]]:
    """(entity, condition) → (credit code, name) for the stored results of ``day`` that
    wait on a condition of ``conds``: it needs review, or a score of it is missing (a
    clause not met on another condition waits for nobody)."""
    clauses = sorted({"/".join(k.split("/")[:2]) for k in conds})  # policy/clause
    rows = s.execute(select(MatchResult.entity_id, MatchResult.clause_key, MatchResult.detail,
                            Entity.credit_code, Entity.name)
                     .join(Entity, Entity.id == MatchResult.entity_id)
                     .where(MatchResult.pack_version_id == version_id, MatchResult.as_of == day,
                            MatchResult.clause_key.in_(clauses),
                            MatchResult.status != "not_eligible")
                     .order_by(Entity.credit_code))
    out: dict[tuple[int, str], tuple[str, str]] = {}
    for eid, clause, detail, code, name in rows:
        keys = [f"{clause}/{p}" for p in detail.get("needs_review", [])]
        keys += [m[6:].rpartition(":")[0] for m in detail.get("missing", [])
                 if m.startswith("score:")]
        for k in keys:
            if k in conds:
                out[(eid, k)] = (code, name)
    return out


@requires(Permission.REVIEW_DECIDE)
def waiting(ctx: Context, pack: str, limit: int = 500) -> tuple[dt.date | None, list[Waiting]]:
    """The enterprises waiting for a decision on a condition of the published version of
    ``pack``, by the latest stored run (its date; None: no run yet): those it left needing
    review or missing a score, less those decided since (a decision with every score)."""
    with ctx.db.read() as s:
        v = PV.published(s, pack)
    p = loaded(ctx, pack, v)
    conds = {f"{c.key}/{k.path}": k for c, k in review_conditions(p)}
    with ctx.db.read() as s:
        day = s.scalar(select(func.max(MatchRun.as_of)).where(MatchRun.pack_version_id == v.id))
        if day is None or not conds:
            return day, []
        found = _candidates(s, v.id, day, conds)
        decided = current(s, pack, sorted({eid for eid, _ in found}))
    out: list[Waiting] = []
    for (eid, key), (code, name) in found.items():
        d = decided.get(eid, {}).get(key)
        cond = conds[key]
        if d is None:
            out.append(Waiting(code, name, key, "not_reviewed"))
        elif isinstance(d, dict) and cond.score is not None and any(
                d.get(part) is None for part in cond.score.parts):
            out.append(Waiting(code, name, key, "score_missing"))
        if len(out) >= limit:
            break
    return day, out


def _scores(cond: ConditionSpec, body: DecisionCreate) -> dict[str, Decimal | None] | None:
    """The scores of a scored review's decision (a part not given: None), or None for a
    yes/no review; InputError saying what is wrong."""
    if cond.score is None:
        if body.verdict is None or body.scores is not None:
            raise InputError(Text(f"“{cond.label.zh}”是是否判断:请给出 verdict(true 或 false)",
                                  f"“{cond.label.en}” is a yes/no review: give verdict "
                                  f"(true or false)"))
        return None
    if body.verdict is not None or body.scores is None:
        raise InputError(Text(f"“{cond.label.zh}”须打分:请给出 scores(如 "
                              f"{{{', '.join(f'{p}: 60' for p in cond.score.parts)}}})",
                              f"“{cond.label.en}” is scored: give scores (its parts: "
                              f"{', '.join(cond.score.parts)})"))
    unknown = [p for p in body.scores if p not in cond.score.parts]
    if unknown:
        raise InputError(Text(f"“{cond.label.zh}”没有分项 {'、'.join(unknown)}(分项:"
                              f"{'、'.join(cond.score.parts)})",
                              f"“{cond.label.en}” has no part {', '.join(unknown)} (its parts: "
                              f"{', '.join(cond.score.parts)})"))
    out: dict[str, Decimal | None] = {}
    for part, spec in cond.score.parts.items():
        try:
            v = score_of(body.scores.get(part))
        except ValueError as exc:
            raise InputError(exc.args[0]) from None
        if v is not None and ((spec.lo is not None and v < spec.lo) or
                              (spec.hi is not None and v > spec.hi)):
            raise InputError(Text(f"{spec.label.zh}的得分 {v} 不在 {spec.lo}–{spec.hi} 之间",
                                  f"the score {v} of {spec.label.en} is not within "
                                  f"{spec.lo}–{spec.hi}"))
        out[part] = v
    return out


def _public(d: ReviewDecision, code: str, scores: dict[str, Decimal | None]) -> DecisionPublic:
    return DecisionPublic(
        id=d.id, credit_code=code, pack=d.pack, version_key=d.version_key,
        condition=d.condition, verdict=d.verdict,
        scores={p: None if v is None else format(v, "f") for p, v in scores.items()}
        if d.scored else None,
        evidence=d.evidence, decided_at=d.decided_at, decided_by=d.decided_by)


@requires(Permission.REVIEW_DECIDE)
def decide(ctx: Context, pack: str, code: str, body: DecisionCreate) -> DecisionPublic:
    """Record a decision on a condition of the published version of ``pack``."""
    with ctx.db.read() as s:
        v = PV.published(s, pack)
    p = loaded(ctx, pack, v)
    cond = review_condition(p, body.condition)
    scores = _scores(cond, body)
    with ctx.db.write() as s:
        e = load(s, code)
        d = ReviewDecision(entity_id=e.id, pack=pack, version_key=p.version_id,
                           condition=body.condition, verdict=body.verdict,
                           scored=scores is not None, evidence=body.evidence,
                           decided_at=ctx.now(), decided_by=ctx.actor.username)
        s.add(d)
        s.flush()
        for part, score in (scores or {}).items():
            s.add(ReviewScore(decision_id=d.id, part=part, score=score))
        E.touch(e, d.decided_at)  # the entity's results change: a new revision
        out = _public(d, e.credit_code, scores or {})
        record(s, ctx, "review.decide", target=f"{e.credit_code} {pack}:{body.condition}",
               after={"verdict": out.verdict, "scores": out.scores, "evidence": out.evidence,
                      "version": p.version_id})
        return out


@requires(Permission.ENTERPRISE_READ, enterprise="code")
def history(ctx: Context, pack: str, code: str, offset: int = 0, limit: int = 50
            ) -> Page[DecisionPublic]:
    """The decisions recorded for an enterprise under ``pack``, latest first."""
    with ctx.db.read() as s:
        e = load(s, code)
        rows = list(s.scalars(select(ReviewDecision).where(
            ReviewDecision.pack == pack, ReviewDecision.entity_id == e.id)
            .order_by(ReviewDecision.id.desc())))
        scores = _scores_of(s, [d.id for d in rows[offset:offset + limit]])
        return Page(total=len(rows), offset=offset, limit=limit,
                    items=[_public(d, e.credit_code, scores.get(d.id, {}))
                           for d in rows[offset:offset + limit]])


def _scores_of(s: Session, ids: list[int]) -> dict[int, dict[str, Decimal | None]]:
    out: dict[int, dict[str, Decimal | None]] = {}
    for i in range(0, len(ids), 500):
        for r in s.scalars(select(ReviewScore).where(ReviewScore.decision_id.in_(ids[i:i + 500]))):
            out.setdefault(r.decision_id, {})[r.part] = r.score
    return out


def current(s: Session, pack: str, entity_ids: list[int] | None = None
            ) -> dict[int, dict[str, Decision]]:
    """The decisions that count (the latest per entity and condition) under ``pack``, by
    entity id, as the engines read them; of every entity when ``entity_ids`` is None."""
    stmt = select(ReviewDecision).where(ReviewDecision.pack == pack)
    if entity_ids is not None:
        stmt = stmt.where(ReviewDecision.entity_id.in_(entity_ids))
    latest: dict[tuple[int, str], ReviewDecision] = {}
    for d in s.scalars(stmt.order_by(ReviewDecision.id)):
        latest[(d.entity_id, d.condition)] = d
    scores = _scores_of(s, [d.id for d in latest.values() if d.scored])
    out: dict[int, dict[str, Decision]] = {}
    for (eid, key), d in latest.items():
        decision: Any = dict(scores.get(d.id, {})) if d.scored else d.verdict
        if decision is not None:
            out.setdefault(eid, {})[key] = decision
    return out


def by_code(s: Session, pack: str) -> dict[str, dict[str, Decision]]:
    """:func:`current` of every entity, by credit code (as the park's table holds them)."""
    found = current(s, pack)
    if not found:
        return {}
    codes: dict[int, str] = {i: c for i, c in s.execute(
        select(Entity.id, Entity.credit_code).where(Entity.id.in_(list(found))))}
    return {codes[i]: d for i, d in found.items() if i in codes}


def _demo_scores(cond: ConditionSpec, state: str) -> dict[str, str | None]:
    """Scores for the demo: every part at the top of its range (passed), at the bottom
    (failed), or the first part left out and the others midway (a score missing)."""
    assert cond.score is not None
    out: dict[str, str | None] = {}
    for i, (part, spec) in enumerate(cond.score.parts.items()):
        lo, hi = spec.lo or Decimal(0), spec.hi if spec.hi is not None else Decimal(100)
        v = hi if state == "passed" else lo if state == "failed" else \
            None if i == 0 else (lo + hi) / 2
        out[part] = None if v is None else format(v.normalize(), "f")
    return out


def demo(ctx: Context, packs: list[str], codes: list[str]) -> int:
    """For the demo: decisions in every state on each condition a person judges of ``packs``
    — the first enterprise of ``codes`` passed, the second failed, the third reviewed with a
    score missing (a yes/no review: not reviewed), the others not reviewed. The count."""
    n = 0
    states = ("passed", "failed", "score_missing")
    for key in packs:
        with ctx.db.read() as s:
            v = PV.published(s, key)
        for clause, cond in review_conditions(loaded(ctx, key, v)):
            for code, state in zip(codes, states, strict=False):
                if cond.score is None and state == "score_missing":
                    continue
                body = DecisionCreate(
                    condition=f"{clause.key}/{cond.path}",
                    verdict=None if cond.score is not None else state == "passed",
                    scores=_demo_scores(cond, state) if cond.score is not None else None,
                    evidence={"passed": "演示:专家评审会纪要,同意通过",
                              "failed": "演示:专家评审会纪要,未达到要求",
                              "score_missing": "演示:市场前景分项待补评"}[state])
                decide(ctx, key, code, body)
                n += 1
    return n
