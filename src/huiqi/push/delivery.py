"""Delivering: the worker's round (``huiqi worker``, or the one inside ``huiqi serve``).

A delivery is **claimed** in one short transaction (``pending`` → ``sending``, with the
worker's name, the time and a lease; on PostgreSQL ``FOR UPDATE SKIP LOCKED`` so that
workers take different ones), **sent** outside any transaction, and **recorded** (``sent``,
or back to ``pending`` after 1, 2, 4 … minutes, or ``dead`` after
``HUIQI_PUSH_MAX_ATTEMPTS`` tries) in another. A worker killed before recording leaves the
delivery ``sending``; when its lease ends another worker sends it again, with the same
idempotency key (the e-mail's ``Message-ID``, the SMS provider's ``key``), so nothing is
lost and a receiver can tell a repeat. A delivery already recorded as sent is never sent
again. Deliveries of one address due at the same time (a digest, or what quiet hours held
until the morning) go as one.

Rate limits per channel: a channel that has had ``HUIQI_PUSH_RATE_PER_MINUTE[channel]``
claims in the last minute is skipped until the minute has passed (group robots refuse more
than about 20 a minute).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from huiqi.service.audit import record
from huiqi.service.context import Context, Platform
from huiqi.workflow.events import Subject, emit
from huiqi.workflow.timers import each_round

from .channels import CHANNELS, ChannelError, Outgoing, Sender
from .models import PushDelivery, PushMessage

log = logging.getLogger("huiqi.push")

BATCH = 50        # deliveries of one address sent as one digest, at most
ERROR_MAX = 500
BACKOFF_MAX = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Claim:
    ids: tuple[int, ...]
    channel: str
    claimed_at: dt.datetime
    attempts: int
    out: Outgoing


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4 … minutes, at most 6 hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _due(now: dt.datetime) -> object:
    return or_(and_(PushDelivery.state == "pending", PushDelivery.due_at <= now),
               and_(PushDelivery.state == "sending", PushDelivery.lease_until < now))


def _blocked(s: Session, now: dt.datetime, limits: Mapping[str, int]) -> list[str]:
    since = now - dt.timedelta(minutes=1)
    counts = s.execute(select(PushDelivery.channel, func.count()).where(
        PushDelivery.claimed_at >= since).group_by(PushDelivery.channel))
    return [c for c, n in counts if c in limits and n >= limits[c]]


def _outgoing(rows: list[PushDelivery], messages: list[PushMessage]) -> Outgoing:
    first = rows[0]
    keys = [f"{m.key}:{first.channel}" for m in messages]
    if len(messages) == 1:
        m = messages[0]
        return Outgoing(key=keys[0], address=first.address, title=m.title,
                        body=f"{m.body}\n\n{m.title_en}\n{m.body_en}", link=m.link)
    key = "digest:" + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:40]
    body = "\n\n".join(f"{i}. {m.title}\n{m.body}\n{m.link}" for i, m in
                       enumerate(messages, 1))
    return Outgoing(key=key, address=first.address,
                    title=f"惠企消息汇总:{len(messages)} 条 / {len(messages)} messages",
                    body=body, link=messages[0].link.split("/clauses/")[0] + "/inbox")


def claim(platform: Platform, worker: str) -> Claim | None:
    """Claim the next due delivery (and those of its address due at the same time)."""
    settings = platform.settings
    with platform.db.write() as s:
        now = platform.now()
        blocked = _blocked(s, now, settings.push_rate_per_minute)
        stmt = select(PushDelivery).where(_due(now))  # type: ignore[arg-type]
        if blocked:
            stmt = stmt.where(PushDelivery.channel.not_in(blocked))
        first = s.scalar(stmt.order_by(PushDelivery.due_at, PushDelivery.id).limit(1)
                         .with_for_update(skip_locked=True))
        if first is None:
            return None
        rows = [first]
        if first.digest is not None:
            rows += s.scalars(select(PushDelivery).where(
                _due(now), PushDelivery.id != first.id,  # type: ignore[arg-type]
                PushDelivery.channel == first.channel, PushDelivery.address == first.address,
                PushDelivery.due_at == first.due_at, PushDelivery.digest.is_not(None))
                .order_by(PushDelivery.id).limit(BATCH - 1).with_for_update(skip_locked=True))
        lease = now + dt.timedelta(seconds=settings.push_lease_seconds)
        for row in rows:
            row.state, row.claimed_by, row.claimed_at = "sending", worker[:64], now
            row.lease_until, row.attempts = lease, row.attempts + 1
        messages = list(s.scalars(select(PushMessage).where(
            PushMessage.id.in_([r.message_id for r in rows])).order_by(PushMessage.id)))
        return Claim(ids=tuple(r.id for r in rows), channel=first.channel, claimed_at=now,
                     attempts=max(r.attempts for r in rows),
                     out=_outgoing(rows, messages))


def finish(platform: Platform, c: Claim, worker: str, error: str | None) -> int:
    """Record the outcome of a claim (only rows still claimed by this worker and claim);
    how many rows were recorded."""
    ctx = platform.system()
    with platform.db.write() as s:
        now = platform.now()
        mine = (PushDelivery.id.in_(c.ids), PushDelivery.state == "sending",
                PushDelivery.claimed_by == worker[:64], PushDelivery.claimed_at == c.claimed_at)
        if error is None:
            values: dict[str, object] = {"state": "sent", "sent_at": now, "lease_until": None,
                                         "last_error": None}
        elif c.attempts >= platform.settings.push_max_attempts:
            values = {"state": "dead", "dead_at": now, "lease_until": None,
                      "last_error": error[:ERROR_MAX]}
        else:
            values = {"state": "pending", "due_at": now + backoff(c.attempts),
                      "lease_until": None, "last_error": error[:ERROR_MAX]}
        n = int(getattr(s.execute(update(PushDelivery).where(*mine).values(**values)
                                  .execution_options(synchronize_session=False)),
                        "rowcount", 0) or 0)
        if values["state"] == "dead" and n:
            emit(s, ctx, "push.dead", Subject("push_delivery", c.ids[0]),
                 {"deliveries": list(c.ids), "channel": c.channel})
        return n


def deliver_one(platform: Platform, worker: str = "worker",
                senders: Mapping[str, Sender] | None = None) -> Claim | None:
    """Claim, send, record one delivery (or one address's batch); None if nothing is due."""
    c = claim(platform, worker)
    if c is None:
        return None
    send = (senders or CHANNELS).get(c.channel)
    error: str | None = None
    try:
        if send is None:
            raise ChannelError(f"unknown channel {c.channel!r}")
        send(platform.settings, c.out)
    except ChannelError as exc:
        error = str(exc)
    except Exception as exc:  # a bug in a channel must not stop the worker
        log.exception("push: channel %s failed", c.channel)
        error = f"{type(exc).__name__}: {exc}"
    finish(platform, c, worker, error)
    return c


def deliver_due(platform: Platform, worker: str = "worker", limit: int = 1000,
                senders: Mapping[str, Sender] | None = None) -> int:
    """Deliver what is due until nothing is (or ``limit``); how many claims were handled."""
    n = 0
    while n < limit and deliver_one(platform, worker, senders) is not None:
        n += 1
    return n


# ------------------------------------------------------------ dead letters, the delivery log

def dead_letters(s: Session, entity_id: int | None = None, limit: int = 200
                 ) -> list[PushDelivery]:
    stmt = select(PushDelivery).where(PushDelivery.state == "dead")
    if entity_id is not None:
        stmt = stmt.where(PushDelivery.entity_id == entity_id)
    return list(s.scalars(stmt.order_by(PushDelivery.id.desc()).limit(limit)))


def retry_dead(ctx: Context, ids: list[int]) -> int:
    """Send dead deliveries again (an administrator's decision, audited); how many."""
    with ctx.db.write() as s:
        now = ctx.now()
        n = int(getattr(s.execute(update(PushDelivery).where(
            PushDelivery.id.in_(ids), PushDelivery.state == "dead").values(
            state="pending", due_at=now, attempts=0, dead_at=None)
            .execution_options(synchronize_session=False)), "rowcount", 0) or 0)
        record(s, ctx, "push.retry", target=",".join(map(str, ids))[:200],
               detail=f"{n} dead deliveries sent again")
        return n


def delivery_log(s: Session, entity_id: int, limit: int = 200
                 ) -> list[tuple[PushDelivery, PushMessage]]:
    rows = s.execute(select(PushDelivery, PushMessage).join(
        PushMessage, PushMessage.id == PushDelivery.message_id).where(
        PushDelivery.entity_id == entity_id).order_by(PushDelivery.id.desc()).limit(limit))
    return [(d, m) for d, m in rows]


@each_round
def _round(platform: Platform, worker: str) -> int:
    return deliver_due(platform, worker)

__all__ = ["Claim", "backoff", "claim", "dead_letters", "deliver_due", "deliver_one",
           "delivery_log", "finish", "retry_dead"]
