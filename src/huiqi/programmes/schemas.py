"""What the programme services take and give (the API serves them as they are). Money
travels as decimal strings, never floats."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from huiqi.service.schemas import Code, Day, Decimal_, Name, Str

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,63}$")]
Reason = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=2000)]
Mode = Literal["universal", "competitive", "automatic"]
Aggregation = Literal["mean", "trimmed_mean"]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{3,64}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MaterialSpec(_Model):
    kind: Key
    label_zh: Name
    label_en: Name
    types: Annotated[list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{1,8}$")]],
                     Field(min_length=1, max_length=10)] = ["pdf"]
    max_bytes: Annotated[int, Field(ge=1, le=50_000_000)] = 10_000_000
    required: bool = True


class CriterionSpec(_Model):
    id: Key
    label_zh: Name
    label_en: Name
    weight: Decimal_
    assumed: bool = False


class RubricSpec(_Model):
    criteria: Annotated[list[CriterionSpec], Field(min_length=1, max_length=20)]
    pass_mark: Decimal_
    aggregation: Aggregation = "mean"
    scale: Decimal_ = "100"
    tie_break: Annotated[list[Key], Field(max_length=10)] = []


class Durations(_Model):
    """Stage durations in working days (China's calendar)."""

    formal_review: Annotated[int, Field(ge=1, le=60)] = 5
    correction: Annotated[int, Field(ge=1, le=60)] = 5
    review: Annotated[int, Field(ge=1, le=120)] = 15
    objection: Annotated[int, Field(ge=1, le=30)] = 5


class HonourSpec(_Model):
    """The honour a grant records as a fact of the enterprise (rules read it)."""

    fact: Literal["awards", "honours"]
    kind: Key
    level: Literal["national", "provincial", "municipal", "district"]
    validity_months: Annotated[int, Field(ge=1, le=240)] | None = None


class ProgrammeCreate(_Model):
    key: Key
    title_zh: Name
    title_en: Name
    pack: Key
    clause: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$",
                                             max_length=200)]
    mode: Mode
    year: Annotated[int, Field(ge=2000, le=2100)]
    opens_on: Day
    closes_on: Day
    budget: Decimal_
    budget_year: Decimal_ | None = None
    quota: Annotated[int, Field(ge=1, le=100_000)] | None = None
    may_be_vacant: bool | None = None
    materials: Annotated[list[MaterialSpec], Field(max_length=20)] = []
    durations: Durations = Durations()
    rubric: RubricSpec | None = None
    reviewers: Annotated[list[Username], Field(max_length=50)] = []
    exclusive_group: Key | None = None
    enterprise_year_cap: Decimal_ | None = None
    honour: HonourSpec | None = None


class ProgrammePublic(BaseModel):
    key: str
    title: dict[str, str]
    pack: str
    version_key: str | None
    clause: str
    mode: Mode
    mode_label: dict[str, str]
    year: int
    opens_on: dt.date
    closes_on: dt.date
    open_now: bool
    budget: Decimal_
    budget_year: Decimal_ | None
    committed: Decimal_
    paid: Decimal_
    quota: int | None
    awarded: int
    may_be_vacant: bool
    materials: list[MaterialSpec]
    durations: Durations
    rubric: RubricSpec | None
    reviewers: list[str]
    exclusive_group: str | None
    enterprise_year_cap: Decimal_ | None
    honour: HonourSpec | None
    counts: dict[str, int]
    decided_at: dt.datetime | None
    decision: Any | None


class MaterialPublic(BaseModel):
    id: int
    kind: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by: str


class ScorePublic(BaseModel):
    reviewer: str
    state: str
    scores: dict[str, str] | None
    total: Decimal_ | None
    comment: str | None


class ObjectionPublic(BaseModel):
    id: int
    text: str
    filed_at: dt.datetime
    answer: str | None
    upheld: bool | None
    answered_at: dt.datetime | None


class PaymentPublic(BaseModel):
    id: int
    amount: Decimal_
    paid_on: dt.date
    reference: str
    recorded_at: dt.datetime
    recorded_by: str


