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
