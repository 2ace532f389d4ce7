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


def navigation(p: Page) -> list[Item]:
    t = p.t
    out = [Item("/calculator", t("政策计算器", "Calculator"), "calculator"),
           Item("/library", t("政策库", "Library"), "library")]
    a = p.actor
    if a is None:
        out.append(Item("/public/notice", t("公示", "Public notice"), "notice"))
        out.append(Item("/public/challenges", t("揭榜挂帅", "Challenge lists"), "challenges"))
        out.append(Item("/public/competitions", t("创新创业竞赛", "Competitions"),
                        "public_competitions"))
        return out
    if a.role is Role.ENTERPRISE and a.entity_code:
        out.append(Item(f"/match/{a.entity_code}", t("我的政策", "My policies"), "match"))
        out.append(Item(f"/match/{a.entity_code}/calendar", t("申报日历", "Calendar"),
                        "calendar"))
        out.append(Item(f"/staff/enterprises/{a.entity_code}", t("企业档案", "Profile"),
                        "enterprises"))
        out.append(Item("/my/applications", t("我的申报", "My applications"), "applications"))
        out.append(Item("/my/requests", t("我的诉求", "My requests"), "my_requests"))
        out.append(Item("/my/projects", t("我的项目", "My projects"), "my_projects"))
        out.append(Item("/my/surveys", t("满意度评价", "Satisfaction"), "my_surveys"))
        if p.may(Permission.VOUCHER_READ):
            out.append(Item("/staff/vouchers", t("创新券", "Vouchers"), "vouchers"))
            out.append(Item("/staff/challenges", t("揭榜挂帅", "Challenge lists"),
                            "staff_challenges"))
        if p.may(Permission.COMPETITION_READ):
            out.append(Item("/staff/competitions", t("竞赛命题", "Competitions"), "competitions"))
        if p.may(Permission.MARKET_READ):
            out.append(Item("/staff/market", t("供需对接", "Market"), "market"))
        return out
    if p.may(Permission.RESULT_READ):
        out.append(Item("/dashboard", t("领导看板", "Dashboard"), "dashboard"))
    if p.may(Permission.ANALYTICS_READ):
        out.append(Item("/staff/evaluation", t("园区评价", "Evaluation"), "evaluation"))
        out.append(Item("/staff/chains/battery", t("产业链", "Chains"), "chains"))
    if p.may(Permission.MARKET_READ):
        out.append(Item("/staff/market", t("供需对接", "Market"), "market"))
    if p.may(Permission.POLICY_READ):
        out.append(Item("/staff/policies", t("政策", "Policies"), "policies"))
    if p.may(Permission.PROGRAMME_READ):
        out.append(Item("/staff/programmes", t("项目申报", "Programmes"), "programmes"))
    if p.may(Permission.REVIEW_SCORE):
        out.append(Item("/staff/reviews", t("评审任务", "My reviews"), "reviews"))
    if p.may(Permission.RESULT_READ):
        out.append(Item("/staff/budgets", t("项目资金", "Budgets"), "budgets"))
    if p.may(Permission.VOUCHER_READ):
        out.append(Item("/staff/vouchers", t("创新券", "Vouchers"), "vouchers"))
        out.append(Item("/staff/challenges", t("揭榜挂帅", "Challenge lists"), "staff_challenges"))
    if p.may(Permission.COMPETITION_READ):
        out.append(Item("/staff/competitions", t("竞赛", "Competitions"), "competitions"))
    if p.may(Permission.ENTERPRISE_READ):
        out.append(Item("/staff/enterprises", t("企业", "Enterprises"), "enterprises"))
    if p.may(Permission.CASE_READ):
        out.append(Item("/staff/cases", t("服务事项", "Cases"), "cases"))
        out.append(Item("/dashboard/cases", t("服务看板", "Service dashboard"),
                        "cases_dashboard"))
    if p.may(Permission.RESULT_READ):
        out.append(Item("/staff/results", t("匹配结果", "Results"), "results"))
    if p.may(Permission.SIMULATION_RUN):
        out.append(Item("/staff/simulation", t("政策模拟", "Simulation"), "simulation"))
    if p.may(Permission.IMPORT_READ):
        out.append(Item("/staff/imports", t("数据导入", "Imports"), "imports"))
    if p.may(Permission.ACCOUNT_MANAGE):
        out.append(Item("/staff/accounts", t("账号", "Accounts"), "accounts"))
    if p.may(Permission.AUDIT_READ):
        out.append(Item("/staff/audit", t("审计日志", "Audit log"), "audit"))
    return out
