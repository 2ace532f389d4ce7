"""The 工作台 (console start page): what is waiting for this person, counted, each with a
link to where it is done. Each area adds its own counter to :data:`COUNTERS` (a function of
the page that returns its to-dos, or none the role may not act on)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from huiqi.service.permissions import Permission

if TYPE_CHECKING:
    from .pages import Page


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    href: str
    hint: str = ""


def _drafts(p: Page) -> list[Todo]:
    if not p.may(Permission.POLICY_WRITE) and not p.may(Permission.POLICY_PUBLISH):
        return []
    from huiqi.service import policies

    me = p.actor.username if p.actor else ""
    drafts = [(pk.key, v) for pk in policies.list_packs(p.ctx) for v in pk.versions
              if v.status == "draft"]
    out = []
    if p.may(Permission.POLICY_PUBLISH):
        others = [(k, v) for k, v in drafts if v.created_by != me]
        first = f"/staff/policies/{others[0][0]}/{others[0][1].number}/diff" if others else \
            "/staff/policies"
        out.append(Todo("review", p.t("待我复核发布的政策草稿", "Drafts for me to review and publish"),
                        len(others), first if len(others) == 1 else "/staff/policies",
                        p.t("由他人上传;核对差异后发布", "uploaded by others; review the "
                            "differences, then publish")))
    mine = [(k, v) for k, v in drafts if v.created_by == me]
    out.append(Todo("mine", p.t("我上传、待他人复核的草稿", "My drafts awaiting another's review"),
                    len(mine), "/staff/policies"))
    return out


def _accounts(p: Page) -> list[Todo]:
    if not p.may(Permission.ACCOUNT_MANAGE):
        return []
    from huiqi.service import accounts

    found = accounts.list_accounts(p.ctx)
    return [Todo("locked", p.t("被锁定的账号", "Locked accounts"),
                 sum(1 for a in found if a.locked and a.active), "/staff/accounts"),
            Todo("no_totp", p.t("未开启动态验证码的工作人员账号", "Staff accounts without a second factor"),
                 sum(1 for a in found if a.active and not a.totp_enabled
                     and a.role.value != "enterprise"), "/staff/accounts")]


def _refusals(p: Page) -> list[Todo]:
    if not p.may(Permission.AUDIT_READ):
        return []
    from huiqi.service import audit

    since = p.platform.today() - dt.timedelta(days=6)
    from huiqi.clock import day_start

    total, _ = audit.entries(p.ctx, audit.AuditQuery(outcome="denied", since=day_start(since),
                                                     limit=1))
    return [Todo("denied", p.t("近 7 天被拒绝的访问", "Refused access, last 7 days"), total,
                 f"/staff/audit?outcome=denied&since={since.isoformat()}")]


def _cases(p: Page) -> list[Todo]:
    """The case officer's open service cases (issue 14): overdue, due this week, green
    channel, waiting for the enterprise."""
    if not p.may(Permission.CASE_WORK):
        return []
    from huiqi.cases import views

    c = views.counters(p.ctx)
    return [Todo("cases_overdue", p.t("逾期的服务事项", "Overdue cases"), c.overdue, "/staff/cases",
                 p.t("已超过时限,红色标出", "past their targets, marked red")),
            Todo("cases_week", p.t("本周到期的服务事项", "Cases due this week"), c.due_this_week,
                 "/staff/cases", p.t("按到期日排序", "sorted by due day")),
            Todo("cases_green", p.t("绿色通道事项", "Green-channel cases"), c.green, "/staff/cases",
                 p.t("重大项目,排在最前", "major projects, first in the queue")),
            Todo("cases_waiting", p.t("等待企业补充的事项", "Waiting for the enterprise"), c.waiting,
                 "/staff/cases", p.t("计时暂停中", "the clock is paused"))]


COUNTERS: list[Callable[[Page], list[Todo]]] = [_drafts, _accounts, _refusals, _cases]


def todos(p: Page) -> list[Todo]:
    out: list[Todo] = []
    for counter in COUNTERS:
        out += counter(p)
    return out


__all__ = ["COUNTERS", "Todo", "todos"]
