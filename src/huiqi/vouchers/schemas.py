"""What the voucher services take and give (money as decimal strings, never floats)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from huiqi.service.schemas import Code, Decimal_, Name, Str

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,63}$")]
Number = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_./-]{1,100}$")]
Period = Annotated[str, StringConstraints(pattern=r"^\d{4}Q[1-4]$")]
ServiceClass = Literal["finance", "talent", "technology", "intermediary"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SchemeCreate(_Model):
    key: Key
    title_zh: Name
    title_en: Name
    year: Annotated[int, Field(ge=2000, le=2100)]
    budget: Decimal_
    valid_until: dt.date
    pack: Key | None = "seed"
    clause: Str | None = "xm-torch-voucher/voucher"
    #: dated parameters ({name: {date: value}}); the defaults (assumed) where not given
    params: dict[str, dict[str, Decimal_]] = {}


class ItemSpec(_Model):
    code: Key
    title_zh: Name
    title_en: Name
    service_class: ServiceClass
    price: Decimal_


class ProviderApply(_Model):
    enterprise: Code
    in_zone: bool = True
    items: Annotated[list[ItemSpec], Field(min_length=1, max_length=50)]


class ProviderEvaluate(_Model):
    """The panel's scores, one mapping criterion → score per reviewer (the rubric of
    :data:`huiqi.vouchers.service.PLATFORM_RUBRIC`)."""

    reviews: Annotated[list[dict[Key, Decimal_]], Field(min_length=1, max_length=20)]
    lapses_on: dt.date | None = None


class Issue(_Model):
    enterprise: Code
    amount: Decimal_ | None = None   # None: the clause's amount
    tsme: bool | None = None         # None: from the enterprise's honours


class Redeem(_Model):
    provider: int
    number: Number
    amount: Decimal_
    item: int | None = None


class Settle(_Model):
    reference: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class ItemPublic(_Model):
    id: int
    code: str
    title: dict[str, str]
    service_class: str
    price: str


class ProviderPublic(_Model):
    id: int
    enterprise: str
    name: str
    state: str
    in_zone: bool
    recognised_on: dt.date | None
    lapses_on: dt.date | None
    score: str | None
    accepts: bool
    items: list[ItemPublic]
    held: str
    receivable: str
    paid: str
    bonus: str


class SchemePublic(_Model):
    key: str
    title: dict[str, str]
    year: int
    valid_until: dt.date
    params: dict[str, Any]
    balances: dict[str, str]       # by kind: budget, quota, held, receivable, payments, …
    vouchers: int
    providers: int


class EntryPublic(_Model):
    txn: int
    kind: str
    reference: str
    posted_on: dt.date
    amount: str
    memo: str | None


class ContractPublic(_Model):
    id: int
    voucher: int
    enterprise: str
    enterprise_name: str
    provider: int
    provider_name: str
    number: str
    amount: str
    deducted: str
    state: str
    signed_on: dt.date
    confirmed_on: dt.date | None
    claim: int | None


class VoucherPublic(_Model):
    id: int
    scheme: str
    enterprise: str
    enterprise_name: str
    state: str
    amount: str
    remaining: str
    share: str
    tsme: bool
    issued_on: dt.date
    valid_until: dt.date
    history: list[EntryPublic]
    contracts: list[ContractPublic]


class ClaimPublic(_Model):
    id: int
    provider: int
    provider_name: str
    period: str
    state: str
    amount: str
    bonus: str | None
    reference: str | None
    claimed_at: dt.datetime
    settled_at: dt.datetime | None
    contracts: list[ContractPublic]


class SettlementRun(_Model):
    period: str
    settled: int
    already: int
    paid: str
    bonus: str


# ---------------------------------------------------------------------- 揭榜挂帅

class CriterionIn(_Model):
    id: Key
    label_zh: Name
    label_en: Name
    weight: Decimal_
    assumed: bool = False


class ChallengeListCreate(_Model):
    key: Key
    title_zh: Name
    title_en: Name
    issuer: Name
    budget: Decimal_
    opens_on: dt.date
    closes_on: dt.date
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=12)]
    pass_mark: Decimal_ = "60"


class MilestoneSpec(_Model):
    id: Key
    zh: Name
    en: Name
    share: Decimal_


class TaskCreate(_Model):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,32}$")]
    group_zh: Name
    title_zh: Name
    title_en: Name
    category: Key
    indicators: dict[Key, Any] = {}
    qualifications: list[Str] = []
    packaging: Str = ""
    deliverables: list[Str] = []
    period_months: Annotated[int, Field(ge=1, le=120)]
    budget: Decimal_
    winners: Annotated[int, Field(ge=1, le=5)] = 1
    milestones: Annotated[list[MilestoneSpec], Field(min_length=1, max_length=10)]


class Member(_Model):
    code: Code
    name: Name
    role: Name


class ChallengeApply(_Model):
    lead_code: Code
    lead_name: Name
    province: Name
    members: Annotated[list[Member], Field(max_length=4)] = []
    agreement_name: Str | None = None
    agreement_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    proposal: Annotated[str, StringConstraints(max_length=2000)] = ""


class Selection(_Model):
    """The panel's reviews per application (criterion → score, one mapping a reviewer) and,
    optionally, the award of a winner (default: the task's share divided among its winners)."""

    reviews: dict[str, Annotated[list[dict[Key, Decimal_]], Field(min_length=1, max_length=20)]]
    awards: dict[str, Decimal_] = {}


class MilestoneAccept(_Model):
    milestone: Key
    reviewers: Annotated[list[Name], Field(min_length=1, max_length=10)]
    reference: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class ApplicationOut(_Model):
    id: int
    task: str
    lead_code: str
    lead_name: str
    province: str
    members: list[dict[str, str]]
    consortium: bool
    state: str
    score: str | None
    rank: int | None
    award: str | None
    paid: str
    milestones: list[dict[str, str]]
    agreement_name: str | None = None
    agreement_sha256: str | None = None
    agreement_file: bool = False      # the file is kept (uploaded through the pages)
    proposal: str = ""
    scores: list[dict[str, Any]] = []   # the panel's reviews, one mapping a reviewer


class TaskOut(_Model):
    id: int
    code: str
    group: str
    title: dict[str, str]
    category: str
    category_label: dict[str, str]
    indicators: dict[str, Any]
    qualifications: list[str]
    packaging: str
    deliverables: list[str]
    period_months: int
    budget: str
    winners: int
    horse_race: bool
    milestones: list[dict[str, str]]
    needs: int            # car makers' recorded needs in the same category (the market)
    applications: int


class ChallengeListOut(_Model):
    key: str
    title: dict[str, str]
    issuer: str
    budget: str
    committed: str
    paid: str
    state: str
    opens_on: dt.date
    closes_on: dt.date
    tasks: list[TaskOut]
    left: str = "0.00"                    # the budget less the winners' awards
    criteria: list[dict[str, Any]] = []   # the panel's rubric: id, labels, weight, assumed
    pass_mark: str = "60"


# ---------------------------------------------------------------------- 炬火种 competitions

class PrizeSpec(_Model):
    rank: Annotated[int, Field(ge=1, le=20)]
    zh: Name
    en: Name
    share: Decimal_            # of the problem's prize money


class StageRubric(_Model):
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=12)]
    pass_mark: Decimal_ = "60"


