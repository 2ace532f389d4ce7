"""Trigger: an enterprise's facts changed (an import, a staff member's or the enterprise's
own change, a confirmed claim — every write of facts adds a ``fact_change`` row in its own
transaction, :mod:`huiqi.registry.changes`).

The worker's round takes those rows, :data:`BATCH` at a time with all the others of their
enterprises (an import of a million rows is told in bounded transactions; one enterprise's
changes are compared at once, from the first one's before to the last one's after), matches
each enterprise with the one-enterprise engine against every published version twice —
with its facts before the changes and after — and tells it per :mod:`huiqi.push.who`
(newly eligible, newly one condition short where it can act, no longer eligible, amount
changed). The messages and the deletion of the rows they
tell commit together: a worker killed half-way leaves the rows, and a second round writes
the same idempotency keys (the last change's id is in them), so nothing is told twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
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

from .outbox import clause_notice, notify
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
        for c in matcher(ctx, key, v, day).match(ent).clauses:
            out[(key, c.key)] = outcome(c)
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
          after: Facts, versions: Sequence[tuple[str, PackVersion]],
          day: dt.date) -> int:
    n = 0
    last = changes[-1].id
    for pack, version, kind, now, was in told(ctx, s, e, changes, after, versions, day):
        notice = clause_notice(
            entity_id=e.id, enterprise=e.name, kind=kind, clause=now.key,
            clause_title=now.key, version=f"{version}:facts{last}",
            link=link(ctx, now.key, pack), amount=now.amount, assumed=now.assumed,
            before=was.amount if was else None, deadline=now.deadline,
            missing=list(now.gaps or now.missing),
            topics={"pack": pack, "industry": e.industry or ""})
        n += notify(s, ctx, notice) is not None
    return n


def _taken(s: Session, limit: int) -> list[FactChange]:
    """The changes of the enterprises of the next ``limit`` changes — all of each one's, so
    that one comparison spans them. The enterprises' rows are
    locked first (skipping those a writer holds: their facts are being written; a later
    round takes them), so that no change of theirs commits while they are compared and the
    facts read are exactly those the changes taken lead to."""
    first = list(dict.fromkeys(s.scalars(select(FactChange.entity_id)
                                         .order_by(FactChange.id).limit(limit))))
    if not first:
        return []
    mine = list(s.scalars(select(Entity.id).where(Entity.id.in_(first)).order_by(Entity.id)
                          .with_for_update(skip_locked=True)))
    return list(s.scalars(select(FactChange).where(FactChange.entity_id.in_(mine))
                          .order_by(FactChange.id))) if mine else []


def from_facts(platform: Platform, worker: str = "worker", limit: int = BATCH,
               batches: int | None = None) -> int:
    """Tell what the facts changed since the last round, the changes of about ``limit`` a
    transaction (at most ``batches`` transactions: the rest is for the next round); how many
    messages were written."""
    ctx = platform.system()
    written = 0
    for _ in count() if batches is None else range(batches):
        with platform.db.write(lock=LOCK) as s:  # workers take turns (see the module)
            rows = _taken(s, limit)
            if not rows:  # none, or only enterprises being written now: the next round
                return written
            by_entity: dict[int, list[FactChange]] = {}
            for r in rows:
                by_entity.setdefault(r.entity_id, []).append(r)
            firms = list(s.scalars(select(Entity).where(Entity.id.in_(by_entity),
                                                        Entity.kind == "enterprise")
                                   .order_by(Entity.id)))
            versions = PV.all_published(s) if firms else []
            if versions:
                facts = E.latest_values(s, [e.id for e in firms])
                day = platform.today()
                for e in firms:
                    written += _tell(ctx, s, e, by_entity[e.id], facts[e.id],
                                     versions, day)
            s.execute(delete(FactChange).where(FactChange.id.in_([r.id for r in rows]))
                      .execution_options(synchronize_session=False))
    return written


#: transactions of fact changes a worker's round works at most (then timers and deliveries
#: get their turn; the rest is the next round's)
ROUND_BATCHES = 25


@each_round
def _round(platform: Platform, worker: str) -> int:
    return from_facts(platform, worker, batches=ROUND_BATCHES)


__all__ = ["BATCH", "from_facts", "told"]
