"""The push service: an enterprise's inbox (read, archive, the unread count shown on every
page), its subscription, its delivery log; the dead letters; unsubscribing by a signed link
without signing in."""

from __future__ import annotations

import base64
import hashlib
import hmac

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from huiqi.errors import InputError, NotFoundError
from huiqi.messages import message as message_text
from huiqi.service.audit import record
from huiqi.service.context import Context, Platform
from huiqi.service.enterprises import load
from huiqi.service.permissions import Permission, Scope
from huiqi.text import Text

from . import delivery as D
from .models import PushMessage, PushSubscription
from .schemas import (
    DeliveryPublic,
    InboxPublic,
    MessagePublic,
    SubscriptionPublic,
    SubscriptionSet,
)

MESSAGE = Text("消息", "message")


def _public(m: PushMessage) -> MessagePublic:
    return MessagePublic(id=m.id, kind=m.kind, title=m.title, body=m.body, title_en=m.title_en,
                         body_en=m.body_en, link=m.link, detail=dict(m.detail or {}),
                         created_at=m.created_at, read_at=m.read_at, archived_at=m.archived_at)


def unread_count(s: Session, entity_id: int) -> int:
    return int(s.scalar(select(func.count()).where(
        PushMessage.entity_id == entity_id, PushMessage.read_at.is_(None),
        PushMessage.archived_at.is_(None))) or 0)


def unread_of(platform: Platform, entity_id: int | None) -> int:
    """The unread count of the header of every page (0 without an enterprise)."""
    if entity_id is None:
        return 0
    with platform.db.read() as s:
        return unread_count(s, entity_id)


def inbox(ctx: Context, code: str, archived: bool = False, limit: int = 100) -> InboxPublic:
    ctx.require(Permission.PUSH_READ, code)
    with ctx.db.read() as s:
        e = load(s, code)
        stmt = select(PushMessage).where(PushMessage.entity_id == e.id)
        stmt = stmt.where(PushMessage.archived_at.is_not(None) if archived
                          else PushMessage.archived_at.is_(None))
        rows = s.scalars(stmt.order_by(PushMessage.id.desc()).limit(limit))
        return InboxPublic(unread=unread_count(s, e.id), items=[_public(m) for m in rows])


def message(ctx: Context, code: str, message_id: int) -> MessagePublic:
    ctx.require(Permission.PUSH_READ, code)
    with ctx.db.read() as s:
        e = load(s, code)
        m = s.get(PushMessage, message_id)
        if m is None or m.entity_id != e.id:
            raise NotFoundError(MESSAGE, str(message_id))
        return _public(m)


def mark(ctx: Context, code: str, message_id: int, what: str) -> MessagePublic:
    """Mark a message ``read`` or ``archived`` (an enterprise's own, or staff for it)."""
    ctx.require(Permission.PUSH_SUBSCRIBE, code)
    with ctx.db.write() as s:
        e = load(s, code)
        m = s.get(PushMessage, message_id)
        if m is None or m.entity_id != e.id:
            raise NotFoundError(MESSAGE, str(message_id))
        now = ctx.now()
        if m.read_at is None:
            m.read_at = now
        if what == "archived" and m.archived_at is None:
            m.archived_at = now
        record(s, ctx, f"push.{what}", target=f"{code} #{message_id}")
        return _public(m)


def _sub(s: Session, entity_id: int, account_id: int | None = None
         ) -> PushSubscription | None:
    """The enterprise's own subscription (``account_id`` None), or one user's to it."""
    cond = PushSubscription.account_id.is_(None) if account_id is None \
        else PushSubscription.account_id == account_id
    return s.scalar(select(PushSubscription).where(PushSubscription.entity_id == entity_id,
                                                   cond))


def _account(ctx: Context) -> int:
    if ctx.actor.account_id is None:
        raise InputError(message_text("push.no_account"))
    return ctx.actor.account_id


def unsubscribe_token(platform: Platform, subscription_id: int) -> str:
    """A link's token: the subscription and its HMAC under the platform's secret."""
    mac = hmac.new(platform.settings.secret(), f"push-unsubscribe:{subscription_id}".encode(),
                   hashlib.sha256).digest()[:16]
    return f"{subscription_id}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def _checked(platform: Platform, token: str) -> int:
    sid, _, _ = token.partition(".")
    if not sid.isdigit() or not hmac.compare_digest(unsubscribe_token(platform, int(sid)),
                                                    token):
        raise InputError(message_text("push.unsubscribe_invalid"))
    return int(sid)


def _shown(ctx: Context, sub: PushSubscription | None) -> SubscriptionPublic:
    if sub is None:
        return SubscriptionPublic(unsubscribe="")
    base = ctx.settings.push_base_url.rstrip("/")
    return SubscriptionPublic(
        topics=sub.topics or {}, channels=sub.channels or [], email=sub.email,
        phone=sub.phone, quiet_from=sub.quiet_from, quiet_until=sub.quiet_until,
        digest=sub.digest, active=sub.active,  # type: ignore[arg-type]
        unsubscribe=f"{base}/unsubscribe/{unsubscribe_token(ctx.platform, sub.id)}")


