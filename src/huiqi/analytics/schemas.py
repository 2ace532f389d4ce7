"""What the analytics service returns and takes (the API's shapes)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Label(BaseModel):
    zh: str
    en: str


class IndicatorDef(BaseModel):
    key: str
    label: Label
    unit: str
    direction: int
    weight: float
    range: tuple[float, float]
    status: str
    group: str


class GroupDef(BaseModel):
    key: str
    label: Label
    weight: float
    range: tuple[float, float]
    status: str
    indicators: list[IndicatorDef]


class FrameworkPublic(BaseModel):
    key: str
    version: int
    title: Label
    source: str
    years: tuple[int, int]
    complete: bool
    min_available: float
    published: tuple[int, int] | None = Field(
        None, description="一级、二级指标的公布数量 / groups and indicators the source publishes")
    known: tuple[int, int] = Field(description="此处已录入的一级、二级指标数 / groups and "
                                   "indicators declared here")
    groups: list[GroupDef]


class ParkRow(BaseModel):
    """One park's place in a year's evaluation."""

    code: str
    name: str
    home: bool
    score: float | None
    rank: int | None
    median_rank: float | None
    interval: tuple[int, int] | None = Field(
        description="5%–95% 排名区间(含名义排名)/ 5–95 % rank interval, widened to contain "
                    "the nominal rank")
    nominal_outside: bool = False
    available: float = Field(description="有数据的指标所占比例 / share of indicators with data")


class Evaluation(BaseModel):
    year: int
    framework: str
    method: dict[str, str]
    draws: int
    parks: list[ParkRow]


class IndicatorPlace(BaseModel):
    key: str
    label: Label
    unit: str
    value: float | None
    normalised: float | None
    rank: int | None
    of: int
    status: str


class GroupPlace(BaseModel):
    key: str
    label: Label
    score: float | None
    rank: int | None


class TrendPoint(BaseModel):
    year: int
    score: float | None
    rank: int | None
    interval: tuple[int, int] | None


class WhatIf(BaseModel):
    indicator: str
    label: Label
    unit: str
    value_before: float
    value_after: float
    change: float
    relative: float | None
    sd: float
    rank_after: int


class ParkDetail(BaseModel):
    year: int
    park: ParkRow
    of: int
    groups: list[GroupPlace]
    strongest: list[IndicatorPlace]
    weakest: list[IndicatorPlace]
    missing: list[IndicatorPlace]
    sensitivity: dict[str, float]
    what_if: list[WhatIf]
    trend: list[TrendPoint]
    values: dict[str, float | None] = Field(
        default_factory=dict, description="每项指标的数值(缺失为 null)/ every indicator's value (null: missing)")


class RegistryIndicator(BaseModel):
    key: str
    label: Label
    unit: str
    definition: Label
    source: Label
    year: int
    value: float | None
    enterprises: int
    missing: Label | None


class StatisticsImport(BaseModel):
    file: str
    rows: int
    parks: int
    written: int
    batch_id: int | None


# ------------------------------------------------------------------ chains

class ChainFirm(BaseModel):
    code: str
    name: str
    basis: str = Field(description="staff / product / keyword / industry")
    leader: bool
    revenue: str | None = Field(description="营业收入(元,精确到分)/ revenue, yuan to the fen")
    growth: float | None


class SegmentPublic(BaseModel):
    key: str
    label: Label
    position: int
    firms: int
    leaders: int
    revenue: str | None = Field(description="营业收入(元,精确到分)/ revenue, yuan to the fen")
    growth: float | None = Field(description="营业收入增长率 % / revenue growth, %")
    members: list[ChainFirm]


class ChainMap(BaseModel):
    key: str
    label: Label
    year: int
    park: str
    segments: list[SegmentPublic]
    links: list[tuple[str, str]]


class Target(BaseModel):
    """A gap in a chain and the kinds of firms to attract (招商)."""

    chain: str
    segment: str
    label: Label
    reasons: list[Label]
    attract: list[Label]
    firms: int
    priority: int


class MemberDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segment: str = Field(max_length=64)
    credit_code: str = Field(min_length=18, max_length=18)
    decision: Literal["include", "exclude"]
    leader: bool = False
    note: str | None = Field(default=None, max_length=500)


# ------------------------------------------------------------------ market

class ListingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    side: Literal["demand", "offer"]
    credit_code: str = Field(min_length=18, max_length=18)
    kind: Literal["need", "product", "research"] = "need"
    category: str = Field(max_length=64)
    title: str = Field(min_length=1, max_length=200)
    specs: dict[str, Any] = Field(default_factory=dict, max_length=40)
    qualifications: list[str] = Field(default_factory=list, max_length=20)
    volume: int | None = Field(default=None, ge=0, le=10**12)
    needed_by: dt.date | None = None
    contact: str = Field(min_length=1, max_length=200)


class ListingPublic(BaseModel):
    id: int
    side: str
    kind: str
    category: str
    title: str
    enterprise: str
    specs: dict[str, Any]
    qualifications: list[str]
    volume: int | None
    needed_by: dt.date | None
    state: str
    created_at: dt.datetime
    mine: bool


class SpecCheck(BaseModel):
    spec: str
    label: Label
    wanted: Any
    offered: Any
    status: Literal["met", "partial", "unmet", "unknown"]
    points: float
    weight: float
    note: Label


class MatchPublic(BaseModel):
    id: int
    demand: ListingPublic
    offer: ListingPublic
    score: float
    explanation: list[SpecCheck]
    state: str
    state_label: Label
    demand_consented: bool
    offer_consented: bool
    my_side: str | None
    actions: list[str]
    contacts: dict[str, str] | None = Field(description="仅在双方都同意后提供 / only once both sides said yes")
    outcome_note: str | None


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=2000)


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deal: bool
    note: str | None = Field(default=None, max_length=2000)
