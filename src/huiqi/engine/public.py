"""The public shape of a match: what the API serves, the pages read and ``huiqi match --json``
prints. The OpenAPI schema is generated from these models, so it describes every clause,
gap and explanation.

The hot path does not build these objects: :mod:`huiqi.engine.serialize` writes plain
dicts of exactly this shape, which are turned into JSON at once (building ~1,000 model
objects per explained match doubled its time, bench/RESULTS.md); whoever needs the
objects (the pages, :func:`huiqi.service.matching.match_one`) validates that JSON or those
dicts into them, and the tests check every dict against these models (no extra field).

Money and other exact numbers are decimal strings (``"200000"``, ``"0.065"``), never floats.
A text a person reads is one string when a language was asked for (``?lang=zh``), else both
languages (:class:`LocalText`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Decimal_ = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", examples=["12000000.00"])]
StatusName = Literal["eligible", "not_eligible", "undetermined", "needs_review"]
Outcome = Literal["met", "not_met", "undetermined", "needs_review"]


class _Shape(BaseModel):
    # a field the engine's serialisation adds without declaring it here fails the tests
    model_config = ConfigDict(extra="forbid")


class LocalText(BaseModel):
    zh: str
    en: str


#: A text in the language asked for, or in both.
Localized = str | LocalText
#: A value as compared: a decimal or a date as a string, a whole number, true/false, a list.
Value = str | int | bool | list[str | int | bool | None] | None


class GapPublic(_Shape):
    """How far a failed comparison is from being met."""

    condition: str = Field(description="条件路径 / the condition's path")
    op: str = Field(description="比较符 / the comparison (>=, >, <=, <)")
    value: Value = Field(description="企业的值 / the enterprise's value")
    target: Value = Field(description="要求的值 / the value required")
    shortfall: Decimal_ = Field(description="差距(天数、元、比例…)/ how far, in ``unit``")
    strict: bool = Field(description="严格比较:差距为 0 仍不满足 / strict: a gap of 0 still fails")
    unit: str = Field(description="yuan, ratio, days, a unit, or empty")


class ClauseResultPublic(_Shape):
    """One clause's result for one enterprise."""

    key: str = Field(description="policy/clause")
    policy: str
    clause: str
    status: StatusName
    amount: Decimal_ | None = Field(description="应付金额(符合时)/ payable (when eligible)")
    potential_amount: Decimal_ | None = Field(
        description="若条件满足可得的金额 / what it would pay if the conditions were met")
    amount_assumed: bool = Field(description="金额为假定(原文未给出)/ the amount is assumed "
                                 "(not given by the text)")
    failed: list[str] = Field(description="未满足的条件 / conditions not met")
    gaps: list[GapPublic]
    missing: list[str] = Field(description="缺少的事实,按年度的写成 名称@年度 / missing facts "
                               "(yearly: name@year)")
    needs_review: list[str] = Field(description="须人工审核的条件 / conditions a person judges")
    window: tuple[dt.date, dt.date] | None = Field(
        description="申报时间 / the application window")


class CitePublic(_Shape):
    """The sentence of the policy text a rule comes from, or why it is assumed."""

    paragraph: str | None
    quote: str | None
    assumed: str | None
    summary: bool = Field(description="引用的是要点摘要(非原文)/ the paragraph cited is the pack's "
                          "summary, not the original text")


class SeenPublic(_Shape):
    """One value a condition read: what it is, how it is written, what it was."""

    label: Localized
    expr: str
    value: Localized


class ExceptionPublic(_Shape):
    """A labelled exception of a condition, and whether it applied."""

    id: str
    label: Localized
    outcome: Outcome
    cite: CitePublic


class ConditionExplanationPublic(_Shape):
    """Why one condition (and each of its parts) was or was not met."""

    path: str
    label: Localized
    outcome: Outcome
    cite: CitePublic
    expr: str | None
    review: Localized | None = Field(description="人工审核什么 / what a person must judge")
    seen: list[SeenPublic]
    exceptions: list[ExceptionPublic]
    gap: Localized | None = Field(description="差距,如“差 0.5 个百分点” / the gap in words")
    children: list[ConditionExplanationPublic]


class ExplanationPublic(_Shape):
    """A clause's result explained: every condition, the amount's steps, what is missing."""

    key: str
    title: Localized
    status: StatusName
    amount: Decimal_ | None
    potential_amount: Decimal_ | None
    amount_assumed: list[str] = Field(description="金额所依据、原文未给出的假定 / what the amount "
                                      "assumes that the text does not give")
    cite: CitePublic
    conditions: list[ConditionExplanationPublic]
    amount_steps: list[Localized]
    missing: list[Localized] = Field(description="缺少的信息 / what is missing, as a person reads it")
    notes: list[Localized]
    window: Localized | None
    program: list[Localized]
    pack_version: str
    as_of: dt.date


class ReportedValuePublic(_Shape):
    key: str = Field(description="policy:name")
    label: Localized
    value: Decimal_ | None = Field(description="保留六位小数(四舍六入五成双);缺失或无意义时为空 / "
                                   "to 6 decimals, half-even; null when missing or undefined")
    state: Literal["ok", "missing", "undefined"]
    grade: str | None = Field(description="所在分档的标签,如 A / the label of its band, e.g. A")


class PackMatch(_Shape):
    """One enterprise against one pack version: every clause in force, and (when asked) each
    explained, in the same order."""

    pack: str
    pack_version: str
    as_of: dt.date
    total_eligible_amount: Decimal_
    total_assumed_amount: Decimal_ = Field(
        description="合计中金额为假定(原文未给出)的部分 / the part of the total whose amounts are "
        "assumed (not given by the text)")
    clauses: list[ClauseResultPublic]
    explanations: list[ExplanationPublic] | None = None
    not_in_force: list[str]
    values: list[ReportedValuePublic] = Field(
        default_factory=list, description="政策包按企业列出的数值(得分、增长率、等级)/ the values "
        "the pack reports per enterprise (a score, a growth rate, a grade)")


__all__ = ["CitePublic", "ClauseResultPublic", "ConditionExplanationPublic", "ExceptionPublic",
           "ExplanationPublic", "GapPublic", "LocalText", "Localized", "PackMatch", "SeenPublic"]
