"""The application's states and transitions, declared once (:mod:`huiqi.workflow.machine`).

::

    draft ─submit→ submitted ─pass→ review ─select→ selected ─publicise→ publicised
                   │ ↑ resubmit       └─decline→ not_selected ─close→ closed
                   │ returned ←return                 publicised ─grant→ granted ─pay→ paid ─close→ closed
                   └─reject→ rejected                 publicised ─revoke→ revoked (an objection upheld)
    withdraw: from draft, submitted, returned, review → withdrawn (the enterprise)
    proposed ─confirm→ selected      免申即享: the platform lists, staff confirm
             └─exclude→ excluded     (with a reason)

For a 普惠 programme ``review`` is the short wait after formal review; its decision selects
every application that passed (within the budget). For a competitive one it is the panel's
review; nobody is selected before every assigned review is done.
"""

from __future__ import annotations

from huiqi.service.permissions import Role
from huiqi.text import Text
from huiqi.workflow.machine import Transition, Workflow

ENT = {Role.ENTERPRISE}
STAFF = {Role.CASE_OFFICER, Role.ADMIN}

STATES = {
    "draft": Text("草稿", "draft"),
    "submitted": Text("已提交(形式审查中)", "submitted (formal review)"),
    "returned": Text("退回补正", "returned for correction"),
    "rejected": Text("形式审查未通过", "failed formal review"),
    "review": Text("评审中", "in review"),
    "selected": Text("拟支持", "selected"),
    "not_selected": Text("未入选", "not selected"),
    "publicised": Text("公示中", "in public notice (公示)"),
    "revoked": Text("公示异议成立,撤销", "revoked after an objection"),
    "granted": Text("已立项(待拨付)", "granted (payment due)"),
    "paid": Text("已拨付", "paid"),
    "closed": Text("已办结", "closed"),
    "withdrawn": Text("已撤回", "withdrawn"),
    "proposed": Text("拟免申兑现(待确认)", "proposed (no application needed)"),
    "excluded": Text("已排除", "excluded"),
}

APPLICATION = Workflow(
    "application",
    states=STATES,
    initial="draft",
    transitions=(
        Transition("submit", {"draft"}, "submitted", ENT, Text("提交申报", "submit")),
        Transition("resubmit", {"returned"}, "submitted", ENT, Text("补正后重新提交", "resubmit")),
        Transition("return", {"submitted"}, "returned", STAFF,
                   Text("退回补正", "return for correction"), reason_required=True),
        Transition("reject", {"submitted"}, "rejected", STAFF,
                   Text("形式审查不通过", "reject at formal review"), reason_required=True),
        Transition("pass", {"submitted"}, "review", STAFF,
                   Text("形式审查通过", "pass formal review")),
        Transition("select", {"review"}, "selected", STAFF, Text("决定支持", "select")),
        Transition("decline", {"review"}, "not_selected", STAFF, Text("决定不支持", "decline")),
        Transition("confirm", {"proposed"}, "selected", STAFF,
                   Text("确认免申兑现", "confirm (no application)")),
        Transition("exclude", {"proposed"}, "excluded", STAFF, Text("排除", "exclude"),
                   reason_required=True),
        Transition("publicise", {"selected"}, "publicised", STAFF, Text("公示", "publish notice")),
        Transition("revoke", {"publicised"}, "revoked", STAFF,
                   Text("异议成立,撤销", "revoke (objection upheld)"), reason_required=True),
        Transition("grant", {"publicised"}, "granted", STAFF, Text("公示期满,立项", "grant")),
        Transition("pay", {"granted"}, "paid", STAFF, Text("拨付完毕", "paid in full")),
        Transition("close", {"paid", "not_selected"}, "closed", STAFF, Text("办结", "close")),
        Transition("withdraw", {"draft", "submitted", "returned", "review"}, "withdrawn", ENT,
                   Text("撤回申报", "withdraw")),
    ))

#: states in which the enterprise may still change its draft (facts, materials)
EDITABLE = frozenset({"draft", "returned"})
#: states after a decision to support (money committed)
COMMITTED = frozenset({"selected", "publicised", "granted", "paid", "closed"})
#: states that a reviewer works in
IN_REVIEW = frozenset({"review"})
#: states the public notice (公示) shows
PUBLIC = frozenset({"publicised"})

MODES = {
    "universal": Text("普惠(形式审查通过即支持)", "universal (all who pass formal review)"),
    "competitive": Text("评审择优", "competitive (panel review and ranking)"),
    "automatic": Text("免申即享", "automatic (no application)"),
}
