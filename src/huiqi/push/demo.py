"""Push in the demo (``huiqi init-demo``): the demo enterprise's inbox with messages unread,
read and archived (about clauses, programme windows opening and closing soon, its
applications and cases), its subscription and its user's own, a delivery
log with sent, waiting (quiet hours) and dead deliveries, others' subscriptions (digests, one
unsubscribed). The versions published by the demo itself are not announced, nor the
facts its imports wrote (every enterprise would be told of every clause at once); the
domain events of the demo's
programmes and cases are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from huiqi.registry.changes import FactChange
from huiqi.service.context import Platform
from huiqi.service.library import clause_title
from huiqi.store.models import Account, Entity, MatchResult, PackVersion
from huiqi.text import Text

from .models import PushDelivery, PushMessage, PushSubscription
from .outbox import clause_notice, notify
from .timed import PROGRAMME, window_notice
from .triggers import advance, from_events, link


@dataclass(frozen=True)
class Made:
    messages: int
    deliveries: int
    subscriptions: int


def _windows(s: Session, platform: Platform, e: Entity) -> list[PushMessage]:
    """The demo enterprise told of a programme's window opening and another's closing soon
    (the worker tells them on their dates; the demo shows one of each now)."""
    ctx = platform.system()
    out = []
    ids = list(s.scalars(text("SELECT id FROM programme WHERE mode <> 'automatic' "
                              "ORDER BY id LIMIT 2")))
    for pid, what in zip(ids, ("open", "closing"), strict=False):
        prog = s.execute(PROGRAMME, {"id": pid}).first()
        msg = notify(s, ctx, window_notice(ctx, e, what, prog, "100,000.00 元", True))
        if msg is not None:
            out.append(msg)
    return out


def populate(platform: Platform, first: str | None) -> Made:
    ctx = platform.system()
    now = platform.now()
    with platform.db.write() as s:
        top = s.scalar(select(func.max(PackVersion.id))) or 0
        advance(s, "versions", top, now)  # the demo's own publications: not announced
        s.execute(delete(FactChange))  # nor its own imports (every enterprise is new)
    from_events(platform)  # the programmes' and cases' events of the demo
    if first is None:
        return Made(0, 0, 0)
    with platform.db.write() as s:
        e = s.scalar(select(Entity).where(Entity.credit_code == first))
        assert e is not None
        s.add(PushSubscription(entity_id=e.id, account_id=None, topics={},
                               channels=["email", "wecom"], email="demo@example.com",
                               phone=None, quiet_from=22, quiet_until=8, digest="immediate",
                               active=True, updated_at=now))
        others = list(s.scalars(select(Entity).where(Entity.kind == "enterprise",
                                                     Entity.id != e.id)
                                .order_by(Entity.id).limit(3)))
        for other, digest, active in zip(others, ("daily", "weekly", "immediate"),
                                         (True, True, False), strict=False):
            s.add(PushSubscription(entity_id=other.id, account_id=None, topics={},
                                   channels=["email"], email=f"firm{other.id}@example.com",
                                   phone=None, quiet_from=None, quiet_until=None,
                                   digest=digest, active=active, updated_at=now))
        results = list(s.execute(select(MatchResult.clause_key, MatchResult.amount,
                                        MatchResult.version_key).where(
            MatchResult.entity_id == e.id)
            .order_by(MatchResult.status != "eligible", MatchResult.clause_key).limit(4)))
        kinds = ["eligible.new", "amount.changed", "eligible.near", "eligible.lost"]
        made: list[PushMessage] = []
        for (clause, amount, version), kind in zip(results, kinds, strict=False):
            title = clause_title(platform, clause) or Text(clause, clause)
            msg = notify(s, ctx, clause_notice(
                entity_id=e.id, enterprise=e.name, kind=kind, clause=clause,
                clause_title=title.zh, clause_title_en=title.en, version=version,
                link=link(ctx, clause, "seed"),
                amount=amount or Decimal(100000), assumed=amount is None,
                before=(amount or Decimal(0)) / 2 if kind == "amount.changed" else None,
                deadline=platform.today() + dt.timedelta(days=30),
                missing=["研发投入占营业收入比例:目前 2.5%,须不低于 3%,还差 0.5 个百分点"]
                if kind == "eligible.near" else []))
            if msg is not None:
                made.append(msg)
        made += _windows(s, platform, e)
        account = s.scalar(select(Account.id).where(Account.entity_id == e.id)
                           .order_by(Account.id).limit(1))
        if account is not None:  # the enterprise's user: a subscription of their own
            s.add(PushSubscription(entity_id=e.id, account_id=account,
                                   topics={"pack": ["seed"]}, channels=["email"],
                                   email="me@example.com", phone=None, quiet_from=21,
                                   quiet_until=9, digest="daily", active=True,
                                   updated_at=now))
        if len(made) >= 2:
            made[0].read_at = now
            made[1].read_at = made[1].archived_at = now
        states = [("sent", None), ("pending", None), ("dead", "SMTP: ConnectionRefusedError")]
        for msg, (state, error) in zip(made, states, strict=False):
            s.add(PushDelivery(
                message_id=msg.id, entity_id=e.id, channel="email", address="demo@example.com",
                state=state, due_at=now if state != "pending" else now + dt.timedelta(hours=8),
                digest="morning" if state == "pending" else None,
                attempts={"sent": 1, "pending": 0, "dead": 6}[state],
                sent_at=now if state == "sent" else None,
                dead_at=now if state == "dead" else None, last_error=error))
        s.flush()
        messages = s.scalar(select(func.count()).select_from(PushMessage)) or 0
        deliveries = s.scalar(select(func.count()).select_from(PushDelivery)) or 0
        subs = s.scalar(select(func.count()).select_from(PushSubscription)) or 0
    return Made(messages, deliveries, subs)
