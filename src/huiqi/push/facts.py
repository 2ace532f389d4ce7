"""Trigger: an enterprise's facts changed (an import, a staff member's or the enterprise's
own change, a confirmed claim — every write of facts adds a ``fact_change`` row in its own
transaction, :mod:`huiqi.registry.changes`).

The worker's round takes those rows, :data:`BATCH` at a time with all the others of their
enterprises (an import of a million rows is told in bounded transactions; one enterprise's
changes are compared at once, from the first one's before to the last one's after), matches
each enterprise with the one-enterprise engine against every published version twice —
with its facts before the changes and after — and tells it per :mod:`huiqi.push.who`
(newly eligible, newly one condition short where it can act, no longer eligible, amount
changed). The comparing is done outside any writing transaction (on SQLite one holds the
whole database: the pages would wait); then, in one transaction, each enterprise's row is
locked (skipped if a writer holds it) and, if its changes are still exactly those compared,
its messages are written and its changes deleted — together: a worker killed half-way
leaves the rows, and a second round writes the same idempotency keys (the state of the
facts compared is in them: :func:`huiqi.push.outbox.clause_key`), so nothing is told twice —
nor when a version was published before the same round: its announcement, compared on the
same new facts, writes the same keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import count

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from huiqi.facts.catalogue import default_catalogue
from huiqi.packs import versions as PV
from huiqi.registry import entities as E
from huiqi.registry.changes import FactChange, before_values
from huiqi.registry.profile import enterprise_of
from huiqi.registry.values import Stored
from huiqi.service.context import Context, Platform
from huiqi.service.policies import matcher
from huiqi.store.models import Entity, PackVersion
from huiqi.workflow.timers import each_round

from .outbox import Notice, clause_notice, notify
from .triggers import link
from .who import Outcome, classify, outcome

Facts = dict[tuple[str, int], Stored]

#: fact changes read (and told) per transaction
BATCH = 200
#: the lock of the transactions that tell fact changes: two workers splitting one
#: enterprise's changes between them would each compare a different before with the same
#: after (and tell it twice); they take turns instead
LOCK = "push.facts"


def _results(ctx: Context, s: Session, e: Entity, facts: Facts,
             versions: Sequence[tuple[str, PackVersion]], day: dt.date
             ) -> dict[tuple[str, str], Outcome]:
    ent = enterprise_of(s, default_catalogue(), e, day, facts)
    out: dict[tuple[str, str], Outcome] = {}
    for key, v in versions:
        m = matcher(ctx, key, v, day)
        for c in m.match(ent).clauses:
            out[(key, c.key)] = outcome(c, m.pack.clause(c.key))
    return out


def told(ctx: Context, s: Session, e: Entity, changes: Sequence[FactChange],
         after: Facts, versions: Sequence[tuple[str, PackVersion]],
         day: dt.date) -> Iterator[tuple[str, str, str, Outcome, Outcome | None]]:
    """(pack, version, kind, after, before) of each clause whose result the changes moved."""
    was = _results(ctx, s, e, before_values(after, changes), versions, day)
    now = _results(ctx, s, e, after, versions, day)
    numbers = {key: str(v.version_key or v.number) for key, v in versions}
    for pk, ck in sorted(set(now) | set(was)):
        kind = classify(was.get((pk, ck)), now.get((pk, ck)))
        if kind is not None:
            yield pk, numbers[pk], kind, now.get((pk, ck)) or was[(pk, ck)], was.get((pk, ck))


def _tell(ctx: Context, s: Session, e: Entity, changes: Sequence[FactChange],
          after: Facts, mark: int, versions: Sequence[tuple[str, PackVersion]],
          day: dt.date) -> list[Notice]:
    return [clause_notice(
        entity_id=e.id, enterprise=e.name, kind=kind, clause=now.key,
        clause_title=now.name("zh"), clause_title_en=now.name("en"),
        version=version, link=link(ctx, now.key, pack), amount=now.amount,
        assumed=now.assumed, before=was.amount if was else None, deadline=now.deadline,
        missing=list(now.gaps or now.missing), topics={"pack": pack, "industry": e.industry or ""},
        facts=mark)
        for pack, version, kind, now, was in told(ctx, s, e, changes, after, versions, day)]


@dataclass
class Plan:
    """What one batch tells: per enterprise, the changes it read and the messages they make."""

    changes: dict[int, list[int]] = field(default_factory=dict)
    notices: dict[int, list[Notice]] = field(default_factory=dict)


def _plan(platform: Platform, limit: int) -> Plan | None:
    """Read the changes of the enterprises of the next ``limit`` changes — all of each
    one's, so that one comparison spans them — and compute their messages, outside any
    writing transaction (on SQLite one holds the whole database). None: no changes."""
    ctx = platform.system()
    with platform.db.read() as s:
        first = list(dict.fromkeys(s.scalars(select(FactChange.entity_id)
                                             .order_by(FactChange.id).limit(limit))))
        if not first:
            return None
        rows = list(s.scalars(select(FactChange).where(FactChange.entity_id.in_(first))
                              .order_by(FactChange.id)))
        plan = Plan()
        by_entity: dict[int, list[FactChange]] = {}
        for r in rows:
            by_entity.setdefault(r.entity_id, []).append(r)
            plan.changes.setdefault(r.entity_id, []).append(r.id)
        firms = list(s.scalars(select(Entity).where(Entity.id.in_(by_entity),
                                                    Entity.kind == "enterprise")
                               .order_by(Entity.id)))
        versions = PV.all_published(s) if firms else []
        if versions:
            marks: dict[int, int] = {}
            facts = E.latest_values(s, [e.id for e in firms], marks)
            day = platform.today()
            for e in firms:
                plan.notices[e.id] = _tell(ctx, s, e, by_entity[e.id], facts[e.id],
                                           marks[e.id], versions, day)
        return plan


def _write(platform: Platform, plan: Plan) -> tuple[int, int]:
    """Write a plan's messages and delete its changes, for each enterprise whose changes
    are still exactly those planned — its row locked first, skipping those a writer holds
    (their facts are being written), so no change of it commits meanwhile. One whose facts
    changed since is left to the next round (the changes' rows stay). (enterprises told,
    messages written)."""
    ctx = platform.system()
    done = written = 0
    with platform.db.write(lock=LOCK) as s:  # workers take turns (see the module)
        mine = list(s.scalars(select(Entity.id).where(Entity.id.in_(plan.changes))
                              .order_by(Entity.id).with_for_update(skip_locked=True)))
        now: dict[int, list[int]] = {}
        for eid, cid in s.execute(select(FactChange.entity_id, FactChange.id).where(
                FactChange.entity_id.in_(mine)).order_by(FactChange.id)):
            now.setdefault(eid, []).append(cid)
        gone: list[int] = []
        for eid in mine:
            if now.get(eid) != plan.changes[eid]:
                continue
            for notice in plan.notices.get(eid, []):
                written += notify(s, ctx, notice) is not None
            gone += plan.changes[eid]
            done += 1
        if gone:
            s.execute(delete(FactChange).where(FactChange.id.in_(gone))
                      .execution_options(synchronize_session=False))
    return done, written


def from_facts(platform: Platform, worker: str = "worker", limit: int = BATCH,
               batches: int | None = None) -> int:
    """Tell what the facts changed since the last round, the changes of about ``limit``
    enterprises a transaction (at most ``batches``: the rest is for the next round); how
    many messages were written."""
    written = 0
    for _ in count() if batches is None else range(batches):
        plan = _plan(platform, limit)
        if plan is None:
            return written
        done, n = _write(platform, plan)
        written += n
        if not done:  # only enterprises being written, or changed since: the next round
            return written
    return written


#: transactions of fact changes a worker's round works at most (then timers and deliveries
#: get their turn; the rest is the next round's)
ROUND_BATCHES = 25


@each_round
def _round(platform: Platform, worker: str) -> int:
    return from_facts(platform, worker, batches=ROUND_BATCHES)


__all__ = ["BATCH", "from_facts", "told"]
