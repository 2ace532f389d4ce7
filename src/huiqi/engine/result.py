"""What matching returns: per clause the status, amount, failed conditions, gaps, missing facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from huiqi.text import Text


class Status(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"
    NEEDS_REVIEW = "needs_review"

    @property
    def text(self) -> Text:
        return STATUS_TEXT[self]


STATUS_TEXT = {
    Status.ELIGIBLE: Text("符合", "eligible"),
    Status.NOT_ELIGIBLE: Text("不符合", "not eligible"),
    Status.UNDETERMINED: Text("待补充信息", "undetermined"),
    Status.NEEDS_REVIEW: Text("需人工审核", "needs review"),
}

#: The order a person reads statuses in: what fits first, what is clearly not met last.
STATUS_ORDER = (Status.ELIGIBLE, Status.NEEDS_REVIEW, Status.UNDETERMINED, Status.NOT_ELIGIBLE)
#: Each status's place in that order (plain strings find it too: ``RANK["eligible"] == 0``).
RANK: dict[str, int] = {s: i for i, s in enumerate(STATUS_ORDER)}


def nearly_fits(status: str, failed: int, has_gaps: bool) -> bool:
    """Whether a clause is worth showing an enterprise: it fits or may fit, or it is missed on
    at most two conditions (on one, when none of them has a measurable gap). The others are
    clearly not met: counted, not listed."""
    return not (status == Status.NOT_ELIGIBLE and (failed > 2 or (not has_gaps and failed > 1)))


def near_miss(status: str, failed: Sequence[str], gap_conditions: Collection[str]) -> str | None:
    """The condition a clause is nearly met on: the clause is not met on exactly one condition,
    and that condition has a measurable gap. None for anything else."""
    if status == Status.NOT_ELIGIBLE and len(failed) == 1 and failed[0] in gap_conditions:
        return failed[0]
    return None


def within_quota(amounts: Iterable[Decimal], quota: int | None) -> Decimal:
    """What a quota lets be paid of these amounts: with a quota of k awards, the k largest;
    all of them without a quota."""
    ranked = sorted(amounts, reverse=True)
    return sum(ranked if quota is None else ranked[:max(0, quota)], Decimal(0))


def capped_by_quota(eligible: Iterable[Decimal], undetermined: Iterable[Decimal],
                    quota: int | None) -> tuple[Decimal, Decimal]:
    """The money of one clause under its quota: payable — what the eligible can receive (the
    k largest amounts) — and potential — what more the undetermined and those under review
    may add (the k largest of all, less the payable). Without a quota, plain sums. The one
    definition the leadership dashboard and the programmes' budget lines use."""
    eligible = list(eligible)
    payable = within_quota(eligible, quota)
    return payable, within_quota([*eligible, *undetermined], quota) - payable


@dataclass
class Tally:
    """Results counted by status, with their money: of one clause, or of one policy,
    industry, district … over many enterprises."""

    key: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))
    amount: Decimal = Decimal(0)       # payable to the eligible
    potential: Decimal = Decimal(0)    # would be payable to the undetermined and under review
    assumed: Decimal = Decimal(0)      # the part of amount that is assumed (not in the text)
    assumed_potential: Decimal = Decimal(0)  # the part of potential that is assumed

    def add(self, status: str, n: int = 1, amount: object = None,
            potential: object = None, *, assumed: bool = False) -> None:
        """Count ``n`` results of ``status`` with their summed ``amount`` and ``potential``;
        ``assumed``: the clause's amount is not given by the text (it is marked so)."""
        self.counts[status] = self.counts.get(status, 0) + int(n)
        if status == Status.ELIGIBLE:
            money = Decimal(str(amount or 0))
            self.amount += money
            if assumed:
                self.assumed += money
        elif status in (Status.UNDETERMINED, Status.NEEDS_REVIEW):
            money = Decimal(str(potential or 0))
            self.potential += money
            if assumed:
                self.assumed_potential += money

    def add_money(self, amount: Decimal, potential: Decimal, *, assumed: bool = False) -> None:
        """Add money counted apart from its results (a clause's amounts capped by its quota,
        see :func:`capped_by_quota`)."""
        self.amount += amount
        self.potential += potential
        if assumed:
            self.assumed += amount
            self.assumed_potential += potential

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(slots=True)
class Gap:
    """How far a failed comparison is from being met.

    ``shortfall`` is ``target - value`` for ``>=``/``>`` and ``value - target`` for
    ``<=``/``<`` (days for dates), exact, rounded half-even to 6 decimals. A strict
    comparison (``>``, ``<``) is still not met at a shortfall of 0.
    """

    condition: str
    op: str
    value: Any
    target: Any
    shortfall: Decimal
    strict: bool
    unit: str  # "yuan", "ratio", "days", a unit name, or ""


@dataclass(frozen=True)
class Missing:
    """A fact (of a fiscal year, if yearly) or a declaration the enterprise has not given."""

    fact: str
    year: int | None = None

    @property
    def key(self) -> str:
        return f"{self.fact}@{self.year}" if self.year is not None else self.fact


@dataclass
class AmountTrace:
    """The steps from the formula to the amount paid."""

    formula: Any = None
    exception: str | None = None
    cap: Any = None
    capped: Any = None
    clamped: bool = False
    rounded: Decimal | None = None
    stacking: list[Text] = field(default_factory=list)


@dataclass(slots=True)
class ClauseResult:
    key: str
    policy: str
    clause: str
    status: Status
    amount: Decimal | None
    potential: Decimal | None
    failed: tuple[str, ...]
    gaps: tuple[Gap, ...]
    missing: tuple[Missing, ...]
    reviews: tuple[str, ...]
    outcomes: dict[str, Any]
    notes: list[Text] = field(default_factory=list)
    window: tuple[dt.date, dt.date] | None = None
    trace: AmountTrace | None = None
    slots: dict[int, Any] = field(default_factory=dict, repr=False)
    undefined: Text | None = None
    #: the amount rests on something the text does not give (rules.assumptions)
    amount_assumed: bool = False


@dataclass(frozen=True)
class ReportedValue:
    """A named value the pack reports per enterprise (a score, a growth rate), rounded
    half-even to :data:`REPORT_PLACES` decimals; ``value`` None with ``state`` "missing" (a
    fact it needs is missing) or "undefined" (it cannot exist: a ratio over zero …);
    ``grade``: the label of its band, when the pack grades it ("A" … "F")."""

    key: str            # policy:name
    label: Text
    value: Decimal | None
    state: str          # "ok" | "missing" | "undefined"
    grade: str | None = None


REPORT_PLACES = 6


@dataclass
class MatchResult:
    enterprise_id: str
    enterprise_name: str
    pack_id: str
    pack_version: str
    as_of: dt.date
    clauses: list[ClauseResult]
    not_in_force: list[str] = field(default_factory=list)
    values: list[ReportedValue] = field(default_factory=list)

    def by_key(self, key: str) -> ClauseResult | None:
        return next((c for c in self.clauses if key in (c.key, c.clause)), None)

    @property
    def total(self) -> Decimal:
        return sum((c.amount or Decimal(0) for c in self.clauses
                    if c.status is Status.ELIGIBLE), Decimal(0))

    @property
    def assumed_total(self) -> Decimal:
        """The part of :attr:`total` whose amounts are assumed ("含假定金额 ¥…")."""
        return sum((c.amount or Decimal(0) for c in self.clauses
                    if c.status is Status.ELIGIBLE and c.amount_assumed), Decimal(0))
