"""Push (issue 15): an enterprise's inbox, subscription and delivery log; dead letters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from huiqi.push import service as push
from huiqi.push.schemas import (
    DeliveryPublic,
    InboxPublic,
    MessagePublic,
    RetryRequest,
    SubscriptionPublic,
    SubscriptionSet,
)
from huiqi.service.permissions import Permission, Scope

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses
from .params import CodePath

router = APIRouter(route_class=Guarded, prefix="/push", tags=["push 推送"],
                   responses=responses(401, 403, 404, 422))
READ, WRITE = rule(Permission.PUSH_READ), rule(Permission.PUSH_SUBSCRIBE)
ADMIN = rule(Permission.PUSH_ADMIN, Scope.ALL)
MessageId = Annotated[int, Path(ge=1, le=2**62, description="消息编号 / message id")]


@router.get("/enterprises/{code}/inbox", openapi_extra=READ, response_model=InboxPublic)
def inbox(code: CodePath, ctx: ContextDep, archived: bool = False) -> InboxPublic:
    """企业的消息(含未读数)/ An enterprise's messages, with the unread count."""
    return push.inbox(ctx, code, archived)


@router.get("/enterprises/{code}/inbox/{message_id}", openapi_extra=READ,
            response_model=MessagePublic)
def message(code: CodePath, message_id: MessageId, ctx: ContextDep) -> MessagePublic:
    """一条消息 / One message."""
    return push.message(ctx, code, message_id)


@router.post("/enterprises/{code}/inbox/{message_id}/read", openapi_extra=WRITE,
             response_model=MessagePublic)
def read(code: CodePath, message_id: MessageId, ctx: ContextDep) -> MessagePublic:
    """标为已读 / Mark read."""
    return push.mark(ctx, code, message_id, "read")


@router.post("/enterprises/{code}/inbox/{message_id}/archive", openapi_extra=WRITE,
             response_model=MessagePublic)
def archive(code: CodePath, message_id: MessageId, ctx: ContextDep) -> MessagePublic:
    """归档 / Archive."""
    return push.mark(ctx, code, message_id, "archived")


@router.get("/enterprises/{code}/subscription", openapi_extra=READ,
            response_model=SubscriptionPublic)
def get_subscription(code: CodePath, ctx: ContextDep) -> SubscriptionPublic:
    """订阅设置 / The subscription: topics, channels, quiet hours, digest."""
    return push.subscription(ctx, code)


@router.put("/enterprises/{code}/subscription", openapi_extra=WRITE,
            response_model=SubscriptionPublic)
def put_subscription(code: CodePath, body: SubscriptionSet, ctx: ContextDep
                     ) -> SubscriptionPublic:
    """修改订阅 / Change the subscription."""
    return push.subscribe(ctx, code, body)


@router.get("/enterprises/{code}/subscription/mine", openapi_extra=READ,
            response_model=SubscriptionPublic)
def get_my_subscription(code: CodePath, ctx: ContextDep) -> SubscriptionPublic:
    """本人的订阅 / The signed-in user's own subscription to the enterprise's messages."""
    return push.my_subscription(ctx, code)


@router.put("/enterprises/{code}/subscription/mine", openapi_extra=READ,
            response_model=SubscriptionPublic)
def put_my_subscription(code: CodePath, body: SubscriptionSet, ctx: ContextDep
                        ) -> SubscriptionPublic:
    """修改本人的订阅(可阅读该企业消息者)/ Change one's own subscription (whoever may read
    the enterprise's messages: its users, staff following it)."""
    return push.subscribe_me(ctx, code, body)


@router.get("/enterprises/{code}/deliveries", openapi_extra=READ,
            response_model=list[DeliveryPublic])
def deliveries(code: CodePath, ctx: ContextDep) -> list[DeliveryPublic]:
    """发送记录 / The delivery log."""
    return push.deliveries(ctx, code)


@router.get("/dead", openapi_extra=ADMIN, response_model=list[DeliveryPublic])
def dead(ctx: ContextDep) -> list[DeliveryPublic]:
    """多次发送失败的消息 / Dead letters: deliveries that failed every try."""
    return push.dead(ctx)


@router.post("/dead/retry", openapi_extra=ADMIN)
def retry(body: RetryRequest, ctx: ContextDep) -> dict[str, int]:
    """重新发送 / Send dead letters again."""
    return {"retried": push.retry(ctx, body.ids)}
