"""The audit log in words: each action, outcome and role a person reads, in Chinese and
English. An action not listed here (a new area's) is shown by its area's name and its code,
never dropped; add a line here when a new action is recorded."""

from __future__ import annotations

from huiqi.service.permissions import ROLE_LABELS, Role
from huiqi.text import Lang, Text

ACTIONS: dict[str, Text] = {
    "login": Text("登录", "sign-in"),
    "logout": Text("退出登录", "sign-out"),
    "access": Text("访问", "access"),
    "account.create": Text("新建账号", "account created"),
    "account.update": Text("修改账号", "account changed"),
    "account.password": Text("修改本人密码", "own password changed"),
    "account.totp_begin": Text("开始设置动态验证码", "second factor: set-up begun"),
    "account.totp_enable": Text("开启动态验证码", "second factor on"),
    "account.totp_disable": Text("关闭动态验证码", "second factor off"),
    "account.manage": Text("管理账号", "manage accounts"),
    "audit.read": Text("查看审计日志", "read the audit log"),
    "calendar.day": Text("设定工作日/节假日", "working day set"),
    "calendar.year": Text("确认年度日历", "calendar year declared"),
    "calendar.read": Text("查看工作日历", "read the calendar"),
    "calendar.edit": Text("修改工作日历", "edit the calendar"),
    "enterprise.create": Text("登记企业", "enterprise registered"),
    "enterprise.update": Text("修改企业信息", "enterprise changed"),
    "enterprise.facts": Text("填报企业数据", "enterprise facts recorded"),
    "enterprise.read": Text("查看企业", "read an enterprise"),
    "enterprise.write": Text("修改企业", "change an enterprise"),
    "enterprise.move": Text("迁移企业注册地", "move an enterprise"),
    "import": Text("导入数据", "import"),
    "import.run": Text("导入数据", "run an import"),
    "import.read": Text("查看导入记录", "read imports"),
    "policy.upload": Text("上传政策版本", "policy version uploaded"),
    "policy.publish": Text("发布政策版本", "policy version published"),
    "policy.retire": Text("废止政策版本", "policy version retired"),
    "policy.read": Text("查看政策", "read policies"),
    "policy.draft.read": Text("查看政策草稿", "read a policy draft"),
    "policy.write": Text("编辑政策草稿", "edit a policy draft"),
    "result.run": Text("批量匹配", "matching run"),
    "result.read": Text("查看匹配结果", "read results"),
    "simulation.run": Text("政策模拟", "simulation"),
    # push (huiqi.push)
    "push.read": Text("阅读推送消息", "push messages read"),
    "push.archived": Text("归档推送消息", "push message archived"),
    "push.subscribe": Text("修改企业推送订阅", "enterprise's subscription changed"),
    "push.subscribe_user": Text("修改本人推送订阅", "own subscription changed"),
    "push.unsubscribe": Text("通过退订链接退订", "unsubscribed by the link"),
    "push.retry": Text("重发失败的推送", "dead deliveries sent again"),
    "push.admin": Text("管理失败的推送", "manage dead deliveries"),
    # programmes (huiqi.programmes)
    "programme.create": Text("设立申报项目", "programme created"),
    "programme.propose": Text("列出免申即享名单", "eligible listed (no application)"),
    "programme.confirm": Text("确认免申即享名单", "list confirmed (no application)"),
    "programme.decide": Text("评审决定", "programme decided"),
    "application.start": Text("开始申报", "application started"),
    "application.facts": Text("填报申报信息", "application facts given"),
    "application.upload": Text("上传申报材料", "material uploaded"),
    "application.objection": Text("公示异议", "objection raised"),
    "application.objection_answer": Text("答复公示异议", "objection answered"),
    "application.payment": Text("拨付资金", "payment made"),
    "review.assign": Text("分配评审专家", "reviewers assigned"),
    "review.assign_skipped": Text("跳过有冲突的专家", "conflicted reviewer skipped"),
    "review.conflict": Text("声明利益冲突", "conflict declared"),
    "review.no_conflict": Text("声明无利益冲突", "no conflict declared"),
    "review.recuse": Text("专家回避", "reviewer recused"),
    "review.score": Text("评审打分", "scored"),
    "review.decide": Text("记录人工判断", "review decision recorded"),
    # self-service facts and the policy library
    "enterprise.facts_claimed": Text("企业自报数据待确认", "facts claimed by the enterprise"),
    "enterprise.facts_confirmed": Text("确认企业自报数据", "claimed facts decided"),
    "policy.note": Text("撰写政策解读", "policy explained"),
    # service cases
    "case.demo": Text("生成演示服务事项", "demo cases made"),
    "case.standard": Text("修改服务标准", "service standard changed"),
    "measure.survey": Text("满意度评价", "satisfaction survey"),
    # analytics and the supply-demand market
    "analytics.chain.decide": Text("调整产业链企业", "chain member decided"),
    "analytics.statistics.generate": Text("生成园区统计(演示)", "park statistics generated"),
    "analytics.statistics.import": Text("导入园区统计", "park statistics imported"),
    "market.listing.create": Text("发布供需信息", "market listing posted"),
    # vouchers and challenge lists
    "voucher.scheme": Text("设立创新券计划", "voucher scheme set up"),
    "voucher.issue": Text("发放创新券", "voucher issued"),
    "voucher.redeem": Text("使用创新券", "voucher redeemed"),
    "voucher.claim": Text("服务机构申请兑付", "settlement claimed"),
    "voucher.settle": Text("兑付结算", "settled"),
    "voucher.expire": Text("创新券到期收回", "vouchers expired"),
    "voucher.provider_apply": Text("服务机构申请认定", "provider applied"),
    "voucher.provider_evaluate": Text("评审服务机构", "provider evaluated"),
    "voucher.provider_lapse": Text("服务机构认定失效", "provider lapsed"),
    "challenge.create": Text("设立揭榜挂帅榜单", "challenge list created"),
    "challenge.task": Text("添加榜单任务", "challenge task added"),
    "challenge.publish": Text("发布榜单", "challenge list published"),
    "challenge.apply": Text("揭榜申报", "challenge application"),
    "challenge.select": Text("确定揭榜单位", "challenge winners selected"),
    "challenge.milestone": Text("里程碑验收", "milestone accepted"),
    # competitions (炬火种)
    "competition.create": Text("设立竞赛", "competition set up"),
    "competition.post": Text("企业发布命题", "problem posted"),
    "competition.register": Text("团队报名", "team registered"),
    "competition_problem.open": Text("命题开放报名", "problem open for registration"),
    "competition_problem.review": Text("截止报名,进入初赛网评", "registration closed: "
                                       "preliminary review"),
    "competition_problem.advance": Text("初赛评分,确定决赛团队", "preliminary scored, "
                                        "finalists chosen"),
    "competition_problem.award": Text("决赛评分,排名颁奖", "final scored, prizes awarded"),
    "competition_problem.withdraw": Text("撤回命题", "problem withdrawn"),
    "competition_team.advance": Text("团队晋级决赛", "team to the final"),
    "competition_team.eliminate": Text("团队初赛未晋级", "team out after the preliminary"),
    "competition_team.place": Text("团队获奖", "team placed"),
    "competition_team.unplace": Text("团队决赛未获奖", "finalist without a prize"),
    "competition.read": Text("查看竞赛", "read competitions"),
}