class ActionPublic(BaseModel):
    name: str
    label: dict[str, str]
    reason_required: bool


class ApplicationPublic(BaseModel):
    id: int
    programme: str
    programme_title: dict[str, str]
    enterprise: str
    enterprise_name: str
    origin: Literal["applied", "automatic"]
    state: str
    state_label: dict[str, str]
    facts: dict[str, Any]
    precheck: Any | None
    submitted_at: dt.datetime | None
    due_on: dt.date | None
    working_days_left: int | None
    note: str | None
    score: Decimal_ | None
    rank: int | None
    amount: Decimal_ | None
    amount_rule: Decimal_ | None
    version_key: str | None
    paid: Decimal_
    explanation: Any | None
    materials: list[MaterialPublic]
    reviews: list[ScorePublic]
    objections: list[ObjectionPublic]
    payments: list[PaymentPublic]
    actions: list[ActionPublic]
    created_at: dt.datetime
    updated_at: dt.datetime


class ApplicationStart(_Model):
    programme: Key
    enterprise: Code


class FactsConfirm(_Model):
    """The facts the clause reads, confirmed or completed by the enterprise: fact → value
    (yearly facts as ``fact@year``)."""

    facts: Annotated[dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}(@\d{4})?$")],
                          Any], Field(max_length=200)]


class Move(_Model):
    """A transition of an application (``submit``, ``return``, ``pass`` …) with its reason."""

    action: Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,32}$")]
    reason: Reason | None = None


class ConflictDeclare(_Model):
    reason: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=500)]


class ScoreIn(_Model):
    scores: Annotated[dict[Key, Decimal_], Field(min_length=1, max_length=20)]
    comment: Reason | None = None


class AssignIn(_Model):
    reviewers: Annotated[list[Username], Field(min_length=1, max_length=50)]


class ObjectionIn(_Model):
    text: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=2000)]
    contact: Str | None = None


class ObjectionAnswer(_Model):
    answer: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=2000)]
    upheld: bool


class PaymentIn(_Model):
    amount: Decimal_
    paid_on: Day
    reference: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=100)]


class Exclusion(_Model):
    enterprise: Code
    reason: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=500)]


class AutomaticConfirm(_Model):
    """免申即享: confirm every proposed record but the excluded ones (each with a reason)."""

    exclusions: Annotated[list[Exclusion], Field(max_length=10_000)] = []


class DecisionPublic(BaseModel):
    programme: str
    vacant: bool
    cut_off: Decimal_ | None
    pass_mark: Decimal_ | None
    quota: int | None
    ranked: list[dict[str, Any]]
    chosen: list[str]
    committed: Decimal_
    budget: Decimal_


class BudgetLine(BaseModel):
    programme: str
    title: dict[str, str]
    mode: Mode
    year: int
    budget: Decimal_
    committed: Decimal_
    paid: Decimal_
    quota: int | None
    awarded: int
    potential: Decimal_ | None
    potential_count: int | None
    potential_capped: Decimal_ | None


class NoticeEntry(BaseModel):
    """One line of the public notice (公示): no facts, no scores' details."""

    application: int
    programme: str
    programme_title: dict[str, str]
    enterprise: str
    enterprise_name: str
    amount: Decimal_ | None
    rank: int | None
    score: Decimal_ | None
    notice_ends: dt.date | None


class AssignmentPublic(BaseModel):
    """A reviewer's assignment as its list shows it: before the conflict question is
    answered, only what is public (the programme, the enterprise's name)."""

    application: int
    programme: str
    programme_title: dict[str, str]
    enterprise_name: str
    state: str
    due_on: dt.date | None
    total: Decimal_ | None


class ConflictAnswer(_Model):
    """The reviewer's answer before anything non-public is shown: a conflict (with the
    reason; the assignment becomes recused) or none."""

    conflict: bool
    reason: Reason | None = None


class ConflictDeclaration(_Model):
    enterprise: Code
    reason: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=500)]


class ConflictPublic(BaseModel):
    reviewer: str
    enterprise: str
    enterprise_name: str
    reason: str
    declared_at: dt.datetime
