"""Matches as a person reads them: one row per clause with its status, amount, window,
why it fails (in plain words, :mod:`huiqi.web.plain`) and what is missing, in three groups:

- 可申报 (fits): eligible, or eligible once a person has judged what only a person can;
- 差一点 (nearly fits, and the enterprise can act on it): undetermined for want of data, or
  failing a condition the enterprise can change;
- 其他 (folded): clearly not met, not met on something that cannot change (the founding
  date, where it is registered), or a policy of another park or city.

By default a policy counts only where it applies: national ones everywhere, a local one in
the park or city it names. The total counts only what fits.
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
from huiqi.rules.model import Pack
from huiqi.service.schemas import MatchPublic
from huiqi.text import Lang

from . import plain

FITS, NEAR, OTHER = "fits", "near", "other"


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
    #: why it is not met, in plain words (fixed ones last)
    reasons: list[plain.Reason] = field(default_factory=list)
    #: what a clause without money gives (a title, a service)
    gives: str | None = None
    #: whether its policy applies where the enterprise is registered
    local: bool = True
    #: the facts it misses (``fact`` or ``fact@year``), for the form that completes them
    missing_keys: list[str] = field(default_factory=list)

    @property
    def group(self) -> str:
        if not self.local:
            return OTHER
        if self.status in ("eligible", "needs_review"):
            return FITS
        if self.near and not any(r.fixed for r in self.reasons):
            return NEAR
        return OTHER

    @property
    def actionable(self) -> bool:
        return self.group != OTHER

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

    def group(self, name: str) -> list[Row]:
        return [r for r in self.rows if r.group == name]

    @property
    def shown(self) -> list[Row]:
        """What fits and what nearly fits (the enterprise can act on it)."""
        return [r for r in self.rows if r.group != OTHER]

    @property
    def hidden(self) -> int:
        return sum(1 for r in self.rows if r.group == OTHER)

    @property
    def total(self) -> Decimal:
        """What the clauses that fit pay (only those)."""
        return sum((r.amount or Decimal(0) for r in self.rows
                    if r.status == "eligible" and r.local), Decimal(0))

    @property
    def assumed_total(self) -> Decimal:
        """The part of :attr:`total` whose amounts are assumed ("含假定金额 ¥…")."""
        return sum((r.amount or Decimal(0) for r in self.rows
                    if r.status == "eligible" and r.local and r.assumed), Decimal(0))

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _dec(v: str | None) -> Decimal | None:
    return None if v is None else Decimal(v)


def _s(v: Localized | None) -> str:
    """A text of an explanation asked in one language (both, if asked without one: Chinese)."""
    return "" if v is None else v if isinstance(v, str) else v.zh


def _labels(conds: list[ConditionExplanationPublic], into: dict[str, str]) -> dict[str, str]:
    for c in conds:
        into[c.path] = _s(c.label)
        _labels(c.children, into)
    return into


def row(pack: str, clause: ClauseResultPublic, ex: ExplanationPublic, lang: Lang = "zh",
        loaded: Pack | None = None, local: bool = True) -> Row:
    """One clause from its match and its explanation (in one language); with its pack, the
    reasons say what cannot change and a clause without money says what it gives."""
    spec = loaded.clause(clause.key) if loaded is not None else None
    reasons = plain.reasons(ex.conditions, plain.condition_specs(spec), clause.gaps, lang,
                            loaded.catalogue if loaded is not None else None)
    why = [r.text + ("" if not r.options else ((":" if lang == "zh" else ": ")
                                               + ("、" if lang == "zh" else ", ").join(r.options)))
           for r in reasons]
    failed = len(clause.failed)
    labels = _labels(ex.conditions, {})
    return Row(pack=pack, key=clause.key, policy=clause.policy, clause=clause.clause,
               title=_s(ex.title), status=clause.status, amount=_dec(clause.amount),
               potential=_dec(clause.potential_amount), window=clause.window, why=why,
               missing=[_s(m) for m in ex.missing],
               reviews=[labels.get(x, x) for x in clause.needs_review],
               notes=[_s(n) for n in ex.notes], failed=failed,
               near=nearly_fits(clause.status, failed, bool(clause.gaps)),
               assumed=_assumed(clause, ex), reasons=reasons, gives=plain.gives(spec, lang),
               local=local, missing_keys=[k for k in clause.missing if not k.startswith("choice:")])


def _assumed(clause: ClauseResultPublic, ex: ExplanationPublic) -> list[str]:
    if not clause.amount_assumed:
        return []
    return list(ex.amount_assumed) or ["-"]


def summary(data: MatchPublic, lang: Lang, packs: dict[str, Pack] | None = None,
            city: str | None = None, park: str | None = None, everywhere: bool = False
            ) -> Summary:
    """Every clause of a match explained in ``lang`` (as the API serves it: ``MatchPublic``).

    With the packs, the reasons are plain (what cannot change, the alternatives), and the
    policies of other parks and cities (than ``city``/``park``) are folded under 其他 —
    unless ``everywhere``."""
    rows: list[Row] = []
    not_in_force: list[str] = []
    for pm in data.packs:
        exs = {e.key: e for e in pm.explanations or []}
        loaded = (packs or {}).get(pm.pack)
        where: dict[str, bool] = {}
        for c in pm.clauses:
            if c.policy not in where:
                pol = loaded.policy(c.policy) if loaded is not None else None
                where[c.policy] = everywhere or pol is None or plain.local(
                    plain.places(pol), city, park)
            rows.append(row(pm.pack, c, exs[c.key], lang, loaded, where[c.policy]))
        for pid in pm.not_in_force:
            pol = loaded.policy(pid) if loaded is not None else None
            not_in_force.append(_s(pol.title.zh if lang == "zh" else pol.title.en)
                                if pol is not None else pid)
    group_rank = {FITS: 0, NEAR: 1, OTHER: 2}
    rows.sort(key=lambda r: (group_rank[r.group], RANK[r.status], r.failed,
                             -(r.potential or 0)))
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
