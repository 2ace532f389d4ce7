"""A checked pack: policies, clauses, conditions and amounts ready for any engine."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from huiqi.facts.catalogue import Catalogue
from huiqi.facts.types import Type
from huiqi.rules import ir
from huiqi.text import Text

ROUNDING_UNITS: dict[str, Decimal] = {
    "fen": Decimal("0.01"), "jiao": Decimal("0.1"), "yuan": Decimal(1), "ten_yuan": Decimal(10),
    "hundred_yuan": Decimal(100), "thousand_yuan": Decimal(1000),
    "ten_thousand_yuan": Decimal(10000),
}


@dataclass(frozen=True)
class Citation:
    """The sentence of the policy text a rule comes from, or a note that it is assumed."""

    paragraph: str | None = None
    quote: str | None = None
    text: str | None = None  # the whole paragraph
    assumed: str | None = None
    summary: bool = False  # the paragraph is of the pack's summary, not the original text

    @property
    def is_assumed(self) -> bool:
        return self.assumed is not None

    def short(self) -> str:
        parts = []
        if self.paragraph is not None:
            parts.append(f"¶{self.paragraph}" + ("(要点摘要,非原文)" if self.summary else ""))
        if self.quote:
            parts.append(f"“{self.quote}”")
        if self.assumed is not None:
            parts.append(f"[假定/assumed] {self.assumed}")
        return " ".join(parts)


@dataclass
class ExceptionSpec:
    id: str
    label: Text
    when: ir.Node
    when_text: str
    then: bool | None = None  # for conditions
    amount: ir.Node | None = None  # for amounts
    amount_text: str | None = None
    cite: Citation = field(default_factory=Citation)


@dataclass(frozen=True)
class ScorePartSpec:
    """One (sub-)score a reviewer gives, and the range the policy declares for it."""

    label: Text
    lo: Decimal | None = None
    hi: Decimal | None = None


@dataclass
class ScoreSpec:
    """A scored review: the parts a reviewer scores (``score`` alone when the policy
    declares none), the formula combining them, and the pass mark (strict: ``>``)."""

    parts: dict[str, ScorePartSpec]
    formula: str
    pass_mark: str
    strict: bool = False

    @property
    def op(self) -> str:
        return ">" if self.strict else ">="


@dataclass
class ConditionSpec:
    """One eligibility condition of a clause (possibly a group of conditions)."""

    id: str
    path: str  # "size/staff": ids from the clause down
    label: Text
    kind: str  # "expr" | "review" | "all" | "any"
    cite: Citation
    expr: ir.Node | None = None
    text: str | None = None
    review: Text | None = None
    score: ScoreSpec | None = None
    children: list[ConditionSpec] = field(default_factory=list)
    exceptions: list[ExceptionSpec] = field(default_factory=list)
    facts: frozenset[str] = frozenset()

    def walk(self) -> list[ConditionSpec]:
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


@dataclass
class ValueSpec:
    key: str
    name: str
    label: Text
    expr: ir.Node
    text: str
    type: Type
    cite: Citation
    #: reported per enterprise in the results (a policy-level value)
    report: bool = False
    #: the band of a table it falls in, whose label is reported too ("A" … "F")
    grade: ir.Band | None = None


@dataclass
class AmountSpec:
    kind: str
    label: Text | None
    expr: ir.Node | None
    text: str | None
    exceptions: list[ExceptionSpec]
    cap: ir.Node | None
    cap_text: str | None
    rounding_unit: Decimal | None
    rounding_mode: str | None
    rounding_name: str | None
    cite: Citation
    #: the assumed notes the amount rests on (its own, and those of the parameters, tables
    #: and values it reads); empty when the text gives the amount (see rules.assumptions)
    assumptions: tuple[str, ...] = ()

    @property
    def assumed(self) -> bool:
        return bool(self.assumptions)


@dataclass
class ProgramSpec:
    recurrence: str | None = None
    windows: list[tuple[str, str]] = field(default_factory=list)  # ISO dates or MM-DD
    quota_per_year: int | None = None
    budget_total: Decimal | None = None
    validity_months: int | None = None
    validity_days: int | None = None
    cooldown_months: int | None = None
    cooldown_days: int | None = None
    once_only: bool = False
    may_be_vacant: bool = False
    applicants: str | None = None
    cite: Citation = field(default_factory=Citation)

    def window_at(self, day: dt.date) -> tuple[dt.date, dt.date] | None:
        """The window that contains ``day``, or the next one after it; None if none."""
        best: tuple[dt.date, dt.date] | None = None
        for opens, closes in self.windows:
            for year in (day.year - 1, day.year, day.year + 1):
                a = _window_day(opens, year)
                b = _window_day(closes, year)
                if b < a:
                    b = _window_day(closes, year + 1)
                if b < day:
                    continue
                if best is None or a < best[0]:
                    best = (a, b)
                if len(opens) == 10:
                    break
        return best


def _window_day(text: str, year: int) -> dt.date:
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    month, day = (int(x) for x in text.split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return dt.date(year, month, 28)


@dataclass
class ClauseSpec:
    policy: str
    id: str
    title: Text
    cite: Citation
    conditions: list[ConditionSpec]
    benefit: AmountSpec | None
    program: ProgramSpec | None
    values: dict[str, ValueSpec]
    notes: Text | None = None
    index: int = 0  # position in the pack, for stable ordering

    @property
    def key(self) -> str:
        return f"{self.policy}/{self.id}"

    def all_conditions(self) -> list[ConditionSpec]:
        out: list[ConditionSpec] = []
        for c in self.conditions:
            out.extend(c.walk())
        return out


@dataclass
class ParamSpec:
    name: str
    type: Type
    label: Text
    values: list[tuple[dt.date, Any]]
    cite: Citation

    def at(self, day: dt.date) -> Any:
        """The value in force on ``day`` (the latest taking effect on or before it)."""
        dates = [d for d, _ in self.values]
        i = bisect.bisect_right(dates, day)
        return self.values[i - 1][1] if i else None


@dataclass(frozen=True)
class BandSpec:
    lo: Decimal | None
    lo_inclusive: bool
    hi: Decimal | None
    hi_inclusive: bool
    value: Decimal
    label: Text | None = None
    text: str = ""

    def contains(self, x: Any) -> bool:
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_inclusive)):
            return False
        return not (self.hi is not None
                    and (x > self.hi or (x == self.hi and not self.hi_inclusive)))


@dataclass
class TableSpec:
    name: str
    label: Text
    type: Type  # of the values
    input_type: Type
    versions: list[tuple[dt.date | None, list[BandSpec]]] = field(default_factory=list)
    entries: dict[str, Decimal] = field(default_factory=dict)
    default: Decimal | None = None
    cite: Citation = field(default_factory=Citation)
    domain: tuple[Decimal | None, bool, Decimal | None, bool] = (None, False, None, False)

    def bands_at(self, day: dt.date) -> list[BandSpec]:
        chosen: list[BandSpec] = []
        for start, bands in self.versions:
            if start is None or start <= day:
                chosen = bands
        return chosen


@dataclass
class ChoiceSpec:
    key: str
    id: str
    label: Text
    options: dict[str, Text]
    cite: Citation


@dataclass
class GroupSpec:
    id: str
    label: Text
    kind: str  # "exclusive" | "cap"
    clauses: list[str]  # clause keys
    cap: Decimal | None
    cite: Citation


@dataclass
class PolicySpec:
    id: str
    title: Text
    issuer: Text
    document_number: str | None
    issued: dt.date | None
    effective: dt.date
    expiry: dt.date | None
    paragraphs: dict[str, str]
    url: str | None
    params: dict[str, ParamSpec]
    tables: dict[str, TableSpec]
    values: dict[str, ValueSpec]
    choices: dict[str, ChoiceSpec]
    clauses: list[ClauseSpec]
    groups: list[GroupSpec]
    cite: Citation
    notes: Text | None = None
    file: str = ""
    tags: list[str] = field(default_factory=list)
    #: the keys (numbers and names) of the paragraphs that are the pack's summary
    summary: frozenset[str] = frozenset()
    #: where the text comes from and what could not be confirmed (shown as a small note)
    source_note: str | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.effective <= day and (self.expiry is None or day <= self.expiry)


@dataclass
class Pack:
    """A checked policy pack. Only :func:`huiqi.rules.loader.load_pack` builds one."""

    id: str
    title: Text
    version: str
    digest: str
    policies: list[PolicySpec]
    groups: list[GroupSpec]
    catalogue: Catalogue
    path: str = ""
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def version_id(self) -> str:
        """Identifies exactly this content: declared version plus a digest of every file."""
        return f"{self.id}@{self.version}+{self.digest[:12]}"

    def clauses(self) -> list[ClauseSpec]:
        return [c for p in self.policies for c in p.clauses]

    def clause(self, key: str) -> ClauseSpec | None:
        for c in self.clauses():
            if key in (c.key, c.id):
                return c
        return None

    def policy(self, pid: str) -> PolicySpec | None:
        return next((p for p in self.policies if p.id == pid), None)

    def choice_options(self) -> dict[str, tuple[str, ...]]:
        """``policy:choice`` → the options the policy offers, for every choice of the pack."""
        return {f"{p.id}:{cid}": tuple(ch.options) for p in self.policies
                for cid, ch in p.choices.items()}

    def reported(self, day: dt.date | None = None) -> list[ValueSpec]:
        """The named values reported per enterprise (of the policies in force on ``day``)."""
        return [v for p in self.policies if day is None or p.in_force(day)
                for v in p.values.values() if v.report]

    def value_specs(self) -> dict[str, ValueSpec]:
        """Every named value by its key: ``policy:name`` or ``policy/clause:name``."""
        out: dict[str, ValueSpec] = {}
        for p in self.policies:
            for name, v in p.values.items():
                out[f"{p.id}:{name}"] = v
            for c in p.clauses:
                for name, v in c.values.items():
                    out[f"{p.id}/{c.id}:{name}"] = v
        return out
