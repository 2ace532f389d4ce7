"""The service standard as data (``case_standard``), editable by staff: project templates
(the approval items of a kind of project, each with its agency and its targets in working
days, shorter on the green channel), request categories (targets to acknowledge, answer and
resolve) and the escalation of overdue measures. Until staff change one, the defaults below
(after Kunming's and Dalian's published standards) apply.

A case takes its targets when it is opened: a later change of the standard applies to new
cases, not to those under way.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.errors import InputError
from huiqi.messages import message
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission

from .models import CaseStandard

Kind = Literal["project_template", "request_category", "escalation"]


class TemplateItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="审批事项 / approval item")
    agency: str = Field(min_length=1, max_length=100, description="责任部门 / agency")
    days: int = Field(ge=1, le=365, description="承诺时限(工作日)/ target in working days")
    green_days: int | None = Field(default=None, ge=1, le=365,
                                   description="绿色通道时限 / target on the green channel")


class ProjectTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[TemplateItem] = Field(min_length=1, max_length=60)


class RequestCategory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    acknowledge: int = Field(ge=0, le=60, description="受理时限(工作日)")
    answer: int = Field(ge=0, le=120, description="答复时限(工作日)")
    resolve: int = Field(ge=0, le=365, description="办结时限(工作日)")


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: int = Field(ge=0, le=120, description="逾期几个工作日后报部门负责人")
    leadership: int = Field(ge=0, le=240, description="逾期几个工作日后报园区领导")


SHAPES: dict[str, type[BaseModel]] = {"project_template": ProjectTemplate,
                                      "request_category": RequestCategory,
                                      "escalation": Escalation}


def _items(*rows: tuple[str, str, int, int]) -> dict[str, Any]:
    return {"items": [{"name": n, "agency": a, "days": d, "green_days": g} for n, a, d, g in rows]}


DEFAULTS: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("project_template", "industrial"): ("一般工业项目", _items(
        ("项目立项(备案)", "发展和改革局", 5, 2),
        ("用地预审与选址意见", "自然资源和规划局", 10, 5),
        ("环境影响评价审批", "生态环境局", 15, 8),
        ("建设用地规划许可", "自然资源和规划局", 7, 3),
        ("建设工程规划许可", "自然资源和规划局", 10, 5),
        ("施工图审查", "住房和城乡建设局", 10, 5),
        ("施工许可", "住房和城乡建设局", 5, 2))),
    ("project_template", "fit_out"): ("既有厂房改造项目", _items(
        ("项目备案", "发展和改革局", 3, 1),
        ("消防设计审查", "住房和城乡建设局", 10, 5),
        ("施工许可", "住房和城乡建设局", 5, 2))),
    ("request_category", "policy"): ("政策咨询", {"acknowledge": 1, "answer": 3, "resolve": 10}),
    ("request_category", "finance"): ("融资需求", {"acknowledge": 1, "answer": 5, "resolve": 15}),
    ("request_category", "land"): ("用地与厂房", {"acknowledge": 2, "answer": 5, "resolve": 20}),
    ("request_category", "talent"): ("人才与用工", {"acknowledge": 1, "answer": 5, "resolve": 15}),
    ("request_category", "approval"): ("审批办证", {"acknowledge": 1, "answer": 3, "resolve": 10}),
    ("request_category", "other"): ("其他难事", {"acknowledge": 2, "answer": 5, "resolve": 20}),
    ("escalation", "measure"): ("督查任务逾期升级", {"department": 3, "leadership": 5}),
}


def validated(kind: str, body: Any) -> dict[str, Any]:
    shape = SHAPES.get(kind)
    if shape is None:
        raise InputError(message("case.standard_body", detail=f"kind {kind!r}"))
    try:
        return shape.model_validate(body).model_dump()
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
                           for e in exc.errors()[:5])
        raise InputError(message("case.standard_body", detail=detail)) from None


def get(s: Session, kind: str, code: str) -> tuple[str, dict[str, Any]] | None:
    """(name, body) of a piece of the standard: as staff set it, else the default."""
    row = s.scalar(select(CaseStandard).where(CaseStandard.kind == kind,
                                              CaseStandard.code == code))
    if row is not None:
        return row.name, dict(row.body)
    return DEFAULTS.get((kind, code))


def codes(s: Session, kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every piece of one kind: the defaults, with what staff set over them."""
    out = {c: v for (k, c), v in DEFAULTS.items() if k == kind}
    for row in s.scalars(select(CaseStandard).where(CaseStandard.kind == kind)):
        out[row.code] = (row.name, dict(row.body))
    return dict(sorted(out.items()))


@requires(Permission.CASE_READ)
def listing(ctx: Context) -> list[tuple[str, str, str, dict[str, Any], bool]]:
    """(kind, code, name, body, changed by staff) of the whole standard."""
    with ctx.db.read() as s:
        changed = {(r.kind, r.code) for r in s.scalars(select(CaseStandard))}
        return [(k, c, name, body, (k, c) in changed) for k in SHAPES
                for c, (name, body) in codes(s, k).items()]


@requires(Permission.CASE_STANDARD)
def put(ctx: Context, kind: str, code: str, name: str, body: Any) -> dict[str, Any]:
    """Set one piece of the standard (validated by its shape), audited."""
    clean = validated(kind, body)
    with ctx.db.write() as s:
        row = s.scalar(select(CaseStandard).where(CaseStandard.kind == kind,
                                                  CaseStandard.code == code))
        before = get(s, kind, code)
        if row is None:
            row = CaseStandard(kind=kind, code=code)
            s.add(row)
        row.name, row.body = name, clean
        row.updated_at, row.updated_by = ctx.now(), ctx.actor.username
        record(s, ctx, "case.standard", target=f"{kind}:{code}",
               before=None if before is None else {"name": before[0], "body": before[1]},
               after={"name": name, "body": clean})
        return clean
