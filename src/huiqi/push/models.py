"""The tables of push (migration 0013)::

    push_message        one message to one enterprise (its inbox), unique per idempotency key
    push_delivery       one message sent by one external channel: pending → sending → sent,
                        or back to pending with a later ``due_at`` (retry), or ``dead``
    push_subscription   what an enterprise (or one of its users) wants, by which channels,
                        quiet hours and digests
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base
from huiqi.store.types import BigKey, JSONText, UTCDateTime


class PushMessage(Base):
    """One message to one enterprise; the inbox is these rows. ``key`` (enterprise ×
    clause × pack version × kind, or enterprise × subject × stage) makes it unique: a
    second publication of the same change adds nothing."""

    __tablename__ = "push_message"
    __table_args__ = (Index("ix_push_message_inbox", "entity_id", "archived_at", "id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    #: clause, amount, assumed, deadline, missing … (what the message was made from)
    detail: Mapped[Any] = mapped_column(JSONText())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class PushDelivery(Base):
    """One message by one external channel to one address."""

    __tablename__ = "push_delivery"
    __table_args__ = (UniqueConstraint("message_id", "channel", "address"),
                      Index("ix_push_delivery_due", "state", "due_at"),
                      Index("ix_push_delivery_entity", "entity_id", "id"),
                      Index("ix_push_delivery_rate", "channel", "claimed_at"))

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("push_message.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    #: pending | sending | sent | dead
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: None: sent alone; daily | weekly | morning (held by quiet hours): sent with the other
    #: deliveries of its address due at the same time, as one digest
    digest: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    dead_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class PushCursor(Base):
    """How far a trigger has read (domain events, published pack versions): its position is
    saved in the transaction that writes the messages, so nothing is told twice."""

    __tablename__ = "push_cursor"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(BigKey)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PushSubscription(Base):
    """What one enterprise (``account_id`` None) or one of its users wants told."""

    __tablename__ = "push_subscription"
    __table_args__ = (UniqueConstraint("entity_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    #: kinds of support, industries, issuers, programmes ({"kinds": [...], ...}); empty: all
    topics: Mapped[Any] = mapped_column(JSONText())
    #: external channels wanted: email, sms, wecom, dingtalk, feishu
    channels: Mapped[Any] = mapped_column(JSONText())
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    #: quiet hours in China time, e.g. 22 → 8 (None: none)
    quiet_from: Mapped[int | None] = mapped_column(Integer)
    quiet_until: Mapped[int | None] = mapped_column(Integer)
    #: immediate | daily | weekly
    digest: Mapped[str] = mapped_column(String(16), default="immediate")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
