"""Matches as a person reads them: one row per clause with its status, amount, window,
why it fails and what is missing — the clauses that fit or nearly fit first; those
clearly not met (several basic conditions fail) are counted, not listed, as the CLI does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from huiqi.engine.public import (
    ClauseResultPublic,
    ConditionExplanationPublic,
    ExplanationPublic,
    Localized,
)
from huiqi.engine.result import RANK, nearly_fits
from huiqi.service.schemas import MatchPublic
from huiqi.text import Lang


@dataclass
class Row:
    pack: str
    key: str
    policy: str
    clause: str
    title: str
    status: str
    amount: Decimal | None
    potential: Decimal | None
    window: tuple[dt.date, dt.date] | None
    why: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: int = 0
    near: bool = True
    #: what the amount assumes that the text does not give; empty if it is the text's
    assumed: list[str] = field(default_factory=list)

    def window_state(self, day: dt.date) -> str | None:
        if self.window is None:
            return None
        a, b = self.window
        return "open" if a <= day <= b else "upcoming" if day < a else "closed"

    @property
    def href(self) -> str:
        return f"{self.policy}/{self.clause}"


@dataclass
class Summary:
    """Every clause of every published pack for one enterprise (or visitor)."""

    name: str
    code: str | None
    as_of: dt.date
    versions: list[str]
    rows: list[Row]
    not_in_force: list[str]

    @property
    def shown(self) -> list[Row]:
        return [r for r in self.rows if r.near]

    @property
    def hidden(self) -> int:
        return sum(1 for r in self.rows if not r.near)

    @property
    def total(self) -> Decimal:
        return sum((r.amount or Decimal(0) for r in self.rows if r.status == "eligible"),
                   Decimal(0))

    @property
    def assumed_total(self) -> Decimal:
        """The part of :attr:`total` whose amounts are assumed ("含假定金额 ¥…")."""
        return sum((r.amount or Decimal(0) for r in self.rows
                    if r.status == "eligible" and r.assumed), Decimal(0))

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _dec(v: str | None) -> Decimal | None:
    return None if v is None else Decimal(v)


def _s(v: Localized | None) -> str:
    """A text of an explanation asked in one language (both, if asked without one: Chinese)."""
    return "" if v is None else v if isinstance(v, str) else v.zh


def _gap_in(c: ConditionExplanationPublic) -> str | None:
    if c.gap:
        return _s(c.gap)
    for k in c.children:
        g = _gap_in(k)
        if g:
            return g
    return None


def _labels(conds: list[ConditionExplanationPublic], into: dict[str, str]) -> dict[str, str]:
    for c in conds:
        into[c.path] = _s(c.label)
        _labels(c.children, into)
    return into


def row(pack: str, clause: ClauseResultPublic, ex: ExplanationPublic) -> Row:
    """One clause from its match and its explanation (in one language)."""
    why = []
    for c in ex.conditions:
        if c.outcome == "not_met":
            gap = _gap_in(c)
            why.append(f"{_s(c.label)}:{gap}" if gap else _s(c.label))
    failed = len(clause.failed)
    labels = _labels(ex.conditions, {})
    return Row(pack=pack, key=clause.key, policy=clause.policy, clause=clause.clause,
               title=_s(ex.title), status=clause.status, amount=_dec(clause.amount),
               potential=_dec(clause.potential_amount), window=clause.window, why=why,
               missing=[_s(m) for m in ex.missing],
               reviews=[labels.get(x, x) for x in clause.needs_review],
               notes=[_s(n) for n in ex.notes], failed=failed,
               near=nearly_fits(clause.status, failed, bool(clause.gaps)),
               assumed=_assumed(clause, ex))


def _assumed(clause: ClauseResultPublic, ex: ExplanationPublic) -> list[str]:
    if not clause.amount_assumed:
        return []
    return list(ex.amount_assumed) or ["-"]


def summary(data: MatchPublic, lang: Lang) -> Summary:
    """Every clause of a match explained in ``lang`` (as the API serves it: ``MatchPublic``)."""
    rows: list[Row] = []
    not_in_force: list[str] = []
    for pm in data.packs:
        exs = {e.key: e for e in pm.explanations or []}
        for c in pm.clauses:
            rows.append(row(pm.pack, c, exs[c.key]))
        not_in_force.extend(pm.not_in_force)
    rows.sort(key=lambda r: (RANK[r.status], r.failed, -(r.potential or 0)))
    return Summary(name=data.name, code=data.enterprise or None, as_of=data.as_of,
                   versions=[pm.pack_version for pm in data.packs], rows=rows,
                   not_in_force=not_in_force)


def explanation(data: MatchPublic, key: str
                ) -> tuple[str, ClauseResultPublic, ExplanationPublic]:
    """The pack, clause match and explanation of clause ``key`` in a served match."""
    for pm in data.packs:
        for c, e in zip(pm.clauses, pm.explanations or [], strict=False):
            if c.key == key:
                return pm.pack, c, e
    from huiqi.errors import NotFoundError
    from huiqi.text import Text

    raise NotFoundError(Text("条款", "clause"), key)