def subscription(ctx: Context, code: str) -> SubscriptionPublic:
    ctx.require(Permission.PUSH_READ, code)
    with ctx.db.read() as s:
        return _shown(ctx, _sub(s, load(s, code).id))


def my_subscription(ctx: Context, code: str) -> SubscriptionPublic:
    """The signed-in user's own subscription to an enterprise's messages (an enterprise's
    user to its own; a staff member to one they follow): anyone who may read them."""
    ctx.require(Permission.PUSH_READ, code)
    account = _account(ctx)
    with ctx.db.read() as s:
        return _shown(ctx, _sub(s, load(s, code).id, account))


def _write(ctx: Context, s: Session, entity_id: int, account_id: int | None,
           body: SubscriptionSet, target: str) -> None:
    sub = _sub(s, entity_id, account_id)
    before = None
    if sub is None:
        sub = PushSubscription(entity_id=entity_id, account_id=account_id)
        s.add(sub)
    else:
        before = {"channels": sub.channels, "digest": sub.digest, "active": sub.active,
                  "topics": sub.topics}
    sub.topics = {k: list(dict.fromkeys(v)) for k, v in body.topics.items() if v}
    sub.channels = list(dict.fromkeys(body.channels))
    sub.email, sub.phone, sub.digest, sub.active = body.email, body.phone, body.digest, \
        body.active
    sub.quiet_from, sub.quiet_until = body.quiet_from, body.quiet_until
    sub.updated_at = ctx.now()
    record(s, ctx, "push.subscribe" if account_id is None else "push.subscribe_user",
           target=target, before=before,
           after={"channels": sub.channels, "digest": sub.digest, "active": sub.active,
                  "topics": sub.topics})


def subscribe(ctx: Context, code: str, body: SubscriptionSet) -> SubscriptionPublic:
    ctx.require(Permission.PUSH_SUBSCRIBE, code)
    with ctx.db.write() as s:
        _write(ctx, s, load(s, code).id, None, body, code)
    return subscription(ctx, code)


def subscribe_me(ctx: Context, code: str, body: SubscriptionSet) -> SubscriptionPublic:
    """Set the signed-in user's own subscription to an enterprise's messages (see
    :func:`my_subscription`); the enterprise's own subscription is not touched."""
    ctx.require(Permission.PUSH_READ, code)
    account = _account(ctx)
    with ctx.db.write() as s:
        _write(ctx, s, load(s, code).id, account, body, f"{code} {ctx.actor.username}")
    return my_subscription(ctx, code)


def unsubscribe(platform: Platform, token: str) -> bool:
    """Turn a subscription off by its signed link (no sign-in); a tampered link is refused."""
    sid = _checked(platform, token)
    ctx = platform.system()
    with platform.db.write() as s:
        sub = s.get(PushSubscription, sid)
        if sub is None:
            raise InputError(message_text("push.unsubscribe_invalid"))
        sub.active, sub.updated_at = False, platform.now()
        record(s, ctx, "push.unsubscribe", target=str(sid), detail="by the signed link")
        return True


def deliveries(ctx: Context, code: str, limit: int = 200) -> list[DeliveryPublic]:
    ctx.require(Permission.PUSH_READ, code)
    with ctx.db.read() as s:
        e = load(s, code)
        return [DeliveryPublic(id=d.id, message_id=m.id, title=m.title, channel=d.channel,
                               address=d.address, state=d.state, attempts=d.attempts,
                               due_at=d.due_at, sent_at=d.sent_at, last_error=d.last_error)
                for d, m in D.delivery_log(s, e.id, limit)]


def dead(ctx: Context) -> list[DeliveryPublic]:
    ctx.require(Permission.PUSH_ADMIN)
    with ctx.db.read() as s:
        out = []
        for d in D.dead_letters(s):
            m = s.get_one(PushMessage, d.message_id)
            out.append(DeliveryPublic(id=d.id, message_id=m.id, title=m.title, channel=d.channel,
                                      address=d.address, state=d.state, attempts=d.attempts,
                                      due_at=d.due_at, sent_at=d.sent_at,
                                      last_error=d.last_error))
        return out


def retry(ctx: Context, ids: list[int]) -> int:
    ctx.require(Permission.PUSH_ADMIN)
    return D.retry_dead(ctx, ids)


def mark_all_read(ctx: Context, code: str) -> int:
    ctx.require(Permission.PUSH_SUBSCRIBE, code)
    with ctx.db.write() as s:
        e = load(s, code)
        n = s.execute(update(PushMessage).where(PushMessage.entity_id == e.id,
                                                PushMessage.read_at.is_(None))
                      .values(read_at=ctx.now()).execution_options(synchronize_session=False))
        return int(getattr(n, "rowcount", 0) or 0)


__all__ = ["Scope", "dead", "deliveries", "inbox", "mark", "message", "my_subscription", "retry",
           "subscribe", "subscribe_me", "subscription", "unread_of", "unsubscribe",
           "unsubscribe_token"]
