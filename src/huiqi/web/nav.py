"""The navigation: the sections a person may open, by their role's permissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from huiqi.service.permissions import Permission, Role

if TYPE_CHECKING:
    from .pages import Page


@dataclass(frozen=True)
class Item:
    href: str
    label: str
    key: str


#: (permission, href, zh, en, key): a signed-in staff member's sections, in this order
STAFF: tuple[tuple[Permission, str, str, str, str], ...] = (
    (Permission.RESULT_READ, "/dashboard", "领导看板", "Dashboard", "dashboard"),
    (Permission.ANALYTICS_READ, "/staff/evaluation", "园区评价", "Evaluation", "evaluation"),
    (Permission.ANALYTICS_READ, "/staff/chains/battery", "产业链", "Chains", "chains"),
    (Permission.MARKET_READ, "/staff/market", "供需对接", "Market", "market"),
    (Permission.POLICY_READ, "/staff/policies", "政策", "Policies", "policies"),
    (Permission.PROGRAMME_READ, "/staff/programmes", "项目申报", "Programmes", "programmes"),
    (Permission.REVIEW_SCORE, "/staff/reviews", "评审任务", "My reviews", "reviews"),
    (Permission.REVIEW_DECIDE, "/staff/decisions", "人工审核", "Review decisions", "decisions"),
    (Permission.RESULT_READ, "/staff/budgets", "项目资金", "Budgets", "budgets"),
    (Permission.VOUCHER_READ, "/staff/vouchers", "创新券", "Vouchers", "vouchers"),
    (Permission.VOUCHER_READ, "/staff/challenges", "揭榜挂帅", "Challenge lists", "staff_challenges"),
    (Permission.COMPETITION_READ, "/staff/competitions", "竞赛", "Competitions", "competitions"),
    (Permission.ENTERPRISE_READ, "/staff/enterprises", "企业", "Enterprises", "enterprises"),
    (Permission.CASE_READ, "/staff/cases", "服务事项", "Cases", "cases"),
    (Permission.CASE_READ, "/dashboard/cases", "服务看板", "Service dashboard", "cases_dashboard"),
    (Permission.RESULT_READ, "/staff/results", "匹配结果", "Results", "results"),
    (Permission.SIMULATION_RUN, "/staff/simulation", "政策模拟", "Simulation", "simulation"),
    (Permission.IMPORT_READ, "/staff/imports", "数据导入", "Imports", "imports"),
    (Permission.ACCOUNT_MANAGE, "/staff/accounts", "账号", "Accounts", "accounts"),
    (Permission.AUDIT_READ, "/staff/audit", "审计日志", "Audit log", "audit"),
)

#: (href under /match/{code} or absolute, zh, en, key): an enterprise user's own sections
ENTERPRISE: tuple[tuple[str, str, str, str], ...] = (
    ("/match/{code}", "我的政策", "My policies", "match"),
    ("/match/{code}/calendar", "申报日历", "Calendar", "calendar"),
    ("/staff/enterprises/{code}", "企业档案", "Profile", "enterprises"),
    ("/my/applications", "我的申报", "My applications", "applications"),
    ("/my/requests", "我的诉求", "My requests", "my_requests"),
    ("/my/projects", "我的项目", "My projects", "my_projects"),
    ("/my/surveys", "满意度评价", "Satisfaction", "my_surveys"),
)
#: and those its role's permissions open
ENTERPRISE_MAY: tuple[tuple[Permission, str, str, str, str], ...] = (
    (Permission.VOUCHER_READ, "/staff/vouchers", "创新券", "Vouchers", "vouchers"),
    (Permission.VOUCHER_READ, "/staff/challenges", "揭榜挂帅", "Challenge lists", "staff_challenges"),
    (Permission.COMPETITION_READ, "/staff/competitions", "竞赛命题", "Competitions", "competitions"),
    (Permission.MARKET_READ, "/staff/market", "供需对接", "Market", "market"),
)

#: what a visitor (not signed in) may open beside the calculator and the library
PUBLIC: tuple[tuple[str, str, str, str], ...] = (
    ("/public/notice", "公示", "Public notice", "notice"),
    ("/public/challenges", "揭榜挂帅", "Challenge lists", "challenges"),
    ("/public/competitions", "创新创业竞赛", "Competitions", "public_competitions"),
)


def _allowed(p: Page, rows: tuple[tuple[Permission, str, str, str, str], ...]) -> list[Item]:
    return [Item(href, p.t(zh, en), key) for perm, href, zh, en, key in rows if p.may(perm)]


def navigation(p: Page) -> list[Item]:
    """The sections ``p``'s person may open: the calculator and the library for everyone;
    then a visitor's public pages, an enterprise user's own pages, or a staff member's
    sections by permission (tables above)."""
    out = [Item("/calculator", p.t("政策计算器", "Calculator"), "calculator"),
           Item("/library", p.t("政策库", "Library"), "library")]
    a = p.actor
    if a is None:
        return out + [Item(href, p.t(zh, en), key) for href, zh, en, key in PUBLIC]
    if a.role is Role.ENTERPRISE and a.entity_code:
        own = [Item(href.format(code=a.entity_code), p.t(zh, en), key)
               for href, zh, en, key in ENTERPRISE]
        return out + own + _allowed(p, ENTERPRISE_MAY)
    return out + _allowed(p, STAFF)
