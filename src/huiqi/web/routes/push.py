"""Push in the pages (issue 15): the inbox (its unread count is in every page's header), a
message opening its clause or application, the subscription settings, unsubscribing by a
signed link without signing in, and the administrators' dead letters."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Form, Query, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from huiqi.api.access import PUBLIC
from huiqi.push import service as push
from huiqi.push.schemas import SubscriptionSet
from huiqi.service.permissions import Permission

from ..pages import Page, PageDep, Pages

router = Pages()
READ, WRITE, ADMIN = Permission.PUSH_READ, Permission.PUSH_SUBSCRIBE, Permission.PUSH_ADMIN
MessageId = Annotated[int, PathParam(ge=1, le=2**53)]
Code = Annotated[str | None, Query(pattern=r"^[0-9A-Za-z]{18}$")]
Token = Annotated[str, PathParam(max_length=100)]


def _valid(data: dict[str, object]) -> SubscriptionSet:
    try:
        return SubscriptionSet.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


def _code(p: Page, code: str | None) -> str | None:
    return p.actor.entity_code if p.actor and p.actor.entity_code else code


def _local(link: str) -> str:
    """A message's link, as an address of this site (the path and the anchor)."""
    u = urlsplit(link)
    return (u.path or "/") + (f"#{u.fragment}" if u.fragment else "")


@router.page("GET", "/inbox", READ)
def inbox(p: PageDep, code: Code = None, archived: bool = False) -> Response:
    c = _code(p, code)
    box = push.inbox(p.ctx, c, archived) if c else None
    return p.render("inbox.html", box=box, code=c, archived=archived)


@router.page("GET", "/inbox/settings", READ)
def settings(p: PageDep, code: Code = None, saved: bool = False) -> Response:
    c = _code(p, code)
    sub = push.subscription(p.ctx, c) if c else None
    return p.render("push_settings.html", sub=sub, code=c, saved=saved)


@router.page("POST", "/inbox/settings", WRITE)
def save(p: PageDep, code: Annotated[str, Form(max_length=18)] = "",
         channels: Annotated[list[str] | None, Form()] = None,
         email: Annotated[str, Form(max_length=200)] = "",
         phone: Annotated[str, Form(max_length=32)] = "",
         quiet_from: Annotated[str, Form(max_length=2)] = "",
         quiet_until: Annotated[str, Form(max_length=2)] = "",
         digest: Annotated[str, Form(pattern=r"^(immediate|daily|weekly)$")] = "immediate",
         active: Annotated[str, Form(max_length=3)] = "") -> Response:
    c = _code(p, code or None) or ""
    body = _valid({
        "channels": channels or [], "email": email or None, "phone": phone or None,
        "quiet_from": int(quiet_from) if quiet_from.isdigit() else None,
        "quiet_until": int(quiet_until) if quiet_until.isdigit() else None,
        "digest": digest, "active": active == "on"})
    push.subscribe(p.ctx, c, body)
    return RedirectResponse("/inbox/settings?saved=true" + (f"&code={c}" if code else ""),
                            status_code=303)


@router.page("GET", "/inbox/{message_id}", READ)
def open_message(p: PageDep, message_id: MessageId, code: Code = None) -> Response:
    """Opens what the message is about (and marks it read, if the reader may)."""
    c = _code(p, code) or ""
    m = push.message(p.ctx, c, message_id)
    if p.may(WRITE) and m.read_at is None:
        push.mark(p.ctx, c, message_id, "read")
    return RedirectResponse(_local(m.link), status_code=303)


@router.page("POST", "/inbox/{message_id}/archive", WRITE)
def archive(p: PageDep, message_id: MessageId, code: Annotated[str, Form(max_length=18)] = ""
            ) -> Response:
    c = _code(p, code or None) or ""
    push.mark(p.ctx, c, message_id, "archived")
    return RedirectResponse(f"/inbox?code={c}" if code else "/inbox", status_code=303)


@router.page("GET", "/unsubscribe/{token}", PUBLIC)
def unsubscribe_form(p: PageDep, token: Token) -> Response:
    return p.render("unsubscribe.html", token=token, done=False)


@router.page("POST", "/unsubscribe/{token}", PUBLIC)
def unsubscribe(p: PageDep, token: Token) -> Response:
    push.unsubscribe(p.platform, token)
    return p.render("unsubscribe.html", token=token, done=True)


@router.page("GET", "/staff/push/dead", ADMIN)
def dead(p: PageDep) -> Response:
    return p.render("push_dead.html", rows=push.dead(p.ctx))


@router.page("POST", "/staff/push/dead/retry", ADMIN)
def retry(p: PageDep, ids: Annotated[list[int] | None, Form()] = None) -> Response:
    if ids:
        push.retry(p.ctx, ids)
    return RedirectResponse("/staff/push/dead", status_code=303)