#: the first part of an action (its area), for an action not listed above
AREAS: dict[str, Text] = {
    "account": Text("账号", "account"), "audit": Text("审计", "audit"),
    "calendar": Text("日历", "calendar"), "enterprise": Text("企业", "enterprise"),
    "import": Text("导入", "import"), "policy": Text("政策", "policy"),
    "result": Text("匹配结果", "results"), "simulation": Text("模拟", "simulation"),
    "programme": Text("申报项目", "programme"), "voucher": Text("创新券", "voucher"),
    "case": Text("代办事项", "service case"), "push": Text("政策推送", "push"),
    "analytics": Text("分析", "analytics"), "workflow": Text("流程", "workflow"),
    "login": Text("登录", "sign-in"), "auth": Text("登录", "sign-in"),
    # service cases' workflows (huiqi.cases.flows)
    "project": Text("代办项目", "agency project"), "item": Text("审批事项", "approval item"),
    "measure": Text("督查任务", "measure"), "request": Text("企业诉求", "request"),
    "rectify": Text("差评整改", "rectification"), "move": Text("跨区迁移", "move"),
    "application": Text("申报", "application"), "review": Text("评审", "review"),
    "challenge": Text("揭榜挂帅", "challenge list"), "market": Text("供需对接", "market"),
    "competition": Text("竞赛", "competition"),
    "competition_problem": Text("竞赛命题", "competition problem"),
    "competition_team": Text("参赛团队", "competition team"),
}

OUTCOMES: dict[str, Text] = {
    "ok": Text("成功", "done"),
    "denied": Text("无权限,已拒绝", "refused (no right)"),
    "failed": Text("失败", "failed"),
    "locked": Text("已锁定", "locked"),
    "unauthenticated": Text("未登录或登录无效", "not signed in"),
    "rate_limited": Text("请求过于频繁", "too many requests"),
}


def action_text(action: str, lang: Lang) -> str:
    known = ACTIONS.get(action)
    if known is not None:
        return known.get(lang)
    area = AREAS.get(action.split(".", 1)[0])
    return f"{area.get(lang)}:{action}" if area is not None else action


def outcome_text(outcome: str, lang: Lang) -> str:
    known = OUTCOMES.get(outcome)
    return known.get(lang) if known is not None else outcome


def role_text(role: str | None, lang: Lang) -> str:
    if not role:
        return ""
    try:
        return ROLE_LABELS[Role(role)].get(lang)
    except ValueError:
        return role


__all__ = ["ACTIONS", "AREAS", "OUTCOMES", "action_text", "outcome_text", "role_text"]
