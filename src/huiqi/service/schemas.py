"""What the services take and give: ``XCreate`` / ``XUpdate`` for input, ``XPublic`` for
output. The API serves them as they are; the OpenAPI spec is generated from them.

Money and other exact numbers travel as decimal strings (``"12000000.00"``), never floats.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from annotated_types import Interval
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from huiqi.engine.public import GapPublic, LocalText, PackMatch

from .permissions import Role

T = TypeVar("T")

#: Text without control characters that a database would refuse (NUL).
Str = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=200)]
Name = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", min_length=1,
                                        max_length=200)]
Code = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{18}$")]
District = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=64)]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{3,64}$")]
Password = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", min_length=1, max_length=256)]


@dataclass(frozen=True)
class SchemaExtra:
    """Keys added to (or, ``drop``, taken from) a type's JSON schema, and so the OpenAPI spec."""

    values: tuple[tuple[str, Any], ...]
    drop: tuple[str, ...] = ()

    def __get_pydantic_json_schema__(self, core: Any, handler: GetJsonSchemaHandler
                                     ) -> dict[str, Any]:
        schema = {k: v for k, v in handler(core).items() if k not in self.drop}
        schema.update(self.values)
        return schema


#: A password being set: the application writes its policy (the settings') into the spec
#: where ``x-password-policy`` marks it; the service checks it.
NewPassword = Annotated[Password, SchemaExtra((("x-password-policy", True),))]

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_day(value: object) -> object:
    """A day is written YYYY-MM-DD: a number is not read as seconds since 1970."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a date written YYYY-MM-DD")


#: A day, YYYY-MM-DD, from 1900-01-01 to 2200-12-31 (the bounds are in the spec).
Day = Annotated[dt.date, BeforeValidator(_written_as_a_day),
                Interval(ge=FIRST_DAY, le=LAST_DAY),
                SchemaExtra((("pattern", f"^{_DAY.pattern}$"),
                             ("formatMinimum", FIRST_DAY.isoformat()),
                             ("formatMaximum", LAST_DAY.isoformat())),
                            drop=("ge", "le"))]  # not JSON Schema's words
OneTimeCode = Annotated[str, StringConstraints(pattern=r"^[0-9 ]{0,10}$")]
Decimal_ = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", examples=["12000000.00"])]
EntityKind = Literal["enterprise", "university", "institute", "service_provider",
                     "individual_business"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    total: int
    offset: int
    limit: int
    items: list[T]


# ------------------------------------------------------------------ accounts and sign-in

class LoginRequest(_Model):
    username: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=64)]
    password: Password
    totp: OneTimeCode | None = None


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: dt.datetime
    username: str
    role: Role


class AccountCreate(_Model):
    username: Username
    display_name: Name
    role: Role
    password: NewPassword
    enterprise: Code | None = None
    district: District | None = Field(default=None, description="工作人员所属区县 / the staff "
                                      "account's district")


class AccountUpdate(_Model):
    display_name: Name | None = None
    role: Role | None = None
    active: bool | None = None
    unlock: bool = False
    totp_off: bool = Field(default=False, description="关闭动态验证码(须重新绑定)/ turn the "
                           "one-time code off (to be bound again)")
    enterprise: Code | None = None
    password: NewPassword | None = None
    district: District | None = Field(default=None, description="工作人员所属区县(空串清除)/ "
                                      "the staff account's district (empty clears it)")


class AccountPublic(BaseModel):
    username: str
    display_name: str
    role: Role
    role_label: LocalText
    enterprise: str | None
    active: bool
    totp_enabled: bool
    locked: bool
    district: str | None = None


class PasswordChange(_Model):
    current: Password
    new: NewPassword


class TotpStart(_Model):
    """Starting to bind a new authenticator: the password again, and a current code if a
    second factor is on."""

    password: Password
    code: OneTimeCode | None = None


class TotpOff(_Model):
    """Turning the second factor off: the password and a current code."""

    password: Password
    code: OneTimeCode | None = None


class TotpBegin(BaseModel):
    secret: str
    uri: str


class TotpConfirm(_Model):
    code: OneTimeCode


# ------------------------------------------------------------------ registry

class EnterpriseCreate(_Model):
    credit_code: Code
    name: Name
    kind: EntityKind = "enterprise"
    district: Str | None = None
    park: Str | None = None
    since: Day | None = None


class EnterpriseUpdate(_Model):
    name: Name | None = None
    district: Str | None = None
    park: Str | None = None
    moved_on: Day | None = Field(default=None, description="迁移生效日期 / date of the move")


class EnterprisePublic(BaseModel):
    credit_code: str
    name: str
    kind: str
    district: str | None
    park: str | None
    industry: str | None
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


class LocationPublic(BaseModel):
    district: str | None
    park: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    recorded_at: dt.datetime
    recorded_by: str
    batch_id: int | None


class FactPublic(BaseModel):
    fact: str
    year: int | None
    value: Any
    label: LocalText
    source: str
    recorded_at: dt.datetime
    recorded_by: str
    batch_id: int | None


class FactSet(_Model):
    fact: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    value: Any = None


class FactsUpdate(_Model):
    items: Annotated[list[FactSet], Field(min_length=1, max_length=500)]
    source: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,31}$")] | None = None


class FactChange(BaseModel):
    fact: str
    year: int | None
    before: Any
    after: Any


# ------------------------------------------------------------------ policies

class PackFileIn(_Model):
    path: Annotated[str, StringConstraints(min_length=1, max_length=400)]
    content: Annotated[str, StringConstraints(max_length=2_000_000)]


class PackUpload(_Model):
    files: Annotated[list[PackFileIn], Field(min_length=1, max_length=500)]
    note: Str | None = None


class PackFilePublic(BaseModel):
    path: str
    sha256: str
    size: int


class VersionPublic(BaseModel):
    pack: str
    number: int
    status: Literal["draft", "published", "superseded", "retired"]
    version_key: str | None
    title: LocalText | None
    note: str | None
    created_at: dt.datetime
    created_by: str
    published_at: dt.datetime | None
    published_by: str | None
    ended_at: dt.datetime | None
    files: list[PackFilePublic]


class FileDiffPublic(BaseModel):
    path: str
    change: Literal["added", "removed", "changed", "same"]
    diff: str = Field(description="unified diff of the text (empty if the same)")
    added_lines: int
    removed_lines: int


class DiffPublic(BaseModel):
    """A version against the published version of its pack (``base``: its number, or
    null if none is published). Publish with ``reviewed=digest``."""

    pack: str
    number: int
    base: int | None
    digest: str
    files: list[FileDiffPublic]


class PackPublic(BaseModel):
    key: str
    current: VersionPublic | None
    versions: list[VersionPublic]


class ProblemItem(BaseModel):
    code: str
    message: LocalText
    hint: LocalText | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    snippet: str | None = None
    path: list[str | int] = []


class CheckPublic(BaseModel):
    ok: bool
    version_key: str | None
    policies: int
    clauses: int
    problems: list[ProblemItem]


class ClausePublic(BaseModel):
    key: str
    policy: str
    clause: str
    title: LocalText


class DeclaredFieldPublic(BaseModel):
    """A fact a pack declares (facts.yaml), or a field of its records."""

    id: str
    type: Literal["money", "ratio", "integer", "decimal", "date", "bool", "enum", "enum_set",
                  "text", "records"]
    label: LocalText
    description: LocalText | None = None
    unit: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    optional: bool = False
    #: an enumeration's values: id → label
    options: dict[str, LocalText] | None = None


class DeclaredFactPublic(DeclaredFieldPublic):
    yearly: bool
    source: str | None = None
    #: where it is declared: file (``pack/facts.yaml``) and line
    file: str
    line: int | None = None
    #: a records fact's fields
    fields: list[DeclaredFieldPublic] | None = None


# ------------------------------------------------------------------ matching

class MatchPublic(BaseModel):
    enterprise: str
    name: str
    as_of: dt.date
    packs: list[PackMatch]


class RunCreate(_Model):
    pack: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
    as_of: Day | None = None


class RunPublic(BaseModel):
    id: int
    pack: str
    version_key: str
    as_of: dt.date
    entities: int
    results: int
    started_at: dt.datetime
    finished_at: dt.datetime
    run_by: str


class ResultPublic(BaseModel):
    credit_code: str
    name: str
    district: str | None
    industry: str | None
    clause: str
    status: Literal["eligible", "not_eligible", "undetermined", "needs_review"]
    amount: Decimal_ | None
    potential_amount: Decimal_ | None
    amount_assumed: bool = Field(default=False, description="金额为假定(原文未给出)/ the "
                                 "amount is assumed (not given by the text)")
    failed: list[str]
    gaps: list[GapPublic]
    missing: list[str]
    version_key: str
    as_of: dt.date


# ------------------------------------------------------------------ imports and audit

class ImportPublic(BaseModel):
    id: int | None
    file: str
    format: str
    sha256: str
    source: str
    rows: int
    entities_created: int
    entities_updated: int
    entities_unchanged: int
    facts_written: int
    locations_changed: int
    columns: list[str]
    imported_at: dt.datetime | None = None
    imported_by: str | None = None
    changed: bool


class AuditPublic(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    role: str | None
    action: str
    outcome: str
    target: str | None
    before: Any
    after: Any
    detail: str | None


# ------------------------------------------------------------------ review decisions

ScoreText = Annotated[str, Field(pattern=r"^-?\d{1,15}(\.\d{1,4})?$", examples=["72.5"])]


class DecisionCreate(_Model):
    """A decision on a condition a person judges: a verdict for a yes/no review, the scores
    of its parts for a scored review (``score`` for one without parts; null: not given)."""

    condition: Annotated[str, StringConstraints(
        pattern=r"^[A-Za-z][A-Za-z0-9_-]*/[A-Za-z][A-Za-z0-9_-]*(/[A-Za-z][A-Za-z0-9_-]*)+$",
        max_length=300)] = Field(description="policy/clause/condition")
    verdict: bool | None = None
    scores: Annotated[dict[Annotated[str, StringConstraints(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")], ScoreText | None],
        Field(max_length=50)] | None = None
    evidence: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$",
                                               max_length=2000)] = Field(
        description="依据 / the evidence the decision rests on")


class DecisionPublic(BaseModel):
    id: int
    credit_code: str
    pack: str
    version_key: str
    condition: str
    verdict: bool | None
    scores: dict[str, Decimal_ | None] | None
    evidence: str
    decided_at: dt.datetime
    decided_by: str


# ------------------------------------------------------------------ population

class NearMissPublic(BaseModel):
    credit_code: str
    name: str
    condition: str
    shortfall: Decimal_ | None
    potential_amount: Decimal_ | None
    version_key: str
    as_of: dt.date


class SimulationCreate(_Model):
    pack: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
    number: Annotated[int, Field(ge=1, le=1_000_000_000)] | None = None
    as_of: Day | None = None


class SimulationClause(BaseModel):
    clause: str
    eligible: int
    not_eligible: int
    undetermined: int
    needs_review: int
    amount: Decimal_ | None
    potential_amount: Decimal_ | None


class SimulationPublic(BaseModel):
    pack: str
    number: int
    status: str
    version_key: str
    as_of: dt.date
    entities: int
    total_amount: Decimal_
    clauses: list[SimulationClause]
