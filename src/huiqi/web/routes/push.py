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
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


#: the topics a subscription filters on, as the settings form names them
TOPICS = ("programme", "pack", "industry", "issuer", "kinds")


def _topics(values: dict[str, str]) -> dict[str, list[str]]:
    """Each topic's field ("a, b; c") as its list (comma, semicolon, space or 、 between)."""
    out = {}
    for name in TOPICS:
        items = [x for x in values.get(name, "").replace("、", ",").replace(";", ",")
                 .replace(" ", ",").split(",") if x]
        if items:
            out[name] = items[:50]
    return out


def _settings_page(p: Page, code: str | None, saved: bool, mine: bool) -> Response:
    sub = None
    if code:
        sub = push.my_subscription(p.ctx, code) if mine else push.subscription(p.ctx, code)
    return p.render("push_settings.html", sub=sub, code=code, saved=saved, mine=mine,
                    topics=TOPICS)


@router.page("GET", "/inbox/settings", READ)
def settings(p: PageDep, code: Code = None, saved: bool = False) -> Response:
    return _settings_page(p, _code(p, code), saved, mine=False)


@router.page("GET", "/inbox/settings/mine", READ)
def my_settings(p: PageDep, code: Code = None, saved: bool = False) -> Response:
    """The signed-in user's own subscription to an enterprise's messages."""
    return _settings_page(p, _code(p, code), saved, mine=True)


def _hour(value: str) -> int | None:
    return int(value) if value.isdigit() else None


class SettingsForm(BaseModel):
    """The subscription settings form, as posted (an enterprise's and a user's own alike)."""

    model_config = ConfigDict(extra="ignore")

    code: str = Field("", max_length=18)
    channels: list[str] = Field(default_factory=list, max_length=10)
    email: str = Field("", max_length=200)
    phone: str = Field("", max_length=32)
    quiet_from: str = Field("", max_length=2)
    quiet_until: str = Field("", max_length=2)
    digest: str = Field("immediate", pattern=r"^(immediate|daily|weekly)$")
    active: str = Field("", max_length=3)
    programme: str = Field("", max_length=500)
    pack: str = Field("", max_length=500)
    industry: str = Field("", max_length=500)
    issuer: str = Field("", max_length=500)
    kinds: str = Field("", max_length=500)

    def subscription(self) -> SubscriptionSet:
        return _valid({
            "channels": self.channels, "email": self.email or None,
            "phone": self.phone or None, "quiet_from": _hour(self.quiet_from),
            "quiet_until": _hour(self.quiet_until), "digest": self.digest,
            "active": self.active == "on",
            "topics": _topics({name: getattr(self, name) for name in TOPICS})})


Settings = Annotated[SettingsForm, Form()]


def _saved(path: str, form: SettingsForm, code: str) -> Response:
    return RedirectResponse(f"{path}?saved=true" + (f"&code={code}" if form.code else ""),
                            status_code=303)


@router.page("POST", "/inbox/settings", WRITE)
def save(p: PageDep, form: Settings) -> Response:
    c = _code(p, form.code or None) or ""
    push.subscribe(p.ctx, c, form.subscription())
    return _saved("/inbox/settings", form, c)


@router.page("POST", "/inbox/settings/mine", READ)
def save_mine(p: PageDep, form: Settings) -> Response:
    """Whoever may read an enterprise's messages sets their own subscription to them."""
    c = _code(p, form.code or None) or ""
    push.subscribe_me(p.ctx, c, form.subscription())
    return _saved("/inbox/settings/mine", form, c)


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


# ------------------------------------------------------------------ 一企一策 plans (走访)

PLAN_READ, PLAN_WORK = Permission.ENTERPRISE_READ, Permission.CASE_WORK
CodePath = Annotated[str, PathParam(pattern=r"^[0-9A-Za-z]{18}$")]


@router.page("GET", "/staff/plans", PLAN_WORK)
def plans(p: PageDep, months: Annotated[int, Query(ge=1, le=120)] = 6) -> Response:
    from huiqi.push import plans as P

    return p.render("plans.html", rows=P.unvisited(p.ctx, months), months=months)


@router.page("GET", "/staff/plans/{code}", PLAN_WORK)
def plan(p: PageDep, code: CodePath) -> Response:
    from huiqi.push import plans as P

    return p.render("plan.html", plan=P.plan(p.ctx, code))


@router.page("GET", "/staff/plans/{code}/pdf", PLAN_WORK)
def plan_pdf(p: PageDep, code: CodePath) -> Response:
    from huiqi.push import plans as P

    from .. import pdf

    pl = P.plan(p.ctx, code)
    t = p.t
    rows = [[t("符合", "fits"), x.clause, _money(x.amount, x.assumed, p), _day(x.deadline), ""]
            for x in pl.fits]
    rows += [[t("差一项", "nearly"), x.clause, _money(x.amount, x.assumed, p), _day(x.deadline),
              ";".join(x.steps)] for x in pl.near]
    rows += [[t("走访", "visit"), v.at.strftime("%Y-%m-%d"), v.by, _day(v.due),
              f"{v.summary} → {v.follow_up}"] for v in pl.visits]
    body = pdf.document(
        t(f"一企一策:{pl.name}", f"One enterprise, one plan: {pl.name}"),
        [f"{t('统一社会信用代码', 'Credit code')}: {pl.code}",
         f"{t('评估日期', 'As of')}: {pl.as_of.isoformat()}",
         f"{t('责任人', 'Responsible officer')}: {pl.officer or '—'}"],
        [t("类别", "Kind"), t("条款 / 日期", "Clause / date"), t("金额 / 人员", "Amount / by"),
         t("截止", "Deadline"), t("具体步骤 / 记录", "Steps / notes")],
        rows, [22, 60, 40, 25, 120],
        disclaimer=t("金额以政策原文和审核结果为准;标“假定”的金额为估算。",
                     "Amounts are subject to the policy text and review; assumed ones are "
                     "estimates."),
        page_footer=p.platform.settings.park_contact)
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="plan-{pl.code}.pdf"'})


def _money(v: object, assumed: bool, p: Page) -> str:
    if v is None:
        return "—"
    from decimal import Decimal

    return f"{Decimal(str(v)):,.2f} 元" + (p.t("(假定)", " (assumed)") if assumed else "")


def _day(d: object) -> str:
    return "—" if d is None else str(d)


@router.page("POST", "/staff/plans/{code}/visits", PLAN_WORK)
def visit(p: PageDep, code: CodePath, summary: Annotated[str, Form(max_length=2000)],
          follow_up: Annotated[str, Form(max_length=2000)] = "",
          due: Annotated[str, Form(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
          officer: Annotated[str, Form(max_length=64)] = "") -> Response:
    import datetime as dt

    from huiqi.push import plans as P

    if officer:
        P.assign(p.ctx, code, officer)
    P.record_visit(p.ctx, code, summary, follow_up, dt.date.fromisoformat(due) if due else None)
    return RedirectResponse(f"/staff/plans/{code}", status_code=303)
