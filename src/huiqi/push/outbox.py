"""Writing messages: in the transaction of the change that causes them (the outbox).

    with ctx.db.write() as s:
        version.published_at = now                       # the change …
        notify(s, ctx, clause_notice(...))               # … and its messages: one commit

:func:`notify` adds the inbox message and one delivery per external channel the enterprise's
subscriptions ask for, unless a message of the same key exists (then nothing: publishing
twice, or a trigger handled twice, tells nobody twice). Quiet hours (China time) move a
delivery to the morning; a daily or weekly digest moves it to the digest's time, where the
worker sends all of one address's deliveries of that time as one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.clock import CHINA
from huiqi.service.context import Context
from huiqi.workflow.events import Subject, emit

from .channels import ROBOTS, configured
from .models import PushDelivery, PushMessage, PushSubscription

DIGEST_HOUR = 9  # daily and weekly digests go at 09:00 China time (weekly: Mondays)


@dataclass(frozen=True)
class Notice:
    """One message to one enterprise, before it is written."""

    entity_id: int
    kind: str
    key: str
    title: str
    body: str
    title_en: str
    body_en: str
    link: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    #: what the message is about, for topic filters: {"kinds": "...", "issuer": ...}
    topics: Mapping[str, str] = field(default_factory=dict)


def clause_key(entity_id: int, clause: str, version: str | int, kind: str,
               facts: int | None = None) -> str:
    """The idempotency key of a message about a clause: enterprise × clause × pack version
    × kind — and, for a result computed from the enterprise's stored facts, which state of
    them (``facts``: its last value row's id, :func:`huiqi.registry.entities.latest_values`).
    A version published and the facts changed before the worker's round: the version's
    trigger and the facts' trigger each compare their own before with the same after (the
    new version on the new facts), and write one key — whichever runs first; a later state
    of the facts (eligible again after losing it) is a new message."""
    state = "" if facts is None else f":f{facts}"
    return f"{entity_id}:{clause}:{version}{state}:{kind}"[:200]


def _yuan(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return f"{amount.quantize(Decimal('0.01')):,} 元"


KIND_TEXT = {
    "eligible.new": ("新符合", "now eligible"),
    "eligible.near": ("差一项即可申报", "one condition short"),
    "eligible.lost": ("不再符合", "no longer eligible"),
    "amount.changed": ("可获金额变化", "amount changed"),
}


def clause_notice(*, entity_id: int, enterprise: str, kind: str, clause: str,
                  clause_title: str, version: str | int, link: str,
                  clause_title_en: str | None = None,
                  amount: Decimal | None = None, assumed: bool = False,
                  before: Decimal | None = None, deadline: dt.date | None = None,
                  missing: Sequence[str] = (), topics: Mapping[str, str] | None = None,
                  facts: int | None = None) -> Notice:
    """A message about one clause: the clause by its title (never its id: the enterprise
    reads it), the amount (assumed amounts marked), the deadline, what is missing, a link;
    Chinese first."""
    zh, en = KIND_TEXT.get(kind, (kind, kind))
    mark = "(按假设数据估算)" if assumed else ""
    mark_en = " (estimated from assumed facts)" if assumed else ""
    title_en = clause_title_en or clause_title
    lines = [f"{enterprise}:{zh} — {clause_title}"]
    lines_en = [f"{enterprise}: {en} — {title_en}"]
    if amount is not None or before is not None:
        if kind == "amount.changed":
            lines.append(f"金额:{_yuan(before)} → {_yuan(amount)}{mark}")
            lines_en.append(f"Amount: {_yuan(before)} → {_yuan(amount)}{mark_en}")
        else:
            lines.append(f"金额:{_yuan(amount)}{mark}")
            lines_en.append(f"Amount: {_yuan(amount)}{mark_en}")
    if deadline is not None:
        lines.append(f"截止日期:{deadline.isoformat()}")
        lines_en.append(f"Deadline: {deadline.isoformat()}")
    if missing:
        lines.append("还差:" + ";".join(missing))
        lines_en.append("Missing: " + "; ".join(missing))
    return Notice(entity_id=entity_id, kind=kind,
                  key=clause_key(entity_id, clause, version, kind, facts),
                  title=f"【{zh}】{clause_title}"[:200], body="\n".join(lines),
                  title_en=f"[{en}] {title_en}"[:200], body_en="\n".join(lines_en), link=link,
                  detail={"clause": clause, "version": str(version),
                          "amount": None if amount is None else str(amount),
                          "before": None if before is None else str(before),
                          "assumed": assumed,
                          "deadline": None if deadline is None else deadline.isoformat(),
                          "missing": list(missing)},
                  topics=dict(topics or {}))


def quiet_until(sub: PushSubscription, at: dt.datetime) -> dt.datetime:
    """``at``, or the end of the subscription's quiet hours if ``at`` falls in them."""
    if sub.quiet_from is None or sub.quiet_until is None or sub.quiet_from == sub.quiet_until:
        return at
    local = at.astimezone(CHINA)
    h, start, end = local.hour, sub.quiet_from, sub.quiet_until
    quiet = (start <= h < end) if start < end else (h >= start or h < end)
    if not quiet:
        return at
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning += dt.timedelta(days=1)
    return morning.astimezone(dt.UTC)