class CompetitionCreate(_Model):
    key: Key
    title_zh: Name
    title_en: Name
    organiser: Name
    year: Annotated[int, Field(ge=2000, le=2100)]
    finalists: Annotated[int, Field(ge=1, le=50)] = 5
    prizes: Annotated[list[PrizeSpec], Field(min_length=1, max_length=20)]
    preliminary: StageRubric
    final: StageRubric
    panels: dict[Literal["preliminary", "final"],
                 Annotated[list[Name], Field(max_length=20)]] = {}


class ProblemPost(_Model):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,32}$")]
    enterprise: Code
    title_zh: Name
    title_en: Name
    description: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=4000)]
    prize: Decimal_


class Entrant(_Model):
    name: Name
    university: Name
    role: Name = "队员"


class TeamRegister(_Model):
    name: Name
    university: Name
    members: Annotated[list[Entrant], Field(min_length=1, max_length=10)]
    mentor: Name
    contact: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=200)]


class StageScores(_Model):
    """The stage panel's reviews per team (criterion → score, one mapping a reviewer)."""

    reviews: dict[str, Annotated[list[dict[Key, Decimal_]], Field(min_length=1, max_length=20)]]
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class TeamOut(_Model):
    id: int
    problem_id: int
    name: str
    university: str
    members: list[dict[str, str]]
    mentor: str
    contact: str | None        # the organisers' and the posting enterprise's only
    state: str
    state_label: dict[str, str] = {}
    preliminary_score: str | None
    final_score: str | None
    rank: int | None
    award: dict[str, str] | None
    prize: str | None
    certificate: str | None


class ProblemOut(_Model):
    id: int
    competition: str
    code: str
    enterprise: str
    enterprise_name: str
    title: dict[str, str]
    description: str
    prize: str
    state: str
    state_label: dict[str, str]
    teams: int
    entrants: int
    actions: list[dict[str, str]] = []       # what the reader may do now (name, zh, en)
    roster: list[TeamOut] = []


class CompetitionOut(_Model):
    key: str
    title: dict[str, str]
    organiser: str
    year: int
    finalists: int
    prizes: list[dict[str, Any]]
    rubrics: dict[str, Any]
    panels: dict[str, list[str]]
    problems: list[ProblemOut]
    teams: int
    entrants: int
    universities: int


class Counts(_Model):
    """Entrants and teams by university (a member counts for the university named with
    them) and by problem."""

    key: str
    universities: list[dict[str, Any]]     # {university, teams, entrants}
    problems: list[dict[str, Any]]         # {code, title, state, teams, entrants}
    teams: int
    entrants: int
