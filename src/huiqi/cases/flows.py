"""The workflows of service cases, declared once (:mod:`huiqi.workflow.machine`), and what
each one's clock counts (:class:`Clock`: which states run it, which pause it, which stop it).

    project   代办项目       accepted → handling → started (开工) → closed
    item      审批事项       waiting → submitted ⇄ returned (补正: waiting for the enterprise) → approved
    measure   督查任务       assigned → in_progress → completed
    request   企业诉求       submitted → acknowledged ⇄ waiting (for the enterprise) → answered → resolved
    rectify   差评整改       open → closed (with evidence) | withdrawn (the rating voided)
    move      跨区迁移       requested → released (迁出地同意) → moved (迁入地同意: the move is made)
"""

from __future__ import annotations

from dataclasses import dataclass

from huiqi.service.permissions import Role
from huiqi.text import Text
from huiqi.workflow.machine import Transition, Workflow

STAFF = frozenset({Role.CASE_OFFICER, Role.ADMIN})
FIRM = frozenset({Role.ENTERPRISE})
ANYONE = STAFF | FIRM
T = Transition

PROJECT = Workflow(
    "project",
    states={"accepted": Text("已受理", "accepted"), "handling": Text("代办中", "in progress"),
            "started": Text("已开工", "started"), "closed": Text("已办结", "closed")},
    initial="accepted",
    transitions=(
        T("handle", {"accepted"}, "handling", STAFF, Text("开始代办", "start the agency")),
        T("start", {"handling"}, "started", STAFF, Text("确认开工", "record the start of works")),
        T("close", {"started", "handling"}, "closed", STAFF, Text("办结", "close"),
          reason_required=True),
    ))

ITEM = Workflow(
    "item",
    states={"waiting": Text("未启动", "not started"), "submitted": Text("审批中", "under review"),
            "returned": Text("补正中", "returned for correction"),
            "approved": Text("已批复", "approved")},
    initial="waiting",
    transitions=(
        T("submit", {"waiting"}, "submitted", STAFF, Text("报审", "submit to the agency")),
        T("return", {"submitted"}, "returned", STAFF, Text("退回补正", "return for correction"),
          reason_required=True),
        T("resubmit", {"returned"}, "submitted", STAFF, Text("补正后重新报审", "resubmit")),
        T("approve", {"submitted"}, "approved", STAFF, Text("批复", "record the approval")),
    ))

MEASURE = Workflow(
    "measure",
    states={"assigned": Text("已分解", "assigned"), "in_progress": Text("推进中", "in progress"),
            "completed": Text("已完成", "completed")},
    initial="assigned",
    transitions=(
        T("begin", {"assigned"}, "in_progress", STAFF, Text("开始推进", "begin")),
        T("complete", {"in_progress"}, "completed", STAFF, Text("完成", "complete"),
          reason_required=True),
        T("reopen", {"completed"}, "in_progress", STAFF, Text("重新推进", "reopen"),
          reason_required=True),
    ))

REQUEST = Workflow(
    "request",
    states={"submitted": Text("已提交", "submitted"), "acknowledged": Text("已受理", "acknowledged"),
            "waiting": Text("待企业补充", "waiting for the enterprise"),
            "answered": Text("已答复", "answered"), "resolved": Text("已办结", "resolved")},
    initial="submitted",
    transitions=(
        T("acknowledge", {"submitted"}, "acknowledged", STAFF, Text("受理", "acknowledge")),
        T("ask", {"acknowledged"}, "waiting", STAFF, Text("请企业补充", "ask the enterprise"),
          reason_required=True),
        T("supply", {"waiting"}, "acknowledged", ANYONE, Text("企业已补充", "supplied")),
        T("answer", {"acknowledged"}, "answered", STAFF, Text("答复", "answer"),
          reason_required=True),
        T("resolve", {"answered"}, "resolved", STAFF, Text("办结", "resolve")),
    ))

RECTIFY = Workflow(
    "rectify",
    states={"open": Text("整改中", "being rectified"), "closed": Text("已整改", "rectified"),
            "withdrawn": Text("已撤销(差评申诉成立)", "withdrawn (appeal upheld)")},
    initial="open",
    transitions=(
        T("close", {"open"}, "closed", STAFF, Text("整改完成", "close with evidence"),
          reason_required=True),
        T("withdraw", {"open"}, "withdrawn", frozenset({Role.ADMIN}),
          Text("撤销", "withdraw")),
    ))

MOVE = Workflow(
    "move",
    states={"requested": Text("已申请", "requested"),
            "released": Text("迁出地已同意", "released by the old district"),
            "moved": Text("已迁入", "moved"), "refused": Text("不予迁移", "refused"),
            "withdrawn": Text("已撤回", "withdrawn")},
    initial="requested",
    transitions=(
        T("release", {"requested"}, "released", STAFF, Text("迁出地同意", "old district approves")),
        T("admit", {"released"}, "moved", STAFF, Text("迁入地同意", "new district approves")),
        T("refuse", {"requested", "released"}, "refused", STAFF, Text("不予迁移", "refuse"),
          reason_required=True),
        T("withdraw", {"requested", "released"}, "withdrawn", ANYONE, Text("撤回", "withdraw")),
    ))

FLOWS: dict[str, Workflow] = {"project": PROJECT, "item": ITEM, "measure": MEASURE,
                              "request": REQUEST, "rectify": RECTIFY, "move": MOVE}

KIND_LABELS = {"project": Text("审批代办项目", "approval agency project"),
               "item": Text("审批事项", "approval item"),
               "measure": Text("督查任务", "supervised measure"),
               "request": Text("企业诉求", "enterprise request"),
               "rectify": Text("差评整改", "rectification"),
               "move": Text("跨区迁移", "cross-district move")}


@dataclass(frozen=True)
class Clock:
    """What a workflow's clock counts: it starts when the case first enters one of
    ``start`` (or at creation, if ``start`` is empty), stands still in ``paused`` states and
    stops on entering one of ``stop``."""

    start: frozenset[str]
    paused: frozenset[str]
    stop: frozenset[str]


CLOCKS: dict[str, Clock] = {
    "project": Clock(frozenset(), frozenset(), frozenset({"started", "closed"})),
    "item": Clock(frozenset({"submitted"}), frozenset({"returned"}), frozenset({"approved"})),
    "measure": Clock(frozenset(), frozenset(), frozenset({"completed"})),
    "request": Clock(frozenset(), frozenset({"waiting"}), frozenset({"resolved"})),
    "rectify": Clock(frozenset(), frozenset(), frozenset({"closed", "withdrawn"})),
    "move": Clock(frozenset(), frozenset(), frozenset({"moved", "refused", "withdrawn"})),
}

#: A request's targets: each one is met when the case first enters one of these states.
REQUEST_TARGETS = {"acknowledge": frozenset({"acknowledged", "waiting", "answered", "resolved"}),
                   "answer": frozenset({"answered", "resolved"}),
                   "resolve": frozenset({"resolved"})}
