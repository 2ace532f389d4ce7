"""What the cases' services take and give over the API (``XPublic`` out, the rest in)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from huiqi.service.schemas import Code, Name, Username

Line = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", min_length=1,
                                        max_length=200)]
Long = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", min_length=1,
                                        max_length=4000)]
Short = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", min_length=1,
                                         max_length=64)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectCreate(_In):
    credit_code: Code = Field(description="企业统一社会信用代码 / the enterprise")
    title: Line = Field(description="项目名称 / project", examples=["新建智能制造基地"])
    template: Slug = Field(description="代办模板 / template", examples=["industrial"])
    investment: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2,
                                       description="总投资(万元)/ investment (10k yuan)")
    location: Short | None = None
    green: bool = Field(default=False, description="重大项目绿色通道 / green channel")
    agents: list[Username] = Field(default_factory=list, max_length=10)


class MeasureCreate(_In):
    title: Line
    area: Short = Field(description="领域 / area")
    department: Short = Field(description="责任部门 / owning department")
    deadline: dt.date
    number: Annotated[str, StringConstraints(max_length=20, pattern=r"^[^\x00]*$")] | None = None
    description: Long | None = None


class RequestCreate(_In):
    credit_code: Code
    category: Slug = Field(examples=["policy"])
    title: Line
    description: Long
    pack: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")] | None = \
        Field(default=None, description="所问条款的政策包 / the pack of the clause asked about")
    clause: Annotated[str, StringConstraints(pattern=r"^[^\x00]{1,200}$")] | None = None


class MoveCreate(_In):
    credit_code: Code
    to_district: Short
    to_park: Short | None = None
    reason: Long
    on: dt.date | None = Field(default=None, description="迁入日期 / the day of the move")


class Step(_In):
    reason: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=2000)] | None = None


class AgentsSet(_In):
    usernames: list[Username] = Field(min_length=1, max_length=10)
    lead: Username | None = None


class ContactCreate(_In):
    channel: Literal["visit", "call", "meeting", "message", "other"]
    summary: Long


class ProgressCreate(_In):
    progress: int = Field(ge=0, le=100)
    text: Long


class EvaluationSet(_In):
    score: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    evaluator: Short


class RatingCreate(_In):
    score: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意(1、2 为差评)")
    comment: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=2000)] | None = None


class AppealCreate(_In):
    reason: Long


class AppealDecision(_In):
    uphold: bool
    reason: Long


class StandardSet(_In):
    name: Name
    body: dict[str, Any]


# ------------------------------------------------------------------ out

class TargetPublic(BaseModel):
    name: str
    days: int
    status: Literal["met", "missed", "due", "paused", "not_started"]
    due: dt.date | None
    reached_at: dt.datetime | None
    used: int


class PeriodPublic(BaseModel):
    state: str
    start: dt.datetime
    end: dt.datetime | None
    working_days: int


class CountersPublic(BaseModel):
    """The open cases counted for the case officer's workbench."""

    open: int
    overdue: int
    due_this_week: int
    green: int
    waiting: int


class CasePublic(BaseModel):
    id: int
    kind: str
    state: str
    state_label: str
    title: str
    credit_code: str | None = None
    enterprise: str | None = None
    parent_id: int | None = None
    department: str | None = None
    category: str | None = None
    green: bool
    target_days: int | None = None
    deadline: dt.date | None = None
    due: dt.date | None = None
    overdue: bool
    paused: bool
    alert: bool
    agents: list[str]
    created_at: dt.datetime


class EventPublic(BaseModel):
    id: int
    occurred_at: dt.datetime
    kind: str
    actor: str
    payload: dict[str, Any]


class FilePublic(BaseModel):
    id: int
    purpose: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by: str


class RatingPublic(BaseModel):
    score: int
    comment: str | None
    status: str
    appeal: str | None
    rated_at: dt.datetime


class ActionPublic(BaseModel):
    name: str
    label: str
    reason_required: bool


class CaseDetailPublic(BaseModel):
    case: CasePublic
    details: dict[str, Any]
    evaluation: Decimal | None = None
    targets: list[TargetPublic]
    periods: list[PeriodPublic]
    paused_days: int
    events: list[EventPublic]
    files: list[FilePublic]
    children: list[CasePublic]
    rating: RatingPublic | None = None
    actions: list[ActionPublic]
    last_contact: dt.datetime | None = None


class CreatedPublic(BaseModel):
    id: int
    rectification_id: int | None = None


class AgencyDashboardPublic(BaseModel):
    projects: int
    started: int
    in_progress: int
    green: int
    items: int
    items_approved: int
    items_on_time: int
    items_late: int
    items_overdue: int
    contact_overdue: int


class TallyPublic(BaseModel):
    name: str
    total: int
    completed: int
    overdue: int
    escalated: int
    completion_rate: Decimal


class MeasurePublic(BaseModel):
    id: int
    number: str | None
    title: str
    area: str
    department: str
    deadline: dt.date | None
    state: str
    progress: int
    overdue: bool
    escalation: int
    evaluation: Decimal | None
    satisfaction: Decimal | None
    surveys: int


class SupervisionPublic(BaseModel):
    measures: list[MeasurePublic]
    by_area: list[TallyPublic]
    by_department: list[TallyPublic]


class OverduePublic(BaseModel):
    department: str
    counts: dict[str, int]
    total: int


class OversightPublic(BaseModel):
    overdue: list[OverduePublic]
    ratings: dict[str, int]
    rectifications: list[CasePublic]


class StandardPublic(BaseModel):
    kind: str
    code: str
    name: str
    body: dict[str, Any]
    changed: bool
