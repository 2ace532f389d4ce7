"""What the push API takes and gives."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["email", "sms", "wecom", "dingtalk", "feishu"]


class MessagePublic(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    title_en: str
    body_en: str
    link: str
    detail: dict[str, Any]
    created_at: dt.datetime
    read_at: dt.datetime | None
    archived_at: dt.datetime | None


class InboxPublic(BaseModel):
    unread: int = Field(description="未读条数 / unread messages")
    items: list[MessagePublic]


class SubscriptionSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topics: dict[Literal["kinds", "industry", "issuer", "programme", "pack"],
                 list[str]] = Field(default_factory=dict)
    channels: list[Channel] = Field(default_factory=list, max_length=5)
    email: str | None = Field(default=None, max_length=200,
                              pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}$")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{6,20}$")
    quiet_from: int | None = Field(default=None, ge=0, le=23)
    quiet_until: int | None = Field(default=None, ge=0, le=23)
    digest: Literal["immediate", "daily", "weekly"] = "immediate"
    active: bool = True


class SubscriptionPublic(SubscriptionSet):
    model_config = ConfigDict(extra="ignore")

    unsubscribe: str = Field(description="退订链接(无需登录)/ the unsubscribe link")


class DeliveryPublic(BaseModel):
    id: int
    message_id: int
    title: str
    channel: str
    address: str
    state: str
    attempts: int
    due_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None


class RetryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[int] = Field(min_length=1, max_length=500)
