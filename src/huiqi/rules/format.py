"""The shape of a policy file and of a pack file, as Pydantic models.

These models check the *structure* of a file (which keys, which kinds of value);
expressions inside are strings here and are parsed and type-checked by
:mod:`huiqi.rules.checker`. ``policy_schema()`` publishes the JSON Schema that
editors use to validate policy files as they are typed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Scalar = Annotated[str | int | Decimal, Field(description="数值、金额(¥20000 或 2万元)、百分比(7%)或表达式")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=False)


class Label(_Model):
    """A label in Chinese and (optionally) English."""

    zh: str = Field(description="中文")
    en: str | None = Field(default=None, description="English")


LabelLike = Annotated[str | Label, Field(description="标签:一个字符串,或 {zh:, en:}")]


class CiteRef(_Model):
    """Where in the policy text a rule comes from."""

    p: str | int = Field(description="段落编号或段落 id,如 3、art6-2")
    quote: str | None = Field(default=None, description="所引原文(须逐字出现在该段中)")


CiteLike = Annotated[str | int | CiteRef,
                     Field(description="出处:段落编号/id,或 {p:, quote:}")]


class _Sourced(_Model):
    cite: CiteLike | None = Field(default=None, description="出处")
    assumed: str | None = Field(default=None,
                                description="原文未给出、由本政策包假定时,写明假定了什么、为何")


class Paragraph(_Model):
    id: str
    text: str


class Source(_Model):
    """The text of the policy: inline, in a file beside the policy, or as numbered paragraphs;
    and, where the original is not available, a Chinese summary of its points.

    The original (``file``, ``text`` or ``paragraphs``) holds only the source's own words,
    shown as 政策原文. A ``summary`` is written by the pack's authors and shown as
    要点摘要(非原文); its paragraphs are numbered after the original's and may be cited
    like them. Where the text was found, what was re-posted or could not be confirmed goes
    in ``note``, shown as a small note beside the text — never as a paragraph of it."""

    file: str | None = Field(default=None, description="原文文件(相对本文件),空行分段,段号 1,2,3…;只含来源自己的文字")
    text: str | None = Field(default=None, description="原文全文,空行分段")
    paragraphs: list[Paragraph] | None = Field(default=None, description="带 id 的段落")
    summary: str | None = Field(default=None, description="要点摘要文件(中文,非原文;原文不可得时使用),段号接在原文之后")
    url: str | None = None
    note: str | None = Field(default=None, description="来源说明:转载出处、未能核对之处(显示为小字附注)")


class Dates(_Model):
    issued: dt.date | None = None
    effective: dt.date
    expiry: dt.date | None = None


ParamType = Literal["money", "ratio", "integer", "decimal", "date", "days", "months", "bool",
                    "text"]


class Parameter(_Sourced):
    """A named value of the policy whose value changes over time, keyed by the date it takes effect."""

    type: ParamType
    unit: str | None = Field(default=None, description="integer/decimal 的单位,如 person、m2、point")
    label: LabelLike
    values: dict[dt.date, Scalar | bool] = Field(description="生效日期 → 取值")


class Band(_Model):
    range: str = Field(description="区间,如 \"[25%, 30%)\"、\"[30%, ∞)\"、\"(-∞, 10%)\"")
    value: Scalar
    label: LabelLike | None = None


class Table(_Sourced):
    """A banded lookup table (numbers by interval) or an enum-keyed table."""

    label: LabelLike
    unit: str | None = Field(default=None, description="取值的单位,如 point")
    domain: str | None = Field(default=None, description="输入的取值范围,默认 (-∞, ∞)")
    bands: list[Band] | None = None
    versions: dict[dt.date, list[Band]] | None = Field(default=None,
                                                       description="按生效日期分版本的分档")
    entries: dict[str, Scalar] | None = Field(default=None, description="枚举值 → 取值")
    default: Scalar | None = None


class Value(_Sourced):
    """A named, derived value (a score item, a ratio) that conditions and amounts can use."""

    label: LabelLike
    expr: str
    report: bool = Field(default=False, description="在匹配结果中按企业列出此值(如得分、增长率)")
    grade: str | None = Field(default=None, description="分档表名:另列出此值所在档的标签(如 A…F)")


ValueLike = Annotated[str | Value, Field(description="表达式,或 {label:, expr:, cite:}")]


class ConditionException(_Sourced):
    """A labelled exception that overrides a condition's default outcome (as in Catala)."""

    id: str
    label: LabelLike
    when: str
    then: Literal["met", "not_met"] = "met"


class ScorePart(_Model):
    """One sub-score a reviewer gives (e.g. 技术先进性 0–40)."""

    label: LabelLike
    min: Scalar | None = Field(default=None, description="最低分")
    max: Scalar | None = Field(default=None, description="最高分")