def digest_time(digest: str, at: dt.datetime) -> dt.datetime:
    """When a daily (09:00 next) or weekly (Monday 09:00 next) digest goes."""
    local = at.astimezone(CHINA)
    nine = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if nine <= local:
        nine += dt.timedelta(days=1)
    if digest == "weekly":
        nine += dt.timedelta(days=(7 - nine.weekday()) % 7)
    return nine.astimezone(dt.UTC)


def wants(sub: PushSubscription, topics: Mapping[str, str]) -> bool:
    """Whether a subscription's topics take a message about ``topics`` (no filter: all)."""
    filters: Mapping[str, Iterable[str]] = sub.topics or {}
    for name, values in filters.items():
        allowed = list(values)
        if allowed and name in topics and topics[name] not in allowed:
            return False
    return True


def when(sub: PushSubscription, now: dt.datetime) -> tuple[dt.datetime, str | None]:
    """When a delivery for ``sub`` made ``now`` is due, and as which digest (None: alone;
    ``morning``: held by quiet hours; ``daily`` / ``weekly``) — the same for one message
    (:func:`notify`) and for a population's (:func:`huiqi.push.bulk.enqueue`)."""
    due = quiet_until(sub, now)
    digest = "morning" if due != now else None
    if sub.digest in ("daily", "weekly"):
        due, digest = quiet_until(sub, digest_time(sub.digest, now)), sub.digest
    return due, digest


def addresses(sub: PushSubscription, have: Sequence[str]) -> list[tuple[str, str]]:
    """(channel, address) of each external channel ``sub`` wants that is configured."""
    return _addresses(sub, have)


def _addresses(sub: PushSubscription, have: Sequence[str]) -> list[tuple[str, str]]:
    out = []
    for channel in sub.channels or []:
        if channel not in have:
            continue
        if channel == "email" and sub.email:
            out.append(("email", sub.email))
        elif channel == "sms" and sub.phone:
            out.append(("sms", sub.phone))
        elif channel in ROBOTS:
            out.append((channel, channel))
    return out


def notify(s: Session, ctx: Context, notice: Notice) -> PushMessage | None:
    """Write ``notice`` and its deliveries in ``s``; None (and nothing written) if a message
    of its key exists already."""
    if s.scalar(select(PushMessage.id).where(PushMessage.key == notice.key)) is not None:
        return None
    now = ctx.now()
    msg = PushMessage(key=notice.key, entity_id=notice.entity_id, kind=notice.kind,
                      title=notice.title, body=notice.body, title_en=notice.title_en,
                      body_en=notice.body_en, link=notice.link, detail=dict(notice.detail),
                      created_at=now)
    s.add(msg)
    s.flush()
    have = configured(ctx.settings)
    seen: set[tuple[str, str]] = set()
    subs = s.scalars(select(PushSubscription).where(
        PushSubscription.entity_id == notice.entity_id, PushSubscription.active.is_(True))
        .order_by(PushSubscription.id))
    for sub in subs:
        if not wants(sub, notice.topics):
            continue
        due, digest = when(sub, now)
        for channel, address in _addresses(sub, have):
            if (channel, address) in seen:
                continue
            seen.add((channel, address))
            s.add(PushDelivery(message_id=msg.id, entity_id=notice.entity_id, channel=channel,
                               address=address, state="pending", due_at=due, digest=digest,
                               attempts=0))
    emit(s, ctx, "push.message", Subject("enterprise", notice.entity_id),
         {"message": msg.id, "kind": notice.kind, "key": notice.key})
    return msg


__all__ = ["Notice", "addresses", "clause_key", "clause_notice", "digest_time", "notify",
           "quiet_until", "wants", "when"]