class Score(_Model):
    """A review that gives a score (or sub-scores combined by a formula), compared with a
    pass mark: ``score >= pass_mark`` (不低于), or ``>`` when ``strict`` (高于)."""

    pass_mark: Scalar = Field(description="及格线,数值或参数名,如 60")
    strict: bool = Field(default=False, description="true:须高于及格线;false:不低于及格线即可")
    min: Scalar | None = Field(default=None, description="(无分项时)最低分")
    max: Scalar | None = Field(default=None, description="(无分项时)最高分")
    parts: dict[str, ScorePart] | None = Field(default=None, description="分项评分,如 tech、market")
    formula: str | None = Field(default=None, description="分项合成总分的公式,如 0.6 * tech + 0.4 * market")


class Condition(_Sourced):
    """One eligibility condition: an expression, a review by a person, or a group."""

    id: str | None = None
    label: LabelLike
    when: str | None = Field(default=None, description="条件表达式")
    review: LabelLike | None = Field(default=None, description="须人工审核的条件,写明审核什么")
    score: Score | None = Field(default=None, description="人工评分:分数(或分项)与及格线比较")
    all_of: list[Condition] | None = None
    any_of: list[Condition] | None = None
    exceptions: list[ConditionException] | None = None


class Rounding(_Model):
    unit: Literal["fen", "jiao", "yuan", "ten_yuan", "hundred_yuan", "thousand_yuan",
                  "ten_thousand_yuan"]
    mode: Literal["half_up", "half_even", "down", "up"]


class AmountException(_Sourced):
    id: str
    label: LabelLike
    when: str
    amount: str


class Benefit(_Sourced):
    """What an eligible enterprise receives."""

    kind: Literal["fixed", "share", "per_unit", "banded", "formula", "title", "service"]
    label: LabelLike | None = None
    amount: str | None = Field(default=None, description="金额表达式(元)")
    exceptions: list[AmountException] | None = None
    cap: str | None = Field(default=None, description="本条款上限(元)")
    rounding: Rounding | None = None


class Choice(_Sourced):
    """A choice the applicant declares, e.g. which R&D measure it is scored on."""

    id: str
    label: LabelLike
    options: dict[str, LabelLike]


class Window(_Model):
    opens: dt.date | str = Field(description="开始日期,或每年的 MM-DD")
    closes: dt.date | str = Field(description="截止日期,或每年的 MM-DD")


class Program(_Sourced):
    """What the programmes will enforce: windows, quota, budget, validity, cooldown."""

    recurrence: Literal["yearly", "once", "rolling", "batch"] | None = None
    windows: list[Window] | None = None
    quota_per_year: int | None = Field(default=None, ge=0)
    budget_total: Scalar | None = None
    validity: str | None = Field(default=None, description="有效期,如 4 years")
    cooldown: str | None = Field(default=None, description="再次申报的间隔,如 4 years")
    once_only: bool | None = None
    may_be_vacant: bool | None = None
    applicants: Literal["single", "consortium", "single_or_consortium"] | None = None


class Clause(_Sourced):
    id: str
    title: LabelLike
    values: dict[str, ValueLike] | None = None
    conditions: list[Condition] = Field(default_factory=list)
    benefit: Benefit | None = None
    program: Program | None = None
    notes: LabelLike | None = None


class Group(_Sourced):
    """Stacking: an exclusive group pays only its highest (就高不重复); a cap limits a total."""

    id: str
    label: LabelLike
    kind: Literal["exclusive", "cap"]
    clauses: list[str]
    cap: Scalar | None = Field(default=None, description="cap 组:每家企业每年合计上限")


class Policy(_Sourced):
    """One policy document, encoded as clauses."""

    id: str
    title: LabelLike
    issuer: LabelLike
    document_number: str | None = None
    dates: Dates
    source: Source
    parameters: dict[str, Parameter] | None = None
    tables: dict[str, Table] | None = None
    values: dict[str, ValueLike] | None = None
    choices: list[Choice] | None = None
    clauses: list[Clause]
    groups: list[Group] | None = None
    notes: LabelLike | None = None
    tags: list[str] | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return v


class Pack(_Model):
    """``pack.yaml``: a set of policies published together as one version."""

    id: str
    title: LabelLike
    version: str
    description: LabelLike | None = None
    policies: list[str] | None = Field(default=None,
                                       description="政策文件;省略时为本目录下除 pack.yaml 外的全部 .yaml")
    groups: list[Group] | None = Field(default=None, description="跨政策的叠加规则,条款写作 政策id/条款id")


def policy_schema() -> dict[str, Any]:
    """The JSON Schema of a policy file."""
    schema = Policy.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://huiqi.dev/schema/policy.schema.json"
    schema["title"] = "huiqi policy (惠企政策文件)"
    return schema


def pack_schema() -> dict[str, Any]:
    schema = Pack.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://huiqi.dev/schema/pack.schema.json"
    schema["title"] = "huiqi pack (惠企政策包)"
    return schema
